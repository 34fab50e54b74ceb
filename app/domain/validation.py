"""Collects input problems so that a caller learns about all of them at once."""

from __future__ import annotations

from typing import Any

from app.errors import DomainError, ErrorCode, FieldPath, Problem


# Fields left out of a partial update.
class _Unset:
    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def is_set(value: object) -> bool:
    return value is not UNSET


class Problems:
    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(self, code: ErrorCode, message: str, field: FieldPath) -> None:
        self._found.append(Problem(code, message, field))

    def text(self, value: str | None, field: FieldPath, *, max_length: int, required: bool) -> None:
        label = ".".join(str(part) for part in field)
        if value is None or not value.strip():
            if required:
                self.add(ErrorCode.REQUIRED, f"{label} is required and may not be blank", field)
            return
        if len(value) > max_length:
            self.add(
                ErrorCode.TOO_LONG,
                f"{label} may be at most {max_length} characters (got {len(value)})",
                field,
            )

    def integer_range(self, value: int, field: FieldPath, *, minimum: int, maximum: int) -> None:
        if not minimum <= value <= maximum:
            label = ".".join(str(part) for part in field)
            self.add(
                ErrorCode.INVALID,
                f"{label} must be between {minimum} and {maximum} (got {value})",
                field,
            )

    def raise_if_any(self) -> None:
        if self._found:
            raise DomainError(*self._found)
