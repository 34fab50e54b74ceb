"""Tile data through GraphQL: widgets and cards with a data source (structured queries and
SQL, and their refusals), `widgetData`, and `dashboardRendering` (data, per-card errors,
parameters, the cache, visibility, tenancy, authentication)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from app.auth import EDIT_SCOPE
from app.services import Services
from tests.conftest import Caller
from tests.helpers import CREATE_WIDGET, UPDATE_WIDGET, create_dashboard, create_widget
from tests.tile_data import SALES_ROWS, seed_sales

CREATE_DATASET = """
mutation CreateDataset($input: CreateDatasetInput!) {
  createDataset(input: $input) { dataset { id databaseId } userErrors { field message code } }
}
"""

ADD_CARD = """
mutation AddCard($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) {
    card { databaseId name dashboardWidget { id databaseId dataSource } }
    userErrors { field message code }
  }
}
"""

UPDATE_CARD = """
mutation UpdateCard($input: UpdateDashboardCardInput!) {
  updateDashboardCard(input: $input) {
    card { databaseId dashboardWidget { dataSource } }
    userErrors { field message code }
  }
}
"""

RENDERED_CARD = """
  card { databaseId name }
  dashboardWidget { databaseId name dataSource }
  cardType title data error { code message } cached computedAt
"""

RENDER = f"""
query Render($id: ID!, $page: Int, $parameters: JSON) {{
  dashboardRendering(id: $id, page: $page, parameters: $parameters) {{
    dashboard {{ databaseId name }}
    page
    parameters
    cards {{ {RENDERED_CARD} }}
  }}
}}
"""

WIDGET_DATA = f"""
query WidgetData($id: ID!, $parameters: JSON, $dashboardId: ID) {{
  widgetData(id: $id, parameters: $parameters, dashboardId: $dashboardId) {{ {RENDERED_CARD} }}
}}
"""

SPOTS = [{"x": (i % 4) * 3, "y": (i // 4) * 3, "w": 3, "h": 3} for i in range(12)]


def revenue_by_region() -> list[dict[str, Any]]:
    """SALES_ROWS summed by region, as tile data shows numbers."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for region, _product, _day, revenue, _units in SALES_ROWS:
        totals[region] += Decimal(str(revenue))
    return [{"region": r, "sum_revenue": float(totals[r])} for r in sorted(totals)]


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def sales_dataset(caller: Caller, services: Services) -> int:
    """The `sales` table in the caller's tenant, and a dataset on it; its integer id."""
    await seed_sales(services, caller.tenant)
    data = await caller.graphql(
        CREATE_DATASET, {"input": {"name": "Sales", "sourceKind": "TABLE", "source": "sales"}}
    )
    payload = data["createDataset"]
    assert payload["userErrors"] == []
    dataset_id: int = payload["dataset"]["databaseId"]
    return dataset_id


def by_region(dataset_id: int, **more: Any) -> dict[str, Any]:
    return {
        "dataset_id": dataset_id,
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "sort": [{"field": "region", "direction": "asc"}],
    } | more


async def try_widget(caller: Caller, data_source: Any) -> dict[str, Any]:
    data = await caller.graphql(
        CREATE_WIDGET,
        {"input": {"name": "Tile", "widgetType": "TABLE", "dataSource": data_source}},
    )
    payload: dict[str, Any] = data["createDashboardWidget"]
    return payload


async def add_card(
    caller: Caller, dashboard_id: str, spot: int, name: str, data_source: Any, **more: Any
) -> dict[str, Any]:
    values = {
        "dashboardId": dashboard_id,
        "cardType": "TABLE",
        "layout": SPOTS[spot],
        "name": name,
        "dataSource": data_source,
    }
    data = await caller.graphql(ADD_CARD, {"input": values | more})
    payload = data["addDashboardCard"]
    assert payload["userErrors"] == [], payload["userErrors"]
    card: dict[str, Any] = payload["card"]
    return card


async def render(caller: Caller, dashboard_id: str, **variables: Any) -> Any:
    data = await caller.graphql(RENDER, {"id": dashboard_id, **variables})
    return data["dashboardRendering"]


# Widgets with a data source.


async def test_a_widget_with_a_structured_query_returns_its_data(
    editor: Caller, services: Services
) -> None:
    # given
    dataset_id = await sales_dataset(editor, services)
    source = by_region(dataset_id)

    # when
    widget = await create_widget(editor, "Revenue", "BAR_CHART", dataSource=source)
    data = await editor.graphql(WIDGET_DATA, {"id": widget["id"]})

    # then
    rendered = data["widgetData"]
    assert rendered["card"] is None
    assert rendered["dashboardWidget"] == {
        "databaseId": widget["databaseId"],
        "name": "Revenue",
        "dataSource": source,
    }
    assert (rendered["cardType"], rendered["title"], rendered["error"]) == (
        "BAR_CHART",
        "Revenue",
        None,
    )
    assert rendered["data"] == {
        "columns": [
            {"name": "region", "type": "string"},
            {"name": "sum_revenue", "type": "number"},
        ],
        "rows": revenue_by_region(),
        "row_count": 3,
        "truncated": False,
    }
    assert rendered["cached"] is False
    assert rendered["computedAt"] is not None


async def test_count_and_grain_over_the_dataset(editor: Caller, services: Services) -> None:
    dataset_id = await sales_dataset(editor, services)
    source = {
        "dataset_id": dataset_id,
        "dimensions": [{"column": "order_date", "grain": "month"}],
        "measures": [
            {"aggregate": "count", "as": "orders"},
            {"aggregate": "sum", "column": "units"},
        ],
        "sort": [{"field": "order_date", "direction": "asc"}],
    }
    widget = await create_widget(editor, "Monthly", "LINE_CHART", dataSource=source)

    data = await editor.graphql(WIDGET_DATA, {"id": widget["databaseId"]})

    rows = data["widgetData"]["data"]["rows"]
    assert [(r["order_date"][:7], r["orders"], r["sum_units"]) for r in rows] == [
        ("2026-01", 2, 4),
        ("2026-02", 2, 7),
        ("2026-03", 2, 6),
    ]


async def test_a_column_the_dataset_lacks_is_refused_at_its_path(
    editor: Caller, services: Services
) -> None:
    dataset_id = await sales_dataset(editor, services)
    source = by_region(dataset_id, measures=[{"aggregate": "sum", "column": "profit"}])

    payload = await try_widget(editor, source)

    assert payload["dashboardWidget"] is None
    assert problems(payload) == [(("dataSource", "measures", "0", "column"), "INVALID")]
    assert payload["userErrors"][0]["message"] == "dataset 'Sales' has no column 'profit'"


async def test_sum_of_a_string_column_is_refused(editor: Caller, services: Services) -> None:
    dataset_id = await sales_dataset(editor, services)
    source = {"dataset_id": dataset_id, "measures": [{"aggregate": "sum", "column": "region"}]}

    payload = await try_widget(editor, source)

    assert problems(payload) == [(("dataSource", "measures", "0"), "INVALID")]


async def test_an_unknown_dataset_is_an_unknown_reference(editor: Caller) -> None:
    payload = await try_widget(editor, {"dataset_id": 999_999_999, "columns": ["a"]})

    assert problems(payload) == [(("dataSource", "dataset_id"), "UNKNOWN_REFERENCE")]


async def test_sql_that_writes_is_refused_on_its_sql(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)

    for sql in ("DELETE FROM sales", "INSERT INTO sales (region) VALUES ('X')"):
        payload = await try_widget(editor, {"sql": sql})
        assert payload["dashboardWidget"] is None
        assert problems(payload) == [(("dataSource", "sql"), "INVALID")], sql


async def test_a_data_source_of_the_wrong_shape_is_refused(editor: Caller) -> None:
    payload = await try_widget(editor, {"sql": "SELECT 1", "ttl": 5})

    assert problems(payload) == [(("dataSource", "ttl"), "INVALID")]


async def test_widget_data_binds_parameters_into_sql(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    sql = "SELECT product, revenue FROM sales WHERE region = :region ORDER BY order_date"
    widget = await create_widget(editor, "By region", "TABLE", dataSource={"sql": sql})

    eu = await editor.graphql(WIDGET_DATA, {"id": widget["id"], "parameters": {"region": "EU"}})
    us = await editor.graphql(WIDGET_DATA, {"id": widget["id"], "parameters": {"region": "US"}})
    none = await editor.graphql(WIDGET_DATA, {"id": widget["id"]})

    def expected(region: str) -> list[dict[str, Any]]:
        return [{"product": p, "revenue": rev} for r, p, _d, rev, _u in SALES_ROWS if r == region]

    assert eu["widgetData"]["data"]["rows"] == expected("EU")
    assert us["widgetData"]["data"]["rows"] == expected("US")
    # without a value the placeholder names an undeclared parameter: the card fails alone
    assert none["widgetData"]["data"] is None
    assert none["widgetData"]["error"]["code"] == "INVALID_DATA_SOURCE"


async def test_widget_data_with_a_dashboard_uses_its_declarations(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await create_dashboard(editor, parameters={"region": "APAC"})
    sql = "SELECT SUM(units) AS units FROM sales WHERE region = :region"
    widget = await create_widget(editor, "Units", "KPI_CARD", dataSource={"sql": sql})

    default = await editor.graphql(WIDGET_DATA, {"id": widget["id"], "dashboardId": board["id"]})
    chosen = await editor.graphql(
        WIDGET_DATA,
        {"id": widget["id"], "dashboardId": board["id"], "parameters": {"region": "EU"}},
    )
    undeclared = await editor.post_graphql(
        WIDGET_DATA,
        {"id": widget["id"], "dashboardId": board["id"], "parameters": {"country": "FR"}},
    )

    assert default["widgetData"]["data"]["rows"] == [{"units": 6}]
    assert chosen["widgetData"]["data"]["rows"] == [{"units": 4}]
    body = undeclared.json()
    assert body["data"] == {"widgetData": None}
    assert body["errors"][0]["message"] == (
        "parameter 'country' is not declared (declared: region)"
    )


async def test_widget_data_is_null_for_what_the_caller_cannot_see(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    widget = await create_widget(editor, dataSource={"sql": "SELECT 1 AS one"})
    hidden = await create_dashboard(editor, roleIds=[7])
    reader = editor.peer(user="rita", scopes=())

    for caller, variables in (
        (editor, {"id": "999999999"}),
        (editor, {"id": "not an id"}),
        (outsider, {"id": widget["id"]}),
        (reader, {"id": widget["id"], "dashboardId": hidden["id"]}),
        (editor, {"id": widget["id"], "dashboardId": "999999999"}),
    ):
        data = await caller.graphql(WIDGET_DATA, variables)
        assert data["widgetData"] is None, variables
    seen = await reader.graphql(WIDGET_DATA, {"id": widget["id"]})
    assert seen["widgetData"]["data"]["rows"] == [{"one": 1}]


async def test_a_cards_private_widget_is_seen_with_its_dashboard_only(
    editor: Caller, services: Services
) -> None:
    # given a card (with its private widget) on a dashboard a plain reader cannot see
    await seed_sales(services, editor.tenant)
    hidden = await create_dashboard(editor, roleIds=[7])
    card = await add_card(editor, hidden["id"], 0, "Secret", {"sql": "SELECT 42 AS answer"})
    private_id = card["dashboardWidget"]["id"]
    reader = editor.peer(user="rita", scopes=())
    insider = editor.peer(user="ivan", scopes=(), roles=(7,))

    # then the reader gets nothing for it, with or without the dashboard
    assert (await reader.graphql(WIDGET_DATA, {"id": private_id}))["widgetData"] is None
    hidden_vars = {"id": private_id, "dashboardId": hidden["id"]}
    assert (await reader.graphql(WIDGET_DATA, hidden_vars))["widgetData"] is None
    # and a caller who sees the dashboard gets its data
    for variables in ({"id": private_id}, hidden_vars):
        seen = await insider.graphql(WIDGET_DATA, variables)
        assert seen["widgetData"]["data"]["rows"] == [{"answer": 42}]


async def test_update_widget_data_source_changes_keeps_and_clears(
    editor: Caller, services: Services
) -> None:
    dataset_id = await sales_dataset(editor, services)
    widget = await create_widget(editor, dataSource={"sql": "SELECT 1 AS one"})

    async def update(**values: Any) -> dict[str, Any]:
        data = await editor.graphql(UPDATE_WIDGET, {"input": {"id": widget["id"], **values}})
        payload: dict[str, Any] = data["updateDashboardWidget"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return payload

    await update(dataSource=by_region(dataset_id))
    kept = await update(name="Renamed")
    after_keep = await editor.graphql(WIDGET_DATA, {"id": widget["id"]})
    bad = await editor.graphql(
        UPDATE_WIDGET,
        {"input": {"id": widget["id"], "dataSource": {"dataset_id": dataset_id, "columns": ["x"]}}},
    )
    await update(dataSource=None)
    cleared = await editor.graphql(WIDGET_DATA, {"id": widget["id"]})

    assert kept["dashboardWidget"]["name"] == "Renamed"
    assert after_keep["widgetData"]["data"]["rows"] == revenue_by_region()
    assert problems(bad["updateDashboardWidget"]) == [(("dataSource", "columns", "0"), "INVALID")]
    assert cleared["widgetData"]["data"] is None
    assert cleared["widgetData"]["error"] is None
    assert cleared["widgetData"]["dashboardWidget"]["dataSource"] is None


async def test_card_data_source_add_update_and_refusals(editor: Caller, services: Services) -> None:
    dataset_id = await sales_dataset(editor, services)
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], 0, "Revenue", by_region(dataset_id))

    async def update(data_source: Any) -> dict[str, Any]:
        values = {"dashboardId": board["id"], "cardId": str(card["databaseId"])}
        data = await editor.graphql(UPDATE_CARD, {"input": values | {"dataSource": data_source}})
        payload: dict[str, Any] = data["updateDashboardCard"]
        return payload

    bad_column = await update(by_region(dataset_id, dimensions=["country"], sort=[]))
    writes = await update({"sql": "DROP TABLE sales"})
    moved = await update({"sql": "SELECT COUNT(*) AS n FROM sales"})
    added_bad = await editor.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": board["id"],
                "cardType": "TABLE",
                "layout": SPOTS[1],
                "dataSource": {"dataset_id": dataset_id, "measures": [{"aggregate": "median"}]},
            }
        },
    )

    assert card["dashboardWidget"]["dataSource"] == by_region(dataset_id)
    assert problems(bad_column) == [(("dataSource", "dimensions", "0", "column"), "INVALID")]
    assert problems(writes) == [(("dataSource", "sql"), "INVALID")]
    assert moved["userErrors"] == []
    assert moved["card"]["dashboardWidget"]["dataSource"] == {
        "sql": "SELECT COUNT(*) AS n FROM sales"
    }
    assert problems(added_bad["addDashboardCard"]) == [
        (("dataSource", "measures", "0", "aggregate"), "INVALID")
    ]


# dashboardRendering.


async def sales_board(editor: Caller, services: Services) -> dict[str, Any]:
    """A dashboard with parameters `region` (default US) and `min_units` (default 1) and
    cards: SQL totals, a structured query filtered by `region`, broken SQL, SQL using
    `min_units`, and a text card."""
    dataset_id = await sales_dataset(editor, services)
    board = await create_dashboard(
        editor,
        parameters={
            "region": {"type": "string", "default": "US", "values": ["EU", "US", "APAC"]},
            "min_units": {"type": "integer", "default": 1},
        },
    )
    totals = "SELECT region, SUM(revenue) AS sum_revenue FROM sales GROUP BY region ORDER BY 1"
    filtered = by_region(
        dataset_id, filters=[{"field": "region", "operator": "eq", "parameter": "region"}]
    )
    cards = [
        await add_card(editor, board["id"], 0, "Totals", {"sql": totals, "cache_ttl_seconds": 60}),
        await add_card(editor, board["id"], 1, "Chosen region", filtered),
        await add_card(editor, board["id"], 2, "Broken", {"sql": "SELECT nope FROM sales"}),
        await add_card(
            editor,
            board["id"],
            3,
            "Big orders",
            {"sql": "SELECT COUNT(*) AS orders FROM sales WHERE units >= :min_units"},
        ),
        await add_card(
            editor, board["id"], 4, "Notes", None, cardType="TEXT", config={"content": "Hi"}
        ),
    ]
    return board | {"cards": cards}


def orders_with_units(at_least: int) -> int:
    return sum(1 for *_rest, units in SALES_ROWS if units >= at_least)


async def test_render_a_dashboard_page(editor: Caller, services: Services) -> None:
    # given
    board = await sales_board(editor, services)

    # when
    rendering = await render(editor, board["id"])

    # then
    assert rendering["dashboard"] == {"databaseId": board["databaseId"], "name": board["name"]}
    assert rendering["page"] == 1
    assert rendering["parameters"] == {"region": "US", "min_units": 1}
    cards = {c["title"]: c for c in rendering["cards"]}
    assert list(cards) == ["Totals", "Chosen region", "Broken", "Big orders", "Notes"]
    assert [c["card"]["databaseId"] for c in rendering["cards"]] == [
        c["databaseId"] for c in board["cards"]
    ]
    assert cards["Totals"]["data"]["rows"] == revenue_by_region()
    assert cards["Totals"]["cardType"] == "TABLE"
    us = [r for r in revenue_by_region() if r["region"] == "US"]
    assert cards["Chosen region"]["data"]["rows"] == us
    assert cards["Big orders"]["data"]["rows"] == [{"orders": orders_with_units(1)}]
    broken = cards["Broken"]
    assert broken["data"] is None
    assert broken["error"]["code"] == "TILE_SQL_ERROR"
    assert "nope" in broken["error"]["message"]
    notes = cards["Notes"]
    assert (notes["cardType"], notes["data"], notes["error"], notes["computedAt"]) == (
        "TEXT",
        None,
        None,
        None,
    )
    for title in ("Totals", "Chosen region", "Big orders"):
        assert cards[title]["error"] is None, title
        assert cards[title]["dashboardWidget"]["name"] == title


async def test_parameters_change_the_data_and_the_cache_serves_repeats(
    editor: Caller, services: Services
) -> None:
    board = await sales_board(editor, services)

    first = await render(editor, board["id"], parameters={"region": "EU", "min_units": 3})
    second = await render(editor, board["id"], parameters={"region": "EU", "min_units": 3})

    assert first["parameters"] == {"region": "EU", "min_units": 3}
    cards = {c["title"]: c for c in first["cards"]}
    assert cards["Chosen region"]["data"]["rows"] == [
        r for r in revenue_by_region() if r["region"] == "EU"
    ]
    assert cards["Big orders"]["data"]["rows"] == [{"orders": orders_with_units(3)}]
    again = {c["title"]: c for c in second["cards"]}
    # the totals card has a cache TTL; the others render fresh every time
    assert (cards["Totals"]["cached"], again["Totals"]["cached"]) == (False, True)
    assert again["Totals"]["computedAt"] == cards["Totals"]["computedAt"]
    assert again["Totals"]["data"] == cards["Totals"]["data"]
    assert again["Chosen region"]["cached"] is False


async def test_an_invalid_parameter_value_fails_only_the_cards_using_it(
    editor: Caller, services: Services
) -> None:
    board = await sales_board(editor, services)

    rendering = await render(
        editor, board["id"], parameters={"min_units": "many", "region": "MARS"}
    )

    cards = {c["title"]: c for c in rendering["cards"]}
    assert cards["Big orders"]["data"] is None
    assert cards["Big orders"]["error"] == {
        "code": "INVALID_PARAMETER",
        "message": "parameter min_units must be an integer",
    }
    assert cards["Chosen region"]["error"]["code"] == "INVALID_PARAMETER"
    assert "must be one of EU, US, APAC" in cards["Chosen region"]["error"]["message"]
    assert cards["Totals"]["data"]["rows"] == revenue_by_region()
    assert cards["Broken"]["error"]["code"] == "TILE_SQL_ERROR"
    # a value that did not fit is not shown as used
    assert rendering["parameters"] == {}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"parameters": {"country": "FR"}},
            "parameter 'country' is not declared (declared: min_units, region)",
        ),
        ({"page": 2}, "page 2 not found"),
        ({"parameters": ["EU"]}, "'parameters' must be a JSON object of values by name"),
    ],
)
async def test_refused_arguments_are_errors(
    editor: Caller, services: Services, variables: dict[str, Any], message: str
) -> None:
    board = await sales_board(editor, services)

    response = await editor.post_graphql(RENDER, {"id": board["id"], **variables})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"dashboardRendering": None}
    assert [e["message"] for e in body["errors"]] == [message]
    assert body["errors"][0]["path"] == ["dashboardRendering"]


async def test_a_second_page_renders_its_own_cards(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    board = await create_dashboard(editor)
    added = await editor.graphql(
        "mutation P($input: AddDashboardPageInput!) "
        "{ addDashboardPage(input: $input) { userErrors { code } } }",
        {"input": {"dashboardId": board["id"], "name": "Second"}},
    )
    assert added["addDashboardPage"]["userErrors"] == []
    await add_card(editor, board["id"], 0, "First page", {"sql": "SELECT 1 AS n"})
    await add_card(editor, board["id"], 0, "Second page", {"sql": "SELECT 2 AS n"}, page=2)

    second = await render(editor, str(board["databaseId"]), page=2)

    assert second["page"] == 2
    assert [(c["title"], c["data"]["rows"]) for c in second["cards"]] == [
        ("Second page", [{"n": 2}])
    ]


async def test_render_visibility_and_tenancy(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    board = await sales_board(editor, services)
    inactive = await create_dashboard(editor, isActive=False)
    reader = editor.peer(user="rita", scopes=())

    # a reader sees an active dashboard's render
    seen = await render(reader, board["id"])
    assert [c["title"] for c in seen["cards"]] == [
        "Totals",
        "Chosen region",
        "Broken",
        "Big orders",
        "Notes",
    ]
    assert seen["cards"][0]["data"]["rows"] == revenue_by_region()
    # but not an inactive one, nor another tenant's, nor anything unknown
    assert await render(reader, inactive["id"]) is None
    assert await render(editor, inactive["id"]) is not None
    assert await render(outsider, board["id"]) is None
    assert await render(outsider, str(board["databaseId"])) is None
    assert await render(editor, "999999999") is None
    assert await render(editor, "not an id") is None


async def test_render_needs_a_valid_token(editor: Caller, services: Services) -> None:
    board = await sales_board(editor, services)
    variables = {"query": RENDER, "variables": {"id": board["id"]}}

    anonymous = await editor.http.post("/graphql", json=variables)
    expired = Caller(editor.http, editor.tenant, scopes=(EDIT_SCOPE,), ttl=-3600)
    late = await expired.post_graphql(RENDER, {"id": board["id"]})

    for response in (anonymous, late):
        assert response.status_code == 401
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in body
