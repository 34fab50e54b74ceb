"""Rendering: every card of a dashboard page with its data, computed with the dashboard's
parameters. Cards render independently and concurrently (at most TILE_CONCURRENCY at once):
one card's SQL error, timeout or invalid parameter fills that card's `error` and the others
still render. Results come from the tile cache while their data source's TTL runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.context import RequestContext
from app.data.cache import CachedTile, CacheKey
from app.data.sandbox import TileQueryError
from app.domain.dashboards import get_dashboards
from app.domain.data_sources import read_data_source
from app.domain.datasets import get_datasets, tenant_schema
from app.domain.pages import pages_of
from app.domain.parameters import ResolvedParameters, resolve
from app.domain.placements import get_placements
from app.domain.records import DashboardRecord, DatasetRecord, WidgetRecord
from app.domain.tile_queries import CardError, compile_tile
from app.domain.validation import Problems
from app.domain.widgets import get_visible_widgets, get_widgets
from app.errors import not_found

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RenderedCard:
    card_id: int | None  # None when a widget renders on its own
    widget_id: int
    card_type: str
    title: str
    data: Any  # {"columns", "rows", "row_count", "truncated"}; None for cards without data
    error: dict[str, str] | None
    cached: bool = False
    computed_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "widget_id": self.widget_id,
            "card_type": self.card_type,
            "title": self.title,
            "data": self.data,
            "error": self.error,
            "cached": self.cached,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
        }


@dataclass(frozen=True, slots=True)
class Rendering:
    dashboard: DashboardRecord
    page: int
    parameters: dict[str, Any]  # the values the cards were rendered with
    cards: list[RenderedCard]

    def as_json(self) -> dict[str, Any]:
        """Seed 002's shape."""
        return {
            "dashboard": {
                "id": self.dashboard.id,
                "name": self.dashboard.name,
                "parameters": self.parameters,
            },
            "page": self.page,
            "cards": [card.as_json() for card in self.cards],
        }


async def render_dashboard(
    ctx: RequestContext,
    dashboard_id: int,
    *,
    page: int = 1,
    parameters: Mapping[str, Any],
    public: bool = False,
) -> Rendering:
    """Render one page. `public`: the caller came through a public link (the context's
    tenant is the link's): the dashboard is not checked against the caller, and only
    parameters marked public may be set."""
    async with ctx.db.reader() as conn:
        if public:
            found = await get_dashboards(conn, ctx, [dashboard_id], visible_only=False)
        else:
            found = await get_dashboards(conn, ctx, [dashboard_id])
        dashboard = found.get(dashboard_id)
        if dashboard is None:
            raise not_found("dashboard", dashboard_id, ("dashboard_id",))
        resolved = resolve(dashboard.parameters, parameters, public_only=public)
        page_record = next(
            (p for p in await pages_of(conn, ctx, dashboard_id) if p.position == page), None
        )
        if page_record is None:
            raise not_found("page", page, ("page",))
        placed = [
            p
            for p in (await get_placements(conn, ctx, [dashboard_id])).get(dashboard_id, [])
            if p.page_id == page_record.id
        ]
        widgets = await get_widgets(conn, ctx, [p.widget_id for p in placed])
        datasets = await get_datasets(
            conn, ctx, {w.dataset_id for w in widgets.values() if w.dataset_id}
        )
    semaphore = asyncio.Semaphore(ctx.settings.tile_concurrency)
    cards = await asyncio.gather(
        *(_render(ctx, widgets[p.widget_id], p.id, datasets, resolved, semaphore) for p in placed)
    )
    return Rendering(dashboard, page, resolved.shown(public_only=public), list(cards))


async def render_widget(
    ctx: RequestContext,
    widget_id: int,
    *,
    parameters: Mapping[str, Any],
    dashboard_id: int | None = None,
) -> RenderedCard:
    """One widget's data, if the caller sees the widget (a card's only with its dashboard).
    Its parameters are declared by the dashboard given (which the caller must see) or,
    without one, by the values given (a value's type is its JSON type)."""
    async with ctx.db.reader() as conn:
        widget = (await get_visible_widgets(conn, ctx, [widget_id])).get(widget_id)
        if widget is None:
            raise not_found("widget", widget_id, ("id",))
        if dashboard_id is not None:
            dashboard = (await get_dashboards(conn, ctx, [dashboard_id])).get(dashboard_id)
            if dashboard is None:
                raise not_found("dashboard", dashboard_id, ("dashboard_id",))
            resolved = resolve(dashboard.parameters, parameters)
        else:
            resolved = resolve(dict(parameters), {})
        datasets = await get_datasets(conn, ctx, [widget.dataset_id] if widget.dataset_id else [])
    return await _render(ctx, widget, None, datasets, resolved, asyncio.Semaphore(1))


async def _render(
    ctx: RequestContext,
    widget: WidgetRecord,
    card_id: int | None,
    datasets: Mapping[int, DatasetRecord],
    parameters: ResolvedParameters,
    semaphore: asyncio.Semaphore,
) -> RenderedCard:
    def card(data: Any = None, error: dict[str, str] | None = None, **more: Any) -> RenderedCard:
        return RenderedCard(
            card_id, widget.id, widget.widget_type, widget.name, data, error, **more
        )

    if widget.data_source is None:
        return card()
    try:
        return card(**await _data(ctx, widget, datasets, parameters, semaphore))
    except CardError as error:
        return card(error=error.as_json())
    except TileQueryError as error:
        return card(error={"code": error.code, "message": error.message})
    except Exception:
        # One card's failure never fails the others; the details stay in the log.
        log.exception("card %s (widget %s) failed (request %s)", card_id, widget.id, ctx.request_id)
        message = f"unexpected error; quote request {ctx.request_id} when reporting it"
        return card(error={"code": "INTERNAL", "message": message})


async def _data(
    ctx: RequestContext,
    widget: WidgetRecord,
    datasets: Mapping[int, DatasetRecord],
    parameters: ResolvedParameters,
    semaphore: asyncio.Semaphore,
) -> dict[str, Any]:
    problems = Problems()
    source = read_data_source(
        widget.data_source, problems, ("data_source",), row_limit=ctx.settings.tile_row_limit
    )
    if source is None or problems.found:
        raise CardError("INVALID_DATA_SOURCE", "the widget's data source is not valid any more")
    if source.parameters:
        parameters = parameters.over(resolve(source.parameters, {}))
    compiled = compile_tile(
        source,
        dataset=datasets.get(widget.dataset_id) if widget.dataset_id else None,
        schema=tenant_schema(ctx),
        params=parameters,
        max_sql_chars=ctx.settings.tile_sql_max_chars,
    )
    cache = ctx.data.cache
    key = CacheKey(ctx.tenant_id, widget.id, compiled.digest)
    if compiled.cache_ttl_seconds > 0 and (hit := await cache.get(key)) is not None:
        return {"data": hit.data, "cached": True, "computed_at": hit.computed_at}
    async with semaphore:
        result = await ctx.data.sandbox.run(
            ctx.tenant_id,
            compiled.sql,
            compiled.args,
            row_limit=compiled.row_limit,
            wrap=compiled.wrap if compiled.outer_filters else None,
        )
    data, computed_at = result.as_json(), datetime.now(UTC)
    if compiled.cache_ttl_seconds > 0:
        await cache.put(key, CachedTile(data, computed_at), compiled.cache_ttl_seconds)
    return {"data": data, "cached": False, "computed_at": computed_at}
