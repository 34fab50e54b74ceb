"""Dashboard widgets: the tenant's reusable tile definitions. Every member of a tenant sees
its widgets; creating, changing and deleting need `dashboard.edit`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import require_edit, visible_widgets
from app.domain.card_configs import config_problems
from app.domain.constraints import violated_constraint
from app.domain.datasets import data_source_values
from app.domain.listing import contains_text, fetch_page
from app.domain.records import WIDGET_COLUMNS, Page, WidgetRecord
from app.domain.revisions import record_revision, revision_note
from app.domain.validation import UNSET, Problems, is_set
from app.errors import DomainError, ErrorCode, FieldPath, Problem, not_found
from db.models import dashboard_widgets, dashboards, placements

NAME_MAX, DESCRIPTION_MAX = 100, 1000
KIND = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class WidgetType(StrEnum):
    BAR_CHART = "bar_chart"
    LINE_CHART = "line_chart"
    PIE_CHART = "pie_chart"
    AREA_CHART = "area_chart"
    SCATTER_PLOT = "scatter_plot"
    KPI_CARD = "kpi_card"
    TABLE = "table"
    HEATMAP = "heatmap"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class WidgetDraft:
    name: str
    widget_type: WidgetType
    description: str | None = None
    # Any JSON value from the client; validated to be an object here.
    config: Any = field(default_factory=dict)
    # Where the tile's data comes from (app/domain/data_sources.py); None: no data.
    data_source: Any = None
    # A library widget's name for seed-004 clients ("revenue_chart"), unique in the tenant.
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class WidgetChanges:
    name: Any = UNSET
    widget_type: Any = UNSET
    description: Any = UNSET
    config: Any = UNSET
    data_source: Any = UNSET
    kind: Any = UNSET

    def as_values(self) -> dict[str, Any]:
        values = {
            key: getattr(self, key)
            for key in ("name", "widget_type", "description", "config", "data_source", "kind")
            if is_set(getattr(self, key))
        }
        if isinstance(values.get("name"), str):
            values["name"] = values["name"].strip()
        if isinstance(values.get("widget_type"), WidgetType):
            values["widget_type"] = values["widget_type"].value
        return values


@dataclass(frozen=True, slots=True)
class WidgetFilter:
    search: str | None = None
    widget_type: WidgetType | None = None


def _check_fields(
    problems: Problems, values: dict[str, Any], *, creating: bool, max_config_bytes: int
) -> None:
    if creating or "name" in values:
        problems.text(values.get("name"), ("name",), max_length=NAME_MAX, required=True)
    if (creating or "widget_type" in values) and values.get("widget_type") is None:
        problems.add(ErrorCode.REQUIRED, "widget_type is required", ("widget_type",))
    if values.get("description") is not None:
        problems.text(
            values["description"], ("description",), max_length=DESCRIPTION_MAX, required=False
        )
    if "config" in values:
        problems.json_object(values["config"], ("config",), max_bytes=max_config_bytes)
    kind = values.get("kind")
    if kind is not None and (not isinstance(kind, str) or not KIND.match(kind)):
        problems.add(
            ErrorCode.INVALID,
            "kind must be 1 to 60 lowercase letters, digits and _ (e.g. revenue_chart)",
            ("kind",),
        )


def check_config(problems: Problems, widget_type: str, config: Any, field: FieldPath) -> None:
    """The config against its widget type's schema (only once it is a storable object)."""
    if not problems.found:
        problems.extend(config_problems(widget_type, config, field))


def check_new_widget(problems: Problems, values: dict[str, Any], *, max_config_bytes: int) -> None:
    """A new widget's values (as WidgetChanges.as_values spells them), checked as
    create_widget checks them; imports check each widget of a document with it."""
    _check_fields(problems, values, creating=True, max_config_bytes=max_config_bytes)
    check_config(problems, values["widget_type"], values.get("config", {}), ("config",))


def _any_widget(ctx: RequestContext) -> Select[Any]:
    """Library and card widgets alike."""
    return select(*WIDGET_COLUMNS).where(dashboard_widgets.c.tenant_id == ctx.tenant_id)


async def get_widgets(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int]
) -> dict[int, WidgetRecord]:
    """Widgets by id, whoever may see them: for callers that checked the dashboard."""
    rows = await conn.execute(_any_widget(ctx).where(dashboard_widgets.c.id.in_(list(ids))))
    return {row.id: WidgetRecord.from_row(row) for row in rows}


async def get_visible_widgets(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int]
) -> dict[int, WidgetRecord]:
    """The widgets among `ids` the caller may see (a card's only with its dashboard)."""
    rows = await conn.execute(
        select(*WIDGET_COLUMNS).where(visible_widgets(ctx), dashboard_widgets.c.id.in_(list(ids)))
    )
    return {row.id: WidgetRecord.from_row(row) for row in rows}


def _filtered(ctx: RequestContext, filters: WidgetFilter, statement: Select[Any]) -> Select[Any]:
    statement = statement.where(
        dashboard_widgets.c.tenant_id == ctx.tenant_id, dashboard_widgets.c.in_library
    )
    if filters.search:
        statement = statement.where(
            contains_text(filters.search, dashboard_widgets.c.name, dashboard_widgets.c.description)
        )
    if filters.widget_type is not None:
        statement = statement.where(dashboard_widgets.c.widget_type == filters.widget_type.value)
    return statement


async def list_widgets(
    ctx: RequestContext, filters: WidgetFilter, *, after: int | None, limit: int
) -> Page[WidgetRecord]:
    async with ctx.db.reader() as conn:
        rows, has_next = await fetch_page(
            conn,
            _filtered(ctx, filters, select(*WIDGET_COLUMNS)),
            dashboard_widgets.c.id,
            after=after,
            limit=limit,
        )
    return Page([WidgetRecord.from_row(row) for row in rows], has_next)


async def count_widgets(ctx: RequestContext, filters: WidgetFilter) -> int:
    async with ctx.db.reader() as conn:
        statement = _filtered(ctx, filters, select(func.count()).select_from(dashboard_widgets))
        return int((await conn.execute(statement)).scalar_one())


async def create_widget(ctx: RequestContext, draft: WidgetDraft) -> WidgetRecord:
    require_edit(ctx.principal, "creating a widget")
    values = WidgetChanges(
        name=draft.name,
        widget_type=draft.widget_type,
        description=draft.description,
        config=draft.config,
        kind=draft.kind,
    ).as_values()
    problems = Problems()
    _check_fields(
        problems, values, creating=True, max_config_bytes=ctx.settings.max_widget_config_bytes
    )
    check_config(problems, values["widget_type"], values.get("config", {}), ("config",))
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        values.update(await data_source_values(conn, ctx, draft.data_source, ("data_source",)))
        with _unique_kind(values.get("kind")):
            row = (
                await conn.execute(
                    dashboard_widgets.insert()
                    .values(tenant_id=ctx.tenant_id, owner_id=ctx.user_id, **values)
                    .returning(*WIDGET_COLUMNS)
                )
            ).one()
    return WidgetRecord.from_row(row)


@contextmanager
def _unique_kind(kind: object) -> Iterator[None]:
    """A kind another widget of the tenant has is a conflict on `kind`, not a 500."""
    try:
        yield
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_dashboard_widgets_tenant_id_kind":
            raise DomainError(
                Problem(ErrorCode.ALREADY_EXISTS, f"another widget has kind {kind!r}", ("kind",))
            ) from exc
        raise


async def update_widget(
    ctx: RequestContext, widget_id: int, changes: WidgetChanges
) -> WidgetRecord:
    require_edit(ctx.principal, "changing a widget")
    values = changes.as_values()
    problems = Problems()
    _check_fields(
        problems, values, creating=False, max_config_bytes=ctx.settings.max_widget_config_bytes
    )
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        using = await _lock_dashboards_using(conn, ctx, widget_id)
        await _require_visible(conn, ctx, widget_id)
        record = await update_widget_in(conn, ctx, widget_id, values)
        if values and using:
            # The widget is a card on these dashboards: their content changed too.
            await conn.execute(
                update(dashboards)
                .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id.in_(using))
                .values(version=dashboards.c.version + 1, updated_at=func.now())
            )
            # A library widget is referenced by the snapshots: say it changed.
            with revision_note(widget_changed=widget_id if record.in_library else None):
                for dashboard_id in using:
                    await record_revision(conn, ctx, dashboard_id)
    if "data_source" in values:
        await ctx.data.cache.invalidate_widget(ctx.tenant_id, widget_id)
    return record


async def _lock_dashboards_using(
    conn: AsyncConnection, ctx: RequestContext, widget_id: int
) -> list[int]:
    """Lock, in id order, the dashboards that place the widget: dashboard rows before the
    widget row, the same order card edits take, so the two cannot deadlock."""
    return list(
        (
            await conn.execute(
                select(dashboards.c.id)
                .where(
                    dashboards.c.tenant_id == ctx.tenant_id,
                    dashboards.c.id.in_(
                        select(placements.c.dashboard_id).where(
                            placements.c.tenant_id == ctx.tenant_id,
                            placements.c.widget_id == widget_id,
                        )
                    ),
                )
                .order_by(dashboards.c.id)
                .with_for_update()
            )
        ).scalars()
    )


async def _require_visible(conn: AsyncConnection, ctx: RequestContext, widget_id: int) -> None:
    """A card's own widget is changed only by callers who see its dashboard; to the others it
    does not exist."""
    visible = select(dashboard_widgets.c.id).where(
        visible_widgets(ctx), dashboard_widgets.c.id == widget_id
    )
    if await conn.scalar(visible) is None:
        raise not_found("widget", widget_id, ("id",))


async def update_widget_in(
    conn: AsyncConnection,
    ctx: RequestContext,
    widget_id: int,
    values: dict[str, Any],
    field_prefix: FieldPath = (),
) -> WidgetRecord:
    """Apply checked `values` to a widget inside the caller's transaction; the config is
    checked against the schema of the type it will have."""
    row = (
        await conn.execute(
            _any_widget(ctx).where(dashboard_widgets.c.id == widget_id).with_for_update()
        )
    ).first()
    if row is None:
        raise not_found("widget", widget_id, ("id",))
    current = WidgetRecord.from_row(row)
    if "data_source" in values:
        values = values | await data_source_values(
            conn, ctx, values["data_source"], (*field_prefix, "data_source")
        )
    if "config" in values or "widget_type" in values:
        problems = Problems()
        check_config(
            problems,
            values.get("widget_type", current.widget_type),
            values.get("config", current.config),
            (*field_prefix, "config"),
        )
        problems.raise_if_any()
    if not values:
        return current
    with _unique_kind(values.get("kind")):
        row = (
            await conn.execute(
                update(dashboard_widgets)
                .where(
                    dashboard_widgets.c.tenant_id == ctx.tenant_id,
                    dashboard_widgets.c.id == widget_id,
                )
                .values(**values, updated_at=func.now())
                .returning(*WIDGET_COLUMNS)
            )
        ).one()
    return WidgetRecord.from_row(row)


async def delete_widget(ctx: RequestContext, widget_id: int) -> int:
    """Refused while the widget is placed on a dashboard: deleting it would silently change
    dashboards the caller may not even see."""
    require_edit(ctx.principal, "deleting a widget")
    async with ctx.db.transaction() as conn:
        locked = await conn.scalar(
            select(dashboard_widgets.c.id)
            .where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id, dashboard_widgets.c.id == widget_id
            )
            .with_for_update()
        )
        if locked is None:
            raise not_found("widget", widget_id, ("id",))
        await _require_visible(conn, ctx, widget_id)
        uses = await conn.scalar(
            select(func.count())
            .select_from(placements)
            .where(placements.c.tenant_id == ctx.tenant_id, placements.c.widget_id == widget_id)
        )
        if uses:
            raise DomainError(
                Problem(
                    ErrorCode.IN_USE,
                    f"widget {widget_id} is placed on {uses} dashboard(s); "
                    "remove it from them first",
                    ("id",),
                )
            )
        await conn.execute(
            delete(dashboard_widgets).where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id,
                dashboard_widgets.c.id == widget_id,
            )
        )
    return widget_id


async def placed_widget_ids(
    conn: AsyncConnection,
    ctx: RequestContext,
    *,
    page_id: int | None = None,
    dashboard_id: int | None = None,
) -> list[int]:
    """Widgets placed on a page or a dashboard (before those placements are deleted)."""
    statement = select(placements.c.widget_id).where(placements.c.tenant_id == ctx.tenant_id)
    if page_id is not None:
        statement = statement.where(placements.c.page_id == page_id)
    if dashboard_id is not None:
        statement = statement.where(placements.c.dashboard_id == dashboard_id)
    return list((await conn.execute(statement)).scalars())


async def delete_unplaced_card_widgets(
    conn: AsyncConnection, ctx: RequestContext, widget_ids: Iterable[int]
) -> None:
    """A card's private widget goes with its last placement; library widgets stay."""
    ids = sorted(set(widget_ids))
    if not ids:
        return
    still_placed = (
        select(placements.c.widget_id)
        .where(
            placements.c.tenant_id == ctx.tenant_id,
            placements.c.widget_id == dashboard_widgets.c.id,
        )
        .exists()
    )
    await conn.execute(
        delete(dashboard_widgets).where(
            dashboard_widgets.c.tenant_id == ctx.tenant_id,
            dashboard_widgets.c.id.in_(ids),
            dashboard_widgets.c.in_library.is_(False),
            ~still_placed,
        )
    )
