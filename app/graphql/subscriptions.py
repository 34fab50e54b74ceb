"""Subscription: a dashboard's changes, over WebSocket (docs/live-updates.md). Each event is
loaded with the subscriber's own principal; one who may no longer see the dashboard gets a
NOT_FOUND error and nothing more."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from graphql import GraphQLError

from app.domain.records import DashboardRecord
from app.graphql.context import Info
from app.graphql.ids import database_id_of
from app.graphql.live_context import LiveOperationContext
from app.graphql.types.change_event import DashboardChangeEvent
from app.live.hub import Outcome, SubscriberOverflow
from app.unavailable import recognise

NOT_FOUND = "NOT_FOUND"
SLOW_CONSUMER = "SLOW_CONSUMER"
WEBSOCKET_ONLY = "WEBSOCKET_ONLY"


def _not_found() -> GraphQLError:
    return GraphQLError(
        "No dashboard with this id is visible to you.", extensions={"code": NOT_FOUND}
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new version of the dashboard, then its deletion, for as long as the "
        "caller may see it. Unseen or unknown: a NOT_FOUND error. Over WebSocket "
        "(graphql-transport-ws) only."
    )
    async def dashboard_changed(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[DashboardChangeEvent, None]:
        context = info.context
        if not isinstance(context, LiveOperationContext):
            raise GraphQLError(
                "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql.",
                extensions={"code": WEBSOCKET_ONLY},
            )
        try:
            record = await context.loaders.dashboard(database_id_of(id, "Dashboard"))
        except Exception as error:
            unavailable = recognise(error)
            if unavailable is None:
                raise
            # As HTTP's 503: the code and a message without internals; subscribe again later.
            raise GraphQLError(unavailable.message, extensions={"code": unavailable.code}) from None
        if record is None:
            raise _not_found()
        # Returned, not yielded from here: a refusal above is the operation's `error` message.
        return _changes(context, record)  # type: ignore[return-value]


async def _changes(
    context: LiveOperationContext, record: DashboardRecord
) -> AsyncIterator[DashboardChangeEvent]:
    live = context.live
    with live.subscribed(context.request, record.id, record.version) as subscriber:
        while True:
            await context.fresh_reads()
            try:
                delivery = await subscriber.next()
            except SubscriberOverflow:
                raise GraphQLError(
                    "This subscription fell too far behind the dashboard's changes and was "
                    "ended; subscribe again.",
                    extensions={"code": SLOW_CONSUMER},
                ) from None
            if delivery.outcome is Outcome.UNSEEN:
                raise _not_found()
            if delivery.outcome is Outcome.DELETED:
                live.delivered("deleted")
                yield DashboardChangeEvent.deletion(record.id)
                return
            assert delivery.record is not None
            assert delivery.version is not None
            context.loaders.prime_dashboard(delivery.record)
            live.delivered("changed")
            yield DashboardChangeEvent.changed(delivery.version, delivery.record)
