"""Per-request DataLoaders, named <Target>By<Key>Loader. Each batch reads on a pooled
connection of its own (loaders fire together; one connection cannot run two statements)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.collections import CollectionRecord, get_collections
from app.domain.dashboards import get_dashboards
from app.domain.pages import get_pages
from app.domain.placements import get_placements
from app.domain.records import DashboardRecord, PageRecord, PlacementRecord, WidgetRecord
from app.domain.shares import ShareRecord, get_shares
from app.domain.widgets import get_widgets

V = TypeVar("V")
Fetch = Callable[[AsyncConnection, RequestContext, Iterable[int]], Awaitable[Mapping[int, Any]]]


def _loader(ctx: RequestContext, fetch: Fetch, missing: Callable[[], Any]) -> DataLoader[int, Any]:
    async def batch(keys: list[int]) -> list[Any]:
        async with ctx.db.reader() as conn:
            found = await fetch(conn, ctx, keys)
        return [found.get(key, missing()) for key in keys]

    return DataLoader(batch, max_batch_size=1000)


class Loaders:
    def __init__(self, ctx: RequestContext) -> None:
        # Visibility is applied in get_dashboards: an unseen dashboard loads as None.
        self.dashboard_by_id: DataLoader[int, Any] = _loader(ctx, get_dashboards, lambda: None)
        self.widget_by_id: DataLoader[int, Any] = _loader(ctx, get_widgets, lambda: None)
        self.placements_by_dashboard_id: DataLoader[int, Any] = _loader(ctx, get_placements, list)
        self.pages_by_dashboard_id: DataLoader[int, Any] = _loader(ctx, get_pages, list)
        self.shares_by_dashboard_id: DataLoader[int, Any] = _loader(ctx, get_shares, list)
        self.collection_by_id: DataLoader[int, Any] = _loader(ctx, get_collections, lambda: None)

    async def dashboard(self, dashboard_id: int | None) -> DashboardRecord | None:
        """The dashboard if the caller may see it; None for None (an id that named nothing)."""
        if dashboard_id is None:
            return None
        result: DashboardRecord | None = await self.dashboard_by_id.load(dashboard_id)
        return result

    async def widget(self, widget_id: int | None) -> WidgetRecord | None:
        if widget_id is None:
            return None
        result: WidgetRecord | None = await self.widget_by_id.load(widget_id)
        return result

    async def placements(self, dashboard_id: int) -> list[PlacementRecord]:
        result: list[PlacementRecord] = await self.placements_by_dashboard_id.load(dashboard_id)
        return result

    async def pages(self, dashboard_id: int) -> list[PageRecord]:
        result: list[PageRecord] = await self.pages_by_dashboard_id.load(dashboard_id)
        return result

    async def shares(self, dashboard_id: int) -> list[ShareRecord]:
        result: list[ShareRecord] = await self.shares_by_dashboard_id.load(dashboard_id)
        return result

    async def collection(self, collection_id: int | None) -> CollectionRecord | None:
        if collection_id is None:
            return None
        result: CollectionRecord | None = await self.collection_by_id.load(collection_id)
        return result

    def prime_dashboard(self, record: DashboardRecord) -> None:
        self.dashboard_by_id.prime(record.id, record)
