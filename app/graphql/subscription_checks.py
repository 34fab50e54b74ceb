"""Checks before execution that answer by setting the operation's result (the cost limit)
stop queries and mutations, but strawberry subscribes whatever the result says. This
extension, after them, refuses such a subscription by raising their error: the subscriber
gets it (a `next` without data, then `complete`) and nothing is subscribed."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


class RefuseCheckedSubscriptions(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        result = context.result
        if context.operation_type is OperationType.SUBSCRIPTION and result is not None:
            errors = result.errors or [GraphQLError("The subscription was refused.")]
            raise errors[0]
        yield
