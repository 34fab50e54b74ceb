"""Keyset pagination and text search shared by the list operations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.validation import storable_text


def contains_text(query: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of `columns`; `%` and `_` match literally."""
    if not storable_text(query):
        return false()  # nothing stored can contain it (PostgreSQL text cannot)
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


async def fetch_page(
    conn: AsyncConnection, statement: Select[Any], id_column: Any, *, after: int | None, limit: int
) -> tuple[list[Any], bool]:
    """Rows after the id `after`, in id order, and whether more follow."""
    if after is not None:
        statement = statement.where(id_column > after)
    rows = (await conn.execute(statement.order_by(id_column).limit(limit + 1))).all()
    return rows[:limit], len(rows) > limit
