"""Collection: a folder of dashboards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from app.domain.collections import CollectionRecord
from app.graphql.context import Info


@strawberry.type(description="A folder of dashboards; collections nest.")
class Collection(relay.Node):
    id: relay.NodeID[int]
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    _parent_id: strawberry.Private[int | None]

    database_id: int = strawberry.field(description="The integer key, as REST routes use it.")

    @strawberry.field(description="The collection this one sits in; null at the top.")
    async def parent(
        self, info: Info
    ) -> Annotated[Collection, strawberry.lazy("app.graphql.types.collection")] | None:
        record = await info.context.loaders.collection(self._parent_id)
        return Collection.from_record(record) if record else None

    @classmethod
    def from_record(cls, record: CollectionRecord) -> Collection:
        return cls(
            id=record.id,
            database_id=record.id,
            name=record.name,
            description=record.description,
            created_at=record.created_at,
            updated_at=record.updated_at,
            _parent_id=record.parent_id,
        )
