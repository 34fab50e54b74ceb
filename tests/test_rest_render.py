"""Seed 002's render route, `GET /api/dashboards/{id}/render?page=&param.<name>=`, over real
data in the tenant's schema (tests/tile_data.py), and the `data_source` of cards that feeds
it: each card's rows, parameters and dashboard filters, per-card errors, pages, the tile
cache, and who may render what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services import Services
from tests.conftest import Caller
from tests.test_rest_platform import add_page, assert_error, new_board, read
from tests.tile_data import SALES_ROWS, seed_sales

# --- helpers (the other tile-data tests use them too) -----------------------------------------


async def sales_dataset(caller: Caller, services: Services, name: str = "sales") -> dict[str, Any]:
    """The `sales` table of tests/tile_data.py in the caller's tenant, as a dataset."""
    await seed_sales(services, caller.tenant)
    response = await caller.request(
        "POST", "/api/datasets", json={"name": name, "source_kind": "table", "source": "sales"}
    )
    assert response.status_code == 201, response.text
    dataset: dict[str, Any] = response.json()
    return dataset


async def add_data_card(
    caller: Caller,
    board_id: int,
    data_source: dict[str, Any] | None,
    *,
    y: int = 0,
    page: int | None = None,
    card_type: str = "table",
    name: str | None = None,
) -> dict[str, Any]:
    """A full-width card, `y` rows down the page, reading `data_source`."""
    body: dict[str, Any] = {
        "card_type": card_type,
        "config": {},
        "layout": {"x": 0, "y": y, "w": 12, "h": 1},
        "data_source": data_source,
    }
    if page is not None:
        body["page"] = page
    if name is not None:
        body["name"] = name
    response = await caller.request("POST", f"/api/dashboards/{board_id}/cards", json=body)
    assert response.status_code == 201, response.text
    card: dict[str, Any] = response.json()
    return card


async def render(caller: Caller, board_id: int | str, query: str = "") -> httpx.Response:
    return await caller.request("GET", f"/api/dashboards/{board_id}/render{query}")


async def rendered(caller: Caller, board_id: int | str, query: str = "") -> dict[str, Any]:
    response = await render(caller, board_id, query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def card_of(rendering: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in rendering["cards"] if c["card_id"] == card["card_id"])
    return found


def rows_of(rendering: dict[str, Any], card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's rows; it must have rendered without an error."""
    rendered_card = card_of(rendering, card)
    assert rendered_card["error"] is None, rendered_card
    rows: list[dict[str, Any]] = rendered_card["data"]["rows"]
    return rows


def revenue_by_region(*regions: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for region, _product, _day, revenue, _units in SALES_ROWS:
        if not regions or region in regions:
            totals[region] = round(totals.get(region, 0.0) + revenue, 2)
    return totals


REVENUE_BY_REGION_SQL = (
    "SELECT region, SUM(revenue) AS revenue FROM sales GROUP BY region ORDER BY region"
)


# --- data -------------------------------------------------------------------------------------


async def test_each_card_renders_its_own_data(editor: Caller, services: Services) -> None:
    dataset = await sales_dataset(editor, services)
    board = await new_board(editor, "Sales")
    by_sql = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL}, y=0)
    units = {
        "dataset_id": dataset["id"],
        "dimensions": ["product"],
        "measures": [{"aggregate": "sum", "column": "units"}, {"aggregate": "count"}],
        "sort": [{"field": "product", "direction": "asc"}],
    }
    by_query = await add_data_card(editor, board["id"], units, y=1, card_type="bar_chart")
    text = await add_data_card(editor, board["id"], None, y=2, card_type="text")

    body = await rendered(editor, board["id"])

    assert body["dashboard"] == {"id": board["id"], "name": "Sales", "parameters": {}}
    assert body["page"] == 1
    assert [c["card_id"] for c in body["cards"]] == [
        by_sql["card_id"],
        by_query["card_id"],
        text["card_id"],
    ]
    sql_card = card_of(body, by_sql)
    assert sql_card["card_type"] == "table"
    assert sql_card["widget_id"] == by_sql["widget_id"]
    assert sql_card["data"]["columns"] == [
        {"name": "region", "type": "string"},
        {"name": "revenue", "type": "number"},
    ]
    assert sql_card["data"]["row_count"] == 3
    assert sql_card["data"]["truncated"] is False
    assert {r["region"]: r["revenue"] for r in rows_of(body, by_sql)} == revenue_by_region()
    assert rows_of(body, by_query) == [
        {"product": "Gadget", "sum_units": 3, "count": 2},
        {"product": "Gizmo", "sum_units": 2, "count": 1},
        {"product": "Widget", "sum_units": 12, "count": 3},
    ]
    assert card_of(body, text) | {"card_id": 0, "widget_id": 0} == {
        "card_id": 0,
        "widget_id": 0,
        "card_type": "text",
        "title": "Text",
        "data": None,
        "error": None,
        "cached": False,
        "computed_at": None,
    }


async def test_a_parameter_binds_into_sql_and_filters_structured_cards(
    editor: Caller, services: Services
) -> None:
    # given `region`, a dashboard filter on the region column, also used as :region in SQL
    dataset = await sales_dataset(editor, services)
    board = await new_board(editor, parameters={"region": {"type": "string", "field": "region"}})
    sql = "SELECT product, revenue FROM sales WHERE region = :region ORDER BY product"
    by_sql = await add_data_card(editor, board["id"], {"sql": sql}, y=0)
    query = {
        "dataset_id": dataset["id"],
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "sort": ["region"],
    }
    by_query = await add_data_card(editor, board["id"], query, y=1)

    everywhere = await rendered(editor, board["id"])
    in_eu = await rendered(editor, board["id"], "?param.region=EU&other=ignored")

    assert everywhere["dashboard"]["parameters"] == {"region": None}
    assert rows_of(everywhere, by_sql) == []  # region = NULL matches nothing
    assert {r["region"]: r["sum_revenue"] for r in rows_of(everywhere, by_query)} == (
        revenue_by_region()
    )
    assert in_eu["dashboard"]["parameters"] == {"region": "EU"}
    assert rows_of(in_eu, by_sql) == [
        {"product": "Gadget", "revenue": 80},
        {"product": "Widget", "revenue": 120.5},
    ]
    assert rows_of(in_eu, by_query) == [{"region": "EU", "sum_revenue": 200.5}]


async def test_a_dashboard_filter_narrows_a_sql_card_that_has_its_column(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor, parameters={"region": {"type": "string", "field": "region"}})
    card = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL})

    body = await rendered(editor, board["id"], "?param.region=US")

    assert rows_of(body, card) == [{"region": "US", "revenue": 245.25}]


async def test_a_repeated_key_gives_a_multiple_parameter_its_list(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(
        editor, parameters={"regions": {"type": "string", "multiple": True, "default": ["APAC"]}}
    )
    sql = (
        "SELECT region, SUM(units) AS units FROM sales WHERE region = ANY(:regions) "
        "GROUP BY region ORDER BY region"
    )
    card = await add_data_card(editor, board["id"], {"sql": sql})

    default = await rendered(editor, board["id"])
    one = await rendered(editor, board["id"], "?param.regions=EU")
    two = await rendered(editor, board["id"], "?param.regions=EU&page=1&param.regions=US")

    assert default["dashboard"]["parameters"] == {"regions": ["APAC"]}
    assert rows_of(default, card) == [{"region": "APAC", "units": 6}]
    assert one["dashboard"]["parameters"] == {"regions": ["EU"]}
    assert rows_of(one, card) == [{"region": "EU", "units": 4}]
    assert two["dashboard"]["parameters"] == {"regions": ["EU", "US"]}
    assert rows_of(two, card) == [{"region": "EU", "units": 4}, {"region": "US", "units": 7}]


async def test_a_value_that_does_not_fit_fails_only_the_cards_using_it(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor, parameters={"min_units": {"type": "integer", "default": 0}})
    sql = "SELECT COUNT(*) AS orders FROM sales WHERE units >= :min_units"
    uses_it = await add_data_card(editor, board["id"], {"sql": sql}, y=0)
    other = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL}, y=1)

    fine = await rendered(editor, board["id"], "?param.min_units=3")
    broken = await rendered(editor, board["id"], "?param.min_units=many")

    assert rows_of(fine, uses_it) == [{"orders": 3}]
    failed = card_of(broken, uses_it)
    assert failed["data"] is None
    assert failed["error"]["code"] == "INVALID_PARAMETER"
    assert "min_units" in failed["error"]["message"]
    assert card_of(broken, other)["error"] is None
    assert len(rows_of(broken, other)) == 3


async def test_a_bad_filter_value_fails_only_the_cards_with_its_column(
    editor: Caller, services: Services
) -> None:
    # given a dashboard filter on `units`, a card whose dataset has that column and one whose
    # dataset does not
    sales = await sales_dataset(editor, services)
    regions = await editor.request(
        "POST",
        "/api/datasets",
        json={
            "name": "regions",
            "source_kind": "sql",
            "source": "SELECT DISTINCT region FROM sales",
        },
    )
    assert regions.status_code == 201, regions.text
    board = await new_board(
        editor, parameters={"min_units": {"type": "integer", "field": "units", "operator": "gte"}}
    )
    with_units = await add_data_card(
        editor, board["id"], {"dataset_id": sales["id"], "columns": ["units"]}, y=0
    )
    without = await add_data_card(
        editor, board["id"], {"dataset_id": regions.json()["id"], "columns": ["region"]}, y=1
    )

    body = await rendered(editor, board["id"], "?param.min_units=many")

    assert card_of(body, with_units)["error"]["code"] == "INVALID_PARAMETER"
    assert len(rows_of(body, without)) == 3


async def test_a_parameter_the_dashboard_does_not_declare_is_refused(editor: Caller) -> None:
    board = await new_board(editor, parameters={"region": {"type": "string"}})

    response = await render(editor, board["id"], "?param.region=EU&param.colour=red")

    body = assert_error(response, 422, "invalid", code="INVALID", field="param.colour")
    assert "colour" in body["message"]
    assert [d["field"] for d in body["details"]] == ["param.colour"]


async def test_a_broken_cards_sql_error_leaves_the_others_rendering(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor)
    broken = await add_data_card(
        editor, board["id"], {"sql": "SELECT no_such_column FROM sales"}, y=0
    )
    fine = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL}, y=1)

    body = await rendered(editor, board["id"])

    failed = card_of(body, broken)
    assert failed["data"] is None
    assert failed["error"]["code"] == "TILE_SQL_ERROR"
    assert "no_such_column" in failed["error"]["message"]
    assert len(rows_of(body, fine)) == 3


# --- pages ------------------------------------------------------------------------------------


async def test_a_page_renders_only_its_own_cards(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor)
    await add_page(editor, board["id"], "Second")
    first = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL})
    second = await add_data_card(
        editor, board["id"], {"sql": "SELECT COUNT(*) AS n FROM sales"}, page=2
    )

    page_one = await rendered(editor, board["id"], "?page=1")
    page_two = await rendered(editor, board["id"], "?page=2")
    default = await rendered(editor, board["id"])

    assert [c["card_id"] for c in page_one["cards"]] == [first["card_id"]]
    assert page_two["page"] == 2
    assert [c["card_id"] for c in page_two["cards"]] == [second["card_id"]]
    assert rows_of(page_two, second) == [{"n": len(SALES_ROWS)}]
    assert default["page"] == 1
    assert [c["card_id"] for c in default["cards"]] == [first["card_id"]]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "100001", "9" * 40])
async def test_a_page_that_is_not_a_positive_integer_is_a_bad_query(
    editor: Caller, page: str
) -> None:
    board = await new_board(editor)

    response = await render(editor, board["id"], f"?page={page}")

    assert_error(response, 400, "invalid_query", code="INVALID_QUERY", field="page")


async def test_a_page_the_dashboard_lacks_is_not_found(editor: Caller) -> None:
    board = await new_board(editor)

    response = await render(editor, board["id"], "?page=9")

    assert_error(response, 404, "page_not_found", code="NOT_FOUND", field="page")


# --- cache ------------------------------------------------------------------------------------


async def test_a_cached_card_is_served_from_the_cache_until_its_source_changes(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor)
    source = {"sql": REVENUE_BY_REGION_SQL, "cache_ttl_seconds": 300}
    cached = await add_data_card(editor, board["id"], source, y=0)
    fresh = await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL}, y=1)

    first = await rendered(editor, board["id"])
    second = await rendered(editor, board["id"])
    patched = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/cards/{cached['card_id']}",
        json={"data_source": source},
    )
    third = await rendered(editor, board["id"])

    assert card_of(first, cached)["cached"] is False
    assert card_of(second, cached)["cached"] is True
    assert card_of(second, cached)["computed_at"] == card_of(first, cached)["computed_at"]
    assert card_of(second, cached)["data"] == card_of(first, cached)["data"]
    assert card_of(second, fresh)["cached"] is False
    assert card_of(second, fresh)["computed_at"] != card_of(first, fresh)["computed_at"]
    assert patched.status_code == 200, patched.text
    assert card_of(third, cached)["cached"] is False
    assert card_of(third, cached)["computed_at"] != card_of(first, cached)["computed_at"]


async def test_parameter_values_are_part_of_the_cache_key(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor, parameters={"region": {"type": "string", "field": "region"}})
    source = {"sql": REVENUE_BY_REGION_SQL, "cache_ttl_seconds": 300}
    card = await add_data_card(editor, board["id"], source)

    eu = await rendered(editor, board["id"], "?param.region=EU")
    us = await rendered(editor, board["id"], "?param.region=US")
    eu_again = await rendered(editor, board["id"], "?param.region=EU")

    assert (card_of(eu, card)["cached"], card_of(us, card)["cached"]) == (False, False)
    assert rows_of(us, card) == [{"region": "US", "revenue": 245.25}]
    assert card_of(eu_again, card)["cached"] is True
    assert rows_of(eu_again, card) == [{"region": "EU", "revenue": 200.5}]


# --- cards' data sources ----------------------------------------------------------------------


async def test_a_cards_data_source_is_shown_changed_and_cleared(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor)
    source = {"sql": REVENUE_BY_REGION_SQL, "cache_ttl_seconds": 30}
    card = await add_data_card(editor, board["id"], source)
    url = f"/api/dashboards/{board['id']}/cards/{card['card_id']}"
    count = {"sql": "SELECT COUNT(*) AS n FROM sales"}

    changed = await editor.request("PATCH", url, json={"data_source": count})
    renamed = await editor.request("PATCH", url, json={"name": "Orders"})
    after_rename = await rendered(editor, board["id"])
    cleared = await editor.request("PATCH", url, json={"data_source": None})
    after_clear = await rendered(editor, board["id"])

    assert card["data_source"] == source
    assert changed.status_code == 200, changed.text
    assert changed.json()["data_source"] == count
    assert renamed.json()["data_source"] == count
    assert rows_of(after_rename, card) == [{"n": len(SALES_ROWS)}]
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["data_source"] is None
    assert card_of(after_clear, card)["data"] is None
    assert card_of(after_clear, card)["error"] is None
    assert [
        c["data_source"] for p in (await read(editor, board["id"]))["pages"] for c in p["cards"]
    ] == [None]


@pytest.mark.parametrize(
    ("data_source", "status", "error", "field"),
    [
        ("SELECT 1", 422, "invalid", "data_source"),
        ({"sql": "DELETE FROM sales"}, 422, "invalid", "data_source.sql"),
        ({"sql": "SELECT 1; SELECT 2"}, 422, "invalid", "data_source.sql"),
        ({"sql": "SELECT 1", "colour": "red"}, 422, "invalid", "data_source.colour"),
        (
            {"sql": "SELECT 1", "cache_ttl_seconds": -1},
            422,
            "invalid",
            "data_source.cache_ttl_seconds",
        ),
        ({"dataset_id": 0, "columns": ["region"]}, 422, "invalid", "data_source.dataset_id"),
        (
            {"dataset_id": "DATASET", "dimensions": ["nowhere"], "measures": []},
            422,
            "invalid",
            "data_source.dimensions[0].column",
        ),
        (
            {
                "dataset_id": "DATASET",
                "dimensions": ["region"],
                "measures": [{"aggregate": "sum", "column": "product"}],
            },
            422,
            "invalid",
            "data_source.measures[0]",
        ),
        (
            {"dataset_id": 987654321, "columns": ["region"]},
            422,
            "unknown_reference",
            "data_source.dataset_id",
        ),
    ],
)
async def test_a_bad_data_source_is_refused_where_it_is_wrong(
    editor: Caller, services: Services, data_source: Any, status: int, error: str, field: str
) -> None:
    dataset = await sales_dataset(editor, services)
    if isinstance(data_source, dict) and data_source.get("dataset_id") == "DATASET":
        data_source = data_source | {"dataset_id": dataset["id"]}
    board = await new_board(editor)
    card = await add_data_card(editor, board["id"], None, y=5)
    before = await read(editor, board["id"])

    added = await editor.request(
        "POST",
        f"/api/dashboards/{board['id']}/cards",
        json={
            "card_type": "table",
            "config": {},
            "layout": {"x": 0, "y": 0, "w": 12, "h": 1},
            "data_source": data_source,
        },
    )
    patched = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/cards/{card['card_id']}",
        json={"data_source": data_source},
    )

    assert_error(added, status, error, field=field)
    assert_error(patched, status, error, field=field)
    assert await read(editor, board["id"]) == before


# --- who may render ---------------------------------------------------------------------------


async def test_another_tenant_cannot_render_a_dashboard(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(editor)
    await add_data_card(editor, board["id"], {"sql": REVENUE_BY_REGION_SQL})

    response = await render(outsider, board["id"])

    assert_error(response, 404, "dashboard_not_found", code="NOT_FOUND")


async def test_render_needs_a_valid_token(editor: Caller, http: httpx.AsyncClient) -> None:
    board = await new_board(editor)
    expired = Caller(http, editor.tenant, user="alice", ttl=-100)

    anonymous = await http.get(f"/api/dashboards/{board['id']}/render")
    late = await render(expired, board["id"])

    for response in (anonymous, late):
        assert_error(response, 401, "unauthenticated", code="UNAUTHENTICATED")
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_reader_renders_what_they_see_and_nothing_else(
    editor: Caller, reader: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    visible = await new_board(editor, "For everyone")
    card = await add_data_card(editor, visible["id"], {"sql": REVENUE_BY_REGION_SQL})
    hidden = await new_board(editor, "For role 7", role_ids=[7])
    inactive = await new_board(editor, "Draft", is_active=False)

    body = await rendered(reader, visible["id"])
    refused = [await render(reader, b["id"]) for b in (hidden, inactive)]

    assert {r["region"]: r["revenue"] for r in rows_of(body, card)} == revenue_by_region()
    for response in refused:
        assert_error(response, 404, "dashboard_not_found")


@pytest.mark.parametrize("board_id", ["abc", "0", "999999999"])
async def test_a_dashboard_that_does_not_exist_is_not_found(editor: Caller, board_id: str) -> None:
    response = await render(editor, board_id)

    assert_error(response, 404, "dashboard_not_found", code="NOT_FOUND")
