"""A schema extension that tells the request record which GraphQL operation ran: its name
(None when anonymous) and type, or type "unknown" when the document names no operation it
holds (it did not parse, or `operationName` is not in it)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from app.observability.metrics import UNKNOWN
from app.observability.request_info import note_operation


class OperationNoter(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        try:
            yield
        finally:  # also when the operation ends in an exception (strawberry answers it)
            self._note()

    def _note(self) -> None:
        context = self.execution_context
        if context.graphql_document is None:
            note_operation(None, UNKNOWN)
            return
        try:
            operation_type = context.operation_type.value
        except RuntimeError:  # the operation named is not in the document
            note_operation(None, UNKNOWN)
            return
        note_operation(context.operation_name, operation_type)
