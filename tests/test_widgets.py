"""Dashboard widgets through GraphQL: create, update, delete, validation, and the cursor
pagination of `dashboardWidgets` and `dashboards`."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest

from tests.conftest import Caller
from tests.helpers import (
    CREATE_WIDGET,
    DASHBOARD,
    DELETE_WIDGET,
    UPDATE_WIDGET,
    create_dashboard,
    create_widget,
    place_widgets,
    placed_widget_ids,
)

WIDGET_TYPES = [
    "BAR_CHART",
    "LINE_CHART",
    "PIE_CHART",
    "AREA_CHART",
    "SCATTER_PLOT",
    "KPI_CARD",
    "TABLE",
    "HEATMAP",
    "TEXT",
]

WIDGET = """
query One($id: ID!) {
  dashboardWidget(id: $id) { id databaseId name widgetType description config }
}
"""

WIDGETS = """
query Widgets($first: Int, $after: String, $search: String, $widgetType: WidgetType) {
  dashboardWidgets(first: $first, after: $after, search: $search, widgetType: $widgetType) {
    totalCount
    edges { cursor node { databaseId name widgetType } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

DASHBOARDS = """
query Dashboards($first: Int, $after: String, $search: String, $isActive: Boolean) {
  dashboards(first: $first, after: $after, search: $search, isActive: $isActive) {
    totalCount
    edges { cursor node { databaseId code } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


LISTINGS = [(WIDGETS, "dashboardWidgets"), (DASHBOARDS, "dashboards")]


async def create_widget_payload(caller: Caller, **fields: Any) -> dict[str, Any]:
    values = {"name": "Revenue", "widgetType": "BAR_CHART"} | fields
    data = await caller.graphql(CREATE_WIDGET, {"input": values})
    payload: dict[str, Any] = data["createDashboardWidget"]
    return payload


async def update_widget(caller: Caller, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(UPDATE_WIDGET, {"input": fields})
    payload: dict[str, Any] = data["updateDashboardWidget"]
    return payload


async def delete_widget(caller: Caller, widget_id: str) -> dict[str, Any]:
    data = await caller.graphql(DELETE_WIDGET, {"input": {"id": widget_id}})
    payload: dict[str, Any] = data["deleteDashboardWidget"]
    return payload


async def read_widget(caller: Caller, widget_id: str) -> dict[str, Any] | None:
    data = await caller.graphql(WIDGET, {"id": widget_id})
    widget: dict[str, Any] | None = data["dashboardWidget"]
    return widget


def error_codes(payload: dict[str, Any]) -> set[tuple[tuple[str, ...] | None, str]]:
    return {
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    }


async def raw_graphql(caller: Caller, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The whole response body, errors included (Caller.graphql refuses errors)."""
    response = await caller.post_graphql(query, variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_messages(body: dict[str, Any]) -> list[str]:
    assert body.get("errors"), body
    return [error["message"] for error in body["errors"]]


# --- create ----------------------------------------------------------------------------------


@pytest.mark.parametrize("widget_type", WIDGET_TYPES)
async def test_create_each_widget_type(editor: Caller, widget_type: str) -> None:
    # when
    widget = await create_widget(
        editor,
        name=f"A {widget_type}",
        widget_type=widget_type,
        description="what it shows",
        config={"metric": "revenue", "series": [1, 2.5, None], "options": {"stacked": True}},
    )

    # then
    assert widget["widgetType"] == widget_type
    assert widget["name"] == f"A {widget_type}"
    assert widget["description"] == "what it shows"
    assert widget["config"] == {
        "metric": "revenue",
        "series": [1, 2.5, None],
        "options": {"stacked": True},
    }
    assert await read_widget(editor, widget["id"]) == widget


async def test_all_nine_types_are_listed_and_filterable(editor: Caller) -> None:
    created = {t: await create_widget(editor, name=t, widget_type=t) for t in WIDGET_TYPES}

    for widget_type, widget in created.items():
        data = await editor.graphql(WIDGETS, {"widgetType": widget_type})
        nodes = [e["node"] for e in data["dashboardWidgets"]["edges"]]
        assert nodes == [
            {"databaseId": widget["databaseId"], "name": widget_type, "widgetType": widget_type}
        ]
        assert data["dashboardWidgets"]["totalCount"] == 1


async def test_create_defaults(editor: Caller) -> None:
    widget = await create_widget(editor, name="  Plain  ")

    assert widget["name"] == "Plain"
    assert widget["description"] is None
    assert widget["config"] == {}


async def test_widget_readable_by_integer_and_global_id(editor: Caller) -> None:
    widget = await create_widget(editor)

    assert await read_widget(editor, str(widget["databaseId"])) == widget
    node = await editor.graphql(
        "query($id: ID!) { node(id: $id) { id ... on DashboardWidget { name } } }",
        {"id": widget["id"]},
    )
    assert node["node"] == {"id": widget["id"], "name": widget["name"]}


async def test_name_limit_is_100_characters(editor: Caller) -> None:
    ok = await create_widget_payload(editor, name="n" * 100)
    too_long = await create_widget_payload(editor, name="n" * 101)

    assert ok["userErrors"] == []
    assert len(ok["dashboardWidget"]["name"]) == 100
    assert too_long["dashboardWidget"] is None
    assert error_codes(too_long) == {(("name",), "TOO_LONG")}


async def test_blank_name_is_required(editor: Caller) -> None:
    payload = await create_widget_payload(editor, name="   ")

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == {(("name",), "REQUIRED")}


async def test_description_limit_is_1000_characters(editor: Caller) -> None:
    ok = await create_widget_payload(editor, description="d" * 1000)
    too_long = await create_widget_payload(editor, description="d" * 1001)

    assert ok["userErrors"] == []
    assert error_codes(too_long) == {(("description",), "TOO_LONG")}


@pytest.mark.parametrize(
    "config",
    [
        pytest.param([1, 2], id="list"),
        pytest.param("text", id="string"),
        pytest.param(3, id="number"),
        pytest.param(True, id="bool"),
    ],
)
async def test_config_must_be_a_json_object(editor: Caller, config: Any) -> None:
    payload = await create_widget_payload(editor, config=config)

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == {(("config",), "INVALID")}
    listing = await editor.graphql(WIDGETS, {})
    assert listing["dashboardWidgets"]["totalCount"] == 0


def config_of_size(size: int) -> dict[str, str]:
    """A config whose compact JSON is exactly `size` bytes."""
    overhead = len('{"k":""}')
    return {"k": "x" * (size - overhead)}


async def test_config_up_to_64_kib_is_accepted(editor: Caller) -> None:
    config = config_of_size(64 * 1024)

    payload = await create_widget_payload(editor, config=config)

    assert payload["userErrors"] == []
    assert payload["dashboardWidget"]["config"] == config


async def test_config_above_64_kib_is_too_long(editor: Caller) -> None:
    payload = await create_widget_payload(editor, config=config_of_size(64 * 1024 + 1))

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == {(("config",), "TOO_LONG")}


async def test_a_reader_may_not_create_widgets(reader: Caller) -> None:
    payload = await create_widget_payload(reader)

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == {(None, "FORBIDDEN")}


async def test_unknown_widget_type_is_a_graphql_error(editor: Caller) -> None:
    body = await raw_graphql(
        editor, CREATE_WIDGET, {"input": {"name": "x", "widgetType": "DONUT_CHART"}}
    )

    assert any("DONUT_CHART" in message for message in error_messages(body))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"name": "a\u0000b"}, id="name"),
        pytest.param({"description": "a\u0000b"}, id="description"),
        pytest.param({"config": {"text": "a\u0000b"}}, id="config"),
    ],
)
async def test_nul_character_is_a_user_error_not_a_crash(
    editor: Caller, fields: dict[str, Any]
) -> None:
    # PostgreSQL text and jsonb cannot hold U+0000: refuse it as input, like any bad value.
    payload = await create_widget_payload(editor, **fields)

    assert payload["dashboardWidget"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID"]


def deeply_nested(levels: int) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for _ in range(levels):
        config = {"a": config}
    return config


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"n": 2**64}, id="int-beyond-64-bits"),
        pytest.param({"n": -(2**63) - 1}, id="int-below-int64"),
        pytest.param(deeply_nested(300), id="nested-300"),
        pytest.param({"k\u0000": 1}, id="nul-in-key"),
    ],
)
async def test_unusual_json_config_is_stored_or_refused_never_a_crash(
    editor: Caller, config: dict[str, Any]
) -> None:
    # Valid JSON objects well under 64 KiB: either kept exactly, or refused as a userError
    # on `config`, but never an unexpected (masked) error.
    body = await raw_graphql(
        editor, CREATE_WIDGET, {"input": {"name": "x", "widgetType": "TEXT", "config": config}}
    )

    assert "errors" not in body, body["errors"]
    payload = body["data"]["createDashboardWidget"]
    if payload["dashboardWidget"] is not None:
        assert payload["dashboardWidget"]["config"] == config
    else:
        assert {tuple(e["field"]) for e in payload["userErrors"]} == {("config",)}


async def test_nan_in_config_is_refused_not_a_crash(editor: Caller) -> None:
    # NaN is not JSON. Python's parser lets it through; it must still not crash the request.
    raw = json.dumps(
        {
            "query": CREATE_WIDGET,
            "variables": {"input": {"name": "x", "widgetType": "TEXT", "config": {"n": math.nan}}},
        }
    ).encode()

    response = await editor.request(
        "POST", "/graphql", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code < 500, response.text
    if response.status_code == 200:
        body = response.json()
        messages = [e["message"] for e in body.get("errors", [])]
        assert not any(m.startswith("Unexpected error") for m in messages), messages
        assert body["data"]["createDashboardWidget"]["dashboardWidget"] is None
    listing = await editor.graphql(WIDGETS, {})
    assert listing["dashboardWidgets"]["totalCount"] == 0


# --- update ----------------------------------------------------------------------------------


async def test_update_changes_only_the_given_fields(editor: Caller) -> None:
    widget = await create_widget(
        editor, name="Before", widget_type="TABLE", description="kept", config={"a": 1}
    )

    payload = await update_widget(editor, id=widget["id"], name="After")

    assert payload["userErrors"] == []
    assert payload["dashboardWidget"] == {**widget, "name": "After"}
    assert await read_widget(editor, widget["id"]) == {**widget, "name": "After"}


async def test_update_every_field(editor: Caller) -> None:
    widget = await create_widget(editor, description="old", config={"a": 1})

    payload = await update_widget(
        editor,
        id=str(widget["databaseId"]),
        name="New",
        widgetType="HEATMAP",
        description=None,
        config={"b": [2]},
    )

    assert payload["userErrors"] == []
    assert payload["dashboardWidget"] == {
        **widget,
        "name": "New",
        "widgetType": "HEATMAP",
        "description": None,
        "config": {"b": [2]},
    }


async def test_update_with_nothing_to_change_returns_the_widget(editor: Caller) -> None:
    widget = await create_widget(editor)

    payload = await update_widget(editor, id=widget["id"])

    assert payload == {"dashboardWidget": widget, "userErrors": []}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"name": None}, {(("name",), "REQUIRED")}, id="null-name"),
        pytest.param({"name": " "}, {(("name",), "REQUIRED")}, id="blank-name"),
        pytest.param({"name": "n" * 101}, {(("name",), "TOO_LONG")}, id="long-name"),
        pytest.param({"widgetType": None}, {(("widgetType",), "REQUIRED")}, id="null-type"),
        pytest.param({"config": [1]}, {(("config",), "INVALID")}, id="list-config"),
        pytest.param({"config": None}, {(("config",), "INVALID")}, id="null-config"),
        pytest.param(
            {"config": config_of_size(64 * 1024 + 1)}, {(("config",), "TOO_LONG")}, id="big"
        ),
    ],
)
async def test_invalid_update_is_refused_and_changes_nothing(
    editor: Caller, fields: dict[str, Any], expected: set[Any]
) -> None:
    widget = await create_widget(editor, config={"a": 1})

    payload = await update_widget(editor, id=widget["id"], **fields)

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == expected
    assert await read_widget(editor, widget["id"]) == widget


@pytest.mark.parametrize(
    "widget_id",
    [
        "999999999999",
        "RGFzaGJvYXJkV2lkZ2V0Ojk5OTk5OTk5OTk=",  # DashboardWidget:9999999999
        "not-an-id",
        "99999999999999999999",
    ],
)
async def test_update_of_an_unknown_widget_is_not_found(editor: Caller, widget_id: str) -> None:
    payload = await update_widget(editor, id=widget_id, name="x")

    assert payload["dashboardWidget"] is None
    assert error_codes(payload) == {(("id",), "NOT_FOUND")}


async def test_update_by_a_dashboard_id_is_not_found(editor: Caller) -> None:
    dashboard = await create_dashboard(editor)

    payload = await update_widget(editor, id=dashboard["id"], name="x")

    assert error_codes(payload) == {(("id",), "NOT_FOUND")}


async def test_a_widget_of_another_tenant_cannot_be_changed(
    editor: Caller, outsider: Caller
) -> None:
    widget = await create_widget(editor, name="Mine")

    payload = await update_widget(outsider, id=widget["id"], name="Theirs")

    assert error_codes(payload) == {(("id",), "NOT_FOUND")}
    assert await read_widget(editor, widget["id"]) == widget


# --- delete ----------------------------------------------------------------------------------


async def test_delete_returns_the_deleted_id(editor: Caller) -> None:
    widget = await create_widget(editor)

    payload = await delete_widget(editor, widget["id"])

    assert payload == {"deletedId": widget["id"], "userErrors": []}
    assert await read_widget(editor, widget["id"]) is None
    again = await delete_widget(editor, widget["id"])
    assert again["deletedId"] is None
    assert error_codes(again) == {(("id",), "NOT_FOUND")}


async def test_a_placed_widget_is_in_use_until_removed(editor: Caller) -> None:
    # given a widget placed on a dashboard
    widget = await create_widget(editor)
    dashboard = await create_dashboard(editor)
    await place_widgets(editor, dashboard["id"], [widget["id"]])

    # when it is deleted
    refused = await delete_widget(editor, widget["id"])

    # then it is refused and the widget stays, still placed
    assert refused["deletedId"] is None
    assert error_codes(refused) == {(("id",), "IN_USE")}
    assert await read_widget(editor, widget["id"]) == widget
    assert await placed_widget_ids(editor, dashboard["id"]) == [widget["databaseId"]]

    # when the placement is removed, the widget can be deleted
    await place_widgets(editor, dashboard["id"], [])
    deleted = await delete_widget(editor, widget["id"])
    assert deleted == {"deletedId": widget["id"], "userErrors": []}
    assert await read_widget(editor, widget["id"]) is None


async def test_a_reader_may_not_delete(editor: Caller, reader: Caller) -> None:
    widget = await create_widget(editor)

    payload = await delete_widget(reader, widget["id"])

    assert error_codes(payload) == {(None, "FORBIDDEN")}
    assert await read_widget(editor, widget["id"]) == widget


async def test_a_widget_of_another_tenant_cannot_be_deleted(
    editor: Caller, outsider: Caller
) -> None:
    widget = await create_widget(editor)

    payload = await delete_widget(outsider, widget["id"])

    assert error_codes(payload) == {(("id",), "NOT_FOUND")}
    assert await read_widget(editor, widget["id"]) == widget


# --- pagination ------------------------------------------------------------------------------


async def walk(
    caller: Caller, query: str, field: str, page_size: int, **filters: Any
) -> tuple[list[int], list[dict[str, Any]]]:
    """Follow endCursor until hasNextPage is false: every id seen, and every page."""
    seen: list[int] = []
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(50):
        data = await caller.graphql(query, {"first": page_size, "after": after, **filters})
        page = data[field]
        pages.append(page)
        seen.extend(e["node"]["databaseId"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination did not end")


async def test_widget_pages_cover_every_widget_once_in_creation_order(editor: Caller) -> None:
    # given
    created = [(await create_widget(editor, name=f"W{i}"))["databaseId"] for i in range(5)]

    # when
    seen, pages = await walk(editor, WIDGETS, "dashboardWidgets", 2)

    # then
    assert seen == created
    assert [len(p["edges"]) for p in pages] == [2, 2, 1]
    assert [p["totalCount"] for p in pages] == [5, 5, 5]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    for page in pages:
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


async def test_widget_pages_exactly_filled_end_without_an_empty_page(editor: Caller) -> None:
    created = [(await create_widget(editor, name=f"W{i}"))["databaseId"] for i in range(4)]

    seen, pages = await walk(editor, WIDGETS, "dashboardWidgets", 2)

    assert seen == created
    assert [len(p["edges"]) for p in pages] == [2, 2]


async def test_widget_filters_and_total_count(editor: Caller) -> None:
    # given
    revenue = await create_widget(editor, name="Revenue by month", widget_type="BAR_CHART")
    await create_widget(editor, name="Costs", widget_type="BAR_CHART", description="no match")
    kpi = await create_widget(editor, name="Churn", widget_type="KPI_CARD", description="revenue")
    await create_widget(editor, name="100% done_ok", widget_type="TEXT")

    # when / then: search matches name or description, case-insensitively
    data = await editor.graphql(WIDGETS, {"search": "REVENUE", "first": 1})
    page = data["dashboardWidgets"]
    assert page["totalCount"] == 2
    assert [e["node"]["databaseId"] for e in page["edges"]] == [revenue["databaseId"]]
    assert page["pageInfo"]["hasNextPage"] is True

    data = await editor.graphql(WIDGETS, {"widgetType": "BAR_CHART"})
    assert data["dashboardWidgets"]["totalCount"] == 2

    data = await editor.graphql(WIDGETS, {"widgetType": "KPI_CARD", "search": "revenue"})
    assert [e["node"]["databaseId"] for e in data["dashboardWidgets"]["edges"]] == [
        kpi["databaseId"]
    ]
    assert data["dashboardWidgets"]["totalCount"] == 1

    # `%` and `_` are matched literally
    for search, expected in [("%", 1), ("_", 1), ("0%", 1), ("x_y", 0)]:
        data = await editor.graphql(WIDGETS, {"search": search})
        assert data["dashboardWidgets"]["totalCount"] == expected, search

    data = await editor.graphql(WIDGETS, {"widgetType": "PIE_CHART"})
    assert data["dashboardWidgets"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }


@pytest.mark.parametrize(("query", "field"), LISTINGS, ids=["dashboardWidgets", "dashboards"])
async def test_search_with_a_nul_character_is_not_a_crash(
    editor: Caller, query: str, field: str
) -> None:
    # Nothing stored can contain U+0000, so nothing matches; a clear error would do too,
    # but not an unexpected (masked) one.
    await create_widget(editor)
    await create_dashboard(editor)

    body = await raw_graphql(editor, query, {"search": "a\u0000"})

    messages = [e["message"] for e in body.get("errors", [])]
    assert not any(m.startswith("Unexpected error") for m in messages), messages
    if not messages:
        assert body["data"][field]["totalCount"] == 0
        assert body["data"][field]["edges"] == []


async def test_widget_filter_pages_follow_the_filter(editor: Caller) -> None:
    tables = []
    for i in range(6):
        widget = await create_widget(editor, name=f"W{i}", widget_type="TABLE" if i % 2 else "TEXT")
        if i % 2:
            tables.append(widget["databaseId"])

    seen, pages = await walk(editor, WIDGETS, "dashboardWidgets", 2, widgetType="TABLE")

    assert seen == tables
    assert {p["totalCount"] for p in pages} == {3}


async def test_widgets_of_other_tenants_are_not_listed(editor: Caller, outsider: Caller) -> None:
    await create_widget(outsider)

    data = await editor.graphql(WIDGETS, {})

    assert data["dashboardWidgets"]["totalCount"] == 0
    assert data["dashboardWidgets"]["edges"] == []


async def test_first_zero_returns_no_edges(editor: Caller) -> None:
    await create_widget(editor)

    data = await editor.graphql(WIDGETS, {"first": 0})

    assert data["dashboardWidgets"]["edges"] == []
    assert data["dashboardWidgets"]["totalCount"] == 1


async def test_first_100_is_allowed(editor: Caller) -> None:
    data = await editor.graphql(WIDGETS, {"first": 100})

    assert data["dashboardWidgets"]["edges"] == []


@pytest.mark.parametrize(("query", "field"), LISTINGS, ids=["dashboardWidgets", "dashboards"])
@pytest.mark.parametrize("first", [101, -1, 1_000_000])
async def test_first_outside_0_to_100_is_a_graphql_error(
    editor: Caller, query: str, field: str, first: int
) -> None:
    body = await raw_graphql(editor, query, {"first": first})

    messages = error_messages(body)
    assert any("first" in message and str(first) in message for message in messages), messages
    assert body["data"] is None
    assert body["errors"][0]["path"] == [field]


@pytest.mark.parametrize(("query", "field"), LISTINGS, ids=["dashboardWidgets", "dashboards"])
@pytest.mark.parametrize(
    "after",
    [
        "garbage",
        "!!!",
        "",
        "Y3Vyc29yOnYxOmFiYw==",  # cursor:v1:abc
        "Y3Vyc29yOnYxOi0x",  # cursor:v1:-1
        "RGFzaGJvYXJkOjE=",  # Dashboard:1 (a node id, not a cursor)
        "//79",  # not UTF-8 once decoded
    ],
)
async def test_garbage_after_cursor_is_a_clear_graphql_error(
    editor: Caller, query: str, field: str, after: str
) -> None:
    body = await raw_graphql(editor, query, {"after": after})

    messages = error_messages(body)
    assert any("'after' is not a cursor" in message for message in messages), messages
    assert body["data"] is None


async def test_dashboard_pages_cover_every_dashboard_once_in_creation_order(
    editor: Caller,
) -> None:
    # given
    created = [(await create_dashboard(editor, code=f"d{i}"))["databaseId"] for i in range(5)]

    # when
    seen, pages = await walk(editor, DASHBOARDS, "dashboards", 2)

    # then
    assert seen == created
    assert [len(p["edges"]) for p in pages] == [2, 2, 1]
    assert [p["totalCount"] for p in pages] == [5, 5, 5]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]


async def test_dashboard_filters_and_total_count(editor: Caller) -> None:
    # given
    sales = await create_dashboard(editor, code="sales", name="Sales")
    await create_dashboard(editor, code="ops", name="Operations", description="sales floor")
    inactive = await create_dashboard(editor, code="old", name="Old", isActive=False)

    # when / then
    data = await editor.graphql(DASHBOARDS, {"search": "sales", "first": 1})
    page = data["dashboards"]
    assert page["totalCount"] == 2
    assert [e["node"]["databaseId"] for e in page["edges"]] == [sales["databaseId"]]
    assert page["pageInfo"]["hasNextPage"] is True

    data = await editor.graphql(DASHBOARDS, {"isActive": False})
    assert data["dashboards"]["totalCount"] == 1
    assert [e["node"]["databaseId"] for e in data["dashboards"]["edges"]] == [
        inactive["databaseId"]
    ]

    data = await editor.graphql(DASHBOARDS, {"isActive": True})
    assert data["dashboards"]["totalCount"] == 2

    seen, pages = await walk(editor, DASHBOARDS, "dashboards", 1, isActive=True)
    assert len(seen) == 2
    assert {p["totalCount"] for p in pages} == {2}


async def test_a_cursor_from_one_page_is_stable_after_deletes(editor: Caller) -> None:
    # Keyset cursors: removing the item a cursor points at does not skip or repeat others.
    created = [await create_widget(editor, name=f"W{i}") for i in range(4)]
    first_page = await editor.graphql(WIDGETS, {"first": 2})
    cursor = first_page["dashboardWidgets"]["pageInfo"]["endCursor"]

    await delete_widget(editor, created[1]["id"])
    data = await editor.graphql(WIDGETS, {"first": 2, "after": cursor})

    assert [e["node"]["databaseId"] for e in data["dashboardWidgets"]["edges"]] == [
        created[2]["databaseId"],
        created[3]["databaseId"],
    ]


async def test_listing_needs_a_token(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ dashboardWidgets { totalCount } }"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_editing_a_placed_library_widget_moves_the_version_of_its_dashboards(
    editor: Caller,
) -> None:
    # given a library widget placed on two dashboards, and a third dashboard without it
    widget = await create_widget(editor)
    boards = [await create_dashboard(editor) for _ in range(3)]
    for board in boards[:2]:
        await place_widgets(editor, board["id"], [widget["id"]])

    # when its config changes
    payload = await editor.graphql(
        UPDATE_WIDGET, {"input": {"id": widget["id"], "config": {"title": "Renamed"}}}
    )

    # then the dashboards showing it are at a new version; the other is not
    assert payload["updateDashboardWidget"]["userErrors"] == []
    versions = [
        (await editor.graphql(DASHBOARD, {"id": b["id"]}))["dashboard"]["version"] for b in boards
    ]
    assert versions == [3, 3, 1]
