"""The GraphQL spec's GetOperation: a document with several operations and no operationName is
a request error. Strawberry runs the first operation instead; this extension refuses it."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

MESSAGE = "Must provide operation name if query contains multiple operations."


class RequireOperationName(SchemaExtension):
    """Runs after the validation cache has set the validation errors, so it adds to them."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # `operation_name` falls back to the first operation's name; the one given is private.
        if document is not None and context._provided_operation_name is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                errors = list(context.pre_execution_errors or ())
                context.pre_execution_errors = [*errors, GraphQLError(MESSAGE)]
        yield
