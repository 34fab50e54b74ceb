"""Database ids as clients send them: in REST paths, in GraphQL IDs, in JSON bodies."""

from __future__ import annotations

MAX_DATABASE_ID = 2**63 - 1


def parse_database_id(value: str | int) -> int | None:
    """A positive bigint id, or None when `value` cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
        value = int(value)
    return value if 1 <= value <= MAX_DATABASE_ID else None
