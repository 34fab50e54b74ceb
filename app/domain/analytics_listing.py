"""Lists of dashboards for the analytics clients of seed 004: the dashboards the caller sees
that meet a further condition (an OData `$filter`, compiled elsewhere), each with the number
of widgets on it, by offset and limit, with the total that match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, ScalarSelect, Select, func, select

from app.context import RequestContext
from app.domain.access import visible_dashboards
from app.domain.odata_filter import FieldType, FilterField
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord
from db.models import dashboards, placements


def _widget_count() -> ScalarSelect[int]:
    """The number of tiles on the dashboard row in scope, on every page."""
    return (
        select(func.count())
        .select_from(placements)
        .where(
            placements.c.tenant_id == dashboards.c.tenant_id,
            placements.c.dashboard_id == dashboards.c.id,
        )
        .correlate(dashboards)
        .scalar_subquery()
    )


# What seed-004 clients may filter on, by the names they use.
FILTER_FIELDS = {
    "name": FilterField(dashboards.c.name, FieldType.STRING),
    "type": FilterField(dashboards.c.type, FieldType.STRING),
    "description": FilterField(dashboards.c.description, FieldType.STRING),
    "widgetCount": FilterField(_widget_count(), FieldType.NUMBER),
    "createdAt": FilterField(dashboards.c.created_at, FieldType.DATETIME),
    "updatedAt": FilterField(dashboards.c.updated_at, FieldType.DATETIME),
    "refreshInterval": FilterField(dashboards.c.refresh_interval, FieldType.NUMBER),
}


@dataclass(frozen=True, slots=True)
class ListedDashboard:
    dashboard: DashboardRecord
    widget_count: int


def _listed(ctx: RequestContext, condition: ColumnElement[bool]) -> Select[Any]:
    return (
        select(*DASHBOARD_COLUMNS, _widget_count().label("widget_count"))
        .where(visible_dashboards(ctx), condition)
        .order_by(dashboards.c.id)
    )


def _from_row(row: Row[Any]) -> ListedDashboard:
    return ListedDashboard(DashboardRecord.from_row(row), row.widget_count)


async def list_dashboards_where(
    ctx: RequestContext, condition: ColumnElement[bool], *, offset: int, limit: int
) -> tuple[list[ListedDashboard], int]:
    """One page, in id order, of the dashboards the caller sees that meet `condition`, and
    how many meet it in all."""
    # One snapshot, so that the page and the total agree.
    async with ctx.db.reader(isolation_level="REPEATABLE READ") as conn:
        rows = await conn.execute(_listed(ctx, condition).offset(offset).limit(limit))
        items = [_from_row(row) for row in rows]
        total = await conn.scalar(
            select(func.count()).select_from(dashboards).where(visible_dashboards(ctx), condition)
        )
    return items, int(total or 0)
