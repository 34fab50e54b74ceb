"""A dashboard page rendered with its data (DashboardRendering), one card's data
(RenderedCard) and why a card has none (TileError)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.domain import render
from app.domain.widgets import WidgetType
from app.graphql.context import Info
from app.graphql.types.dashboard import Dashboard, DashboardCard
from app.graphql.types.widget import DashboardWidget


@strawberry.type(description="Why one card has no data; the other cards still render.")
class TileError:
    code: str = strawberry.field(
        description="TILE_SQL_ERROR, TILE_TIMEOUT, TILE_UNAVAILABLE, INVALID_PARAMETER, "
        "INVALID_DATA_SOURCE or INTERNAL."
    )
    message: str = strawberry.field(description="PostgreSQL's or the service's own words.")


@strawberry.type(description="A card (or a widget on its own) with its data.")
class RenderedCard:
    _card_id: strawberry.Private[int | None]
    _widget_id: strawberry.Private[int]
    _dashboard_id: strawberry.Private[int | None]
    card_type: WidgetType
    title: str = strawberry.field(description="The card's (its widget's) name.")
    data: JSON | None = strawberry.field(
        description="{columns: [{name, type}], rows: [{column: value}], row_count, truncated}; "
        "null for a card without a data source, or with an error."
    )
    error: TileError | None = strawberry.field(description="Why there is no data, if so.")
    cached: bool = strawberry.field(description="Whether the data came from the tile cache.")
    computed_at: datetime | None = strawberry.field(
        description="When the data was read from the database (earlier when cached)."
    )

    @strawberry.field(description="The card rendered; null for a widget rendered on its own.")
    async def card(self, info: Info) -> DashboardCard | None:
        if self._card_id is None or self._dashboard_id is None:
            return None
        cards = await info.context.loaders.cards(self._dashboard_id)
        return next(
            (DashboardCard.from_card(c) for c in cards if c.placement.id == self._card_id), None
        )

    @strawberry.field(description="The widget behind the card, with its data source.")
    async def dashboard_widget(self, info: Info) -> DashboardWidget:
        record = await info.context.loaders.widget(self._widget_id)
        if record is None:  # deleted since it was rendered; fail loudly rather than lie
            raise LookupError(f"rendered widget {self._widget_id} no longer exists")
        return DashboardWidget.from_record(record)

    @classmethod
    def from_domain(cls, card: render.RenderedCard, dashboard_id: int | None) -> RenderedCard:
        return cls(
            _card_id=card.card_id,
            _widget_id=card.widget_id,
            _dashboard_id=dashboard_id,
            card_type=WidgetType(card.card_type),
            title=card.title,
            data=cast(JSON, card.data),
            error=TileError(code=card.error["code"], message=card.error["message"])
            if card.error
            else None,
            cached=card.cached,
            computed_at=card.computed_at,
        )


@strawberry.type(description="One page of a dashboard with every card's data.")
class DashboardRendering:
    dashboard: Dashboard
    page: int = strawberry.field(description="The page's number (1 for the first tab).")
    parameters: JSON = strawberry.field(
        description="The parameter values the cards were rendered with, by name: the values "
        "given, else the declared defaults."
    )
    cards: list[RenderedCard] = strawberry.field(
        description="The page's cards in order; each renders on its own."
    )

    @classmethod
    def from_domain(cls, rendering: render.Rendering) -> DashboardRendering:
        dashboard_id = rendering.dashboard.id
        return cls(
            dashboard=Dashboard.from_record(rendering.dashboard),
            page=rendering.page,
            parameters=cast(JSON, rendering.parameters),
            cards=[RenderedCard.from_domain(c, dashboard_id) for c in rendering.cards],
        )
