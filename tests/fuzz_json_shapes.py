"""JSON the fuzzer sends where the schema says `JSON`: mostly near-miss shapes of what the
service reads there (data sources, parameter declarations, parameter values, card configs),
built on the fuzzed tenant's `sales` table, and sometimes any JSON at all.

Values are Python objects turned into GraphQL literals, so object keys must be GraphQL names."""

from __future__ import annotations

from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

COLUMNS = ["region", "product", "order_date", "revenue", "units"]
PARAMETERS = ["region", "n", "since", "flag", "days"]
_NAME = st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,8}\Z")
_KEYS = st.sampled_from(["sql", "dataset_id", "dimensions", "measures", "filters", "type"]) | _NAME

_SQL = [
    "SELECT region, sum(revenue) AS revenue FROM sales GROUP BY region",
    "SELECT * FROM sales WHERE region = ANY(:region)",
    "SELECT product, units FROM sales WHERE units > :n ORDER BY units",
    "SELECT count(*) AS c FROM sales WHERE order_date >= :since",
    "SELECT :n AS n, :flag AS flag, :days AS days",
    "SELECT 1 -- :region",
    "SELECT pg_sleep(:n)",
    "SELECT * FROM public.dashboards",
    "DELETE FROM sales",
    "SELECT",
]


def _column() -> st.SearchStrategy[str]:
    return st.sampled_from([*COLUMNS, "sum_revenue", "count", "nope"]) | st.text(max_size=6)


def _scalar_value() -> st.SearchStrategy[Any]:
    """What a parameter or filter value may be: right, wrong, or at an edge."""
    return st.one_of(
        st.sampled_from(
            # "\ud800": JSON can spell an unpaired surrogate, UTF-8 cannot
            ["EU", "US", "2026-01-05", "2026-13-45", "2026-01-05T10:00:00Z", "", "1e400", "\ud800"]
        ),
        st.text(max_size=12),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )


def _loose_value() -> st.SearchStrategy[Any]:
    return _scalar_value() | st.lists(_scalar_value(), max_size=4)


def _declaration() -> st.SearchStrategy[Any]:
    types = st.sampled_from(["string", "integer", "number", "boolean", "date", "datetime", "x"])
    operators = st.sampled_from(
        [
            "eq",
            "neq",
            "in",
            "not_in",
            "gt",
            "gte",
            "lt",
            "lte",
            "between",
            "contains",
            "is_null",
            "is_not_null",
            "like",
        ]
    )
    declared = st.fixed_dictionaries(
        {},
        optional={
            "type": types,
            "multiple": st.booleans(),
            "default": _loose_value(),
            "required": st.booleans(),
            "public": st.booleans(),
            "values": st.lists(_scalar_value(), max_size=4),
            "field": _column(),
            "operator": operators,
            "label": st.text(max_size=8),
        },
    )
    return declared | _loose_value()


def _declarations() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(PARAMETERS) | _NAME, _declaration(), max_size=3)


def _parameter_values() -> st.SearchStrategy[dict[str, Any]]:
    # Declared names mostly: an undeclared one refuses the whole request early.
    names = st.sampled_from(PARAMETERS) | st.sampled_from(PARAMETERS) | _NAME
    return st.dictionaries(names, _loose_value(), max_size=3)


def _structured_source(dataset_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    dimension = _column() | st.fixed_dictionaries(
        {"column": _column()},
        optional={"grain": st.sampled_from(["day", "week", "month", "quarter", "year", "hour"])},
    )
    measure = st.fixed_dictionaries(
        {
            "aggregate": st.sampled_from(
                ["count", "count_distinct", "sum", "avg", "min", "max", "x"]
            )
        },
        optional={"column": _column(), "as": _NAME},
    )
    filter_ = st.fixed_dictionaries(
        {"field": _column(), "operator": st.sampled_from(["eq", "in", "between", "gt", "is_null"])},
        optional={
            "values": st.lists(_scalar_value(), max_size=3),
            "parameter": st.sampled_from(PARAMETERS),
        },
    )
    sort = st.fixed_dictionaries(
        {"field": _column()}, optional={"direction": st.sampled_from(["asc", "desc", "up"])}
    )
    return st.fixed_dictionaries(
        {"dataset_id": st.sampled_from(dataset_ids) | st.integers(-1, 2**40)},
        optional={
            "dimensions": st.lists(dimension, max_size=3),
            "measures": st.lists(measure, max_size=3),
            "columns": st.lists(_column(), max_size=3),
            "filters": st.lists(filter_, max_size=3),
            "sort": st.lists(sort, max_size=2),
            "limit": st.integers(-1, 2**40),
            "cache_ttl_seconds": st.integers(-1, 2**40),
            "parameters": _declarations(),
        },
    )


def _sql_source() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"sql": st.sampled_from(_SQL) | st.text(max_size=20)},
        optional={"cache_ttl_seconds": st.integers(-1, 2**40), "parameters": _declarations()},
    )


def _config() -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(["x_axis", "y_axis", "text", "metric", "columns", "page_size"]) | _NAME
    return st.dictionaries(keys, _loose_value(), max_size=4)


def _any_json() -> st.SearchStrategy[Any]:
    return st.recursive(
        _scalar_value(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
        max_leaves=12,
    )


def json_values(dataset_ids: list[int]) -> st.SearchStrategy[graphql.ValueNode]:
    """A literal for a `JSON` argument; never a bare null (a `JSON!` argument cannot take it,
    and hypothesis-graphql sends null itself where JSON is nullable)."""
    shaped = st.one_of(
        _parameter_values(),
        _structured_source(dataset_ids),
        _sql_source(),
        _declarations(),
        _parameter_values(),
        _config(),
        _any_json(),
    )
    return shaped.filter(lambda value: value is not None).map(literal)


def literal(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([literal(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=literal(item))
            for key, item in value.items()
        ]
    )
