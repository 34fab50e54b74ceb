"""Dashboard parameters: typed, with defaults, declared on the dashboard; request values are
checked against their declaration before they are bound into any card's query.

A declaration is an object (`{"type": "string", "multiple": true, "default": [...], …}`;
other keys are kept for the front end) or a bare value, which declares a parameter of that
value's type with it as default. A parameter with a `field` is also a dashboard filter (seed
003's `{field, operator, values}`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.domain.validation import Problems, storable_text
from app.errors import DomainError, ErrorCode, FieldPath, Problem

NAME_MAX, TEXT_MAX, LIST_MAX = 63, 1_000, 100
# Exponents past this are refused: `1e999999999` would be a billion digits to work with.
NUMBER_EXPONENT_MAX = 300
# An integer as text: ASCII digits only (str.isdigit also takes "٣" and "²").
_INTEGER_TEXT = re.compile(r"\s*-?[0-9]{1,19}\s*")


class ParameterType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class FilterOperator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    CONTAINS = "contains"
    IS_NULL = "is_null"
    IS_NOT_NULL = "is_not_null"


# Operators whose operand is a list of values rather than one.
LIST_OPERATORS = frozenset({FilterOperator.IN, FilterOperator.NOT_IN, FilterOperator.BETWEEN})
NO_OPERAND = frozenset({FilterOperator.IS_NULL, FilterOperator.IS_NOT_NULL})

PG_TYPES = {
    ParameterType.STRING: "text",
    ParameterType.INTEGER: "bigint",
    ParameterType.NUMBER: "numeric",
    ParameterType.BOOLEAN: "boolean",
    ParameterType.DATE: "date",
    ParameterType.DATETIME: "timestamptz",
}


@dataclass(frozen=True, slots=True)
class ParameterDef:
    name: str
    type: ParameterType
    multiple: bool = False
    default: Any = None  # a checked value (see `coerce`), None for no default
    required: bool = False
    public: bool = False
    allowed: tuple[Any, ...] | None = None
    field: str | None = None
    operator: FilterOperator | None = None
    label: str | None = None

    @property
    def pg_type(self) -> str:
        return PG_TYPES[self.type] + ("[]" if self.multiple else "")


def _inferred_type(value: Any) -> ParameterType:
    sample = value[0] if isinstance(value, list) and value else value
    if isinstance(sample, bool):
        return ParameterType.BOOLEAN
    if isinstance(sample, int):
        return ParameterType.INTEGER
    if isinstance(sample, float):
        return ParameterType.NUMBER
    return ParameterType.STRING


def _scalar(kind: ParameterType, value: Any) -> Any:
    """One value of `kind` from JSON or query-string text; ValueError says what is wrong."""
    if kind is ParameterType.STRING:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("must be a string")
        text = str(value)
        if len(text) > TEXT_MAX or not storable_text(text):
            raise ValueError(f"must be at most {TEXT_MAX} characters, without NUL or surrogates")
        return text
    if kind is ParameterType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise ValueError("must be true or false")
    if isinstance(value, bool):
        raise ValueError(
            f"must be {'an' if kind is ParameterType.INTEGER else 'a'} {kind.value}, not a boolean"
        )
    if kind is ParameterType.INTEGER:
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
            number = int(value)
        else:
            raise ValueError("must be an integer")
        if not -(2**63) <= number < 2**63:
            raise ValueError("is out of range")
        return number
    if kind is ParameterType.NUMBER:
        try:
            decimal = Decimal(str(value)) if isinstance(value, int | float | str) else None
        except InvalidOperation:
            decimal = None
        if decimal is None or not decimal.is_finite() or len(str(value)) > 40:
            raise ValueError("must be a number")
        if not -NUMBER_EXPONENT_MAX <= decimal.adjusted() <= NUMBER_EXPONENT_MAX:
            raise ValueError(f"is out of range (at most 1e{NUMBER_EXPONENT_MAX} in size)")
        return decimal
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 {kind.value} string")
    try:
        if kind is ParameterType.DATE:
            return dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"must be an ISO 8601 {kind.value} (got {value[:40]!r})") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def coerce(definition: ParameterDef, value: Any) -> Any:
    """A request's (or a default's) value as the declared type; ValueError when it is not."""
    if definition.multiple:
        items = value if isinstance(value, list) else [value]
        if len(items) > LIST_MAX:
            raise ValueError(f"may have at most {LIST_MAX} values")
        result: Any = [_scalar(definition.type, item) for item in items]
        checked = result
    else:
        if isinstance(value, list):
            if len(value) != 1:
                raise ValueError("takes one value")
            value = value[0]
        result = _scalar(definition.type, value)
        checked = [result]
    if definition.allowed is not None:
        for item in checked:
            if item not in definition.allowed:
                raise ValueError(f"must be one of {', '.join(map(str, definition.allowed))}")
    return result


# JavaScript clients (and orjson) lose integers past these bounds.
_SAFE_INTEGER = 2**53


def as_json(value: Any) -> Any:
    """A checked value as JSON; a number JSON cannot carry exactly is a string."""
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < _SAFE_INTEGER:
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _SAFE_INTEGER:
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _definition(name: str, raw: Any, problems: Problems, at: FieldPath) -> ParameterDef | None:
    if not isinstance(raw, dict):
        kind = _inferred_type(raw)
        base = ParameterDef(name, kind, multiple=isinstance(raw, list))
        raw = {"default": raw}
    else:
        try:
            kind = ParameterType(raw.get("type", "string"))
        except ValueError:
            problems.add(
                ErrorCode.INVALID,
                f"parameter {name}: type must be one of {', '.join(ParameterType)}",
                (*at, "type"),
            )
            return None
        base = ParameterDef(name, kind, multiple=raw.get("multiple") is True)
    return _details(base, raw, problems, at)


def _details(
    base: ParameterDef, raw: dict[str, Any], problems: Problems, at: FieldPath
) -> ParameterDef | None:
    flags = {}
    for key in ("multiple", "required", "public"):
        if key in raw and not isinstance(raw[key], bool):
            problems.add(ErrorCode.INVALID, f"{key} must be true or false", (*at, key))
        flags[key] = raw.get(key) is True
    operator = None
    if raw.get("field") is not None:
        if not isinstance(raw["field"], str) or not 0 < len(raw["field"]) <= NAME_MAX:
            problems.add(ErrorCode.INVALID, "field must be a column name", (*at, "field"))
        default_operator = FilterOperator.IN if flags["multiple"] else FilterOperator.EQ
        try:
            operator = FilterOperator(raw.get("operator", default_operator))
        except ValueError:
            problems.add(
                ErrorCode.INVALID,
                f"operator must be one of {', '.join(FilterOperator)}",
                (*at, "operator"),
            )
    definition = ParameterDef(
        base.name,
        base.type,
        multiple=base.multiple or flags["multiple"],
        required=flags["required"],
        public=flags["public"],
        field=raw.get("field") if isinstance(raw.get("field"), str) else None,
        operator=operator,
        label=raw.get("label") if isinstance(raw.get("label"), str) else None,
    )
    allowed = raw.get("values")
    if allowed is not None:
        if not isinstance(allowed, list) or not allowed or len(allowed) > 1000:
            problems.add(ErrorCode.INVALID, "values must be a non-empty list", (*at, "values"))
        else:
            single = ParameterDef(base.name, base.type)
            try:
                definition = _with(definition, allowed=tuple(coerce(single, v) for v in allowed))
            except ValueError as exc:
                problems.add(ErrorCode.INVALID, f"values: each {exc}", (*at, "values"))
    if raw.get("default") is not None:
        try:
            definition = _with(definition, default=coerce(definition, raw["default"]))
        except ValueError as exc:
            problems.add(ErrorCode.INVALID, f"default {exc}", (*at, "default"))
    return definition


def _with(definition: ParameterDef, **changes: Any) -> ParameterDef:
    return replace(definition, **changes)


def check_definitions(problems: Problems, raw: Any, at: FieldPath = ("parameters",)) -> None:
    """Add a problem for every declaration that cannot be used."""
    if isinstance(raw, dict):
        _parse(raw, problems, at)


def _parse(raw: dict[str, Any], problems: Problems, at: FieldPath) -> dict[str, ParameterDef]:
    result = {}
    for name, value in raw.items():
        if not name.isidentifier() or len(name) > NAME_MAX:
            problems.add(
                ErrorCode.INVALID,
                f"parameter name {name[:70]!r} must be a letter or _ then letters, digits or _ "
                f"(at most {NAME_MAX})",
                (*at, name),
            )
            continue
        definition = _definition(name, value, problems, (*at, name))
        if definition is not None:
            result[name] = definition
    return result


def definitions(raw: Mapping[str, Any]) -> dict[str, ParameterDef]:
    """The usable declarations of stored parameters (stored ones were checked on write)."""
    return _parse(dict(raw), Problems(), ("parameters",))


@dataclass(frozen=True, slots=True)
class ResolvedParameters:
    """Each parameter's value (None: no value) or, when the request's value did not fit its
    declaration, the reason: cards using it fail, the others render."""

    definitions: dict[str, ParameterDef]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def shown(self, public_only: bool = False) -> dict[str, Any]:
        return {
            name: as_json(value)
            for name, value in self.values.items()
            if not public_only or self.definitions[name].public
        }

    def filters(self) -> list[ParameterDef]:
        """The declarations that are dashboard filters."""
        return [d for d in self.definitions.values() if d.field is not None]

    def over(self, defaults: ResolvedParameters) -> ResolvedParameters:
        """These parameters, and `defaults` (a widget's own declarations) for the names these
        do not declare: a reusable widget brings what it needs to dashboards that don't."""
        missing = [name for name in defaults.definitions if name not in self.definitions]
        if not missing:
            return self
        return ResolvedParameters(
            {**{n: defaults.definitions[n] for n in missing}, **self.definitions},
            {**{n: defaults.values[n] for n in missing if n in defaults.values}, **self.values},
            {**{n: defaults.errors[n] for n in missing if n in defaults.errors}, **self.errors},
        )


def resolve(
    stored: Mapping[str, Any], supplied: Mapping[str, Any], *, public_only: bool = False
) -> ResolvedParameters:
    """Request values checked against the dashboard's declarations. A name that is not
    declared (or, through a public link, not public) refuses the whole request."""
    declared = definitions(stored)
    refused = [n for n in supplied if n not in declared or (public_only and not declared[n].public)]
    if refused:
        reason = "cannot be set on this public dashboard" if public_only else "is not declared"
        raise DomainError(
            *(
                Problem(
                    ErrorCode.INVALID,
                    f"parameter {name[:70]!r} {reason}"
                    + (
                        ""
                        if public_only
                        else f" (declared: {', '.join(sorted(declared)) or 'none'})"
                    ),
                    ("parameters", name),
                )
                for name in refused
            )
        )
    resolved = ResolvedParameters(declared)
    for name, definition in declared.items():
        value = definition.default
        if name in supplied:
            try:
                value = coerce(definition, supplied[name])
            except ValueError as exc:
                resolved.errors[name] = f"parameter {name} {exc}"
                continue
        if value is None and definition.required:
            resolved.errors[name] = f"parameter {name} is required"
            continue
        resolved.values[name] = value
    return resolved
