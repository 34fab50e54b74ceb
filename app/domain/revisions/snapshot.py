"""A dashboard's state as a revision keeps it: its fields, pages, cards, the private widgets
behind its cards (their config is the card's), its grants, and whether it has a public link.
Library widgets belong to the tenant and are referenced by id, not copied. Pages, cards,
card widgets and grants are keyed by their ids, so a diff names exactly what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.records import DASHBOARD_CONTENT_FIELDS
from app.domain.statement_parameters import TENANT_ID, among_ids
from db.models import dashboard_widgets, dashboards, pages, placements, public_links, share_grants

Snapshot = dict[str, Any]

PAGE_FIELDS = ("name", "position")
CARD_FIELDS = ("page_id", "widget_id", "position", "ordinal", "client_key", "title")
CARD_WIDGET_FIELDS = (
    "name",
    "widget_type",
    "description",
    "config",
    "data_source",
    "dataset_id",
    "owner_id",
)
GRANT_FIELDS = ("subject_type", "subject_id", "access_level", "granted_by")

# The private widgets among the cards' widgets, by id (a join to the placements plans badly).
_CARD_WIDGETS = select(
    dashboard_widgets.c.id, *(dashboard_widgets.c[name] for name in CARD_WIDGET_FIELDS)
).where(
    dashboard_widgets.c.tenant_id == TENANT_ID,
    among_ids(dashboard_widgets.c.id),
    dashboard_widgets.c.in_library.is_(False),
)


async def current_snapshot(conn: AsyncConnection, tenant_id: int, dashboard_id: int) -> Snapshot:
    """The dashboard's state as this transaction sees it."""
    dashboard = (
        await conn.execute(
            select(*(dashboards.c[name] for name in DASHBOARD_CONTENT_FIELDS)).where(
                dashboards.c.tenant_id == tenant_id, dashboards.c.id == dashboard_id
            )
        )
    ).one()
    page_rows = await conn.execute(
        select(pages.c.id, *(pages.c[name] for name in PAGE_FIELDS)).where(
            pages.c.tenant_id == tenant_id, pages.c.dashboard_id == dashboard_id
        )
    )
    card_rows = (
        await conn.execute(
            select(placements.c.id, *(placements.c[name] for name in CARD_FIELDS)).where(
                placements.c.tenant_id == tenant_id, placements.c.dashboard_id == dashboard_id
            )
        )
    ).all()
    widget_rows = await conn.execute(
        _CARD_WIDGETS, {"tenant_id": tenant_id, "ids": [row.widget_id for row in card_rows]}
    )
    grant_rows = await conn.execute(
        select(share_grants.c.id, *(share_grants.c[name] for name in GRANT_FIELDS)).where(
            share_grants.c.tenant_id == tenant_id, share_grants.c.dashboard_id == dashboard_id
        )
    )
    has_link = await conn.scalar(
        select(public_links.c.slug).where(
            public_links.c.tenant_id == tenant_id, public_links.c.dashboard_id == dashboard_id
        )
    )
    fields = dict(dashboard._mapping)
    fields["role_ids"] = list(fields["role_ids"])
    fields["tags"] = list(fields["tags"])
    return {
        "dashboard": fields,
        "pages": _keyed(page_rows, PAGE_FIELDS),
        "cards": _keyed(card_rows, CARD_FIELDS),
        "card_widgets": _keyed(widget_rows, CARD_WIDGET_FIELDS),
        "grants": _keyed(grant_rows, GRANT_FIELDS),
        "public_link": has_link is not None,
    }


def _keyed(rows: Any, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {str(row.id): {name: getattr(row, name) for name in names} for row in rows}
