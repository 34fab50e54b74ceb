"""Seed 003's dashboard filters, `[{field, operator, values}]`, are the dashboard's parameters.
Each filter is declared as the parameter named after its field:
`{"type", "multiple", "default", "field", "operator"}`, its type inferred from the values
(boolean, integer, number, date for ISO dates, else string), `multiple` for in, not_in and
between, and the values (or the one value) as default. Rendering applies a parameter with a
`field` to every card whose data has that column (app/domain/tile_queries.py).

Filters are read back from the parameters that have a `field`
(app/domain/dashboards.filter_settings). Replacing the filters keeps the parameters without a
`field`, which other dialects and GraphQL may have declared."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.dashboards import filter_settings
from app.domain.parameters import NAME_MAX
from app.domain.validation import Problems
from app.errors import ErrorCode, FieldPath
from app.rest.bi.bodies import FilterBody
from app.rest.bi.field_names import Rename

LIST_OPERATORS = frozenset({"in", "not_in", "between"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def with_filters(parameters: Mapping[str, Any], filters: Sequence[FilterBody]) -> dict[str, Any]:
    """The dashboard's parameters with its filters replaced by `filters`."""
    replaced = {setting.name for setting in filter_settings(parameters)}
    kept = {name: d for name, d in parameters.items() if name not in replaced}
    return kept | as_parameters(filters)


def as_parameters(filters: Sequence[FilterBody]) -> dict[str, Any]:
    """The parameter declarations of `filters`, or a DomainError naming every bad filter."""
    problems = Problems()
    declared: dict[str, Any] = {}
    for index, item in enumerate(filters):
        at: FieldPath = ("filters", index)
        if not item.field.isidentifier() or len(item.field) > NAME_MAX:
            problems.add(
                ErrorCode.INVALID,
                f"field must be a column name: a letter or _, then letters, digits or _ "
                f"(at most {NAME_MAX})",
                (*at, "field"),
            )
        elif item.field in declared:
            problems.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"field {item.field} has more than one filter",
                (*at, "field"),
            )
        elif (kind := _checked_values(item, problems, (*at, "values"))) is not None:
            multiple = item.operator in LIST_OPERATORS
            declared[item.field] = {
                "type": kind,
                "multiple": multiple,
                "default": list(item.values) if multiple else item.values[0],
                "field": item.field,
                "operator": item.operator,
            }
    problems.raise_if_any()
    return declared


def parameter_field(filters: Sequence[FilterBody]) -> Rename:
    """Renames the domain's ("parameters", name, "default") to ("filters", i, "values")."""
    index_of = {item.field: index for index, item in enumerate(filters)}

    def rename(path: FieldPath) -> FieldPath:
        if path[:1] != ("parameters",):
            return path
        if len(path) == 1:
            return ("filters",)
        if path[1] not in index_of:
            return path
        rest = ("values",) if path[2:3] == ("default",) else path[2:]
        return ("filters", index_of[str(path[1])], *rest)

    return rename


def _checked_values(item: FilterBody, problems: Problems, at: FieldPath) -> str | None:
    """The values' parameter type, or None after adding the problem with them."""
    count = len(item.values)
    if item.operator == "between" and count != 2:
        message = f"between takes two values, the low and the high (got {count})"
    elif item.operator in LIST_OPERATORS and count == 0:
        message = f"{item.operator} takes at least one value"
    elif item.operator not in LIST_OPERATORS and count != 1:
        message = f"{item.operator} takes exactly one value (got {count})"
    else:
        kind = _value_type(item.values)
        if kind is not None:
            return kind
        message = "values must be all strings, all numbers or all booleans"
    problems.add(ErrorCode.INVALID, message, at)
    return None


def _value_type(values: Sequence[Any]) -> str | None:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if any(isinstance(v, bool) for v in values):
        return None
    if all(isinstance(v, int) for v in values):
        return "integer"
    if all(isinstance(v, int | float) for v in values):
        return "number"
    if all(isinstance(v, str) for v in values):
        return "date" if all(_is_date(v) for v in values) else "string"
    return None


def _is_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
