"""Domain errors as GraphQL `userErrors`, and errors a query may show its caller."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case

from app.errors import DomainError, ErrorCode, FieldPath, Problem

T = TypeVar("T")

strawberry.enum(
    ErrorCode,
    name="UserErrorCode",
    description="Why a mutation refused its input. REST answers with the same codes.",
)


@strawberry.type(description="A problem with a mutation's input; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of input names to the offending value, e.g. "
        '["placements", "1", "dashboardWidgetId"]; null when no single input is at fault.'
    )
    message: str
    code: ErrorCode


class PublicQueryError(Exception):
    """A query argument the caller got wrong; shown to the caller, never masked."""


def graphql_field_path(path: FieldPath) -> list[str] | None:
    if not path:
        return None
    return [to_camel_case(part) if isinstance(part, str) else str(part) for part in path]


def user_error(problem: Problem) -> UserError:
    return UserError(
        field=graphql_field_path(problem.field),
        message=problem.message,
        code=problem.code,
    )


async def attempt(operation: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a domain operation; a refusal becomes userErrors instead of an exception."""
    try:
        return await operation, []
    except DomainError as error:
        return None, [user_error(problem) for problem in error.problems]
