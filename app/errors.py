"""Domain errors: one machine-readable code each, mapped to HTTP statuses for REST and to
`userErrors` for GraphQL. Nothing here knows about either transport's wire format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    DUPLICATE_IN_INPUT = "DUPLICATE_IN_INPUT"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    IN_USE = "IN_USE"
    CARD_POSITION_CONFLICT = "CARD_POSITION_CONFLICT"
    INVALID_CARD_CONFIG = "INVALID_CARD_CONFIG"
    NOT_EMPTY = "NOT_EMPTY"
    DATA_UNAVAILABLE = "DATA_UNAVAILABLE"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.REQUIRED: 422,
    ErrorCode.TOO_LONG: 422,
    ErrorCode.INVALID: 422,
    ErrorCode.DUPLICATE_IN_INPUT: 422,
    ErrorCode.UNKNOWN_REFERENCE: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.VERSION_CONFLICT: 409,
    ErrorCode.IN_USE: 409,
    ErrorCode.CARD_POSITION_CONFLICT: 409,
    ErrorCode.INVALID_CARD_CONFIG: 422,
    ErrorCode.NOT_EMPTY: 409,
    ErrorCode.DATA_UNAVAILABLE: 503,
}

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    code: ErrorCode
    message: str
    # Path of input names in the domain's (snake_case) spelling, e.g. ("placements", 1, "x").
    field: FieldPath = ()
    # What was not found ("dashboard", "card", …), for dialects that name it in the code.
    resource: str | None = None


class DomainError(Exception):
    """A request the domain refuses. Carries every problem found, first one decides status."""

    def __init__(self, *problems: Problem, current_version: int | None = None) -> None:
        if not problems:
            raise ValueError("a DomainError needs at least one problem")
        super().__init__(problems[0].message)
        self.problems = problems
        # With VERSION_CONFLICT: the version the dashboard is at now.
        self.current_version = current_version

    @property
    def code(self) -> ErrorCode:
        return self.problems[0].code

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]


def not_found(kind: str, key: object, field: FieldPath = ()) -> DomainError:
    return DomainError(
        Problem(ErrorCode.NOT_FOUND, f"{kind} {key} not found", field, resource=kind)
    )


def forbidden(message: str) -> DomainError:
    return DomainError(Problem(ErrorCode.FORBIDDEN, message))


def version_conflict(expected: int, current: int) -> DomainError:
    return DomainError(
        Problem(
            ErrorCode.VERSION_CONFLICT,
            f"expected version {expected}, but the dashboard is at version {current}; "
            "reload it and retry",
            ("expected_version",),
        ),
        current_version=current,
    )
