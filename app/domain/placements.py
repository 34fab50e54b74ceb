"""Placements: which widgets a dashboard shows, on which page and where on the grid. The
whole list is replaced at once, in one transaction that holds the dashboard's row lock, so
concurrent replacements serialise and the result is always exactly one caller's list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import visible_widgets
from app.domain.editing import bump_version, editing_dashboard
from app.domain.grid import Placed, check_position, require_no_overlap
from app.domain.pages import pages_of
from app.domain.records import PLACEMENT_COLUMNS, DashboardRecord, PlacementRecord, Position
from app.domain.validation import Problems
from app.domain.widgets import delete_unplaced_card_widgets, placed_widget_ids
from app.errors import ErrorCode
from db.models import dashboard_widgets, placements


@dataclass(frozen=True, slots=True)
class PlacementDraft:
    widget_id: int
    position: Position | None = None
    page: int | None = None  # the page's number; the first page when left out


def _check(
    problems: Problems, items: Sequence[PlacementDraft], *, max_items: int, columns: int
) -> None:
    if len(items) > max_items:
        problems.add(
            ErrorCode.INVALID, f"at most {max_items} placements per dashboard", ("placements",)
        )
        return
    first_index: dict[int, int] = {}
    for index, item in enumerate(items):
        at = ("placements", index)
        if item.widget_id in first_index:
            problems.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"widget {item.widget_id} appears more than once (also at index "
                f"{first_index[item.widget_id]}); a widget may be placed once per dashboard",
                (*at, "dashboard_widget_id"),
            )
        first_index.setdefault(item.widget_id, index)
        if item.position is not None:
            check_position(problems, item.position, (*at, "position"), columns)


async def set_placements(
    ctx: RequestContext,
    dashboard_id: int,
    items: Sequence[PlacementDraft],
    *,
    expected_version: int | None = None,
) -> DashboardRecord:
    problems = Problems()
    _check(
        problems, items, max_items=ctx.settings.max_placements, columns=ctx.settings.grid_columns
    )
    problems.raise_if_any()

    async with editing_dashboard(
        ctx, dashboard_id, expected_version, "placing widgets on a dashboard"
    ) as conn:
        page_ids = await _page_ids(conn, ctx, dashboard_id, items)
        await _require_widgets(conn, ctx, items)
        require_no_overlap(
            Placed(
                f"placement {index}",
                page_ids[index],
                item.position,
                ("placements", index, "position"),
            )
            for index, item in enumerate(items)
            if item.position is not None
        )
        await _require_widgets(conn, ctx, items)
        replaced = await placed_widget_ids(conn, ctx, dashboard_id=dashboard_id)
        await conn.execute(
            delete(placements).where(
                placements.c.tenant_id == ctx.tenant_id, placements.c.dashboard_id == dashboard_id
            )
        )
        if items:
            await conn.execute(
                placements.insert(),
                [
                    {
                        "tenant_id": ctx.tenant_id,
                        "dashboard_id": dashboard_id,
                        "page_id": page_ids[ordinal],
                        "widget_id": item.widget_id,
                        "position": item.position.as_json() if item.position else {},
                        "ordinal": ordinal,
                    }
                    for ordinal, item in enumerate(items)
                ],
            )
        await delete_unplaced_card_widgets(conn, ctx, replaced)
        return await bump_version(conn, ctx, dashboard_id)


async def _page_ids(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, items: Sequence[PlacementDraft]
) -> list[int]:
    """The page id of each item: its page number's, or the first page's."""
    by_number = {page.position: page.id for page in await pages_of(conn, ctx, dashboard_id)}
    problems = Problems()
    result = []
    for index, item in enumerate(items):
        number = 1 if item.page is None else item.page
        if number not in by_number:
            problems.add(
                ErrorCode.UNKNOWN_REFERENCE,
                f"the dashboard has no page {number} (it has {len(by_number)})",
                ("placements", index, "page"),
            )
        result.append(by_number.get(number, 0))
    problems.raise_if_any()
    return result


async def _require_widgets(
    conn: AsyncConnection, ctx: RequestContext, items: Sequence[PlacementDraft]
) -> None:
    """Every widget must exist in this tenant and be one the caller sees (a card's own widget
    only with its dashboard). FOR KEY SHARE keeps them from being deleted before this
    transaction commits."""
    wanted = {item.widget_id for item in items}
    if not wanted:
        return
    found = set(
        (
            await conn.execute(
                select(dashboard_widgets.c.id)
                .where(visible_widgets(ctx), dashboard_widgets.c.id.in_(sorted(wanted)))
                .with_for_update(read=True, key_share=True)
            )
        ).scalars()
    )
    problems = Problems()
    for index, item in enumerate(items):
        if item.widget_id not in found:
            problems.add(
                ErrorCode.UNKNOWN_REFERENCE,
                f"there is no widget {item.widget_id} in this tenant",
                ("placements", index, "dashboard_widget_id"),
            )
    problems.raise_if_any()


async def count_cards(ctx: RequestContext, dashboard_ids: Iterable[int]) -> dict[int, int]:
    """How many cards (placements) each of these dashboards has, in one statement. The
    caller has already checked that it may see them."""
    ids = sorted(set(dashboard_ids))
    if not ids:
        return {}
    async with ctx.db.reader() as conn:
        rows = await conn.execute(
            select(placements.c.dashboard_id, func.count())
            .where(placements.c.tenant_id == ctx.tenant_id, placements.c.dashboard_id.in_(ids))
            .group_by(placements.c.dashboard_id)
        )
        return {dashboard_id: int(count) for dashboard_id, count in rows}


async def get_placements(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, list[PlacementRecord]]:
    """Placements of the given dashboards, in the order they were set. The caller has
    already checked that it may see those dashboards."""
    rows = await conn.execute(
        select(*PLACEMENT_COLUMNS)
        .where(
            placements.c.tenant_id == ctx.tenant_id,
            placements.c.dashboard_id.in_(list(dashboard_ids)),
        )
        .order_by(placements.c.dashboard_id, placements.c.ordinal, placements.c.id)
    )
    by_dashboard: dict[int, list[PlacementRecord]] = defaultdict(list)
    for row in rows:
        by_dashboard[row.dashboard_id].append(PlacementRecord.from_row(row))
    return by_dashboard
