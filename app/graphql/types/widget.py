"""DashboardWidget: a tenant's reusable tile definition."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.domain.records import WidgetRecord
from app.domain.widgets import WidgetType

strawberry.enum(WidgetType, description="The kind of visualisation a widget draws.")


@strawberry.type(description="A reusable tile definition of the tenant.")
class DashboardWidget(relay.Node):
    id: relay.NodeID[int]
    name: str
    widget_type: WidgetType
    description: str | None
    config: JSON
    data_source: JSON | None = strawberry.field(
        description="Where the widget's data comes from: {sql, cache_ttl_seconds} or a "
        "structured query on a dataset (see docs/tile-data.md); null when it shows no data."
    )
    kind: str | None = strawberry.field(
        description='The name seed-004 clients use for this library widget ("revenue_chart"), '
        "unique in the tenant; null when it has none."
    )
    owner_id: str = strawberry.field(description="The `sub` of the user who created it.")
    created_at: datetime
    updated_at: datetime

    database_id: int = strawberry.field(
        description="The integer key, as REST routes and seed clients use it."
    )

    @classmethod
    def from_record(cls, record: WidgetRecord) -> DashboardWidget:
        return cls(
            id=record.id,
            database_id=record.id,
            name=record.name,
            widget_type=WidgetType(record.widget_type),
            description=record.description,
            config=cast(JSON, record.config),
            data_source=cast(JSON, record.data_source),
            kind=record.kind,
            owner_id=record.owner_id,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )
