"""The context of one GraphQL operation sent over WebSocket: the request's, plus the process's
live updates. Each operation gets its own, so one subscription's loaders never serve another's."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.graphql.context import GraphQLContext
from app.live import LiveUpdates


@dataclass
class LiveOperationContext(GraphQLContext):
    live: LiveUpdates = field(kw_only=True)

    async def fresh_reads(self) -> None:
        """Before each event: the previous event's read connection goes back to the pool
        (a subscription may stay open for hours) and its loaders are forgotten."""
        await self.reader.close()
        self.after_write()
