"""The JSON this dialect answers with."""

from __future__ import annotations

from typing import Any

from app.domain.cards import Card
from app.domain.collections import CollectionRecord
from app.domain.contents import DashboardContents
from app.domain.public_links import PublicLinkRecord
from app.domain.records import (
    DashboardRecord,
    DatasetRecord,
    PageRecord,
    PlacementRecord,
    WidgetRecord,
)
from app.domain.shares import ShareRecord
from app.domain.templates import TemplateInfo


def collection_json(c: CollectionRecord) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "parent_id": c.parent_id,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }


def dashboard_summary(d: DashboardRecord) -> dict[str, Any]:
    return {
        "id": d.id,
        "code": d.code,
        "name": d.name,
        "description": d.description,
        "collection_id": d.collection_id,
        "is_active": d.is_active,
        "is_default": d.is_default,
        "role_ids": list(d.role_ids),
        "owner_id": d.owner_id,
        "version": d.version,
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
    }


def card_json(
    placement: PlacementRecord, widget: WidgetRecord, page_number: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "card_id": placement.id,
        "card_type": widget.widget_type,
        "name": widget.name,
        "config": widget.config,
        "layout": placement.position.as_json() if placement.position else None,
        "widget_id": widget.id,
        "data_source": widget.data_source,
    }
    if page_number is not None:
        body["page"] = page_number
    return body


def page_json(
    page: PageRecord, cards: list[tuple[PlacementRecord, WidgetRecord]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": page.id, "name": page.name, "position": page.position}
    if cards is not None:
        body["cards"] = [card_json(p, w) for p, w in cards]
    return body


def share_json(s: ShareRecord) -> dict[str, Any]:
    return {
        "share_id": s.id,
        "subject_type": s.subject_type.value,
        "subject_id": s.subject_id,
        "access_level": s.access_level.value,
        "granted_by": s.granted_by,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


def dashboard_json(contents: DashboardContents) -> dict[str, Any]:
    """The full configuration: fields, parameters, pages with their cards, share grants."""
    return {
        **dashboard_summary(contents.dashboard),
        "parameters": contents.dashboard.parameters,
        "pages": [page_json(p, contents.cards_on(p)) for p in contents.pages],
        "shares": [share_json(s) for s in contents.shares],
    }


def public_link_json(link: PublicLinkRecord) -> dict[str, Any]:
    return {
        "slug": link.slug,
        "url": f"/api/public/dashboards/{link.slug}/render",
        "created_at": link.created_at.isoformat(),
    }


def full_dashboard_json(
    contents: DashboardContents, public_link: PublicLinkRecord | None
) -> dict[str, Any]:
    """The full configuration and the public link (null when there is none or the caller may
    not manage the dashboard's sharing)."""
    link = public_link_json(public_link) if public_link is not None else None
    return {**dashboard_json(contents), "public_link": link}


def template_json(t: TemplateInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "requirements": list(t.requirements),
    }


def dataset_json(d: DatasetRecord) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "description": d.description,
        "source_kind": d.source_kind,
        "source": d.source,
        "columns": [c.as_json() for c in d.columns],
        "owner_id": d.owner_id,
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
    }


def card_result(card: Card, pages: list[PageRecord] | None = None) -> dict[str, Any]:
    number = next((p.position for p in pages or [] if p.id == card.placement.page_id), None)
    return card_json(card.placement, card.widget, number)
