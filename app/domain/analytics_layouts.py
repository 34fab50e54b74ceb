"""Dashboards as the analytics clients of seed 004 define them: a list of tiles, each one a
library widget named by its `kind`, with the client's own key for the tile, a title and a size.
Sizes map onto the grid, and tiles are laid out left to right from the top, wrapping at the
grid's width. Creating a dashboard with its tiles, and replacing a dashboard's definition with
all of its tiles, are each one transaction: a refusal leaves everything as it was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action, require_edit
from app.domain.dashboards import (
    DashboardDraft,
    checked_draft_values,
    create_dashboard_in,
    lock_name,
    require_free_name,
)
from app.domain.editing import bump_version, lock_dashboard
from app.domain.pages import pages_of
from app.domain.records import DashboardRecord, Position
from app.domain.revisions import record_revision
from app.domain.validation import UNSET, Problems, is_set
from app.domain.widgets import KIND, delete_unplaced_card_widgets, placed_widget_ids
from app.errors import DomainError, ErrorCode
from db.models import dashboard_widgets, placements

# Width and height on the grid of each size a client may ask for.
SIZES: dict[str, tuple[int, int]] = {
    "small": (3, 2),
    "medium": (6, 3),
    "large": (8, 4),
    "full": (12, 4),
}
DEFAULT_SIZE = "medium"
CLIENT_KEY_MAX, TITLE_MAX = 100, 100
# The definition fields a layout replaces besides the tiles.
DEFINITION_FIELDS = ("name", "description", "refresh_interval")


@dataclass(frozen=True, slots=True)
class TileDraft:
    client_key: str  # the client's key for the tile, e.g. "widget_1"
    kind: str  # the library widget it shows, e.g. "revenue_chart"
    title: str | None = None  # None: the widget's name
    size: str = DEFAULT_SIZE


@dataclass(frozen=True, slots=True)
class LayoutChanges:
    """A new definition: fields left UNSET keep their value; `tiles`, when set, replace every
    tile of the dashboard."""

    name: Any = UNSET
    description: Any = UNSET
    refresh_interval: Any = UNSET
    tiles: Any = UNSET  # Sequence[TileDraft]


def size_of(position: Position | None) -> str | None:
    """The size whose width and height the position has, or None when it matches none."""
    if position is None:
        return None
    return next((name for name, wh in SIZES.items() if wh == (position.w, position.h)), None)


def arrange(tiles: Sequence[TileDraft], columns: int) -> list[Position]:
    """Positions for the tiles in order: left to right, a new row when the next one would
    not fit, each row as tall as its tallest tile."""
    positions, x, y, row_height = [], 0, 0, 0
    for tile in tiles:
        width, height = SIZES[tile.size]
        width = min(width, columns)
        if x + width > columns:
            x, y, row_height = 0, y + row_height, 0
        positions.append(Position(x, y, width, height))
        x, row_height = x + width, max(row_height, height)
    return positions


def _check_tiles(problems: Problems, tiles: Sequence[TileDraft], *, max_tiles: int) -> None:
    if len(tiles) > max_tiles:
        problems.add(ErrorCode.INVALID, f"at most {max_tiles} widgets per dashboard", ("widgets",))
        return
    first_key: dict[str, int] = {}
    first_kind: dict[str, int] = {}
    for index, tile in enumerate(tiles):
        at = ("widgets", index)
        key_field = (*at, "client_key")
        problems.text(tile.client_key, key_field, max_length=CLIENT_KEY_MAX, required=True)
        if tile.title is not None:
            problems.text(tile.title, (*at, "title"), max_length=TITLE_MAX, required=False)
        if tile.size not in SIZES:
            problems.add(
                ErrorCode.INVALID,
                f"size must be one of {', '.join(SIZES)} (got {tile.size!r})",
                (*at, "size"),
            )
        key = tile.client_key.strip()  # as it is stored
        if key in first_key:
            problems.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"widget id {key!r} appears more than once (also at index {first_key[key]})",
                key_field,
            )
        if tile.kind in first_kind:
            problems.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"widget type {tile.kind!r} appears more than once (also at index "
                f"{first_kind[tile.kind]}); a widget may be placed once per dashboard",
                (*at, "kind"),
            )
        first_key.setdefault(key, index)
        first_kind.setdefault(tile.kind, index)


async def create_dashboard_with_tiles(
    ctx: RequestContext, draft: DashboardDraft, tiles: Sequence[TileDraft]
) -> DashboardRecord:
    """A new dashboard whose name no other dashboard of the tenant has (in any case), with
    its first page holding the tiles."""
    require_edit(ctx.principal, "creating a dashboard")
    values = _checked_draft(draft, tiles, max_tiles=ctx.settings.max_placements)
    async with ctx.db.transaction() as conn:
        await lock_name(conn, ctx, values["name"])
        await require_free_name(conn, ctx, values["name"])
        widget_ids = await _library_widgets(conn, ctx, tiles)
        record, page = await create_dashboard_in(conn, ctx, draft, values)
        await _insert_tiles(conn, ctx, record.id, page.id, tiles, widget_ids)
        await record_revision(conn, ctx, record.id)
    return record


def _checked_draft(
    draft: DashboardDraft, tiles: Sequence[TileDraft], *, max_tiles: int
) -> dict[str, Any]:
    """The new dashboard's column values, or every problem with them and with the tiles."""
    problems = Problems()
    values: dict[str, Any] = {}
    try:
        values = checked_draft_values(draft)
    except DomainError as error:
        problems.extend(list(error.problems))
    _check_tiles(problems, tiles, max_tiles=max_tiles)
    problems.raise_if_any()
    return values


async def replace_layout(
    ctx: RequestContext,
    dashboard_id: int,
    changes: LayoutChanges,
    *,
    expected_version: int | None = None,
) -> DashboardRecord:
    """Change the definition and, when `changes.tiles` is set, replace every tile (the new
    ones go on the first page), under the dashboard's row lock. The version goes up once."""
    problems = Problems()
    if is_set(changes.tiles):
        _check_tiles(problems, changes.tiles, max_tiles=ctx.settings.max_placements)
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        # The lock order of every rename: name, then the dashboard row. A name with a NUL
        # (which PostgreSQL refuses as a parameter) is refused below and needs no lock.
        if isinstance(changes.name, str) and "\x00" not in changes.name:
            await lock_name(conn, ctx, changes.name.strip())
        current = await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=Action.EDIT,
            description="changing a dashboard",
        )
        values = _changed_definition(current, changes)
        if "name" in values:
            await require_free_name(conn, ctx, values["name"], besides=current.id)
        if is_set(changes.tiles):
            widget_ids = await _library_widgets(conn, ctx, changes.tiles)
            replaced = await placed_widget_ids(conn, ctx, dashboard_id=dashboard_id)
            await conn.execute(
                delete(placements).where(
                    placements.c.tenant_id == ctx.tenant_id,
                    placements.c.dashboard_id == dashboard_id,
                )
            )
            first_page = (await pages_of(conn, ctx, dashboard_id))[0]
            await _insert_tiles(conn, ctx, dashboard_id, first_page.id, changes.tiles, widget_ids)
            await delete_unplaced_card_widgets(conn, ctx, replaced)
        elif not values:
            return current
        return await bump_version(conn, ctx, dashboard_id, **values)


def _changed_definition(current: DashboardRecord, changes: LayoutChanges) -> dict[str, Any]:
    """The definition fields that change, checked by the rules of every dashboard: the
    dashboard as it will be must be a valid one."""
    sent = {name: getattr(changes, name) for name in DEFINITION_FIELDS}
    sent = {name: value for name, value in sent.items() if is_set(value)}
    merged = {name: getattr(current, name) for name in DEFINITION_FIELDS} | sent
    values = checked_draft_values(
        DashboardDraft(
            code=current.code,
            is_active=current.is_active,
            role_ids=list(current.role_ids),
            collection_id=current.collection_id,
            parameters=current.parameters,
            visibility=current.visibility,
            tags=list(current.tags),
            type=current.type,
            **merged,
        )
    )
    return {name: values[name] for name in sent if values[name] != getattr(current, name)}


async def _library_widgets(
    conn: AsyncConnection, ctx: RequestContext, tiles: Sequence[TileDraft]
) -> dict[str, int]:
    """The widget id of each tile's kind; a kind the tenant has no widget of is an unknown
    reference. FOR KEY SHARE keeps the widgets from being deleted before the commit."""
    # A kind that breaks the rule for kinds names no widget (and may hold a NUL, which
    # PostgreSQL refuses as a parameter): it is not looked up.
    kinds = sorted({tile.kind for tile in tiles if KIND.fullmatch(tile.kind)})
    found: dict[str, int] = {}
    if kinds:
        rows = await conn.execute(
            select(dashboard_widgets.c.kind, dashboard_widgets.c.id)
            .where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id,
                dashboard_widgets.c.kind.in_(kinds),
            )
            .with_for_update(read=True, key_share=True)
        )
        found = {row.kind: row.id for row in rows}
    problems = Problems()
    for index, tile in enumerate(tiles):
        if tile.kind not in found:
            problems.add(
                ErrorCode.UNKNOWN_REFERENCE,
                f"there is no widget of type {tile.kind!r} in this tenant",
                ("widgets", index, "kind"),
                resource="widget",
            )
    problems.raise_if_any()
    return found


async def _insert_tiles(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    page_id: int,
    tiles: Sequence[TileDraft],
    widget_ids: dict[str, int],
) -> None:
    if not tiles:
        return
    positions = arrange(tiles, ctx.settings.grid_columns)
    await conn.execute(
        placements.insert(),
        [
            {
                "tenant_id": ctx.tenant_id,
                "dashboard_id": dashboard_id,
                "page_id": page_id,
                "widget_id": widget_ids[tile.kind],
                "position": position.as_json(),
                "ordinal": ordinal,
                "client_key": tile.client_key.strip(),
                "title": (tile.title or "").strip() or None,
            }
            for ordinal, (tile, position) in enumerate(zip(tiles, positions, strict=True))
        ],
    )
