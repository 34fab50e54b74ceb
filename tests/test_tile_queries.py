"""Data sources compiled into SQL with bound arguments (app/domain/tile_queries.py) and run
through the sandbox against the `sales` table: every result is computed again here from
SALES_ROWS. Request values are only ever bound arguments, never SQL text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from app.auth import EDIT_SCOPE
from app.context import RequestContext
from app.data.sandbox import TileColumn, TileResult
from app.data.values import json_value
from app.domain.data_sources import DataSource, check_against_dataset, read_data_source
from app.domain.datasets import DatasetDraft, create_dataset
from app.domain.parameters import FilterOperator, resolve
from app.domain.records import ColumnType, DatasetRecord
from app.domain.tile_queries import CardError, CompiledTile, OuterFilter, compile_tile
from app.domain.validation import Problems
from app.services import Services
from tests.helpers import context_for
from tests.tile_data import SALES_ROWS, run_as_service, seed_sales

AT = ("data_source",)


class Sale(NamedTuple):
    region: str
    product: str
    order_date: str
    revenue: float
    units: int


SALES = [Sale(*row) for row in SALES_ROWS]


def money(values: Iterable[float]) -> Any:
    """A sum of numeric(12, 2) values as the sandbox returns it."""
    return json_value(sum((Decimal(str(v)) for v in values), Decimal(0)))


def average(values: list[float]) -> Any:
    return json_value(sum(Decimal(str(v)) for v in values) / len(values))


@dataclass(frozen=True)
class Tenant:
    services: Services
    ctx: RequestContext
    tenant_id: int
    schema: str
    dataset: DatasetRecord

    def source(self, raw: dict[str, Any], dataset: DatasetRecord | None = None) -> DataSource:
        problems = Problems()
        source = read_data_source(raw, problems, AT, row_limit=1_000)
        problems.raise_if_any()
        assert source is not None
        if "dataset_id" in raw:
            check_against_dataset(source, dataset or self.dataset, problems, AT)  # type: ignore[arg-type]
            problems.raise_if_any()
        return source

    def compile(
        self,
        raw: dict[str, Any],
        declared: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        *,
        dataset: DatasetRecord | None = None,
    ) -> CompiledTile:
        return compile_tile(
            self.source(raw, dataset),
            dataset=dataset or self.dataset,
            schema=self.schema,
            params=resolve(declared or {}, values or {}),
            max_sql_chars=20_000,
        )

    async def run(
        self,
        raw: dict[str, Any],
        declared: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        *,
        dataset: DatasetRecord | None = None,
    ) -> TileResult:
        compiled = self.compile(raw, declared, values, dataset=dataset)
        return await self.services.data.sandbox.run(
            self.tenant_id,
            compiled.sql,
            compiled.args,
            row_limit=compiled.row_limit,
            wrap=compiled.wrap if compiled.outer_filters else None,
        )

    async def rows(self, raw: dict[str, Any], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return (await self.run(raw, *args, **kwargs)).rows

    def query(self, **fields: Any) -> dict[str, Any]:
        return {"dataset_id": self.dataset.id, **fields}

    async def sales_count(self) -> int:
        rows = (
            await self.services.data.sandbox.run(self.tenant_id, "SELECT count(*) FROM sales")
        ).rows
        return int(rows[0]["count"])


@pytest.fixture
async def sales(services: Services, tenant: str) -> Tenant:
    schema = await seed_sales(services, tenant)
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    dataset = await create_dataset(ctx, DatasetDraft("sales", "table", "sales"))
    return Tenant(services, ctx, ctx.tenant_id, schema, dataset)


# Structured queries.


async def test_the_dataset_describes_the_table(sales: Tenant) -> None:
    assert [(c.name, c.type) for c in sales.dataset.columns] == [
        ("region", ColumnType.STRING),
        ("product", ColumnType.STRING),
        ("order_date", ColumnType.DATE),
        ("revenue", ColumnType.NUMBER),
        ("units", ColumnType.NUMBER),
    ]


async def test_every_aggregate_by_a_dimension(sales: Tenant) -> None:
    result = await sales.run(
        sales.query(
            dimensions=["region"],
            measures=[
                {"aggregate": "count"},
                {"aggregate": "count_distinct", "column": "product"},
                {"aggregate": "count", "column": "units", "as": "counted"},
                {"aggregate": "sum", "column": "revenue"},
                {"aggregate": "avg", "column": "revenue"},
                {"aggregate": "min", "column": "revenue"},
                {"aggregate": "max", "column": "order_date"},
                {"aggregate": "sum", "column": "units", "as": "units_sold"},
                {"aggregate": "avg", "column": "units"},
            ],
            sort=[{"field": "region", "direction": "asc"}],
        )
    )
    expected = []
    for region in sorted({s.region for s in SALES}):
        mine = [s for s in SALES if s.region == region]
        expected.append(
            {
                "region": region,
                "count": len(mine),
                "count_distinct_product": len({s.product for s in mine}),
                "counted": len(mine),
                "sum_revenue": money(s.revenue for s in mine),
                "avg_revenue": average([s.revenue for s in mine]),
                "min_revenue": json_value(min(Decimal(str(s.revenue)) for s in mine)),
                "max_order_date": max(s.order_date for s in mine),
                "units_sold": sum(s.units for s in mine),
                "avg_units": average([s.units for s in mine]),
            }
        )
    assert result.rows == expected
    assert not result.truncated
    assert [(c.name, c.type) for c in result.columns][:4] == [
        ("region", ColumnType.STRING),
        ("count", ColumnType.NUMBER),
        ("count_distinct_product", ColumnType.NUMBER),
        ("counted", ColumnType.NUMBER),
    ]


def truncate(day: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
async def test_date_grains(sales: Tenant, grain: str) -> None:
    result = await sales.run(
        sales.query(
            dimensions=[{"column": "order_date", "grain": grain}],
            measures=[{"aggregate": "sum", "column": "revenue"}, {"aggregate": "count"}],
            sort=[{"field": "order_date"}],
        )
    )
    buckets: dict[str, list[Sale]] = {}
    for s in SALES:
        key = truncate(dt.date.fromisoformat(s.order_date), grain).isoformat()
        buckets.setdefault(key, []).append(s)
    assert result.rows == [
        {"order_date": day, "sum_revenue": money(s.revenue for s in rows), "count": len(rows)}
        for day, rows in sorted(buckets.items())
    ]
    # A date column stays a date (date_trunc alone would make it a timestamp).
    assert result.columns[0].type is ColumnType.DATE


async def test_columns_mode_with_sort_and_limit(sales: Tenant) -> None:
    compiled = sales.compile(
        sales.query(
            columns=["region", "product", "units"],
            sort=[{"field": "units", "direction": "desc"}],
            limit=2,
        )
    )
    assert compiled.row_limit == 2
    result = await sales.run(
        sales.query(
            columns=["region", "product", "units"],
            sort=[{"field": "units", "direction": "desc"}],
            limit=2,
        )
    )
    top = sorted(SALES, key=lambda s: -s.units)[:2]
    assert result.rows == [
        {"region": s.region, "product": s.product, "units": s.units} for s in top
    ]
    assert not result.truncated


async def test_sort_by_a_measure_then_a_dimension(sales: Tenant) -> None:
    rows = await sales.rows(
        sales.query(
            dimensions=["product"],
            measures=[{"aggregate": "count"}],
            sort=[{"field": "count", "direction": "desc"}, {"field": "product"}],
        )
    )
    counts: dict[str, int] = {}
    for s in SALES:
        counts[s.product] = counts.get(s.product, 0) + 1
    assert rows == [
        {"product": p, "count": n} for p, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]


FILTERS: list[tuple[str, str, list[Any] | None, Callable[[Sale], bool]]] = [
    ("eq", "region", ["EU"], lambda s: s.region == "EU"),
    ("neq", "region", ["EU"], lambda s: s.region != "EU"),
    ("in", "region", ["EU", "US"], lambda s: s.region in ("EU", "US")),
    ("not_in", "region", ["EU"], lambda s: s.region != "EU"),
    ("gt", "revenue", [99.75], lambda s: s.revenue > 99.75),
    ("gte", "revenue", [99.75], lambda s: s.revenue >= 99.75),
    ("lt", "units", [3], lambda s: s.units < 3),
    ("lte", "units", [3], lambda s: s.units <= 3),
    ("gt", "order_date", ["2026-02-01"], lambda s: s.order_date > "2026-02-01"),
    (
        "between",
        "order_date",
        ["2026-01-20", "2026-02-14"],
        lambda s: "2026-01-20" <= s.order_date <= "2026-02-14",
    ),
    ("between", "revenue", [60, 100], lambda s: 60 <= s.revenue <= 100),
    ("contains", "product", ["IDG"], lambda s: "idg" in s.product.lower()),
    ("contains", "product", ["%"], lambda s: "%" in s.product),  # no LIKE wildcards
    ("is_null", "region", None, lambda s: False),
    ("is_not_null", "region", None, lambda s: True),
]


@pytest.mark.parametrize(("operator", "field", "values", "keep"), FILTERS)
async def test_every_filter_operator_with_values(
    sales: Tenant,
    operator: str,
    field: str,
    values: list[Any] | None,
    keep: Callable[[Sale], bool],
) -> None:
    condition: dict[str, Any] = {"field": field, "operator": operator}
    if values is not None:
        condition["values"] = values
    rows = await sales.rows(
        sales.query(
            columns=["region", "product", "order_date"],
            filters=[condition],
            sort=[{"field": "order_date"}],
        )
    )
    assert rows == [
        {"region": s.region, "product": s.product, "order_date": s.order_date}
        for s in SALES
        if keep(s)
    ]


PARAMETER_TYPES = {"region": "string", "product": "string", "revenue": "number"}
PARAMETER_TYPES |= {"units": "integer", "order_date": "date"}


@pytest.mark.parametrize(
    ("operator", "field", "values", "keep"), [f for f in FILTERS if f[2] is not None]
)
async def test_every_filter_operator_with_a_parameter(
    sales: Tenant,
    operator: str,
    field: str,
    values: list[Any],
    keep: Callable[[Sale], bool],
) -> None:
    multiple = operator in ("in", "not_in", "between")
    declared = {"p": {"type": PARAMETER_TYPES[field], "multiple": multiple}}
    # As a render request sends them: text.
    sent = [str(v) for v in values] if multiple else str(values[0])
    raw = sales.query(
        measures=[{"aggregate": "count"}],
        filters=[{"field": field, "operator": operator, "parameter": "p"}],
    )
    assert await sales.rows(raw, declared, {"p": sent}) == [
        {"count": sum(1 for s in SALES if keep(s))}
    ]
    # A parameter without a value leaves its filter out.
    assert await sales.rows(raw, declared, {}) == [{"count": len(SALES)}]


async def test_a_filter_value_that_does_not_fit_its_column_fails_the_card(sales: Tenant) -> None:
    with pytest.raises(CardError) as caught:
        sales.compile(
            sales.query(
                columns=["region"],
                filters=[{"field": "order_date", "operator": "gt", "values": ["yesterday"]}],
            )
        )
    assert caught.value.code == "INVALID_DATA_SOURCE"
    assert caught.value.message == (
        "filter on order_date: the value must be an ISO 8601 date (got 'yesterday')"
    )
    with pytest.raises(CardError) as caught:
        sales.compile(
            sales.query(
                columns=["region"],
                filters=[{"field": "order_date", "operator": "gt", "parameter": "p"}],
            ),
            {"p": "string"},
            {"p": "soon"},
        )
    assert caught.value.code == "INVALID_PARAMETER"


async def test_an_invalid_or_undeclared_parameter_fails_the_card(sales: Tenant) -> None:
    raw = sales.query(
        measures=[{"aggregate": "count"}],
        filters=[{"field": "units", "operator": "gte", "parameter": "n"}],
    )
    with pytest.raises(CardError) as caught:
        sales.compile(raw, {"n": {"type": "integer"}}, {"n": "many"})
    assert caught.value.as_json() == {
        "code": "INVALID_PARAMETER",
        "message": "parameter n must be an integer",
    }
    with pytest.raises(CardError) as caught:
        sales.compile(raw, {}, {})
    assert caught.value.code == "INVALID_DATA_SOURCE"
    assert "parameter 'n', which the dashboard does not declare" in caught.value.message


# Dashboard filters.


async def test_dashboard_filters_apply_only_where_the_data_has_the_column(sales: Tenant) -> None:
    declared = {
        "regions": {"multiple": True, "field": "region"},
        "since": {"type": "date", "field": "order_date", "operator": "gte"},
        "customer": {"field": "customer"},  # no such column in sales
    }
    raw = sales.query(dimensions=["region"], measures=[{"aggregate": "count"}], sort=["region"])
    values = {"regions": ["EU", "US"], "since": "2026-01-10", "customer": "ACME"}
    counts: dict[str, int] = {}
    for s in SALES:
        if s.region in ("EU", "US") and s.order_date >= "2026-01-10":
            counts[s.region] = counts.get(s.region, 0) + 1
    assert await sales.rows(raw, declared, values) == [
        {"region": r, "count": n} for r, n in sorted(counts.items())
    ]
    # No values: no filters.
    assert len(await sales.rows(raw, declared, {})) == 3


async def test_an_invalid_dashboard_filter_fails_only_the_cards_it_applies_to(
    sales: Tenant,
) -> None:
    declared = {"since": {"type": "date", "field": "order_date", "operator": "gte"}}
    values = {"since": "not a date"}
    # The card's data has no order_date: the filter does not apply, the card renders.
    products = await create_dataset(
        sales.ctx, DatasetDraft("products", "sql", "SELECT product, units FROM sales")
    )
    by_product = {
        "dataset_id": products.id,
        "dimensions": ["product"],
        "measures": [{"aggregate": "count"}],
    }
    assert len(await sales.rows(by_product, declared, values, dataset=products)) == 3
    unfiltered = {"sql": "SELECT count(*) AS n FROM sales"}
    assert await sales.rows(unfiltered, declared, values) == [{"n": len(SALES)}]
    # The card's data has it (in its dataset, whatever the query selects): the card fails.
    by_date = sales.query(columns=["product"])
    with pytest.raises(CardError) as caught:
        await sales.run(by_date, declared, values)
    assert caught.value.code == "INVALID_PARAMETER"
    with pytest.raises(CardError) as caught:
        await sales.run({"sql": "SELECT * FROM sales"}, declared, values)
    assert caught.value.as_json() == {
        "code": "INVALID_PARAMETER",
        "message": "parameter since must be an ISO 8601 date (got 'not a date')",
    }


async def test_dashboard_filters_around_a_sql_card(sales: Tenant) -> None:
    declared = {
        "regions": {"multiple": True, "field": "region"},
        "min_units": {"type": "integer", "field": "units", "operator": "gte"},
    }
    values = {"regions": ["EU", "APAC"], "min_units": "2"}
    rows = await sales.rows(
        {"sql": "SELECT region, product, units FROM sales ORDER BY order_date;"},
        declared,
        values,
    )
    assert rows == [
        {"region": s.region, "product": s.product, "units": s.units}
        for s in SALES
        if s.region in ("EU", "APAC") and s.units >= 2
    ]
    # The result has no region nor units column: nothing to filter.
    totals = await sales.rows(
        {"sql": "SELECT sum(revenue) AS total FROM sales -- a comment at the end"},
        declared,
        values,
    )
    assert totals == [{"total": money(s.revenue for s in SALES)}]


def test_wrap_applies_only_the_filters_whose_column_is_in_the_result() -> None:
    compiled = CompiledTile(
        "SELECT region, units FROM sales WHERE units > ($1::bigint)",
        (1,),
        (
            OuterFilter("region", FilterOperator.IN, ["EU", "US"], "text[]"),
            OuterFilter("customer", FilterOperator.EQ, "ACME", "text"),
            OuterFilter("units", FilterOperator.BETWEEN, [2, 4], "bigint[]"),
            OuterFilter("region", FilterOperator.IS_NOT_NULL, None, "text"),
            OuterFilter('we"ird', FilterOperator.CONTAINS, "x", "text"),
        ),
        None,
        0,
    )
    region = TileColumn("region", ColumnType.STRING, "text")
    units = TileColumn("units", ColumnType.NUMBER, "int4")
    weird = TileColumn('we"ird', ColumnType.STRING, "text")
    assert compiled.wrap([TileColumn("other", ColumnType.STRING, "text")]) is None
    assert compiled.wrap([region, units]) == (
        "SELECT * FROM (SELECT region, units FROM sales WHERE units > ($1::bigint)\n) AS tile "
        'WHERE ("region" = ANY($2::text[])) AND "units" BETWEEN $3::bigint AND $4::bigint '
        'AND "region" IS NOT NULL',
        (1, ["EU", "US"], 2, 4),
    )
    wrapped = compiled.wrap([weird])
    assert wrapped is not None
    assert wrapped[0].endswith('WHERE strpos(lower("we""ird"::text), lower($2::text)) > 0')
    assert wrapped[1] == (1, "x")


def test_wrap_fails_on_an_invalid_filter_only_when_it_applies() -> None:
    compiled = CompiledTile(
        "SELECT 1 AS a",
        (),
        (OuterFilter("since", FilterOperator.GTE, None, "date", "parameter since is bad"),),
        None,
        0,
    )
    assert compiled.wrap([TileColumn("a", ColumnType.NUMBER, "int4")]) is None
    with pytest.raises(CardError, match="parameter since is bad"):
        compiled.wrap([TileColumn("since", ColumnType.DATE, "date")])


# SQL sources and their parameters.


async def test_sql_parameters_are_bound_with_their_declared_types(sales: Tenant) -> None:
    declared = {
        "s": {"type": "string", "default": "x"},
        "i": {"type": "integer", "default": 1},
        "n": {"type": "number", "default": 1.5},
        "b": {"type": "boolean", "default": True},
        "d": {"type": "date", "default": "2026-01-01"},
        "t": {"type": "datetime", "default": "2026-01-01T10:00:00"},
        "m": {"type": "integer", "multiple": True, "default": [1, 2]},
    }
    sql = ", ".join(f"pg_typeof(:{name})::text AS {name}" for name in declared)
    assert await sales.rows({"sql": f"SELECT {sql}"}, declared) == [
        {
            "s": "text",
            "i": "bigint",
            "n": "numeric",
            "b": "boolean",
            "d": "date",
            "t": "timestamp with time zone",
            "m": "bigint[]",
        }
    ]


async def test_sql_parameters_filter_the_data(sales: Tenant) -> None:
    declared = {
        "regions": {"multiple": True},
        "min_units": {"type": "integer"},
        "since": {"type": "date"},
    }
    by_region = {
        "sql": "SELECT region, sum(revenue) AS total FROM sales "
        "WHERE region = ANY(:regions) GROUP BY region ORDER BY region"
    }
    assert await sales.rows(by_region, declared, {"regions": ["EU", "US"]}) == [
        {"region": r, "total": money(s.revenue for s in SALES if s.region == r)}
        for r in ("EU", "US")
    ]
    counted = {
        "sql": "SELECT count(*) AS n FROM sales WHERE units >= :min_units "
        "AND order_date >= :since AND :min_units > 0"
    }
    values = {"min_units": "3", "since": "2026-01-05"}
    assert await sales.rows(counted, declared, values) == [
        {"n": sum(1 for s in SALES if s.units >= 3 and s.order_date >= "2026-01-05")}
    ]


async def test_a_parameter_without_a_value_is_null(sales: Tenant) -> None:
    raw = {
        "sql": "SELECT :since IS NULL AS missing, count(*) AS n FROM sales "
        "WHERE :since IS NULL OR order_date >= :since"
    }
    declared = {"since": {"type": "date"}}
    assert await sales.rows(raw, declared, {}) == [{"missing": True, "n": len(SALES)}]
    assert await sales.rows(raw, declared, {"since": "2026-03-01"}) == [{"missing": False, "n": 2}]


INJECTIONS = ["EU' OR '1'='1", "'; DROP TABLE sales; --", 'EU"; DELETE FROM sales; --']


@pytest.mark.parametrize("value", INJECTIONS)
async def test_a_parameter_value_is_only_ever_a_value(sales: Tenant, value: str) -> None:
    declared = {"region": {"type": "string"}, "regions": {"multiple": True}}
    sql_card = {"sql": "SELECT count(*) AS n FROM sales WHERE region = :region"}
    compiled = sales.compile(sql_card, declared, {"region": value})
    assert value not in compiled.sql
    assert compiled.args == (value,)
    assert await sales.rows(sql_card, declared, {"region": value}) == [{"n": 0}]

    structured = sales.query(
        measures=[{"aggregate": "count"}],
        filters=[
            {"field": "region", "operator": "eq", "parameter": "region"},
            {"field": "region", "operator": "in", "parameter": "regions"},
        ],
    )
    compiled = sales.compile(structured, declared, {"region": value, "regions": [value, "EU"]})
    assert value not in compiled.sql
    assert await sales.rows(structured, declared, {"region": value}) == [{"count": 0}]
    literal = sales.query(
        measures=[{"aggregate": "count"}],
        filters=[{"field": "region", "operator": "in", "values": [value]}],
    )
    assert value not in sales.compile(literal).sql
    assert await sales.rows(literal) == [{"count": 0}]
    # Dashboard filter around a SQL card.
    filtered = {"sql": "SELECT * FROM sales"}
    filter_declared = {"region": {"field": "region"}}
    assert await sales.rows(filtered, filter_declared, {"region": value}) == []
    assert await sales.sales_count() == len(SALES)


async def test_quoted_column_names_are_safe(sales: Tenant) -> None:
    await run_as_service(
        sales.services,
        f'CREATE TABLE "{sales.schema}".odd ("we""ird" text, "Mixed Case" integer, '
        '"x; DROP TABLE sales; --" integer)',
        f"INSERT INTO \"{sales.schema}\".odd VALUES ('a', 1, 10), ('a', 2, 20), ('b', 3, 30)",
    )
    odd = await create_dataset(sales.ctx, DatasetDraft("odd", "table", "odd"))
    assert [c.name for c in odd.columns] == ['we"ird', "Mixed Case", "x; DROP TABLE sales; --"]
    raw = {
        "dataset_id": odd.id,
        "dimensions": ['we"ird'],
        "measures": [
            {"aggregate": "sum", "column": "Mixed Case"},
            {"aggregate": "max", "column": "x; DROP TABLE sales; --", "as": 'max "x"'},
        ],
        "filters": [{"field": "Mixed Case", "operator": "gte", "values": [2]}],
        "sort": [{"field": 'we"ird', "direction": "desc"}],
    }
    declared = {"w": {"field": 'we"ird', "multiple": True}}
    assert await sales.rows(raw, declared, {"w": ["a", "b"]}, dataset=odd) == [
        {'we"ird': "b", "sum_Mixed Case": 3, 'max "x"': 30},
        {'we"ird': "a", "sum_Mixed Case": 2, 'max "x"': 20},
    ]
    # And around a SQL card.
    assert await sales.rows({"sql": "SELECT * FROM odd"}, declared, {"w": ["b"]}) == [
        {'we"ird': "b", "Mixed Case": 3, "x; DROP TABLE sales; --": 30}
    ]
    assert await sales.sales_count() == len(SALES)


async def test_a_dataset_of_sql(sales: Tenant) -> None:
    eu_apac = await create_dataset(
        sales.ctx,
        DatasetDraft(
            "not_us", "sql", "SELECT region, revenue, units FROM sales WHERE region <> 'US';"
        ),
    )
    raw = {
        "dataset_id": eu_apac.id,
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "filters": [{"field": "units", "operator": "gt", "values": ["1"]}],
        "sort": ["region"],
    }
    assert await sales.rows(raw, dataset=eu_apac) == [
        {
            "region": r,
            "sum_revenue": money(s.revenue for s in SALES if s.region == r and s.units > 1),
        }
        for r in ("APAC", "EU")
    ]


def test_a_query_on_a_deleted_dataset_fails_the_card(sales: Tenant) -> None:
    source = sales.source(sales.query(columns=["region"]))
    with pytest.raises(CardError) as caught:
        compile_tile(
            source, dataset=None, schema=sales.schema, params=resolve({}, {}), max_sql_chars=100
        )
    assert caught.value.code == "INVALID_DATA_SOURCE"
    assert caught.value.message == f"dataset {sales.dataset.id} no longer exists"


# Digests.


def test_the_digest_tells_queries_and_values_apart(sales: Tenant) -> None:
    declared = {"region": "EU", "filter": {"field": "region"}}
    sql = {"sql": "SELECT * FROM sales WHERE region = :region"}

    def digest(raw: dict[str, Any], values: dict[str, Any] | None = None) -> str:
        return sales.compile(raw, declared, values).digest

    assert digest(sql) == digest(sql) == digest(sql, {"region": "EU"})
    assert digest(sql, {"region": "US"}) != digest(sql)
    assert digest(sql, {"filter": "US"}) != digest(sql, {"filter": "EU"}) != digest(sql)
    assert digest({"sql": "SELECT * FROM sales WHERE region = :region "}) != digest(sql)
    assert digest({"sql": "SELECT * FROM sales WHERE product = :region"}) != digest(sql)

    query = sales.query(
        columns=["region"], filters=[{"field": "units", "operator": "gt", "values": [1]}]
    )
    other = sales.query(
        columns=["region"], filters=[{"field": "units", "operator": "gt", "values": [2]}]
    )
    assert digest(query) == digest(dict(query))
    assert digest(query) != digest(other)
    assert digest({**query, "limit": 5}) != digest({**query, "limit": 6})
    # The digest is a hex SHA-256.
    assert len(digest(query)) == 64
    int(digest(query), 16)
