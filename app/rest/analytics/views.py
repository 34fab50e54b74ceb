"""The JSON the seed-004 dialect answers with: ids like `dashboard_12`, camelCase members,
times in UTC ISO 8601 with a `Z`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.domain.analytics_layouts import size_of
from app.domain.analytics_listing import ListedDashboard
from app.domain.assignments import AssignedDashboard
from app.domain.contents import DashboardContents
from app.domain.records import DashboardRecord, PlacementRecord, WidgetRecord
from app.domain.render import RenderedCard
from app.rest.analytics.ids import dashboard_key


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def created_json(d: DashboardRecord) -> dict[str, Any]:
    return {
        "id": dashboard_key(d.id),
        "name": d.name,
        "type": d.type,
        "createdAt": timestamp(d.created_at),
    }


def updated_json(d: DashboardRecord) -> dict[str, Any]:
    return {"id": dashboard_key(d.id), "name": d.name, "updatedAt": timestamp(d.updated_at)}


def summary_json(listed: ListedDashboard) -> dict[str, Any]:
    d = listed.dashboard
    return {
        "id": dashboard_key(d.id),
        "name": d.name,
        "type": d.type,
        "widgetCount": listed.widget_count,
        "createdAt": timestamp(d.created_at),
    }


def widget_json(
    placement: PlacementRecord, widget: WidgetRecord, card: RenderedCard | None
) -> dict[str, Any]:
    """A tile with its data: the rows its query gave, as `series`."""
    rows = card.data["rows"] if card is not None and card.data is not None else None
    return {
        "id": placement.client_key or f"widget_{placement.id}",
        "type": widget.kind or widget.widget_type,
        "title": placement.title or widget.name,
        "size": size_of(placement.position),
        "data": None if rows is None else {"series": rows},
        "error": card.error if card is not None else None,
    }


def dashboard_json(contents: DashboardContents, cards: dict[int, RenderedCard]) -> dict[str, Any]:
    """The dashboard with every tile; `cards` are the rendered ones by card (placement) id."""
    d = contents.dashboard
    return {
        "id": dashboard_key(d.id),
        "name": d.name,
        "description": d.description,
        "type": d.type,
        "widgets": [
            widget_json(p, contents.widgets[p.widget_id], cards.get(p.id))
            for p in contents.placements
        ],
        "refreshInterval": d.refresh_interval,
        "createdAt": timestamp(d.created_at),
        "updatedAt": timestamp(d.updated_at),
    }


def assigned_json(assigned: AssignedDashboard) -> dict[str, Any]:
    d = assigned.dashboard
    return {
        "id": dashboard_key(d.id),
        "name": d.name,
        "type": d.type,
        "isDefault": assigned.is_default,
    }
