"""Before an import writes anything: which of the target's dashboards and library widgets the
document's match, and the locks on them (and on the tenant's imports, which queue)."""

from __future__ import annotations

from sqlalchemy import Text, func, literal, select

from app.domain.access import Action
from app.domain.editing import lock_dashboard
from app.domain.records import WIDGET_COLUMNS, WidgetRecord
from app.domain.transfer.import_state import ImportState
from app.errors import DomainError, ErrorCode, Problem
from db.models import dashboard_widgets, dashboards, placements


async def lock_imports(state: ImportState) -> None:
    key = literal(f"dashboard-import:{state.ctx.tenant_id}", Text)
    await state.conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def matched_dashboards(state: ImportState) -> dict[str, int]:
    """The target's dashboard ids by code: all of them (COPY needs them to find free
    codes; OVERWRITE replaces those the document names)."""
    rows = await state.conn.execute(
        select(dashboards.c.code, dashboards.c.id).where(
            dashboards.c.tenant_id == state.ctx.tenant_id
        )
    )
    return {row.code: row.id for row in rows}


async def matched_widgets(state: ImportState) -> dict[str, WidgetRecord]:
    """OVERWRITE: the library widget each document widget replaces, by kind when it has
    one, else by name when exactly one library widget has it."""
    if not state.overwrite or not state.document.widgets:
        return {}
    rows = await state.conn.execute(
        select(*WIDGET_COLUMNS)
        .where(
            dashboard_widgets.c.tenant_id == state.ctx.tenant_id,
            dashboard_widgets.c.in_library,
        )
        .order_by(dashboard_widgets.c.id)
    )
    library = [WidgetRecord.from_row(row) for row in rows]
    by_kind = {w.kind: w for w in library if w.kind is not None}
    by_name: dict[str, list[WidgetRecord]] = {}
    for w in library:
        by_name.setdefault(w.name, []).append(w)
    matches: dict[str, WidgetRecord] = {}
    used: set[int] = set()
    for entry in state.document.widgets:
        found = by_kind.get(entry.kind) if entry.kind else None
        if found is None and not entry.kind:
            named = by_name.get(entry.name.strip(), [])
            found = named[0] if len(named) == 1 else None
        if found is not None and found.id not in used:
            matches[entry.key] = found
            used.add(found.id)
    return matches


async def lock_dashboards(
    state: ImportState, codes: dict[str, int], widget_matches: dict[str, WidgetRecord]
) -> None:
    """OVERWRITE: lock the dashboards the document replaces (checking the caller may
    change each) and those showing a library widget it replaces, in id order."""
    if not state.overwrite:
        return
    document = state.document
    targets = {codes[d.code]: i for i, d in enumerate(document.dashboards) if d.code in codes}
    showing = await dashboards_showing(state, {w.id for w in widget_matches.values()})
    problems: list[Problem] = []
    for dashboard_id in sorted(set(targets) | showing):
        if dashboard_id not in targets:
            await state.conn.execute(
                select(dashboards.c.id)
                .where(
                    dashboards.c.tenant_id == state.ctx.tenant_id,
                    dashboards.c.id == dashboard_id,
                )
                .with_for_update()
            )
            continue
        index = targets[dashboard_id]
        try:
            await lock_dashboard(
                state.conn,
                state.ctx,
                dashboard_id,
                None,
                action=Action.EDIT,
                description="overwriting a dashboard",
            )
        except DomainError as error:
            problems.append(_refused(error, index, document.dashboards[index].code))
    if problems:
        raise DomainError(*problems)


async def dashboards_showing(state: ImportState, widget_ids: set[int]) -> set[int]:
    """The dashboards showing any of these widgets."""
    if not widget_ids:
        return set()
    rows = await state.conn.execute(
        select(placements.c.dashboard_id).where(
            placements.c.tenant_id == state.ctx.tenant_id,
            placements.c.widget_id.in_(sorted(widget_ids)),
        )
    )
    return set(rows.scalars())


def _refused(error: DomainError, index: int, code: str) -> Problem:
    """Overwriting a dashboard the caller may not change: forbidden when they see it; when
    they do not, its code is simply taken (as createDashboard would say)."""
    problem = error.problems[0]
    path = ("dashboards", index, "code")
    if problem.code is ErrorCode.NOT_FOUND:
        return Problem(
            ErrorCode.ALREADY_EXISTS,
            f"dashboards[{index}].code: a dashboard with code {code!r} exists that you "
            "cannot change",
            path,
        )
    return Problem(problem.code, f"dashboards[{index}].code: {problem.message}", path)
