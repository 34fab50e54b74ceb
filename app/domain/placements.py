"""Placements: which widgets a dashboard shows, and where on the grid. The whole list is
replaced at once, in one transaction that holds the dashboard's row lock, so concurrent
replacements serialise and the result is always exactly one caller's list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.dashboards import bump_version, lock_writable_dashboard
from app.domain.records import PLACEMENT_COLUMNS, DashboardRecord, PlacementRecord, Position
from app.domain.validation import Problems
from app.errors import ErrorCode
from db.models import dashboard_widgets, placements

COORDINATE_MAX = 10_000
SIZE_MAX = 1_000


@dataclass(frozen=True, slots=True)
class PlacementDraft:
    widget_id: int
    position: Position | None = None


def _check(problems: Problems, items: Sequence[PlacementDraft], max_items: int) -> None:
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
            for name in ("x", "y"):
                problems.integer_range(
                    getattr(item.position, name),
                    (*at, "position", name),
                    minimum=0,
                    maximum=COORDINATE_MAX,
                )
            for name in ("w", "h"):
                problems.integer_range(
                    getattr(item.position, name),
                    (*at, "position", name),
                    minimum=1,
                    maximum=SIZE_MAX,
                )


async def set_placements(
    ctx: RequestContext,
    dashboard_id: int,
    items: Sequence[PlacementDraft],
    *,
    expected_version: int | None = None,
) -> DashboardRecord:
    problems = Problems()
    _check(problems, items, ctx.settings.max_placements)
    problems.raise_if_any()

    async with ctx.db.transaction() as conn:
        await lock_writable_dashboard(
            conn, ctx, dashboard_id, expected_version, action="placing widgets on a dashboard"
        )
        await _require_widgets(conn, ctx, items)
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
                        "widget_id": item.widget_id,
                        "position": item.position.as_json() if item.position else {},
                        "ordinal": ordinal,
                    }
                    for ordinal, item in enumerate(items)
                ],
            )
        return await bump_version(conn, ctx, dashboard_id)


async def _require_widgets(
    conn: AsyncConnection, ctx: RequestContext, items: Sequence[PlacementDraft]
) -> None:
    """Every widget must exist in this tenant. FOR KEY SHARE keeps them from being deleted
    before this transaction commits."""
    wanted = {item.widget_id for item in items}
    if not wanted:
        return
    found = set(
        (
            await conn.execute(
                select(dashboard_widgets.c.id)
                .where(
                    dashboard_widgets.c.tenant_id == ctx.tenant_id,
                    dashboard_widgets.c.id.in_(sorted(wanted)),
                )
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
        .order_by(placements.c.dashboard_id, placements.c.ordinal)
    )
    by_dashboard: dict[int, list[PlacementRecord]] = defaultdict(list)
    for row in rows:
        by_dashboard[row.dashboard_id].append(PlacementRecord.from_row(row))
    return by_dashboard
