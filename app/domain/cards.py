"""Cards: the tiles of seed 002. A card is a placement of a widget on a page. Adding a card
creates a private widget for it (`in_library = false`) holding its type and config; the
card's config *is* that widget's config, and the widget goes when its last placement goes.
A card may also show a library widget (placed with setDashboardWidgetPlacements); editing
such a card's config edits the shared widget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import BigInteger, Row, and_, column, delete, func, select, update, values
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.dashboard_rows import (
    AtVersion,
    read_at_versions,
    rows_of_dashboards,
    without_versions,
)
from app.domain.datasets import data_source_values
from app.domain.editing import bump_version, editing_dashboard
from app.domain.grid import Placed, check_position, require_no_overlap
from app.domain.pages import pages_of
from app.domain.records import (
    PLACEMENT_COLUMNS,
    WIDGET_COLUMNS,
    PlacementRecord,
    Position,
    WidgetRecord,
)
from app.domain.validation import UNSET, Problems, is_set
from app.domain.widgets import (
    WidgetType,
    check_config,
    delete_unplaced_card_widgets,
    update_widget_in,
)
from app.errors import DomainError, ErrorCode, Problem, not_found
from db.models import dashboard_widgets, placements

CARD_NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class Card:
    placement: PlacementRecord
    widget: WidgetRecord


# The card's widget's columns beside the placement's, in one row: "widget__<name>".
_WIDGET_PREFIX = "widget__"
_CARD_WIDGET_COLUMNS = [c.label(_WIDGET_PREFIX + c.name) for c in WIDGET_COLUMNS]
# (record field, row column) pairs, worked out once rather than for every row.
_CARD_WIDGET_FIELDS = [(f.name, _WIDGET_PREFIX + f.name) for f in fields(WidgetRecord)]
_CARD_JOIN = placements.join(
    dashboard_widgets,
    and_(
        dashboard_widgets.c.tenant_id == placements.c.tenant_id,
        dashboard_widgets.c.id == placements.c.widget_id,
    ),
)
# With the version of the dashboard the cards were read at, in the same statement.
_CARDS_OF_DASHBOARDS = rows_of_dashboards(
    placements,
    [*PLACEMENT_COLUMNS, *_CARD_WIDGET_COLUMNS],
    [placements.c.ordinal, placements.c.id],
    rows_of=_CARD_JOIN,
)


def _card_of_row(row: Row[Any]) -> Card:
    mapping = row._mapping
    widget = WidgetRecord(**{name: mapping[column] for name, column in _CARD_WIDGET_FIELDS})
    return Card(PlacementRecord.from_row(row), widget)


async def get_versioned_cards(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, AtVersion[Card]]:
    """The cards of the given dashboards with their widgets, in the order they were set, in
    one statement (reads render cards as plain attributes, with no per-card lookups), with
    the dashboard version they belong to (dashboard_rows.py). The caller has already checked
    that it may see those dashboards, and so their cards' widgets."""
    return await read_at_versions(conn, _CARDS_OF_DASHBOARDS, ctx, dashboard_ids, _card_of_row)


async def get_cards(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, list[Card]]:
    """As get_versioned_cards, without the versions."""
    return without_versions(await get_versioned_cards(conn, ctx, dashboard_ids))


@dataclass(frozen=True, slots=True)
class CardDraft:
    card_type: str
    config: Any
    layout: Position
    page: int | None = None
    name: str | None = None
    data_source: Any = None


@dataclass(frozen=True, slots=True)
class CardChanges:
    config: Any = UNSET
    layout: Any = UNSET
    page: Any = UNSET
    name: Any = UNSET
    data_source: Any = UNSET
    # Another widget type; the config (new or kept) is checked against the new type's schema.
    card_type: Any = UNSET


@dataclass(frozen=True, slots=True)
class CardMove:
    card_id: int
    position: Position


def _card_type(problems: Problems, value: str) -> WidgetType | None:
    try:
        return WidgetType(value)
    except ValueError:
        problems.add(
            ErrorCode.INVALID,
            f"card_type must be one of {', '.join(t.value for t in WidgetType)}",
            ("card_type",),
        )
        return None


async def add_card(
    ctx: RequestContext, dashboard_id: int, draft: CardDraft, *, expected_version: int | None = None
) -> Card:
    problems = Problems()
    card_type = _card_type(problems, draft.card_type)
    problems.json_object(draft.config, ("config",), max_bytes=ctx.settings.max_widget_config_bytes)
    check_position(problems, draft.layout, ("layout",), ctx.settings.grid_columns)
    if draft.name is not None:
        problems.text(draft.name.strip(), ("name",), max_length=CARD_NAME_MAX, required=True)
    if card_type is not None:
        check_config(problems, card_type.value, draft.config, ("config",))
    problems.raise_if_any()
    assert card_type is not None

    async with editing_dashboard(ctx, dashboard_id, expected_version, "adding a card") as conn:
        page_id = await _page_id(conn, ctx, dashboard_id, draft.page)
        await _require_free(conn, ctx, page_id, draft.layout, moving=None)
        source = await data_source_values(conn, ctx, draft.data_source, ("data_source",))
        widget = (
            await conn.execute(
                dashboard_widgets.insert()
                .values(
                    tenant_id=ctx.tenant_id,
                    owner_id=ctx.user_id,
                    in_library=False,
                    name=(draft.name or _default_name(card_type, draft.config)).strip(),
                    widget_type=card_type.value,
                    config=draft.config,
                    **source,
                )
                .returning(*WIDGET_COLUMNS)
            )
        ).one()
        placement = await _insert_placement(
            conn, ctx, dashboard_id, page_id, widget.id, draft.layout
        )
        await bump_version(conn, ctx, dashboard_id)
    return Card(placement, WidgetRecord.from_row(widget))


async def update_card(
    ctx: RequestContext,
    dashboard_id: int,
    card_id: int,
    changes: CardChanges,
    *,
    expected_version: int | None = None,
) -> Card:
    problems = Problems()
    widget_values: dict[str, Any] = {}
    if is_set(changes.config):
        problems.json_object(
            changes.config, ("config",), max_bytes=ctx.settings.max_widget_config_bytes
        )
        widget_values["config"] = changes.config
    if is_set(changes.name):
        name = changes.name.strip() if isinstance(changes.name, str) else changes.name
        problems.text(name, ("name",), max_length=CARD_NAME_MAX, required=True)
        widget_values["name"] = (changes.name or "").strip()
    if is_set(changes.data_source):
        widget_values["data_source"] = changes.data_source
    if is_set(changes.card_type):
        card_type = _card_type(problems, changes.card_type or "")
        if card_type is not None:
            widget_values["widget_type"] = card_type.value
    if is_set(changes.layout):
        if changes.layout is None:
            problems.add(ErrorCode.REQUIRED, "layout may not be null", ("layout",))
        else:
            check_position(problems, changes.layout, ("layout",), ctx.settings.grid_columns)
    problems.raise_if_any()

    async with editing_dashboard(ctx, dashboard_id, expected_version, "changing a card") as conn:
        current = await _card(conn, ctx, dashboard_id, card_id)
        page_id = current.placement.page_id
        if is_set(changes.page) and changes.page is not None:
            page_id = await _page_id(conn, ctx, dashboard_id, changes.page)
        layout = changes.layout if is_set(changes.layout) else current.placement.position
        placement_values: dict[str, Any] = {}
        if page_id != current.placement.page_id:
            placement_values["page_id"] = page_id
        if is_set(changes.layout):
            placement_values["position"] = changes.layout.as_json()
        if placement_values and layout is not None:
            await _require_free(conn, ctx, page_id, layout, moving=card_id)
        widget = await update_widget_in(conn, ctx, current.widget.id, widget_values)
        placement = current.placement
        if placement_values:
            placement = PlacementRecord.from_row(
                (
                    await conn.execute(
                        update(placements)
                        .where(placements.c.tenant_id == ctx.tenant_id, placements.c.id == card_id)
                        .values(**placement_values)
                        .returning(*PLACEMENT_COLUMNS)
                    )
                ).one()
            )
        if placement_values or widget_values:
            await bump_version(conn, ctx, dashboard_id)
    if "data_source" in widget_values:
        await ctx.data.cache.invalidate_widget(ctx.tenant_id, widget.id)
    return Card(placement, widget)


async def remove_card(
    ctx: RequestContext, dashboard_id: int, card_id: int, *, expected_version: int | None = None
) -> int:
    async with editing_dashboard(ctx, dashboard_id, expected_version, "removing a card") as conn:
        card = await _card(conn, ctx, dashboard_id, card_id)
        await conn.execute(
            delete(placements).where(
                placements.c.tenant_id == ctx.tenant_id, placements.c.id == card_id
            )
        )
        await delete_unplaced_card_widgets(conn, ctx, [card.widget.id])
        await bump_version(conn, ctx, dashboard_id)
    return card_id


async def duplicate_card(
    ctx: RequestContext, dashboard_id: int, card_id: int, *, expected_version: int | None = None
) -> Card:
    """A copy of the card (and of its widget) on the same page, below every other card."""
    async with editing_dashboard(ctx, dashboard_id, expected_version, "duplicating a card") as conn:
        card = await _card(conn, ctx, dashboard_id, card_id)
        source = card.widget
        widget = (
            await conn.execute(
                dashboard_widgets.insert()
                .values(
                    tenant_id=ctx.tenant_id,
                    owner_id=ctx.user_id,
                    in_library=False,
                    name=source.name,
                    widget_type=source.widget_type,
                    description=source.description,
                    config=source.config,
                    data_source=source.data_source,
                    dataset_id=source.dataset_id,
                )
                .returning(*WIDGET_COLUMNS)
            )
        ).one()
        position = card.placement.position
        if position is not None:
            bottom = await conn.scalar(
                select(
                    func.coalesce(
                        func.max(
                            placements.c.position["y"].as_integer()
                            + placements.c.position["h"].as_integer()
                        ),
                        0,
                    )
                ).where(
                    placements.c.tenant_id == ctx.tenant_id,
                    placements.c.page_id == card.placement.page_id,
                )
            )
            position = Position(position.x, int(bottom or 0), position.w, position.h)
        placement = await _insert_placement(
            conn, ctx, dashboard_id, card.placement.page_id, widget.id, position
        )
        await bump_version(conn, ctx, dashboard_id)
    return Card(placement, WidgetRecord.from_row(widget))


async def update_layout(
    ctx: RequestContext,
    dashboard_id: int,
    moves: list[CardMove],
    *,
    expected_version: int | None = None,
) -> list[PlacementRecord]:
    """Move many cards at once. Cards not named keep their place; nothing is deleted. A
    layout in which any two cards of a page overlap is refused and changes nothing."""
    problems = Problems()
    seen: dict[int, int] = {}
    for index, move in enumerate(moves):
        if move.card_id in seen:
            problems.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"card {move.card_id} appears more than once (also at index {seen[move.card_id]})",
                (index, "card_id"),
            )
        seen.setdefault(move.card_id, index)
        check_position(problems, move.position, (index,), ctx.settings.grid_columns)
    problems.raise_if_any()

    async with editing_dashboard(
        ctx, dashboard_id, expected_version, "changing the layout"
    ) as conn:
        rows = (
            await conn.execute(
                select(*PLACEMENT_COLUMNS).where(
                    placements.c.tenant_id == ctx.tenant_id,
                    placements.c.dashboard_id == dashboard_id,
                )
            )
        ).all()
        current = {row.id: PlacementRecord.from_row(row) for row in rows}
        for index, move in enumerate(moves):
            if move.card_id not in current:
                problems.add(
                    ErrorCode.NOT_FOUND,
                    f"the dashboard has no card {move.card_id}",
                    (index, "card_id"),
                    resource="card",
                )
        problems.raise_if_any()
        after = [
            Placed(f"card {move.card_id}", current[move.card_id].page_id, move.position, (index,))
            for index, move in enumerate(moves)
        ]
        for card in current.values():
            if card.id not in seen and card.position is not None:
                after.append(Placed(f"card {card.id}", card.page_id, card.position))
        require_no_overlap(after)
        if moves:
            # One statement for any number of cards: UPDATE … FROM (VALUES …).
            moved = values(
                column("card_id", BigInteger), column("position", JSONB), name="moved"
            ).data([(m.card_id, m.position.as_json()) for m in moves])
            await conn.execute(
                update(placements)
                .where(placements.c.tenant_id == ctx.tenant_id, placements.c.id == moved.c.card_id)
                .values(position=moved.c.position)
            )
            await bump_version(conn, ctx, dashboard_id)
        result = await conn.execute(
            select(*PLACEMENT_COLUMNS)
            .where(
                placements.c.tenant_id == ctx.tenant_id, placements.c.dashboard_id == dashboard_id
            )
            .order_by(placements.c.ordinal, placements.c.id)
        )
        return [PlacementRecord.from_row(row) for row in result]


def _default_name(card_type: WidgetType, config: Any) -> str:
    title = config.get("title") if isinstance(config, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()[:CARD_NAME_MAX]
    return card_type.value.replace("_", " ").capitalize()


async def _page_id(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, number: int | None
) -> int:
    dashboard_pages = await pages_of(conn, ctx, dashboard_id)
    wanted = 1 if number is None else number
    for page in dashboard_pages:
        if page.position == wanted:
            return page.id
    raise DomainError(
        Problem(
            ErrorCode.UNKNOWN_REFERENCE,
            f"the dashboard has no page {wanted} (it has {len(dashboard_pages)})",
            ("page",),
        )
    )


async def _card(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, card_id: int
) -> Card:
    row = (
        await conn.execute(
            select(*PLACEMENT_COLUMNS).where(
                placements.c.tenant_id == ctx.tenant_id,
                placements.c.dashboard_id == dashboard_id,
                placements.c.id == card_id,
            )
        )
    ).first()
    if row is None:
        raise not_found("card", card_id, ("card_id",))
    placement = PlacementRecord.from_row(row)
    widget = (
        await conn.execute(
            select(*WIDGET_COLUMNS).where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id,
                dashboard_widgets.c.id == placement.widget_id,
            )
        )
    ).one()
    return Card(placement, WidgetRecord.from_row(widget))


async def _require_free(
    conn: AsyncConnection,
    ctx: RequestContext,
    page_id: int,
    position: Position,
    *,
    moving: int | None,
) -> None:
    rows = (
        await conn.execute(
            select(*PLACEMENT_COLUMNS).where(
                placements.c.tenant_id == ctx.tenant_id, placements.c.page_id == page_id
            )
        )
    ).all()
    others = [PlacementRecord.from_row(r) for r in rows]
    require_no_overlap(
        [
            Placed("the card", page_id, position, ("layout",)),
            *(
                Placed(f"card {o.id}", page_id, o.position)
                for o in others
                if o.id != moving and o.position is not None
            ),
        ]
    )


async def _insert_placement(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    page_id: int,
    widget_id: int,
    position: Position | None,
) -> PlacementRecord:
    ordinal = await conn.scalar(
        select(func.coalesce(func.max(placements.c.ordinal) + 1, 0)).where(
            placements.c.tenant_id == ctx.tenant_id, placements.c.dashboard_id == dashboard_id
        )
    )
    row = (
        await conn.execute(
            placements.insert()
            .values(
                tenant_id=ctx.tenant_id,
                dashboard_id=dashboard_id,
                page_id=page_id,
                widget_id=widget_id,
                position=position.as_json() if position else {},
                ordinal=int(ordinal or 0),
            )
            .returning(*PLACEMENT_COLUMNS)
        )
    ).one()
    return PlacementRecord.from_row(row)
