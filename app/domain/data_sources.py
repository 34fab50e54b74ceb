"""A widget's data source: SQL (`{sql, cache_ttl_seconds}`, seed 003) or a structured query
on a dataset (dimensions, measures, filters, sort, limit). This module reads and checks
them; app/domain/tile_queries.py turns them into SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.domain.parameters import LIST_OPERATORS, NO_OPERAND, FilterOperator, check_definitions
from app.domain.records import ColumnType, DatasetRecord
from app.domain.validation import Problems, storable_text
from app.errors import ErrorCode, FieldPath

TTL_MAX = 86_400 * 7
LIST_MAX = 50
NAME_MAX = 63


class Aggregate(StrEnum):
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Dimension:
    column: str
    grain: Grain | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    aggregate: Aggregate
    column: str | None
    alias: str | None = None

    @property
    def output_name(self) -> str:
        if self.alias:
            return self.alias
        return f"{self.aggregate.value}_{self.column}" if self.column else self.aggregate.value


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    operator: FilterOperator
    values: tuple[Any, ...] | None = None
    parameter: str | None = None


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool


@dataclass(frozen=True, slots=True)
class SqlSource:
    sql: str
    cache_ttl_seconds: int
    # The widget's own parameter declarations, used where the dashboard declares none.
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DatasetQuery:
    dataset_id: int
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    columns: tuple[str, ...]
    filters: tuple[Filter, ...]
    sort: tuple[Sort, ...]
    limit: int | None
    cache_ttl_seconds: int
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def output_names(self) -> list[str]:
        if self.columns:
            return list(self.columns)
        return [d.column for d in self.dimensions] + [m.output_name for m in self.measures]


DataSource = SqlSource | DatasetQuery
_SQL_KEYS = {"sql", "cache_ttl_seconds", "parameters"}
_QUERY_KEYS = {
    "dataset_id",
    "dimensions",
    "measures",
    "columns",
    "filters",
    "sort",
    "limit",
    "cache_ttl_seconds",
    "parameters",
}


class _Reader:
    """Reads one data source, collecting every problem with the path to it."""

    def __init__(self, problems: Problems, at: FieldPath) -> None:
        self.problems = problems
        self.at = at

    def bad(self, message: str, *path: str | int) -> None:
        self.problems.add(ErrorCode.INVALID, message, (*self.at, *path))

    def name(self, value: Any, *path: str | int) -> str | None:
        if isinstance(value, str) and 0 < len(value) <= NAME_MAX and storable_text(value):
            return value
        self.bad(f"must be a column name of 1 to {NAME_MAX} characters", *path)
        return None

    def items(self, raw: dict[str, Any], key: str) -> list[tuple[int, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or len(value) > LIST_MAX:
            self.bad(f"{key} must be a list of at most {LIST_MAX} items", key)
            return []
        return list(enumerate(value))

    def ttl(self, raw: dict[str, Any]) -> int:
        ttl = raw.get("cache_ttl_seconds", 0)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= TTL_MAX:
            self.bad(
                f"cache_ttl_seconds must be an integer from 0 to {TTL_MAX}", "cache_ttl_seconds"
            )
            return 0
        return ttl

    def parameters(self, raw: dict[str, Any]) -> dict[str, Any]:
        declared = raw.get("parameters", {})
        if not isinstance(declared, dict):
            self.bad("parameters must be an object of parameter declarations", "parameters")
            return {}
        check_definitions(self.problems, declared, (*self.at, "parameters"))
        return declared

    def enum(self, kind: type[StrEnum], value: Any, *path: str | int) -> Any:
        try:
            return kind(value)
        except ValueError:
            self.bad(f"must be one of {', '.join(kind)}", *path)
            return None

    def dimension(self, index: int, raw: Any) -> Dimension | None:
        if isinstance(raw, str):
            raw = {"column": raw}
        if not isinstance(raw, dict) or set(raw) - {"column", "grain"}:
            self.bad("a dimension is a column name or {column, grain}", "dimensions", index)
            return None
        column = self.name(raw.get("column"), "dimensions", index, "column")
        grain = None
        if raw.get("grain") is not None:
            grain = self.enum(Grain, raw["grain"], "dimensions", index, "grain")
        return Dimension(column, grain) if column else None

    def measure(self, index: int, raw: Any) -> Measure | None:
        if not isinstance(raw, dict) or set(raw) - {"aggregate", "column", "as"}:
            self.bad("a measure is {aggregate, column, as}", "measures", index)
            return None
        aggregate = self.enum(Aggregate, raw.get("aggregate"), "measures", index, "aggregate")
        column = None
        if raw.get("column") is not None or aggregate not in (None, Aggregate.COUNT):
            column = self.name(raw.get("column"), "measures", index, "column")
        alias = None
        if raw.get("as") is not None:
            alias = self.name(raw["as"], "measures", index, "as")
        return Measure(aggregate, column, alias) if aggregate else None

    def filter(self, index: int, raw: Any) -> Filter | None:
        if not isinstance(raw, dict) or set(raw) - {"field", "operator", "values", "parameter"}:
            self.bad(
                "a filter is {field, operator, values} or {field, operator, parameter}",
                "filters",
                index,
            )
            return None
        field = self.name(raw.get("field"), "filters", index, "field")
        operator = self.enum(FilterOperator, raw.get("operator"), "filters", index, "operator")
        if field is None or operator is None:
            return None
        if operator in NO_OPERAND:
            return Filter(field, operator)
        if "parameter" in raw:
            parameter = raw["parameter"]
            if not isinstance(parameter, str) or not parameter.isidentifier():
                self.bad("must be the name of a dashboard parameter", "filters", index, "parameter")
                return None
            return Filter(field, operator, parameter=parameter)
        values = raw.get("values")
        if not isinstance(values, list) or not values or len(values) > 1000:
            self.bad("values must be a non-empty list (or give a parameter)", "filters", index)
            return None
        if not all(v is None or isinstance(v, str | int | float | bool) for v in values):
            self.bad("values must be strings, numbers or booleans", "filters", index, "values")
            return None
        if operator is FilterOperator.BETWEEN and len(values) != 2:
            self.bad("between takes exactly two values", "filters", index, "values")
        elif operator not in LIST_OPERATORS and len(values) != 1:
            self.bad(f"{operator.value} takes exactly one value", "filters", index, "values")
        return Filter(field, operator, values=tuple(values))

    def sort(self, index: int, raw: Any) -> Sort | None:
        if isinstance(raw, str):
            raw = {"field": raw}
        if not isinstance(raw, dict) or set(raw) - {"field", "direction"}:
            self.bad("a sort is {field, direction}", "sort", index)
            return None
        field = self.name(raw.get("field"), "sort", index, "field")
        direction = raw.get("direction", "asc")
        if direction not in ("asc", "desc"):
            self.bad("direction must be asc or desc", "sort", index, "direction")
        return Sort(field, direction == "desc") if field else None


def read_data_source(
    raw: Any, problems: Problems, at: FieldPath, *, row_limit: int
) -> DataSource | None:
    """The data source's shape, without looking at the database."""
    reader = _Reader(problems, at)
    if not isinstance(raw, dict):
        reader.bad("must be an object: {sql, cache_ttl_seconds} or a query on a dataset")
        return None
    if "sql" in raw:
        for key in sorted(set(raw) - _SQL_KEYS):
            reader.bad(f"unknown key {key!r} in a SQL data source", key)
        return SqlSource(raw["sql"], reader.ttl(raw), reader.parameters(raw))
    if "dataset_id" not in raw:
        reader.bad("give either sql or dataset_id")
        return None
    for key in sorted(set(raw) - _QUERY_KEYS):
        reader.bad(f"unknown key {key!r} in a dataset query", key)
    dataset_id = raw["dataset_id"]
    if isinstance(dataset_id, bool) or not isinstance(dataset_id, int) or dataset_id <= 0:
        reader.bad("must be a dataset's integer id", "dataset_id")
        return None
    limit = raw.get("limit")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= row_limit
    ):
        reader.bad(f"limit must be an integer from 1 to {row_limit}", "limit")
    query = DatasetQuery(
        dataset_id=dataset_id,
        dimensions=_present(reader.dimension(i, d) for i, d in reader.items(raw, "dimensions")),
        measures=_present(reader.measure(i, m) for i, m in reader.items(raw, "measures")),
        columns=_present(reader.name(c, "columns", i) for i, c in reader.items(raw, "columns")),
        filters=_present(reader.filter(i, f) for i, f in reader.items(raw, "filters")),
        sort=_present(reader.sort(i, s) for i, s in reader.items(raw, "sort")),
        limit=limit if isinstance(limit, int) else None,
        cache_ttl_seconds=reader.ttl(raw),
        parameters=reader.parameters(raw),
    )
    if query.columns and (query.dimensions or query.measures):
        reader.bad("give columns, or dimensions and measures, not both", "columns")
    elif not (query.columns or query.dimensions or query.measures) and not problems.found:
        reader.bad("give columns, or dimensions and measures", "columns")
    return query


def _present(items: Any) -> tuple[Any, ...]:
    return tuple(item for item in items if item is not None)


def check_against_dataset(
    query: DatasetQuery, dataset: DatasetRecord, problems: Problems, at: FieldPath
) -> None:
    """Every column the query names exists, and aggregates and grains fit their types."""
    reader = _Reader(problems, at)

    def column(name: str | None, *path: str | int) -> ColumnType | None:
        if name is None:
            return None
        found = dataset.column(name)
        if found is None:
            reader.bad(f"dataset {dataset.name!r} has no column {name!r}", *path)
            return None
        return found.type

    for index, d in enumerate(query.dimensions):
        kind = column(d.column, "dimensions", index, "column")
        if d.grain and kind not in (None, ColumnType.DATE, ColumnType.DATETIME):
            reader.bad(f"a grain needs a date column; {d.column} is {kind}", "dimensions", index)
    for index, m in enumerate(query.measures):
        kind = column(m.column, "measures", index, "column")
        numeric = m.aggregate in (Aggregate.SUM, Aggregate.AVG)
        if numeric and kind not in (None, ColumnType.NUMBER):
            reader.bad(
                f"{m.aggregate.value} needs a number column; {m.column} is {kind}",
                "measures",
                index,
            )
    for index, name in enumerate(query.columns):
        column(name, "columns", index)
    for index, f in enumerate(query.filters):
        column(f.field, "filters", index, "field")
    outputs = query.output_names
    for index, s in enumerate(query.sort):
        if s.field not in outputs:
            reader.bad(f"sort by one of the query's columns: {', '.join(outputs)}", "sort", index)
    if len(set(outputs)) != len(outputs):
        reader.bad("two output columns have the same name; name measures with 'as'", "measures")
