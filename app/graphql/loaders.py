"""Per-request DataLoaders, named <Target>By<Key>Loader. Batches fire together and take
turns on the request's one read connection (request_reader.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.cards import Card, get_versioned_cards
from app.domain.collections import CollectionRecord, get_collections
from app.domain.dashboard_rows import AtVersion
from app.domain.dashboards import get_dashboards
from app.domain.datasets import get_datasets
from app.domain.pages import get_versioned_pages
from app.domain.placements import get_placements
from app.domain.public_links import PublicLinkRecord, get_public_links
from app.domain.records import (
    DashboardRecord,
    DatasetRecord,
    PageRecord,
    PlacementRecord,
    WidgetRecord,
)
from app.domain.shares import ShareRecord, get_versioned_shares
from app.domain.widgets import get_visible_widgets
from app.graphql.request_reader import RequestReader
from app.graphql.revision_loaders import RevisionLoaders

V = TypeVar("V")
Fetch = Callable[[AsyncConnection, RequestContext, Iterable[int]], Awaitable[Mapping[int, Any]]]

# Datasets are the tenant's: every member sees them (None: no such dataset in the tenant).
DatasetByIdLoader = DataLoader[int, DatasetRecord | None]
# A dashboard's public link, None when it has none; callers decide who may see it.
PublicLinkByDashboardIdLoader = DataLoader[int, PublicLinkRecord | None]


def _none() -> AtVersion[Any]:
    """A dashboard without such rows: nothing to date them by."""
    return AtVersion(None, [])


def _loader(
    ctx: RequestContext, reader: RequestReader, fetch: Fetch, missing: Callable[[], Any]
) -> DataLoader[int, Any]:
    async def batch(keys: list[int]) -> list[Any]:
        async with reader.connection() as conn:
            found = await fetch(conn, ctx, keys)
        return [found.get(key, missing()) for key in keys]

    return DataLoader(batch, max_batch_size=1000)


class Loaders:
    """A request's loaders, each made when first used: most requests use one or two of them,
    and making all of them cost a page load more than its kept answer (versioned_results.py)."""

    def __init__(self, ctx: RequestContext, reader: RequestReader) -> None:
        self._ctx = ctx
        self._reader = reader

    def _loader(self, fetch: Fetch, missing: Callable[[], Any]) -> DataLoader[int, Any]:
        return _loader(self._ctx, self._reader, fetch, missing)

    @cached_property
    def dashboard_by_id(self) -> DataLoader[int, Any]:
        # Visibility is applied in get_dashboards: an unseen dashboard loads as None.
        return self._loader(get_dashboards, lambda: None)

    @cached_property
    def widget_by_id(self) -> DataLoader[int, Any]:
        return self._loader(get_visible_widgets, lambda: None)

    @cached_property
    def placements_by_dashboard_id(self) -> DataLoader[int, Any]:
        return self._loader(get_placements, list)

    # A dashboard's cards, pages and grants, with the version they were read at.
    @cached_property
    def cards_by_dashboard_id(self) -> DataLoader[int, Any]:
        return self._loader(get_versioned_cards, _none)

    @cached_property
    def pages_by_dashboard_id(self) -> DataLoader[int, Any]:
        return self._loader(get_versioned_pages, _none)

    @cached_property
    def shares_by_dashboard_id(self) -> DataLoader[int, Any]:
        return self._loader(get_versioned_shares, _none)

    @cached_property
    def collection_by_id(self) -> DataLoader[int, Any]:
        return self._loader(get_collections, lambda: None)

    @cached_property
    def dataset_by_id(self) -> DatasetByIdLoader:
        return self._loader(get_datasets, lambda: None)

    @cached_property
    def public_link_by_dashboard_id(self) -> PublicLinkByDashboardIdLoader:
        return self._loader(get_public_links, lambda: None)

    @cached_property
    def revisions(self) -> RevisionLoaders:
        return RevisionLoaders(self._ctx, self._reader)

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

    async def cards(self, dashboard_id: int) -> list[Card]:
        """The dashboard's cards with their widgets (placements without them: `placements`)."""
        return (await self.versioned_cards(dashboard_id)).items

    async def versioned_cards(self, dashboard_id: int) -> AtVersion[Card]:
        """As `cards`, with the dashboard version they were read at."""
        result: AtVersion[Card] = await self.cards_by_dashboard_id.load(dashboard_id)
        return result

    async def versioned_pages(self, dashboard_id: int) -> AtVersion[PageRecord]:
        result: AtVersion[PageRecord] = await self.pages_by_dashboard_id.load(dashboard_id)
        return result

    async def versioned_shares(self, dashboard_id: int) -> AtVersion[ShareRecord]:
        result: AtVersion[ShareRecord] = await self.shares_by_dashboard_id.load(dashboard_id)
        return result

    async def pages(self, dashboard_id: int) -> list[PageRecord]:
        return (await self.versioned_pages(dashboard_id)).items

    async def shares(self, dashboard_id: int) -> list[ShareRecord]:
        return (await self.versioned_shares(dashboard_id)).items

    async def collection(self, collection_id: int | None) -> CollectionRecord | None:
        if collection_id is None:
            return None
        result: CollectionRecord | None = await self.collection_by_id.load(collection_id)
        return result

    async def dataset(self, dataset_id: int | None) -> DatasetRecord | None:
        if dataset_id is None:
            return None
        result: DatasetRecord | None = await self.dataset_by_id.load(dataset_id)
        return result

    async def public_link(self, dashboard_id: int) -> PublicLinkRecord | None:
        result: PublicLinkRecord | None = await self.public_link_by_dashboard_id.load(dashboard_id)
        return result

    def prime_dashboard(self, record: DashboardRecord) -> None:
        self.dashboard_by_id.prime(record.id, record)
