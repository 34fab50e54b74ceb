"""Turning GraphQL input values into domain values."""

from __future__ import annotations

from typing import Any

import strawberry

from app.domain.validation import UNSET
from app.errors import DomainError, ErrorCode, FieldPath, Problem
from app.graphql.ids import database_id_of


def optional(value: Any) -> Any:
    """strawberry.UNSET (field left out) → the domain's UNSET; anything else as is."""
    return UNSET if value is strawberry.UNSET else value


def required_id(
    value: str, type_name: str, field: FieldPath, code: ErrorCode = ErrorCode.NOT_FOUND
) -> int:
    """The database id an input ID names, or a refusal pointing at the field."""
    database_id = database_id_of(value, type_name)
    if database_id is None:
        raise DomainError(Problem(code, f"{value!r} is not the id of a {type_name}", field))
    return database_id


def optional_id(
    value: str | None,
    type_name: str,
    field: FieldPath,
    code: ErrorCode = ErrorCode.UNKNOWN_REFERENCE,
) -> int | None:
    """Like required_id for an input that may be null."""
    return None if value is None else required_id(value, type_name, field, code)
