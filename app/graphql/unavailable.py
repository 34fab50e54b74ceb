"""An unavailable database during a GraphQL operation: a 503 answer, not a masked
"Unexpected error" with 200.

`UnavailableDatabase` (a schema extension) turns each resolver error that means an outage
(app/unavailable.py) into a public error carrying the code, before MaskErrors would hide
it; the endpoint then answers the whole operation with 503 and `Retry-After`
(`raise_if_unavailable`): a client retries the operation, it does not piece together a
partial result."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.unavailable import BY_CODE, Unavailable, recognise


class DatabaseUnavailableError(Exception):
    def __init__(self, unavailable: Unavailable) -> None:
        super().__init__(unavailable.message)
        self.unavailable = unavailable


class UnavailableDatabase(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        # The executing hook ends before every operation hook (MaskErrors' included), so
        # the errors here still carry their original exceptions.
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [_public_if_unavailable(error) for error in errors]  # type: ignore[union-attr]


def _public_if_unavailable(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    unavailable = recognise(original) if original is not None else None
    if unavailable is None:
        return error
    # No original error: MaskErrors lets it through as it is.
    return GraphQLError(
        unavailable.message,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": unavailable.code},
    )


def raise_if_unavailable(errors: Sequence[GraphQLError] | None) -> None:
    """Raise DatabaseUnavailableError when any of a result's errors is an outage."""
    for error in errors or ():
        code = (error.extensions or {}).get("code")
        if error.original_error is None and code in BY_CODE:
            raise DatabaseUnavailableError(BY_CODE[code])
