"""Collects input problems so that a caller learns about all of them at once."""

from __future__ import annotations

import json
import math
import re
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


JSON_MAX_DEPTH = 32
JSON_NUMBER_MAX = 2**63

# Unpaired UTF-16 surrogates: JSON text can spell them ("\ud800") and Python keeps them, but
# they are not Unicode characters, so they cannot be encoded for PostgreSQL.
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable_text(text: str) -> str | None:
    """What PostgreSQL's text cannot hold that `text` has (NUL, unpaired surrogates), or None."""
    if "\x00" in text:
        return "NUL characters"
    if _SURROGATE.search(text):
        return "unpaired surrogates"
    return None


def storable_text(text: str) -> bool:
    return unstorable_text(text) is None


def _jsonb_problem(value: object, depth: int) -> str | None:
    if depth > JSON_MAX_DEPTH:
        return f"nested deeper than {JSON_MAX_DEPTH} levels"
    if isinstance(value, str):
        reason = unstorable_text(value)
        return f"strings may not contain {reason}" if reason else None
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN and infinities are not JSON numbers"
    if isinstance(value, int | float) and not isinstance(value, bool):
        # jsonb gives such numbers back as integers wider than JSON clients (and our
        # serialiser) can carry.
        return None if abs(value) < JSON_NUMBER_MAX else "numbers must be within ±2^63"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return "keys must be strings"
            if reason := unstorable_text(key):
                return f"keys may not contain {reason}"
            if problem := _jsonb_problem(item, depth + 1):
                return problem
    elif isinstance(value, list):
        for item in value:
            if problem := _jsonb_problem(item, depth + 1):
                return problem
    elif value is not None and not isinstance(value, bool | int):
        return f"{type(value).__name__} is not a JSON value"
    return None


def _compact_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class Problems:
    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(
        self, code: ErrorCode, message: str, field: FieldPath, resource: str | None = None
    ) -> None:
        self._found.append(Problem(code, message, field, resource))

    def extend(self, problems: list[Problem]) -> None:
        self._found.extend(problems)

    @property
    def found(self) -> bool:
        return bool(self._found)

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
        elif reason := unstorable_text(value):
            # Refuse here what PostgreSQL text cannot hold rather than fail in the database.
            self.add(ErrorCode.INVALID, f"{label} may not contain {reason}", field)

    def json_object(self, value: object, field: FieldPath, *, max_bytes: int) -> bool:
        """A JSON object that PostgreSQL's jsonb can store: no NUL in strings or keys, no
        NaN or infinities, nesting at most JSON_MAX_DEPTH, at most `max_bytes` serialised.
        True when it is one."""
        label = ".".join(str(part) for part in field)
        if not isinstance(value, dict):
            self.add(ErrorCode.INVALID, f"{label} must be a JSON object", field)
            return False
        problem = _jsonb_problem(value, depth=0)
        if problem:
            self.add(ErrorCode.INVALID, f"{label}: {problem}", field)
            return False
        if len(_compact_json(value)) > max_bytes:
            self.add(ErrorCode.TOO_LONG, f"{label} may be at most {max_bytes} bytes of JSON", field)
            return False
        return True

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
