"""Finding a card, page or share grant by its own id, for GraphQL's `node`: found only when
the caller sees the dashboard it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, select

from app.context import RequestContext
from app.domain.access import visible_dashboards
from app.domain.records import PAGE_COLUMNS, PLACEMENT_COLUMNS, PageRecord, PlacementRecord
from app.domain.shares import SHARE_COLUMNS, ShareRecord
from db.models import dashboards, pages, placements, share_grants


async def _row_on_visible_dashboard(
    ctx: RequestContext, table: Table, columns: Sequence[Any], row_id: int
) -> Row[Any] | None:
    statement = (
        select(*columns)
        .join(
            dashboards,
            (dashboards.c.tenant_id == table.c.tenant_id)
            & (dashboards.c.id == table.c.dashboard_id),
        )
        .where(table.c.tenant_id == ctx.tenant_id, table.c.id == row_id, visible_dashboards(ctx))
    )
    async with ctx.db.reader() as conn:
        return (await conn.execute(statement)).first()


async def visible_card(ctx: RequestContext, card_id: int) -> PlacementRecord | None:
    row = await _row_on_visible_dashboard(ctx, placements, PLACEMENT_COLUMNS, card_id)
    return PlacementRecord.from_row(row) if row else None


async def visible_page(ctx: RequestContext, page_id: int) -> PageRecord | None:
    row = await _row_on_visible_dashboard(ctx, pages, PAGE_COLUMNS, page_id)
    return PageRecord.from_row(row) if row else None


async def visible_share(ctx: RequestContext, share_id: int) -> ShareRecord | None:
    row = await _row_on_visible_dashboard(ctx, share_grants, SHARE_COLUMNS, share_id)
    return ShareRecord.from_row(row) if row else None
