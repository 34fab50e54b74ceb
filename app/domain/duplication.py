"""Deep copy of a dashboard: its fields, pages and cards, in a handful of set-based
statements whatever its size. Card widgets are copied (each card owns its widget); library
widgets are shared by the copy. Share grants and the default flag are not copied: the
copy belongs to whoever made it."""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action, require_edit
from app.domain.dashboards import NAME_MAX, _insert_dashboard, derive_code
from app.domain.editing import lock_dashboard
from app.domain.pages import pages_of
from app.domain.records import (
    PLACEMENT_COLUMNS,
    WIDGET_COLUMNS,
    DashboardRecord,
    PageRecord,
    PlacementRecord,
    WidgetRecord,
)
from app.domain.revisions import record_revision
from app.domain.validation import Problems
from db.models import dashboard_widgets, pages, placements


async def duplicate_dashboard(
    ctx: RequestContext, dashboard_id: int, *, name: str | None = None
) -> DashboardRecord:
    require_edit(ctx.principal, "duplicating a dashboard")
    name = name.strip() if name is not None else None
    problems = Problems()
    if name is not None:
        problems.text(name, ("name",), max_length=NAME_MAX, required=True)
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        # A read lock would do, but the row lock also keeps the source still while copying.
        source = await lock_dashboard(
            conn, ctx, dashboard_id, None, action=Action.EDIT, description="duplicating a dashboard"
        )
        copy_name = (name or f"Copy of {source.name}")[:NAME_MAX].strip()
        row = await _insert_dashboard(
            conn,
            ctx,
            {
                "code": derive_code(copy_name),
                "name": copy_name,
                "description": source.description,
                "is_active": source.is_active,
                "is_default": False,
                "role_ids": list(source.role_ids),
                "collection_id": source.collection_id,
                "parameters": source.parameters,
                "visibility": source.visibility,
                "tags": list(source.tags),
                "type": source.type,
                "refresh_interval": source.refresh_interval,
            },
            derived=True,
        )
        copy = DashboardRecord.from_row(row)
        page_map = await _copy_pages(conn, ctx, await pages_of(conn, ctx, dashboard_id), copy.id)
        await _copy_cards(conn, ctx, dashboard_id, copy.id, page_map)
        await record_revision(conn, ctx, copy.id)
    return copy


async def new_ids(conn: AsyncConnection, table: Table, count: int) -> list[int]:
    """`count` ids from the table's identity sequence, in one statement, so that rows can be
    inserted in one multi-row INSERT knowing which new row copies which old one."""
    if count == 0:
        return []
    result = await conn.execute(
        select(func.nextval(func.pg_get_serial_sequence(table.name, "id"))).select_from(
            func.generate_series(1, count)
        )
    )
    return [int(value) for value in result.scalars()]


async def _copy_pages(
    conn: AsyncConnection, ctx: RequestContext, source: list[PageRecord], copy_id: int
) -> dict[int, int]:
    ids = await new_ids(conn, pages, len(source))
    await conn.execute(
        pages.insert().values(
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "id": new_id,
                    "dashboard_id": copy_id,
                    "name": p.name,
                    "position": p.position,
                }
                for p, new_id in zip(source, ids, strict=True)
            ]
        )
    )
    return {page.id: new_id for page, new_id in zip(source, ids, strict=True)}


async def _copy_cards(
    conn: AsyncConnection,
    ctx: RequestContext,
    source_id: int,
    copy_id: int,
    page_map: dict[int, int],
) -> None:
    cards = [
        PlacementRecord.from_row(r)
        for r in await conn.execute(
            select(*PLACEMENT_COLUMNS)
            .where(placements.c.tenant_id == ctx.tenant_id, placements.c.dashboard_id == source_id)
            .order_by(placements.c.ordinal, placements.c.id)
        )
    ]
    if not cards:
        return
    private = [
        WidgetRecord.from_row(r)
        for r in await conn.execute(
            select(*WIDGET_COLUMNS).where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id,
                dashboard_widgets.c.id.in_(sorted({c.widget_id for c in cards})),
                dashboard_widgets.c.in_library.is_(False),
            )
        )
    ]
    widget_ids = await new_ids(conn, dashboard_widgets, len(private))
    widget_map = {w.id: new_id for w, new_id in zip(private, widget_ids, strict=True)}
    if private:
        await conn.execute(
            dashboard_widgets.insert().values(
                [
                    {
                        "tenant_id": ctx.tenant_id,
                        "id": widget_map[w.id],
                        "owner_id": ctx.user_id,
                        "in_library": False,
                        "name": w.name,
                        "widget_type": w.widget_type,
                        "description": w.description,
                        "config": w.config,
                        "data_source": w.data_source,
                        "dataset_id": w.dataset_id,
                    }
                    for w in private
                ]
            )
        )
    await conn.execute(
        placements.insert().values(
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "dashboard_id": copy_id,
                    "page_id": page_map[c.page_id],
                    "widget_id": widget_map.get(c.widget_id, c.widget_id),
                    "position": c.position.as_json() if c.position else {},
                    "ordinal": c.ordinal,
                    "client_key": c.client_key,
                    "title": c.title,
                }
                for c in cards
            ]
        )
    )
