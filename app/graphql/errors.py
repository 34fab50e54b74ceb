"""Domain errors as GraphQL `userErrors`, and errors a query may show its caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
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


# Inputs holding free-form JSON: the keys below them are data, spelled as the client sent them.
_JSON_INPUTS = frozenset({"config", "parameters", "data_source"})


def graphql_field_path(path: FieldPath) -> list[str] | None:
    """The domain's snake_case path in GraphQL's input names, e.g. ("placements", 1,
    "dashboard_widget_id") → ["placements", "1", "dashboardWidgetId"]."""
    if not path:
        return None
    result: list[str] = []
    inside_json = False
    for part in path:
        result.append(
            to_camel_case(part) if isinstance(part, str) and not inside_json else str(part)
        )
        inside_json = inside_json or part in _JSON_INPUTS
    return result


def user_error(problem: Problem) -> UserError:
    return UserError(
        field=graphql_field_path(problem.field),
        message=problem.message,
        code=problem.code,
    )


async def attempt(
    operation: Awaitable[T],
    list_field: str | None = None,
    *,
    as_user_error: Callable[[Problem], UserError] = user_error,
) -> tuple[T | None, list[UserError]]:
    """Run a domain operation; a refusal becomes userErrors instead of an exception.
    For operations whose domain input is a bare list (REST sends an array), `list_field`
    names the input holding it: a path that starts at an item index goes under it.
    `as_user_error` is for inputs whose problems' paths are spelled otherwise."""
    try:
        return await operation, []
    except DomainError as error:
        return None, [as_user_error(_under(p, list_field)) for p in error.problems]


def _under(problem: Problem, list_field: str | None) -> Problem:
    if list_field is None or not problem.field or not isinstance(problem.field[0], int):
        return problem
    return replace(problem, field=(list_field, *problem.field))


async def query_result(operation: Awaitable[T], unseen: Collection[str]) -> T | None:
    """Run a domain read for a query: None when it refuses because something in `unseen`
    (a resource kind: "dashboard", "widget", …) is not found, which is how the caller not
    seeing it is reported; any other refusal is the caller's error, shown with the domain's
    message."""
    try:
        return await operation
    except DomainError as error:
        if all(p.code is ErrorCode.NOT_FOUND and p.resource in unseen for p in error.problems):
            return None
        raise PublicQueryError("; ".join(p.message for p in error.problems)) from error
