"""Dashboard templates as plans (app/domain/templates.py): pure, no database. Every plan's cards
have configs their widget type accepts, structured queries on columns the dataset has, and
places on the 12-column grid that do not overlap; a dataset that lacks what a template needs is
refused with a message saying what is missing and what the dataset has."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

import pytest

from app.domain.card_configs import config_problems
from app.domain.grid import overlaps
from app.domain.records import ColumnType, DatasetColumn, DatasetRecord
from app.domain.templates import TEMPLATES, DashboardPlan, list_templates, plan_dashboard
from app.domain.widgets import WidgetType
from app.errors import DomainError, ErrorCode

N, S, D, DT, B = (
    ColumnType.NUMBER,
    ColumnType.STRING,
    ColumnType.DATE,
    ColumnType.DATETIME,
    ColumnType.BOOLEAN,
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# As long as PostgreSQL allows: 63 bytes; `sum_` and it would be cut.
LONG = "a column name that goes on and on and on, for sixty-three byte"


def dataset(*columns: tuple[str, ColumnType], name: str = "orders") -> DatasetRecord:
    return DatasetRecord(
        id=12,
        name=name,
        description=None,
        source_kind="table",
        source=name,
        columns=tuple(DatasetColumn(n, t, "text") for n, t in columns),
        owner_id="u1",
        created_at=NOW,
        updated_at=NOW,
    )


ORDERS = dataset(
    ("order_id", N),
    ("Customer Name", S),
    ("region", S),
    ("order_date", D),
    ("shipped_at", DT),
    ("revenue", N),
    ("quantity", N),
    ("Unit Price", N),
    ("discount", N),
    ("tax", N),
    ("paid", B),
    ("payload", ColumnType.OTHER),
)
LONG_NAMES = dataset(
    (LONG + "s", S), (LONG + "d", D), (LONG + "1", N), (LONG + "2", N), name="t" * 300
)
MINIMAL = {
    "kpi_summary": dataset(("amount", N)),
    "profile_detail": dataset(("customer", S), ("amount", N)),
    "time_series": dataset(("day", DT), ("amount", N)),
    "category_breakdown": dataset(("product", S), ("amount", N)),
    "data_table": dataset(("flag", B)),
    "heatmap_overview": dataset(("product", S), ("day", D), ("amount", N)),
}
W = WidgetType
# The cards each template gives ORDERS, by widget type.
WIDGETS = {
    "kpi_summary": {W.KPI_CARD: 5, W.LINE_CHART: 1},
    "profile_detail": {W.TEXT: 1, W.KPI_CARD: 5, W.TABLE: 1},
    "time_series": {W.LINE_CHART: 1, W.AREA_CHART: 1, W.TABLE: 1},
    "category_breakdown": {W.BAR_CHART: 1, W.PIE_CHART: 1, W.TABLE: 1},
    "data_table": {W.TABLE: 1},
    "heatmap_overview": {W.KPI_CARD: 2, W.HEATMAP: 1},
}
AGGREGATES = {"count", "count_distinct", "sum", "avg", "min", "max"}
GRAINS = {"day", "week", "month", "quarter", "year"}
# Config keys that name an output column of the card's query.
REFERENCES = ("x_axis", "y_axis", "metric", "label", "value", "columns", "size")


def outputs(source: dict[str, Any]) -> list[str]:
    """The output column names of a structured query, as docs/tile-data.md names them."""
    if "columns" in source:
        return list(source["columns"])
    names = [d if isinstance(d, str) else d["column"] for d in source.get("dimensions", [])]
    for m in source["measures"]:
        default = f"{m['aggregate']}_{m['column']}" if "column" in m else "count"
        names.append(m.get("as", default))
    return names


def column_type(data: DatasetRecord, name: str) -> ColumnType:
    column = data.column(name)
    assert column is not None, f"{name!r} is not a column of the dataset"
    return column.type


def check_source(source: dict[str, Any], data: DatasetRecord, plan: DashboardPlan) -> list[str]:
    """The query is one the service can run on `data`; returns its output columns."""
    assert source["dataset_id"] == data.id
    assert ("columns" in source) != ("measures" in source)
    for name in source.get("columns", []):
        column_type(data, name)
    for dim in source.get("dimensions", []):
        if isinstance(dim, str):
            column_type(data, dim)
        else:
            assert dim["grain"] in GRAINS
            assert column_type(data, dim["column"]) in (D, DT)
    for m in source.get("measures", []):
        assert m["aggregate"] in AGGREGATES
        if m["aggregate"] != "count":
            kind = column_type(data, m["column"])
            assert kind is N or m["aggregate"] not in ("sum", "avg")
    names = outputs(source)
    assert len(set(names)) == len(names)
    assert max(len(n.encode()) for n in names) <= 63  # PostgreSQL would cut longer names
    for f in source.get("filters", []):
        column_type(data, f["field"])
        assert f["parameter"] in plan.parameters
    for s in source.get("sort", []):
        assert s["field"] in names
        assert s["direction"] in ("asc", "desc")
    assert 1 <= source.get("limit", 1) <= 10_000
    return names


def check_plan(plan: DashboardPlan, data: DatasetRecord) -> None:
    assert plan.pages
    assert 0 < len(plan.description) <= 255
    for card in plan.cards:
        assert 0 < len(card.name) <= 100
        assert config_problems(card.widget_type, card.config, ()) == []
        assert 1 <= card.page <= len(plan.pages)
        p = card.position
        assert min(p.x, p.y) >= 0
        assert min(p.w, p.h) >= 1
        assert p.x + p.w <= 12
        if card.widget_type is WidgetType.TEXT:
            assert card.data_source is None
            continue
        assert card.data_source is not None
        names = check_source(card.data_source, data, plan)
        for key in REFERENCES:
            referenced = card.config.get(key, [])
            assert set([referenced] if isinstance(referenced, str) else referenced) <= set(names)
    for a, b in combinations(plan.cards, 2):
        assert a.page != b.page or not overlaps(a.position, b.position), (a.name, b.name)
    for declaration in plan.parameters.values():
        column_type(data, declaration["field"])


FITTING = [
    pytest.param(t, data, id=f"{t}-{label}")
    for t in WIDGETS
    for label, data in (("orders", ORDERS), ("minimal", MINIMAL[t]), ("long", LONG_NAMES))
]


@pytest.mark.parametrize(("template_id", "data"), FITTING)
def test_a_fitting_dataset_gives_a_valid_plan(template_id: str, data: DatasetRecord) -> None:
    plan = plan_dashboard(template_id, data)
    assert plan.cards
    check_plan(plan, data)


@pytest.mark.parametrize(("template_id", "expected"), list(WIDGETS.items()))
def test_widget_types(template_id: str, expected: dict[WidgetType, int]) -> None:
    plan = plan_dashboard(template_id, ORDERS)
    assert Counter(card.widget_type for card in plan.cards) == expected


@pytest.mark.parametrize(
    ("template_id", "data", "missing"),
    [
        ("kpi_summary", dataset(("region", S), ("day", D)), "a number column"),
        ("profile_detail", dataset(("amount", N)), "a string column"),
        ("profile_detail", dataset(("customer", S)), "a number column"),
        ("time_series", dataset(("amount", N), ("region", S)), "a date or datetime column"),
        ("time_series", dataset(("day", D)), "a number column"),
        ("category_breakdown", dataset(("amount", N), ("day", D)), "a string column"),
        ("category_breakdown", dataset(("region", S), ("flag", B)), "a number column"),
        ("data_table", dataset(), "at least one column"),
        ("heatmap_overview", dataset(("region", S), ("amount", N)), "a date or datetime column"),
        ("heatmap_overview", dataset(("day", D), ("amount", N)), "a string column"),
    ],
)
def test_a_dataset_lacking_a_column_is_refused(
    template_id: str, data: DatasetRecord, missing: str
) -> None:
    with pytest.raises(DomainError) as caught:
        plan_dashboard(template_id, data)
    [problem] = caught.value.problems
    assert (problem.code, problem.field) == (ErrorCode.INVALID, ("dataset_id",))
    name = next(t.name for t in TEMPLATES if t.id == template_id)
    assert f"template {name!r} ({template_id}) needs {missing}, but dataset 'orders'" in (
        problem.message
    )
    has = ", ".join(f"{c.name} ({c.type.value})" for c in data.columns) or "no columns"
    assert has in problem.message


def test_every_missing_kind_is_named_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        plan_dashboard("heatmap_overview", dataset(("flag", B)))
    message = caught.value.problems[0].message
    assert "needs a string column and a date or datetime column and a number column" in message


def test_unknown_template_is_not_found() -> None:
    with pytest.raises(DomainError) as caught:
        plan_dashboard("nope", ORDERS)
    [problem] = caught.value.problems
    assert (problem.code, problem.field, problem.resource, problem.message) == (
        ErrorCode.NOT_FOUND,
        ("template_id",),
        "template",
        "template 'nope' not found",
    )


def test_list_templates() -> None:
    templates = list_templates()
    ids = [t.id for t in templates]
    assert len(set(ids)) == len(ids) >= 6
    assert {"kpi_summary", "profile_detail"} <= set(ids)
    assert all(t.name and t.description and t.requirements for t in templates)
    assert templates[0].requirements == (
        "a number column",
        "a date or datetime column (optional: adds a trend)",
    )


def test_kpi_summary_skips_identifiers_and_keeps_column_names() -> None:
    plan = plan_dashboard("kpi_summary", ORDERS)
    metrics = [c.config["metric"] for c in plan.cards if c.widget_type is WidgetType.KPI_CARD]
    assert metrics == ["sum_revenue", "sum_quantity", "sum_Unit Price", "sum_discount", "count"]
    line = plan.cards[-1]
    assert line.data_source is not None
    assert line.data_source["dimensions"] == [{"column": "order_date", "grain": "month"}]
    assert line.data_source["measures"] == [{"aggregate": "sum", "column": "revenue"}]
    assert (line.config["x_axis"], line.config["y_axis"]) == ("order_date", "sum_revenue")


def test_kpi_summary_without_a_date_has_no_trend_and_sums_an_id_when_alone() -> None:
    plan = plan_dashboard("kpi_summary", dataset(("id", N), ("region", S)))
    assert [c.config["metric"] for c in plan.cards] == ["sum_id", "count"]


def test_profile_detail_declares_its_filter_and_every_card_uses_it() -> None:
    data = dataset(("customer", S), ("region", S), ("amount", N), ("day", D))
    plan = plan_dashboard("profile_detail", data)
    assert plan.parameters == {
        "customer": {"type": "string", "public": False, "field": "customer", "operator": "eq"}
    }
    selected = {"field": "customer", "operator": "eq", "parameter": "customer"}
    sources = [c.data_source for c in plan.cards if c.data_source is not None]
    assert len(sources) == 3
    assert all(s["filters"] == [selected] for s in sources)
    table = plan.cards[-1]
    assert table.data_source is not None
    assert table.data_source["limit"] == 100
    assert table.config["columns"] == ["customer", "region", "amount", "day"]
    assert table.data_source["columns"] == ["customer", "region", "amount", "day"]


def test_profile_detail_parameter_name_is_plain_and_its_field_exact() -> None:
    plan = plan_dashboard("profile_detail", ORDERS)
    assert list(plan.parameters) == ["Customer_Name"]
    assert plan.parameters["Customer_Name"]["field"] == "Customer Name"


def test_category_breakdown_declares_a_multiple_filter() -> None:
    plan = plan_dashboard("category_breakdown", ORDERS)
    assert plan.parameters == {
        "Customer_Name": {
            "type": "string",
            "multiple": True,
            "field": "Customer Name",
            "operator": "in",
        }
    }
    sources = [c.data_source for c in plan.cards if c.data_source is not None]
    assert [s["limit"] for s in sources] == [20, 8, 10]
    assert all(s["sort"] == [{"field": "sum_revenue", "direction": "desc"}] for s in sources)


def test_data_table_takes_the_first_twenty_columns() -> None:
    data = dataset(*((f"c{i}", N if i % 2 else S) for i in range(25)))
    [card] = plan_dashboard("data_table", data).cards
    columns = [f"c{i}" for i in range(20)]
    assert card.data_source == {"dataset_id": 12, "columns": columns, "limit": 500}
    assert card.config["columns"] == columns


def test_long_measure_names_get_short_distinct_aliases() -> None:
    plan = plan_dashboard("time_series", LONG_NAMES)
    source = plan.cards[0].data_source
    assert source is not None
    aliases = [m["as"] for m in source["measures"]]
    assert len(set(aliases)) == 2
    assert all(a.startswith("sum_a column name") for a in aliases)
    assert plan.cards[0].config["y_axis"] == aliases
