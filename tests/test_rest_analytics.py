"""The analytics dialect of seed 004 on /api/dashboards: create with library widgets named by
their type, read with every widget's rendered data, replace the definition and widgets at
once, delete; its error codes; who may do what; the same dashboards seen through GraphQL; and
the routes it shares with seeds 000 and 002. Listing is in test_rest_analytics_list.py, user
assignments in test_rest_users.py."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.services import Services
from db.models import dashboard_widgets
from tests.conftest import Caller
from tests.helpers import CREATE_WIDGET
from tests.tile_data import SALES_ROWS, seed_sales

BASE = "/api/dashboards"
ERROR_KEYS = {"error", "code", "message", "field", "details", "current_version", "position"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
KEY = re.compile(r"dashboard_(\d+)")
MONTHLY_REVENUE_SQL = (
    "SELECT to_char(order_date, 'Mon') AS month, sum(revenue) AS value "
    "FROM sales GROUP BY 1 ORDER BY min(order_date)"
)
EXECUTIVE_SUMMARY = {
    "name": "Executive Summary",
    "description": "Key metrics and KPIs",
    "type": "executive",
    "widgets": [
        {"id": "widget_1", "type": "revenue_chart", "title": "Monthly Revenue", "size": "large"},
        {
            "id": "widget_2",
            "type": "active_subscriptions",
            "title": "Active Subscriptions",
            "size": "small",
        },
    ],
    "refreshInterval": 60,
}
GRAPHQL_DASHBOARD = """
query One($id: ID!) {
  dashboard(id: $id) {
    databaseId name description type refreshInterval version
    cards { layout { x y w h } dashboardWidget { kind } }
  }
}
"""


# --- helpers ---------------------------------------------------------------------------------


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """An error of this dialect: the message in both `error` and `message`, the seed's code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert set(body) <= ERROR_KEYS, body
    assert isinstance(body["error"], str), body
    assert body["error"], body
    assert body["message"] == body["error"], body
    assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


async def library_widget(
    caller: Caller,
    kind: str,
    *,
    name: str | None = None,
    widget_type: str = "BAR_CHART",
    data_source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A library widget that seed-004 clients name by `kind`, made through GraphQL."""
    widget_input: dict[str, Any] = {
        "name": name or kind.replace("_", " ").title(),
        "widgetType": widget_type,
        "kind": kind,
        "dataSource": data_source,
    }
    data = await caller.graphql(CREATE_WIDGET, {"input": widget_input})
    payload = data["createDashboardWidget"]
    assert payload["userErrors"] == [], payload["userErrors"]
    widget: dict[str, Any] = payload["dashboardWidget"]
    return widget


async def library(caller: Caller, *kinds: str) -> None:
    for kind in kinds:
        await library_widget(caller, kind)


async def create(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    response = await caller.request("POST", BASE, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def database_id(created: dict[str, Any]) -> int:
    match = KEY.fullmatch(created["id"])
    assert match, created
    return int(match.group(1))


async def read(caller: Caller, key: str) -> dict[str, Any]:
    response = await caller.request("GET", f"{BASE}/{key}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def graphql_dashboard(caller: Caller, key: str) -> dict[str, Any] | None:
    data = await caller.graphql(GRAPHQL_DASHBOARD, {"id": str(database_id({"id": key}))})
    dashboard: dict[str, Any] | None = data["dashboard"]
    return dashboard


async def dashboard_count(caller: Caller) -> int:
    data = await caller.graphql("{ dashboards { totalCount } }")
    count: int = data["dashboards"]["totalCount"]
    return count


def monthly_revenue() -> list[dict[str, Any]]:
    """SALES_ROWS summed by month, in month order, as the revenue chart's SQL gives them."""
    names = {"01": "Jan", "02": "Feb", "03": "Mar"}
    totals: dict[str, float] = {}
    for _region, _product, day, revenue, _units in SALES_ROWS:
        month = names[day[5:7]]
        totals[month] = round(totals.get(month, 0.0) + revenue, 2)
    return [{"month": month, "value": value} for month, value in totals.items()]


# --- create ----------------------------------------------------------------------------------


async def test_create_answers_as_the_seed_and_places_the_library_widgets(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")

    response = await editor.request("POST", BASE, json=EXECUTIVE_SUMMARY)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "name", "type", "createdAt"}
    assert KEY.fullmatch(body["id"]), body
    assert body["name"] == "Executive Summary"
    assert body["type"] == "executive"
    assert TIMESTAMP.fullmatch(body["createdAt"]), body
    assert response.headers["location"] == f"{BASE}/{body['id']}"
    dashboard = await graphql_dashboard(editor, body["id"])
    assert dashboard is not None
    assert dashboard["name"] == "Executive Summary"
    assert dashboard["description"] == "Key metrics and KPIs"
    assert dashboard["type"] == "executive"
    assert dashboard["refreshInterval"] == 60
    assert [(c["dashboardWidget"]["kind"], c["layout"]) for c in dashboard["cards"]] == [
        ("revenue_chart", {"x": 0, "y": 0, "w": 8, "h": 4}),
        ("active_subscriptions", {"x": 8, "y": 0, "w": 3, "h": 2}),
    ]


async def test_sizes_map_to_the_grid_left_to_right_wrapping_at_twelve_columns(
    editor: Caller,
) -> None:
    await library(editor, "a", "b", "c", "d", "e")
    widgets = [
        {"id": "w1", "type": "a", "size": "large"},
        {"id": "w2", "type": "b"},  # medium by default: does not fit after 8 columns
        {"id": "w3", "type": "c", "size": "small"},
        {"id": "w4", "type": "d", "size": "full"},
        {"id": "w5", "type": "e", "size": "small"},
    ]

    created = await create(editor, {"name": "Grid", "widgets": widgets})

    dashboard = await graphql_dashboard(editor, created["id"])
    assert dashboard is not None
    assert [c["layout"] for c in dashboard["cards"]] == [
        {"x": 0, "y": 0, "w": 8, "h": 4},
        {"x": 0, "y": 4, "w": 6, "h": 3},
        {"x": 6, "y": 4, "w": 3, "h": 2},
        {"x": 0, "y": 7, "w": 12, "h": 4},
        {"x": 0, "y": 11, "w": 3, "h": 2},
    ]
    body = await read(editor, created["id"])
    assert [(w["id"], w["size"]) for w in body["widgets"]] == [
        ("w1", "large"),
        ("w2", "medium"),
        ("w3", "small"),
        ("w4", "full"),
        ("w5", "small"),
    ]


async def test_create_with_only_a_name_and_type_has_no_widgets(editor: Caller) -> None:
    created = await create(editor, {"name": "Empty", "type": "sales"})

    body = await read(editor, created["id"])
    assert body["widgets"] == []
    assert body["type"] == "sales"
    assert body["refreshInterval"] is None
    assert body["description"] is None


async def test_a_taken_name_is_409_duplicate_dashboard_in_any_case(editor: Caller) -> None:
    await create(editor, {"name": "Sales Performance", "type": "sales"})
    before = await dashboard_count(editor)

    response = await editor.request(
        "POST", BASE, json={"name": " sales performance ", "type": "sales"}
    )

    assert_error(response, 409, "DUPLICATE_DASHBOARD", field="name")
    assert await dashboard_count(editor) == before


async def test_an_unknown_widget_type_is_400_invalid_widget_type_naming_it(
    editor: Caller,
) -> None:
    await library(editor, "revenue_chart")
    body = {
        "name": "Unknown",
        "type": "executive",
        "widgets": [
            {"id": "widget_1", "type": "revenue_chart"},
            {"id": "widget_2", "type": "churn_gauge"},
        ],
    }

    response = await editor.request("POST", BASE, json=body)

    error = assert_error(response, 400, "INVALID_WIDGET_TYPE", field="widgets[1].type")
    assert "churn_gauge" in error["message"]
    assert await dashboard_count(editor) == 0


async def test_a_widget_type_of_another_tenant_is_unknown(editor: Caller, outsider: Caller) -> None:
    await library(outsider, "revenue_chart")

    response = await editor.request(
        "POST", BASE, json={"name": "X", "widgets": [{"id": "w", "type": "revenue_chart"}]}
    )

    assert_error(response, 400, "INVALID_WIDGET_TYPE", field="widgets[0].type")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param(
            {"widgets": [{"id": "w1", "type": "a"}, {"id": "w2", "type": "a"}]},
            "DUPLICATE_IN_INPUT",
            "widgets[1].type",
            id="same-type-twice",
        ),
        pytest.param(
            {"widgets": [{"id": "w1", "type": "a"}, {"id": "w1", "type": "b"}]},
            "DUPLICATE_IN_INPUT",
            "widgets[1].id",
            id="same-id-twice",
        ),
        pytest.param(
            {"widgets": [{"id": "w1", "type": "a", "size": "huge"}]},
            "INVALID",
            "widgets[0].size",
            id="unknown-size",
        ),
        pytest.param(
            {"widgets": [{"id": " ", "type": "a"}]}, "REQUIRED", "widgets[0].id", id="blank-id"
        ),
        pytest.param(
            {"widgets": [{"id": "w1", "type": "a", "title": "t" * 101}]},
            "TOO_LONG",
            "widgets[0].title",
            id="long-title",
        ),
        pytest.param({"refreshInterval": 86_401}, "INVALID", "refreshInterval", id="refresh"),
        pytest.param({"refreshInterval": "60"}, "INVALID", "refreshInterval", id="refresh-str"),
        pytest.param({"type": "t" * 51}, "TOO_LONG", "type", id="long-type"),
        pytest.param({"name": " ", "type": "x"}, "REQUIRED", "name", id="blank-name"),
        pytest.param({"name": "a\x00b", "type": "x"}, "INVALID", "name", id="nul-in-name"),
        pytest.param({"type": "x", "colour": "red"}, "INVALID", "colour", id="unknown-member"),
        pytest.param({"widgets": {"id": "w1"}}, "INVALID", "widgets", id="widgets-not-a-list"),
    ],
)
async def test_bad_create_bodies_are_422_and_create_nothing(
    editor: Caller, body: dict[str, Any], code: str, field: str
) -> None:
    await library(editor, "a", "b")

    response = await editor.request("POST", BASE, json={"name": "Bad", **body})

    assert_error(response, 422, code, field=field)
    assert await dashboard_count(editor) == 0


async def test_more_widgets_than_a_dashboard_holds_are_refused(
    editor: Caller, services: Services
) -> None:
    most = services.settings.max_placements
    widgets = [{"id": f"w{i}", "type": f"k{i}"} for i in range(most + 1)]

    response = await editor.request("POST", BASE, json={"name": "Huge", "widgets": widgets})

    assert_error(response, 422, "INVALID", field="widgets")


@pytest.mark.parametrize("kind", ["Revenue Chart", "revenue-chart", "a\x00b", "x" * 61, ""])
async def test_a_type_no_widget_could_have_is_an_invalid_widget_type(
    editor: Caller, kind: str
) -> None:
    response = await editor.request(
        "POST", BASE, json={"name": "Odd", "widgets": [{"id": "w", "type": kind}]}
    )

    assert_error(response, 400, "INVALID_WIDGET_TYPE", field="widgets[0].type")


async def test_concurrent_creates_of_one_name_make_one_dashboard(editor: Caller) -> None:
    body = {"name": "Race", "type": "ops"}

    answers = await asyncio.gather(*(editor.request("POST", BASE, json=body) for _ in range(4)))

    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert await dashboard_count(editor) == 1


async def test_create_needs_dashboard_edit_and_a_valid_token(
    reader: Caller, http: httpx.AsyncClient, tenant: str
) -> None:
    body = {"name": "Nope", "type": "executive"}

    forbidden = await reader.request("POST", BASE, json=body)
    anonymous = await http.post(BASE, json=body)
    expired = await Caller(http, tenant, ttl=-100).request("POST", BASE, json=body)

    assert_error(forbidden, 403, "FORBIDDEN")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "UNAUTHENTICATED"
    assert expired.status_code == 401
    assert expired.json()["code"] == "UNAUTHENTICATED"


# --- read ------------------------------------------------------------------------------------


async def test_get_returns_every_widget_with_its_rendered_series(
    editor: Caller, services: Services, tenant: str
) -> None:
    await seed_sales(services, tenant)
    await library_widget(
        editor, "revenue_chart", name="Revenue", data_source={"sql": MONTHLY_REVENUE_SQL}
    )
    await library_widget(editor, "notes", name="Notes", widget_type="TEXT")
    await library_widget(
        editor, "broken_chart", name="Broken", data_source={"sql": "SELECT * FROM missing"}
    )
    created = await create(
        editor,
        {
            **EXECUTIVE_SUMMARY,
            "widgets": [
                {
                    "id": "widget_1",
                    "type": "revenue_chart",
                    "title": "Monthly Revenue",
                    "size": "large",
                },
                {"id": "widget_2", "type": "notes", "size": "small"},
                {"id": "widget_3", "type": "broken_chart", "title": "Broken", "size": "full"},
            ],
        },
    )

    response = await editor.request("GET", f"{BASE}/{created['id']}")

    assert response.status_code == 200, response.text
    body = response.json()
    broken = body["widgets"][2].pop("error")
    assert broken["code"] == "TILE_SQL_ERROR", broken
    assert body == {
        "id": created["id"],
        "name": "Executive Summary",
        "description": "Key metrics and KPIs",
        "type": "executive",
        "widgets": [
            {
                "id": "widget_1",
                "type": "revenue_chart",
                "title": "Monthly Revenue",
                "size": "large",
                "data": {"series": monthly_revenue()},
                "error": None,
            },
            {
                "id": "widget_2",
                "type": "notes",
                "title": "Notes",  # no title: the widget's name
                "size": "small",
                "data": None,  # a text widget has no data
                "error": None,
            },
            {
                "id": "widget_3",
                "type": "broken_chart",
                "title": "Broken",
                "size": "full",
                "data": None,
            },
        ],
        "refreshInterval": 60,
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }
    assert monthly_revenue()[0] == {"month": "Jan", "value": 200.5}


async def test_a_tile_added_by_another_dialect_gets_a_generated_id_and_its_type(
    editor: Caller,
) -> None:
    created = await create(editor, {"name": "Mixed", "type": "ops"})
    dashboard_id = database_id(created)
    card = await editor.request(
        "POST",
        f"{BASE}/{dashboard_id}/cards",
        json={"card_type": "text", "config": {}, "layout": {"x": 0, "y": 0, "w": 5, "h": 1}},
    )
    assert card.status_code == 201, card.text

    body = await read(editor, created["id"])

    assert body["widgets"] == [
        {
            "id": f"widget_{card.json()['card_id']}",
            "type": "text",
            "title": card.json()["name"],
            "size": None,  # 5 x 1 is none of the sizes
            "data": None,
            "error": None,
        }
    ]


async def test_tiles_on_every_page_get_their_data(
    editor: Caller, services: Services, tenant: str
) -> None:
    await seed_sales(services, tenant)
    await library_widget(editor, "revenue_chart", data_source={"sql": MONTHLY_REVENUE_SQL})
    created = await create(
        editor, {"name": "Paged", "widgets": [{"id": "first", "type": "revenue_chart"}]}
    )
    dashboard_id = database_id(created)
    page = await editor.request("POST", f"{BASE}/{dashboard_id}/pages", json={"name": "Two"})
    assert page.status_code == 201, page.text
    card = await editor.request(
        "POST",
        f"{BASE}/{dashboard_id}/cards",
        json={
            "card_type": "table",
            "config": {},
            "layout": {"x": 0, "y": 0, "w": 12, "h": 4},
            "page": 2,
            "data_source": {"sql": "SELECT count(*) AS orders FROM sales"},
        },
    )
    assert card.status_code == 201, card.text

    body = await read(editor, created["id"])

    assert [(w["id"], w["data"]) for w in body["widgets"]] == [
        ("first", {"series": monthly_revenue()}),
        (f"widget_{card.json()['card_id']}", {"series": [{"orders": len(SALES_ROWS)}]}),
    ]


async def test_plain_integer_ids_are_answered_by_seed_002(editor: Caller) -> None:
    created = await create(editor, {"name": "Both", "type": "ops"})

    seed_002 = await editor.request("GET", f"{BASE}/{database_id(created)}")
    seed_004 = await editor.request("GET", f"{BASE}/{created['id']}")

    assert seed_002.status_code == 200, seed_002.text
    assert seed_002.json()["id"] == database_id(created)
    assert {"code", "pages", "shares", "parameters"} <= set(seed_002.json())
    assert seed_004.status_code == 200, seed_004.text
    assert seed_004.json()["id"] == created["id"]
    assert seed_002.headers["etag"] == seed_004.headers["etag"]


@pytest.mark.parametrize(
    "key", ["dashboard_999999999", "dashboard_abc", "dashboard_", "dashboard_0"]
)
async def test_unknown_ids_are_404_dashboard_not_found(editor: Caller, key: str) -> None:
    for method in ("GET", "DELETE"):
        response = await editor.request(method, f"{BASE}/{key}")
        assert_error(response, 404, "DASHBOARD_NOT_FOUND")
    response = await editor.request("PUT", f"{BASE}/{key}", json={"name": "x"})
    assert_error(response, 404, "DASHBOARD_NOT_FOUND")


async def test_another_tenants_dashboard_is_404_on_every_route(
    editor: Caller, outsider: Caller
) -> None:
    created = await create(outsider, {"name": "Theirs", "type": "secret"})
    url = f"{BASE}/{created['id']}"

    assert_error(await editor.request("GET", url), 404, "DASHBOARD_NOT_FOUND")
    assert_error(await editor.request("PUT", url, json={"name": "x"}), 404, "DASHBOARD_NOT_FOUND")
    assert_error(await editor.request("DELETE", url), 404, "DASHBOARD_NOT_FOUND")
    assert (await read(outsider, created["id"]))["name"] == "Theirs"


async def test_every_route_refuses_missing_and_expired_tokens(
    editor: Caller, http: httpx.AsyncClient, tenant: str
) -> None:
    created = await create(editor, {"name": "Guarded", "type": "ops"})
    url = f"{BASE}/{created['id']}"
    expired = Caller(http, tenant, ttl=-100)

    for method, body in (("GET", None), ("PUT", {"name": "x"}), ("DELETE", None)):
        anonymous = await http.request(method, url, json=body)
        stale = await expired.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, anonymous.text)
        assert stale.status_code == 401, (method, stale.text)
        assert stale.json()["code"] == "UNAUTHENTICATED"
    assert (await read(editor, created["id"]))["name"] == "Guarded"


# --- update ----------------------------------------------------------------------------------


async def test_put_replaces_the_definition_and_every_widget(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions", "churn")
    created = await create(editor, EXECUTIVE_SUMMARY)
    before = await graphql_dashboard(editor, created["id"])
    assert before is not None

    response = await editor.request(
        "PUT",
        f"{BASE}/{created['id']}",
        json={
            "name": "Executive Summary - Updated",
            "description": "Updated key metrics and KPIs",
            "refreshInterval": 90,
            "widgets": [
                {
                    "id": "widget_1",
                    "type": "revenue_chart",
                    "title": "Quarterly Revenue",
                    "size": "large",
                },
                {"id": "widget_9", "type": "churn", "size": "medium"},
            ],
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id", "name", "updatedAt"}
    assert body["id"] == created["id"]
    assert body["name"] == "Executive Summary - Updated"
    assert TIMESTAMP.fullmatch(body["updatedAt"]), body
    after = await read(editor, created["id"])
    assert after["name"] == "Executive Summary - Updated"
    assert after["description"] == "Updated key metrics and KPIs"
    assert after["refreshInterval"] == 90
    assert after["type"] == "executive"
    assert [(w["id"], w["type"], w["title"], w["size"]) for w in after["widgets"]] == [
        ("widget_1", "revenue_chart", "Quarterly Revenue", "large"),
        ("widget_9", "churn", "Churn", "medium"),
    ]
    dashboard = await graphql_dashboard(editor, created["id"])
    assert dashboard is not None
    assert dashboard["version"] == before["version"] + 1
    assert len(dashboard["cards"]) == len(after["widgets"])


async def test_put_widgets_replace_tiles_on_every_page_and_go_on_the_first(
    editor: Caller, services: Services, tenant: str
) -> None:
    await library(editor, "revenue_chart")
    created = await create(editor, {"name": "Paged", "type": "ops"})
    dashboard_id = database_id(created)
    await editor.request("POST", f"{BASE}/{dashboard_id}/pages", json={"name": "Two"})
    for page in (1, 2):
        card = await editor.request(
            "POST",
            f"{BASE}/{dashboard_id}/cards",
            json={
                "card_type": "text",
                "config": {},
                "layout": {"x": 0, "y": 0, "w": 2, "h": 1},
                "page": page,
            },
        )
        assert card.status_code == 201, card.text

    response = await editor.request(
        "PUT", f"{BASE}/{created['id']}", json={"widgets": [{"id": "w", "type": "revenue_chart"}]}
    )

    assert response.status_code == 200, response.text
    data = await editor.graphql(
        "query($id: ID!) { dashboard(id: $id) { cards { page { position } } } }",
        {"id": str(dashboard_id)},
    )
    assert data["dashboard"]["cards"] == [{"page": {"position": 1}}]
    # The cards' own widgets went with them; the library widget stays.
    async with services.db.engine.connect() as conn:
        left = await conn.scalar(
            select(func.count())
            .select_from(dashboard_widgets)
            .where(dashboard_widgets.c.tenant_id == await services.tenants.id_for(tenant))
        )
    assert left == 1


async def test_concurrent_puts_leave_exactly_one_callers_widgets(editor: Caller) -> None:
    await library(editor, "a", "b", "c", "d")
    created = await create(editor, {"name": "Contested", "type": "ops"})
    lists = [
        [{"id": "x1", "type": "a"}, {"id": "x2", "type": "b"}],
        [{"id": "y1", "type": "c"}, {"id": "y2", "type": "d"}, {"id": "y3", "type": "a"}],
    ]

    answers = await asyncio.gather(
        *(
            editor.request("PUT", f"{BASE}/{created['id']}", json={"widgets": widgets})
            for widgets in lists * 3
        )
    )

    assert [a.status_code for a in answers] == [200] * 6
    final = [w["id"] for w in (await read(editor, created["id"]))["widgets"]]
    assert final in ([w["id"] for w in widgets] for widgets in lists)


async def test_put_without_widgets_keeps_them_and_accepts_a_plain_id(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")
    created = await create(editor, EXECUTIVE_SUMMARY)

    response = await editor.request(
        "PUT", f"{BASE}/{database_id(created)}", json={"refreshInterval": None}
    )

    assert response.status_code == 200, response.text
    assert response.json()["id"] == created["id"]
    after = await read(editor, created["id"])
    assert after["refreshInterval"] is None
    assert after["name"] == "Executive Summary"
    assert [w["id"] for w in after["widgets"]] == ["widget_1", "widget_2"]


async def test_put_with_an_empty_widget_list_removes_every_widget(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")
    created = await create(editor, EXECUTIVE_SUMMARY)

    response = await editor.request("PUT", f"{BASE}/{created['id']}", json={"widgets": []})

    assert response.status_code == 200, response.text
    assert (await read(editor, created["id"]))["widgets"] == []


async def test_a_failed_put_changes_nothing(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")
    created = await create(editor, EXECUTIVE_SUMMARY)
    await create(editor, {"name": "Taken", "type": "ops"})
    before = await read(editor, created["id"])
    url = f"{BASE}/{created['id']}"

    unknown_type = await editor.request(
        "PUT",
        url,
        json={
            "name": "Renamed",
            "refreshInterval": 5,
            "widgets": [
                {"id": "widget_1", "type": "revenue_chart"},
                {"id": "widget_2", "type": "no_such_widget"},
            ],
        },
    )
    taken_name = await editor.request(
        "PUT", url, json={"name": "TAKEN", "widgets": [{"id": "w", "type": "revenue_chart"}]}
    )
    bad_size = await editor.request(
        "PUT", url, json={"name": "Renamed", "widgets": [{"id": "w", "type": "x", "size": "xl"}]}
    )

    assert_error(unknown_type, 400, "INVALID_WIDGET_TYPE", field="widgets[1].type")
    assert_error(taken_name, 409, "DUPLICATE_DASHBOARD", field="name")
    assert_error(bad_size, 422, "INVALID", field="widgets[0].size")
    assert await read(editor, created["id"]) == before


async def test_put_refuses_bad_definitions_with_422(editor: Caller) -> None:
    created = await create(editor, {"name": "Strict", "type": "ops"})
    url = f"{BASE}/{created['id']}"

    nul = await editor.request("PUT", url, json={"name": "a\x00b"})
    blank = await editor.request("PUT", url, json={"name": None})
    refresh = await editor.request("PUT", url, json={"refreshInterval": -1})
    widgets = await editor.request("PUT", url, json={"widgets": None})

    assert_error(nul, 422, "INVALID", field="name")
    assert_error(blank, 422, "REQUIRED", field="name")
    assert_error(refresh, 422, "INVALID", field="refreshInterval")
    assert_error(widgets, 422, "INVALID", field="widgets")
    assert (await read(editor, created["id"]))["name"] == "Strict"


async def test_put_may_change_the_case_of_its_own_name(editor: Caller) -> None:
    created = await create(editor, {"name": "sales board", "type": "sales"})

    response = await editor.request("PUT", f"{BASE}/{created['id']}", json={"name": "Sales Board"})

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Sales Board"


async def test_put_takes_if_match(editor: Caller) -> None:
    created = await create(editor, {"name": "Versioned", "type": "ops"})
    url = f"{BASE}/{created['id']}"
    current = (await editor.request("GET", url)).headers["etag"]

    fresh = await editor.request("PUT", url, json={"name": "V2"}, headers={"If-Match": current})
    stale = await editor.request("PUT", url, json={"name": "V3"}, headers={"If-Match": current})

    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["etag"] != current
    body = assert_error(stale, 409, "VERSION_CONFLICT")
    assert f'"v{body["current_version"]}"' == fresh.headers["etag"]
    assert (await read(editor, created["id"]))["name"] == "V2"


async def test_put_needs_dashboard_edit(editor: Caller, reader: Caller) -> None:
    created = await create(editor, {"name": "Read only", "type": "ops"})

    response = await reader.request("PUT", f"{BASE}/{created['id']}", json={"name": "Mine"})

    assert_error(response, 403, "FORBIDDEN")
    assert (await read(editor, created["id"]))["name"] == "Read only"


# --- delete ----------------------------------------------------------------------------------


async def test_delete_answers_as_the_seed(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")
    created = await create(editor, EXECUTIVE_SUMMARY)

    response = await editor.request("DELETE", f"{BASE}/{created['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "message": "Dashboard deleted"}
    assert_error(await editor.request("GET", f"{BASE}/{created['id']}"), 404, "DASHBOARD_NOT_FOUND")
    assert await graphql_dashboard(editor, created["id"]) is None
    # Its library widgets stay in the library.
    widgets = await editor.graphql("{ dashboardWidgets { totalCount } }")
    assert widgets["dashboardWidgets"]["totalCount"] == 2


async def test_delete_of_a_plain_id_is_seed_002s_204(editor: Caller) -> None:
    created = await create(editor, {"name": "Plain", "type": "ops"})

    response = await editor.request("DELETE", f"{BASE}/{database_id(created)}")

    assert response.status_code == 204, response.text
    assert await graphql_dashboard(editor, created["id"]) is None


async def test_delete_is_for_the_owner_and_admins(
    editor: Caller, reader: Caller, admin: Caller
) -> None:
    created = await create(editor, {"name": "Owned", "type": "ops"})
    url = f"{BASE}/{created['id']}"
    other_editor = editor.peer(user="bob")

    assert_error(await reader.request("DELETE", url), 403, "FORBIDDEN")
    assert_error(await other_editor.request("DELETE", url), 403, "FORBIDDEN")
    assert (await admin.request("DELETE", url)).status_code == 200


# --- the routes shared with seeds 000 and 002 ------------------------------------------------


async def test_post_tells_the_three_dialects_apart_by_the_body(editor: Caller) -> None:
    envelope = {"data": {"type": "dashboards", "attributes": {"code": "ops", "name": "Ops"}}}

    seed_000 = await editor.request("POST", BASE, json=envelope)
    seed_002 = await editor.request("POST", BASE, json={"name": "Plain"})
    seed_004 = await editor.request("POST", BASE, json={"name": "Timed", "refreshInterval": 30})

    assert seed_000.status_code == 201, seed_000.text
    assert set(seed_000.json()) == {"id"}
    assert isinstance(seed_000.json()["id"], int)
    assert seed_002.status_code == 201, seed_002.text
    assert {"id", "code", "pages", "version"} <= set(seed_002.json())
    assert seed_004.status_code == 201, seed_004.text
    assert set(seed_004.json()) == {"id", "name", "type", "createdAt"}
    assert (await read(editor, seed_004.json()["id"]))["refreshInterval"] == 30


async def test_errors_of_shared_posts_come_in_each_dialects_words(editor: Caller) -> None:
    seed_002 = await editor.request("POST", BASE, json={"name": " "})
    seed_004 = await editor.request("POST", BASE, json={"name": " ", "type": "x"})

    assert seed_002.json()["error"] == "required"
    assert_error(seed_004, 422, "REQUIRED", field="name")


async def test_the_dashboards_are_the_same_in_graphql(editor: Caller) -> None:
    await library(editor, "revenue_chart", "active_subscriptions")
    created = await create(editor, EXECUTIVE_SUMMARY)

    rest = await read(editor, created["id"])
    dashboard = await graphql_dashboard(editor, created["id"])

    assert dashboard is not None
    assert dashboard["databaseId"] == database_id(created)
    assert dashboard["name"] == rest["name"]
    assert dashboard["type"] == rest["type"]
    assert dashboard["refreshInterval"] == rest["refreshInterval"]
    assert len(dashboard["cards"]) == len(rest["widgets"])
