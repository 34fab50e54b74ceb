"""Importing what a dashboard holds: its pages, cards (with their own widgets) and grants,
compared with the target's, cleared and written in a few multi-row statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from app.domain.duplication import new_ids
from app.domain.shares import ShareRecord
from app.domain.transfer.comparison import grant_set, own_widget, widget_key
from app.domain.transfer.document import DashboardEntry
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.report import ImportAction, ObjectKind
from app.domain.widgets import delete_unplaced_card_widgets
from db.models import dashboard_widgets, pages, placements, share_grants


def wanted_content(state: ImportState, entry: DashboardEntry) -> tuple[Any, ...]:
    """Pages, cards (and grants when they are imported) in a form the target's
    (`comparison.current_content`) can be compared with."""
    page_index = {p.key: n for n, p in enumerate(entry.pages)}
    return (
        tuple(p.name.strip() for p in entry.pages),
        tuple(
            (
                page_index[c.page],
                c.position.model_dump() if c.position else None,
                c.title,
                c.client_key,
                ("library", state.widget_ids[c.widget])
                if c.widget is not None
                else ("own", *widget_key(state.stored_widget(own_widget(c)))),
            )
            for c in entry.cards
        ),
        grant_set(
            (g.subject_type.value, g.subject_id.strip(), g.access_level.value)
            for g in entry.grants or []
        )
        if state.grants_of(entry)
        else None,
    )


def report_grants(
    state: ImportState, entry: DashboardEntry, current: list[ShareRecord], action: ImportAction
) -> None:
    """What happens to each grant of a dashboard whose own action is `action`."""
    now = {(g.subject_type.value, g.subject_id): g.access_level.value for g in current}
    for grant in entry.grants or []:
        subject = (grant.subject_type.value, grant.subject_id.strip())
        key = f"{entry.code}:{subject[0]}:{subject[1]}"
        if not state.include_grants:
            done = ImportAction.SKIPPED
        elif action is ImportAction.CREATED or subject not in now:
            done = ImportAction.CREATED
        elif now[subject] != grant.access_level.value:
            done = ImportAction.UPDATED
        else:
            done = ImportAction.UNCHANGED
        state.report.add(ObjectKind.GRANT, key, subject[1], done)


async def clear_cards(state: ImportState, dashboard_ids: list[int]) -> None:
    """The pages (and so the cards) of replaced dashboards and their cards' own widgets."""
    if not dashboard_ids:
        return
    conn, tenant = state.conn, state.ctx.tenant_id
    old_widgets = (
        await conn.execute(
            select(placements.c.widget_id).where(
                placements.c.tenant_id == tenant, placements.c.dashboard_id.in_(dashboard_ids)
            )
        )
    ).scalars()
    widget_ids = list(old_widgets)
    await conn.execute(
        delete(pages).where(pages.c.tenant_id == tenant, pages.c.dashboard_id.in_(dashboard_ids))
    )
    await delete_unplaced_card_widgets(conn, state.ctx, widget_ids)


async def clear_grants(state: ImportState, dashboard_ids: list[int]) -> None:
    if dashboard_ids:
        await state.conn.execute(
            delete(share_grants).where(
                share_grants.c.tenant_id == state.ctx.tenant_id,
                share_grants.c.dashboard_id.in_(dashboard_ids),
            )
        )


async def write_cards(
    state: ImportState, entries: dict[int, DashboardEntry], board_of: dict[int, int]
) -> None:
    """Pages and cards (with their own widgets) of the dashboards created or replaced,
    in a few multi-row statements whatever their number."""
    conn, tenant = state.conn, state.ctx.tenant_id
    all_pages = [(i, n, p) for i, e in entries.items() for n, p in enumerate(e.pages, 1)]
    page_ids = await new_ids(conn, pages, len(all_pages))
    page_of = {(i, p.key): new_id for (i, _, p), new_id in zip(all_pages, page_ids, strict=True)}
    if all_pages:
        await conn.execute(
            pages.insert(),
            [
                {
                    "tenant_id": tenant,
                    "id": page_of[(i, p.key)],
                    "dashboard_id": board_of[i],
                    "name": p.name.strip(),
                    "position": position,
                }
                for i, position, p in all_pages
            ],
        )
    all_cards = [(i, n, c) for i, e in entries.items() for n, c in enumerate(e.cards)]
    own = [(i, n, c) for i, n, c in all_cards if c.card is not None]
    own_ids = await new_ids(conn, dashboard_widgets, len(own))
    widget_of = {(i, n): w for (i, n, _), w in zip(own, own_ids, strict=True)}
    if own:
        await conn.execute(
            dashboard_widgets.insert(),
            [
                {
                    "tenant_id": tenant,
                    "id": widget_of[(i, n)],
                    "owner_id": state.ctx.user_id,
                    "in_library": False,
                    **state.stored_widget(own_widget(c)),
                    "kind": None,
                }
                for i, n, c in own
            ],
        )
    if all_cards:
        await conn.execute(
            placements.insert(),
            [
                {
                    "tenant_id": tenant,
                    "dashboard_id": board_of[i],
                    "page_id": page_of[(i, c.page)],
                    "widget_id": widget_of.get((i, n)) or state.widget_ids[str(c.widget)],
                    "position": c.position.model_dump() if c.position else {},
                    "ordinal": n,
                    "client_key": c.client_key,
                    "title": c.title,
                }
                for i, n, c in all_cards
            ],
        )
    state.advance(len(all_pages) + len(all_cards))


async def write_grants(
    state: ImportState, entries: dict[int, DashboardEntry], board_of: dict[int, int]
) -> None:
    """The imported grants of the dashboards created or whose grants are replaced."""
    grants = [(i, g) for i, e in entries.items() if state.grants_of(e) for g in e.grants or []]
    if grants:
        await state.conn.execute(
            share_grants.insert(),
            [
                {
                    "tenant_id": state.ctx.tenant_id,
                    "dashboard_id": board_of[i],
                    "subject_type": g.subject_type.value,
                    "subject_id": g.subject_id.strip(),
                    "access_level": g.access_level.value,
                    "granted_by": state.ctx.user_id,
                }
                for i, g in grants
            ],
        )
    state.advance(len(grants))
