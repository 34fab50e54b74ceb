"""Dashboard and its placements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.domain.access import Visibility
from app.domain.cards import Card
from app.domain.dashboard_rows import AtVersion
from app.domain.dashboards import filter_settings
from app.domain.records import DashboardRecord, PageRecord, PlacementRecord, WidgetRecord
from app.domain.records import Position as PositionRecord
from app.domain.widgets import WidgetType
from app.graphql.context import Info
from app.graphql.pagination import Connection
from app.graphql.types.collection import Collection
from app.graphql.types.dashboard_filter import DashboardFilter
from app.graphql.types.public_link import PublicLink
from app.graphql.types.revision import DashboardRevision, revision_connection
from app.graphql.types.sharing import ShareGrant
from app.graphql.types.widget import DashboardWidget
from app.graphql.version_cache import read_at_version

strawberry.enum(
    Visibility,
    name="DashboardVisibility",
    description="Who sees a dashboard besides its owner, admins and those it is shared with: "
    "PRIVATE nobody; TEAM the tenant's members (narrowed by roleIds); PUBLIC the same, and it "
    "may have a public link.",
)


@strawberry.type(description="Gridstack coordinates: column, row, width and height.")
class Position:
    x: int
    y: int
    w: int
    h: int

    @classmethod
    def from_record(cls, record: PositionRecord) -> Position:
        return cls(x=record.x, y=record.y, w=record.w, h=record.h)


@strawberry.type(description="A widget placed on a dashboard.")
class DashboardWidgetPlacement:
    _widget_id: strawberry.Private[int]
    position: Position | None = strawberry.field(
        description="Null when the client gave no position (the renderer picks a slot)."
    )

    @strawberry.field
    async def dashboard_widget(self, info: Info) -> DashboardWidget:
        record = await info.context.loaders.widget(self._widget_id)
        if record is None:  # the foreign key makes this impossible; fail loudly if not
            raise LookupError(f"placement refers to missing widget {self._widget_id}")
        return DashboardWidget.from_record(record)

    @classmethod
    def from_record(cls, record: PlacementRecord) -> DashboardWidgetPlacement:
        return cls(
            _widget_id=record.widget_id,
            position=Position.from_record(record.position) if record.position else None,
        )


@strawberry.type(description="A tile of a dashboard: a widget placed on a page.")
class DashboardCard(relay.Node):
    # Every field but `page` is a plain attribute, filled from one joined row (get_cards):
    # a dashboard's cards resolve without a lookup or an awaitable per card and field.
    id: relay.NodeID[int]
    layout: Position | None = strawberry.field(
        description="Where the card sits on its page's grid; null when never positioned."
    )
    database_id: int = strawberry.field(description="The integer key, as REST routes use it.")
    dashboard_widget: DashboardWidget = strawberry.field(
        description="The widget behind the card; its config is the card's."
    )
    card_type: WidgetType = strawberry.field(description="The card's widget type.")
    name: str
    config: JSON
    _page_id: strawberry.Private[int]
    _dashboard_id: strawberry.Private[int]
    # Set on cards shared by requests: what plain selections built from it (execution.py).
    plain_memo: strawberry.Private[dict[Any, Any] | None] = None

    @strawberry.field(description="The page the card is on.")
    async def page(self, info: Info) -> DashboardPage:
        pages = await info.context.loaders.pages(self._dashboard_id)
        return next(DashboardPage.from_record(p) for p in pages if p.id == self._page_id)

    @classmethod
    def from_card(cls, card: Card, *, shared: bool = False) -> DashboardCard:
        """`shared`: for the version cache, whose objects requests share, never change."""
        placement, widget = card.placement, card.widget
        return cls(
            id=placement.id,
            layout=Position.from_record(placement.position) if placement.position else None,
            database_id=placement.id,
            dashboard_widget=DashboardWidget.from_record(widget),
            card_type=WidgetType(widget.widget_type),
            name=widget.name,
            config=cast(JSON, widget.config),
            _page_id=placement.page_id,
            _dashboard_id=placement.dashboard_id,
            plain_memo={} if shared else None,
        )


@dataclass(frozen=True, slots=True)
class DashboardCards:
    """A dashboard's cards as GraphQL objects, by page too. Never changed once made, so
    requests share them (version_cache.py)."""

    every: tuple[DashboardCard, ...]
    by_page: dict[int, tuple[DashboardCard, ...]]

    @classmethod
    def of(cls, read: AtVersion[Card]) -> DashboardCards:
        every = tuple(DashboardCard.from_card(card, shared=True) for card in read.items)
        by_page: dict[int, list[DashboardCard]] = defaultdict(list)
        for card, converted in zip(read.items, every, strict=True):
            by_page[card.placement.page_id].append(converted)
        return cls(every, {page: tuple(on_page) for page, on_page in by_page.items()})

    def __len__(self) -> int:
        return len(self.every)


async def dashboard_cards(info: Info, dashboard_id: int, version: int | None) -> DashboardCards:
    """The dashboard's cards, shared with other requests that read it at `version`."""
    loaders = info.context.loaders
    return await read_at_version(
        info.context.version_cache,
        ("cards", info.context.request.tenant_id, dashboard_id),
        version,
        lambda: loaders.versioned_cards(dashboard_id),
        DashboardCards.of,
        info.context.read_elsewhere,
    )


@strawberry.type(description="A page (tab) of a dashboard.")
class DashboardPage(relay.Node):
    id: relay.NodeID[int]
    name: str
    position: int = strawberry.field(description="1 for the first tab; REST's page number.")
    _dashboard_id: strawberry.Private[int]
    # The dashboard's version when the page was read through it (None: read on its own).
    _dashboard_version: strawberry.Private[int | None]

    database_id: int = strawberry.field(description="The integer key.")

    @strawberry.field(description="The cards on this page.")
    async def cards(self, info: Info) -> list[DashboardCard]:
        cards = await dashboard_cards(info, self._dashboard_id, self._dashboard_version)
        return list(cards.by_page.get(self.id, ()))

    @classmethod
    def all_of(cls, read: AtVersion[PageRecord]) -> tuple[DashboardPage, ...]:
        """Pages read at a version, which their cards are then read at."""
        return tuple(cls.from_record(p, dashboard_version=read.version) for p in read.items)

    @classmethod
    def from_record(
        cls, record: PageRecord, *, dashboard_version: int | None = None
    ) -> DashboardPage:
        return cls(
            id=record.id,
            database_id=record.id,
            name=record.name,
            position=record.position,
            _dashboard_id=record.dashboard_id,
            _dashboard_version=dashboard_version,
        )


async def _widget(info: Info, widget_id: int) -> WidgetRecord:
    record = await info.context.loaders.widget(widget_id)
    if record is None:  # the foreign key makes this impossible; fail loudly if not
        raise LookupError(f"card refers to missing widget {widget_id}")
    return record


@strawberry.type(description="An analytical dashboard of the tenant.")
class Dashboard(relay.Node):
    id: relay.NodeID[int]
    code: str
    name: str
    description: str | None
    is_active: bool
    is_default: bool = strawberry.field(description="Whether this is the tenant's default.")
    role_ids: list[int] = strawberry.field(
        description="Roles that may see the dashboard; empty means every member of the tenant."
    )
    owner_id: str = strawberry.field(description="The `sub` of the user who created it.")
    version: int = strawberry.field(description="Incremented by every change.")
    created_at: datetime
    updated_at: datetime
    visibility: Visibility = strawberry.field(
        description="Who sees it besides its owner, admins and those it is shared with."
    )
    tags: list[str] = strawberry.field(description="Labels to find it by, in the order given.")
    type: str | None = strawberry.field(
        description='A free-form kind ("executive", "sales"), for clients that group by it.'
    )
    refresh_interval: int | None = strawberry.field(
        description="How often clients should refresh its data, in seconds; null: never."
    )
    _collection_id: strawberry.Private[int | None]
    _parameters: strawberry.Private[dict[str, Any]]

    database_id: int = strawberry.field(
        description="The integer key, as REST routes and seed clients use it."
    )

    @strawberry.field(description="The widgets on the dashboard, in the order they were set.")
    async def placements(self, info: Info) -> list[DashboardWidgetPlacement]:
        records = await info.context.loaders.placements(self.id)
        return [DashboardWidgetPlacement.from_record(r) for r in records]

    @strawberry.field(description="Parameter definitions by name.")
    def parameters(self) -> JSON:
        return cast(JSON, self._parameters)

    @strawberry.field(
        description="The parameters that filter the cards' data by a column, by name."
    )
    def filters(self) -> list[DashboardFilter]:
        return [DashboardFilter.from_setting(s) for s in filter_settings(self._parameters)]

    @strawberry.field(description="The pages (tabs), in order; there is always at least one.")
    async def pages(self, info: Info) -> list[DashboardPage]:
        loaders = info.context.loaders
        pages = await read_at_version(
            info.context.version_cache,
            ("pages", info.context.request.tenant_id, self.id),
            self.version,
            lambda: loaders.versioned_pages(self.id),
            DashboardPage.all_of,
            info.context.read_elsewhere,
        )
        return list(pages)

    @strawberry.field(description="Every card of every page.")
    async def cards(self, info: Info) -> list[DashboardCard]:
        return list((await dashboard_cards(info, self.id, self.version)).every)

    @strawberry.field(description="Who the dashboard is shared with.")
    async def shares(self, info: Info) -> list[ShareGrant]:
        loaders = info.context.loaders
        shares = await read_at_version(
            info.context.version_cache,
            ("shares", info.context.request.tenant_id, self.id),
            self.version,
            lambda: loaders.versioned_shares(self.id),
            lambda read: tuple(ShareGrant.from_record(s, shared=True) for s in read.items),
            info.context.read_elsewhere,
        )
        return list(shares)

    @strawberry.field(description="The collection (folder) it lives in, if any.")
    async def collection(self, info: Info) -> Collection | None:
        record = await info.context.loaders.collection(self._collection_id)
        return Collection.from_record(record) if record else None

    @strawberry.field(
        description="The link that opens the dashboard's render without a token; null when "
        "it is not public. Shown only to callers with dashboard.edit and to its owner."
    )
    async def public_link(self, info: Info) -> PublicLink | None:
        principal = info.context.request.principal
        if not (principal.can_edit or principal.user_id == self.owner_id):
            return None
        record = await info.context.loaders.public_link(self.id)
        return PublicLink.from_record(record) if record else None

    @strawberry.field(
        description="Its revisions, newest first: one per version it reached, within the "
        "retention setting (docs/version-history.md)."
    )
    async def revisions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[DashboardRevision]:
        return await revision_connection(info, self.id, first, after)

    @classmethod
    def from_record(cls, record: DashboardRecord) -> Dashboard:
        return cls(
            id=record.id,
            database_id=record.id,
            code=record.code,
            name=record.name,
            description=record.description,
            is_active=record.is_active,
            is_default=record.is_default,
            role_ids=list(record.role_ids),
            owner_id=record.owner_id,
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
            visibility=Visibility(record.visibility),
            tags=list(record.tags),
            type=record.type,
            refresh_interval=record.refresh_interval,
            _collection_id=record.collection_id,
            _parameters=record.parameters,
        )
