"""Importing dashboards: OVERWRITE replaces those whose code the target has (their columns,
and their pages, cards and grants when these differ); the others are created, with a suffixed
code when theirs is taken. Every dashboard changed gets a new version and a revision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.domain.cards import Card, get_cards
from app.domain.dashboards import CODE_MAX, clear_tenant_default
from app.domain.duplication import new_ids
from app.domain.editing import bump_version
from app.domain.pages import get_pages
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord, PageRecord
from app.domain.revisions import record_revision
from app.domain.shares import ShareRecord, get_shares
from app.domain.transfer.comparison import comparable, current_content, free_name
from app.domain.transfer.import_contents import (
    clear_cards,
    clear_grants,
    report_grants,
    wanted_content,
    write_cards,
    write_grants,
)
from app.domain.transfer.import_matching import dashboards_showing
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.report import ImportAction, ObjectKind
from db.models import dashboards


@dataclass
class _Replaced:
    """The target's dashboards an OVERWRITE replaces, as they are before it: by dashboard id."""

    rows: dict[int, DashboardRecord]
    pages: dict[int, list[PageRecord]]
    cards: dict[int, list[Card]]
    grants: dict[int, list[ShareRecord]]


async def _read_replaced(state: ImportState, ids: list[int]) -> _Replaced:
    if not ids:
        return _Replaced({}, {}, {}, {})
    conn, ctx = state.conn, state.ctx
    board_pages = await get_pages(conn, ctx, ids)
    cards = await get_cards(conn, ctx, ids)
    grants = await get_shares(conn, ctx, ids)
    rows = await conn.execute(
        select(*DASHBOARD_COLUMNS).where(
            dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id.in_(ids)
        )
    )
    return _Replaced({r.id: DashboardRecord.from_row(r) for r in rows}, board_pages, cards, grants)


async def import_dashboards(
    state: ImportState, codes: dict[str, int], widgets_changed: set[int]
) -> None:
    entries = state.document.dashboards
    replaced = {
        i: codes[d.code] for i, d in enumerate(entries) if state.overwrite and d.code in codes
    }
    now = await _read_replaced(state, sorted(replaced.values()))
    taken = set(codes)
    create: list[tuple[int, dict[str, Any]]] = []
    rewrite: dict[int, dict[str, Any]] = {}  # dashboard id -> changed columns
    new_cards: set[int] = set()  # dashboards whose pages and cards are replaced
    new_grants: set[int] = set()  # dashboards whose grants are replaced
    for index, entry in enumerate(entries):
        values = state.checked.dashboard_values[index] | {
            "collection_id": state.collection_ids.get(entry.collection or "")
        }
        if index not in replaced:
            values["code"] = free_name(values["code"], taken, CODE_MAX, "-{}")
            create.append((index, values))
            continue
        dashboard_id = replaced[index]
        current = now.rows[dashboard_id]
        differs = {
            k: v
            for k, v in values.items()
            if k != "code" and comparable(getattr(current, k)) != comparable(v)
        }
        wanted = wanted_content(state, entry)
        found = current_content(
            now.pages.get(dashboard_id, []),
            now.cards.get(dashboard_id, []),
            now.grants.get(dashboard_id, []) if state.grants_of(entry) else None,
        )
        if wanted[:2] != found[:2]:
            new_cards.add(dashboard_id)
        if wanted[2] != found[2]:
            new_grants.add(dashboard_id)
        if differs or dashboard_id in new_cards | new_grants:
            rewrite[dashboard_id] = differs
            action = ImportAction.UPDATED
        else:
            action = ImportAction.UNCHANGED
        state.report.add(ObjectKind.DASHBOARD, entry.code, entry.code, action, dashboard_id)
        report_grants(state, entry, now.grants.get(dashboard_id, []), action)
        state.advance()
    if not state.overwrite and await _has_default(state):
        # Copies leave the tenant's default where it is (as duplicating does).
        for _, values in create:
            values["is_default"] = False
    if any(v.get("is_default") for _, v in create) or any(
        v.get("is_default") for v in rewrite.values()
    ):
        await clear_tenant_default(state.conn, state.ctx)
    new_board_ids = await _create(state, create)
    board_of = {index: new_id for (index, _), new_id in zip(create, new_board_ids, strict=True)}
    created = set(board_of)
    board_of.update(replaced)
    await clear_cards(state, sorted(new_cards))
    await clear_grants(state, sorted(new_grants))
    await write_cards(
        state,
        {i: entries[i] for i in board_of if i in created or board_of[i] in new_cards},
        board_of,
    )
    await write_grants(
        state,
        {i: entries[i] for i in board_of if i in created or board_of[i] in new_grants},
        board_of,
    )
    for dashboard_id in sorted(set(rewrite) | (await dashboards_showing(state, widgets_changed))):
        await bump_version(state.conn, state.ctx, dashboard_id, **rewrite.get(dashboard_id, {}))
    for dashboard_id in new_board_ids:
        # A created dashboard's first revision (replaced ones got theirs from bump_version).
        await record_revision(state.conn, state.ctx, dashboard_id)
    state.progress("write", state.total, state.total)


async def _create(state: ImportState, create: list[tuple[int, dict[str, Any]]]) -> list[int]:
    """The dashboards created, in one statement; their ids, in the order of `create`."""
    new_board_ids = await new_ids(state.conn, dashboards, len(create))
    if create:
        await state.conn.execute(
            dashboards.insert(),
            [
                {
                    "tenant_id": state.ctx.tenant_id,
                    "id": new_id,
                    "owner_id": state.ctx.user_id,
                    **values,
                }
                for (_, values), new_id in zip(create, new_board_ids, strict=True)
            ],
        )
    for (index, values), new_id in zip(create, new_board_ids, strict=True):
        entry = state.document.dashboards[index]
        state.report.add(
            ObjectKind.DASHBOARD, entry.code, values["code"], ImportAction.CREATED, new_id
        )
        report_grants(state, entry, [], ImportAction.CREATED)
        state.advance()
    return new_board_ids


async def _has_default(state: ImportState) -> bool:
    found = await state.conn.scalar(
        select(dashboards.c.id).where(
            dashboards.c.tenant_id == state.ctx.tenant_id, dashboards.c.is_default
        )
    )
    return found is not None
