"""A dashboard with everything on it, read at once: what REST's full reads return."""

from __future__ import annotations

from dataclasses import dataclass

from app.context import RequestContext
from app.domain.dashboards import get_dashboards
from app.domain.pages import get_pages
from app.domain.placements import get_placements
from app.domain.records import DashboardRecord, PageRecord, PlacementRecord, WidgetRecord
from app.domain.shares import ShareRecord, get_shares
from app.domain.widgets import get_widgets
from app.errors import not_found


@dataclass(frozen=True, slots=True)
class DashboardContents:
    dashboard: DashboardRecord
    pages: list[PageRecord]
    placements: list[PlacementRecord]
    widgets: dict[int, WidgetRecord]
    shares: list[ShareRecord]

    def cards_on(self, page: PageRecord) -> list[tuple[PlacementRecord, WidgetRecord]]:
        return [(p, self.widgets[p.widget_id]) for p in self.placements if p.page_id == page.id]


async def load_contents(ctx: RequestContext, dashboard_id: int) -> DashboardContents:
    """The dashboard (not found unless the caller sees it), its pages, cards, widgets and
    grants, in one repeatable-read snapshot so that the parts agree with each other."""
    async with ctx.db.reader(isolation_level="REPEATABLE READ") as conn:
        dashboard = (await get_dashboards(conn, ctx, [dashboard_id])).get(dashboard_id)
        if dashboard is None:
            raise not_found("dashboard", dashboard_id, ("id",))
        pages = (await get_pages(conn, ctx, [dashboard_id])).get(dashboard_id, [])
        placements = (await get_placements(conn, ctx, [dashboard_id])).get(dashboard_id, [])
        widgets = await get_widgets(conn, ctx, {p.widget_id for p in placements})
        shares = (await get_shares(conn, ctx, [dashboard_id])).get(dashboard_id, [])
    return DashboardContents(dashboard, pages, placements, widgets, shares)
