"""A data source and the request's parameter values as one SQL statement with bound
arguments: structured queries through SQLAlchemy Core, tile SQL through its checked `:name`
placeholders. Dashboard filters (parameters with a `field`) narrow every card whose data has
that column. Nothing from a request is pasted into SQL text."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    Text,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.types import TypeEngine

from app.data.sandbox import TileColumn
from app.data.sql_check import check_tile_sql
from app.domain.data_sources import Aggregate, DatasetQuery, DataSource, Filter, SqlSource
from app.domain.parameters import (
    FilterOperator,
    ParameterDef,
    ParameterType,
    ResolvedParameters,
    coerce,
)
from app.domain.records import ColumnType, DatasetRecord
from app.errors import DomainError

_DIALECT = asyncpg_dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
_SA_TYPES: dict[ColumnType, TypeEngine[Any]] = {
    ColumnType.NUMBER: Numeric(),
    ColumnType.STRING: Text(),
    ColumnType.DATE: Date(),
    ColumnType.DATETIME: DateTime(timezone=True),
    ColumnType.BOOLEAN: Boolean(),
}
# Filter values arrive as JSON or query-string text: a date is a string until it is made one.
_VALUE_TYPES = {
    ColumnType.NUMBER: ParameterType.NUMBER,
    ColumnType.DATE: ParameterType.DATE,
    ColumnType.DATETIME: ParameterType.DATETIME,
    ColumnType.BOOLEAN: ParameterType.BOOLEAN,
}
_AGGREGATES: dict[Aggregate, Callable[[Any], Any]] = {
    Aggregate.SUM: func.sum,
    Aggregate.AVG: func.avg,
    Aggregate.MIN: func.min,
    Aggregate.MAX: func.max,
    Aggregate.COUNT: func.count,
}


class CardError(Exception):
    """Why one card cannot render; the other cards still do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class OuterFilter:
    """A dashboard filter on a SQL card: applied around the card's SQL if its result has
    the column (known only once PostgreSQL has described the statement)."""

    field: str
    operator: FilterOperator
    value: Any
    pg_type: str
    # Why the parameter's value is unusable: fails the card only if its result has the column.
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledTile:
    sql: str
    args: tuple[Any, ...]
    outer_filters: tuple[OuterFilter, ...]
    row_limit: int | None
    cache_ttl_seconds: int

    @property
    def digest(self) -> str:
        """Identifies the query and its argument values (the cache key's last part). repr()
        is exact for every value bound here (Decimal, int, str, date, bool, lists of them),
        where JSON would round numbers: two values that differ never share an entry."""
        outer = [(f.field, f.operator.value, f.value, f.error) for f in self.outer_filters]
        return hashlib.sha256(repr((self.sql, self.args, outer)).encode()).hexdigest()

    def wrap(self, columns: Sequence[TileColumn]) -> tuple[str, tuple[Any, ...]] | None:
        """The SQL with the outer filters whose column the result has; None if none apply.
        `columns` are the statement's own names (a name may appear twice)."""
        names = Counter(c.name for c in columns)
        applicable = [f for f in self.outer_filters if f.field in names]
        if not applicable:
            return None
        args = list(self.args)
        conditions = []
        for f in applicable:
            if f.error is not None:
                raise CardError("INVALID_PARAMETER", f.error)
            if names[f.field] > 1:
                raise CardError(
                    "INVALID_DATA_SOURCE",
                    f"the card's result has {names[f.field]} columns named {f.field!r}, so the "
                    f"dashboard filter on it cannot apply; give them distinct names (AS …)",
                )
            condition, extra = _text_condition(_quoted(f.field), f, len(args))
            conditions.append(condition)
            args.extend(extra)
        # Every value is a bound argument; the column names are quoted identifiers.
        where = " AND ".join(conditions)
        sql = f"SELECT * FROM ({self.sql}\n) AS tile WHERE {where}"  # noqa: S608
        return sql, tuple(args)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text_condition(col: str, f: OuterFilter, taken: int) -> tuple[str, list[Any]]:
    """`col <op> $n` for a filter on a SQL card's result, with its arguments."""
    n = taken + 1
    scalar = f.pg_type.removesuffix("[]")
    op = f.operator
    if op is FilterOperator.IS_NULL:
        return f"{col} IS NULL", []
    if op is FilterOperator.IS_NOT_NULL:
        return f"{col} IS NOT NULL", []
    values = f.value if isinstance(f.value, list) else [f.value]
    if op in (FilterOperator.IN, FilterOperator.NOT_IN):
        negate = "NOT " if op is FilterOperator.NOT_IN else ""
        return f"{negate}({col} = ANY(${n}::{scalar}[]))", [values]
    if op is FilterOperator.BETWEEN:
        if len(values) != 2:
            raise CardError("INVALID_PARAMETER", f"{f.field}: between takes two values")
        return f"{col} BETWEEN ${n}::{scalar} AND ${n + 1}::{scalar}", values
    if op is FilterOperator.CONTAINS:
        return f"strpos(lower({col}::text), lower(${n}::text)) > 0", [str(values[0])]
    symbol = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op.value]
    return f"{col} {symbol} ${n}::{scalar}", [values[0]]


def _core_condition(col: ColumnElement[Any], op: FilterOperator, values: list[Any]) -> Any:
    if op is FilterOperator.IS_NULL:
        return col.is_(None)
    if op is FilterOperator.IS_NOT_NULL:
        return col.is_not(None)
    if op is FilterOperator.IN:
        return col.in_(values)
    if op is FilterOperator.NOT_IN:
        return col.not_in(values)
    if op is FilterOperator.BETWEEN:
        if len(values) != 2:
            raise CardError("INVALID_PARAMETER", "between takes two values")
        return col.between(values[0], values[1])
    if op is FilterOperator.CONTAINS:
        return func.strpos(func.lower(cast(col, Text)), func.lower(str(values[0]))) > 0
    value = values[0]
    return {
        FilterOperator.EQ: col == value,
        FilterOperator.NEQ: col != value,
        FilterOperator.GT: col > value,
        FilterOperator.GTE: col >= value,
        FilterOperator.LT: col < value,
        FilterOperator.LTE: col <= value,
    }[op]


def _parameter_value(params: ResolvedParameters, name: str) -> Any:
    if name in params.errors:
        raise CardError("INVALID_PARAMETER", params.errors[name])
    if name not in params.definitions:
        raise CardError(
            "INVALID_DATA_SOURCE",
            f"the card uses parameter {name!r}, which the dashboard does not declare",
        )
    return params.values.get(name)


def _dashboard_filters(
    params: ResolvedParameters, has_column: Callable[[str], bool]
) -> list[tuple[ParameterDef, Any, str | None]]:
    """Dashboard filters on a column the card's data has, each with its value or the reason
    its value is unusable (a filter without a value narrows nothing). Only these use their
    parameter: an invalid value fails the cards they apply to, not the others."""
    found: list[tuple[ParameterDef, Any, str | None]] = []
    for definition in params.filters():
        if definition.field is None or not has_column(definition.field):
            continue
        if definition.name in params.errors:
            found.append((definition, None, params.errors[definition.name]))
            continue
        value = params.values.get(definition.name)
        if value is not None or definition.operator in (
            FilterOperator.IS_NULL,
            FilterOperator.IS_NOT_NULL,
        ):
            found.append((definition, value, None))
    return found


def compile_sql(
    source: SqlSource, schema: str, params: ResolvedParameters, max_chars: int
) -> CompiledTile:
    try:
        checked = check_tile_sql(
            source.sql, tenant_schema=schema, max_chars=max_chars, field=("sql",)
        )
    except DomainError as error:
        raise CardError("INVALID_DATA_SOURCE", error.problems[0].message) from error

    def pg_type(name: str) -> str:
        _parameter_value(params, name)  # refuses unknown or invalid parameters
        return params.definitions[name].pg_type

    sql, names = checked.positional(pg_type)
    args = tuple(params.values.get(name) for name in names)
    # The result's columns are known only once it is described: `wrap` picks the filters.
    outer = tuple(
        OuterFilter(d.field or "", d.operator or FilterOperator.EQ, value, d.pg_type, error)
        for d, value, error in _dashboard_filters(params, lambda _: True)
    )
    return CompiledTile(sql, args, outer, None, source.cache_ttl_seconds)


def _relation(dataset: DatasetRecord, schema: str, max_chars: int) -> Any:
    columns = [column(c.name, _SA_TYPES.get(c.type)) for c in dataset.columns]
    if dataset.source_kind != "sql":
        return table(dataset.source, *columns, schema=schema)
    try:
        checked = check_tile_sql(
            dataset.source, tenant_schema=schema, max_chars=max_chars, field=("source",)
        )
    except DomainError as error:
        raise CardError(
            "INVALID_DATA_SOURCE", f"dataset {dataset.name}: {error.problems[0].message}"
        ) from error
    # text() reads ":name" as a bind parameter even inside string literals; the dataset's SQL
    # has none (checked when it was saved), so every colon is escaped to stay literal.
    # The newline ends a trailing `-- comment` before the query put around it.
    literal = checked.text.replace(":", "\\:") + "\n"
    return text(literal).columns(*columns).subquery("dataset")


def _grain(col: Any, grain: str) -> Any:
    truncated = func.date_trunc(grain, col)
    # date_trunc of a date is a timestamptz: a date column stays a date.
    return cast(truncated, Date) if isinstance(col.type, Date) else truncated


def compile_query(
    query: DatasetQuery,
    dataset: DatasetRecord,
    schema: str,
    params: ResolvedParameters,
    max_chars: int,
) -> CompiledTile:
    source = _relation(dataset, schema, max_chars)
    c = source.c
    if query.columns:
        selected: list[Any] = [c[name] for name in query.columns]
        group_by: list[Any] = []
    else:
        group_by = [
            _grain(c[d.column], d.grain.value).label(d.column) if d.grain else c[d.column]
            for d in query.dimensions
        ]
        measures = []
        for m in query.measures:
            if m.aggregate is Aggregate.COUNT_DISTINCT:
                value = func.count(c[m.column].distinct())
            elif m.column is None:
                value = func.count()
            else:
                value = _AGGREGATES[m.aggregate](c[m.column])
            measures.append(value.label(m.output_name))
        selected = [*group_by, *measures]
    statement = select(*selected).select_from(source)
    for f in query.filters:
        statement = statement.where(_query_filter(c, f, params, dataset))
    for definition, value, error in _dashboard_filters(params, lambda name: name in c):
        if error is not None:
            raise CardError("INVALID_PARAMETER", error)
        field = definition.field or ""
        values = _typed(dataset, field, value if isinstance(value, list) else [value])
        statement = statement.where(
            _core_condition(c[field], definition.operator or FilterOperator.EQ, values)
        )
    if group_by:
        statement = statement.group_by(*group_by)
    for s in query.sort:
        ordered: ColumnElement[Any] = literal_column(_quoted(s.field))
        statement = statement.order_by(ordered.desc() if s.descending else ordered.asc())
    if query.limit is not None:
        statement = statement.limit(query.limit)
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    args = tuple(compiled.params[name] for name in compiled.positiontup or [])
    return CompiledTile(compiled.string, args, (), query.limit, query.cache_ttl_seconds)


def _query_filter(c: Any, f: Filter, params: ResolvedParameters, dataset: DatasetRecord) -> Any:
    if f.parameter is not None:
        value = _parameter_value(params, f.parameter)
        if value is None and f.operator not in (FilterOperator.IS_NULL, FilterOperator.IS_NOT_NULL):
            return True
        values = value if isinstance(value, list) else [value]
    else:
        values = list(f.values or ())
    if f.operator is not FilterOperator.CONTAINS:
        code = "INVALID_PARAMETER" if f.parameter is not None else "INVALID_DATA_SOURCE"
        values = _typed(dataset, f.field, values, code)
    return _core_condition(c[f.field], f.operator, values)


def _typed(
    dataset: DatasetRecord, field: str, values: list[Any], code: str = "INVALID_PARAMETER"
) -> list[Any]:
    """Text values as the column's type (`"2026-01-01"` for a date column becomes a date):
    bound as text, PostgreSQL would not compare them with the column."""
    found = dataset.column(field)
    kind = _VALUE_TYPES.get(found.type) if found is not None else None
    if kind is None:
        return values
    single = ParameterDef(field, kind)
    try:
        return [coerce(single, v) if isinstance(v, str) else v for v in values]
    except ValueError as exc:
        raise CardError(code, f"filter on {field}: the value {exc}") from exc


def compile_tile(
    source: DataSource,
    *,
    dataset: DatasetRecord | None,
    schema: str,
    params: ResolvedParameters,
    max_sql_chars: int,
) -> CompiledTile:
    if isinstance(source, SqlSource):
        return compile_sql(source, schema, params, max_sql_chars)
    if dataset is None:
        raise CardError("INVALID_DATA_SOURCE", f"dataset {source.dataset_id} no longer exists")
    return compile_query(source, dataset, schema, params, max_sql_chars)
