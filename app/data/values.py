"""Database values as JSON: what tile results hold, the same in every transport and in the
cache."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from app.data.column_types import ColumnType

_NUMBER = {"int2", "int4", "int8", "numeric", "float4", "float8", "oid"}
_STRING = {"text", "varchar", "bpchar", "char", "name", "citext", "uuid"}
_TYPES = {
    **dict.fromkeys(_NUMBER, ColumnType.NUMBER),
    **dict.fromkeys(_STRING, ColumnType.STRING),
    "date": ColumnType.DATE,
    "timestamp": ColumnType.DATETIME,
    "timestamptz": ColumnType.DATETIME,
    "bool": ColumnType.BOOLEAN,
}
# JavaScript clients lose integer precision past 2**53.
_SAFE_INTEGER = 2**53


def column_type(db_type: str) -> ColumnType:
    return _TYPES.get(db_type, ColumnType.OTHER)


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value() and abs(value) < _SAFE_INTEGER:
            return int(value)
        return float(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)
