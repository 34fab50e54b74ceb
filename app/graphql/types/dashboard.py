"""Dashboard and its placements."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from app.domain.records import DashboardRecord, PlacementRecord
from app.domain.records import Position as PositionRecord
from app.graphql.context import Info
from app.graphql.types.widget import DashboardWidget


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

    @strawberry.field(description="The integer key, as REST routes and seed clients use it.")
    def database_id(self) -> int:
        return self.id

    @strawberry.field(description="The widgets on the dashboard, in the order they were set.")
    async def placements(self, info: Info) -> list[DashboardWidgetPlacement]:
        records = await info.context.loaders.placements(self.id)
        return [DashboardWidgetPlacement.from_record(r) for r in records]

    @classmethod
    def from_record(cls, record: DashboardRecord) -> Dashboard:
        return cls(
            id=record.id,
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
        )
