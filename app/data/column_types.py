"""What a column of tenant data holds, as templates and structured queries care about it."""

from __future__ import annotations

from enum import StrEnum


class ColumnType(StrEnum):
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    OTHER = "other"
