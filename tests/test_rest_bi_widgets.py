"""Widgets of the seed-003 dialect (`/api/v1/bi/dashboards/{id}/widgets`): add, update and
delete on the 12-column grid, with SQL data sources; and the dashboard's filters applied when
its widgets render, one test per operator over tests/tile_data.SALES_ROWS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services import Services
from tests.conftest import Caller
from tests.test_rest_bi import BASE, assert_error, new_dashboard, read
from tests.tile_data import seed_sales

REVENUE_BY_REGION = "SELECT region, sum(revenue) AS revenue FROM sales GROUP BY region"
ALL_SALES = "SELECT region, product, order_date, revenue, units FROM sales ORDER BY order_date"
CHART = {
    "name": "Revenue by Region",
    "widget_type": "bar_chart",
    "position": {"x": 0, "y": 0, "width": 6, "height": 4},
    "data_source": {"sql": REVENUE_BY_REGION, "cache_ttl_seconds": 300},
    "config": {"x_axis": "region", "y_axis": "revenue", "color_scheme": "blue"},
}


# --- helpers ---------------------------------------------------------------------------------


async def add_widget(caller: Caller, dashboard_id: str, **fields: Any) -> dict[str, Any]:
    response = await caller.request(
        "POST", f"{BASE}/{dashboard_id}/widgets", json={**CHART, **fields}
    )
    assert response.status_code == 201, response.text
    widget: dict[str, Any] = response.json()
    return widget


def widget_url(dashboard_id: str, widget_id: str) -> str:
    return f"{BASE}/{dashboard_id}/widgets/{widget_id}"


async def rows(caller: Caller, dashboard_id: str, widget: dict[str, Any]) -> list[dict[str, Any]]:
    """The widget's rows as the seed-002 render route computes them; it must not fail."""
    response = await caller.request("GET", f"/api/dashboards/{dashboard_id}/render")
    assert response.status_code == 200, response.text
    card = next(c for c in response.json()["cards"] if str(c["card_id"]) == widget["id"])
    assert card["error"] is None, card
    found: list[dict[str, Any]] = card["data"]["rows"]
    return found


# --- add -------------------------------------------------------------------------------------


async def test_a_widget_is_added_on_the_grid(editor: Caller) -> None:
    # given
    dashboard = await new_dashboard(editor)

    # when
    response = await editor.request("POST", f"{BASE}/{dashboard['id']}/widgets", json=CHART)

    # then
    assert response.status_code == 201, response.text
    widget = response.json()
    assert widget["id"].isdigit()
    assert widget == {
        "id": widget["id"],
        "name": "Revenue by Region",
        "widget_type": "bar_chart",
        "position": {"x": 0, "y": 0, "width": 6, "height": 4},
        "data_source": {"sql": REVENUE_BY_REGION, "cache_ttl_seconds": 300},
        "config": {"x_axis": "region", "y_axis": "revenue", "color_scheme": "blue"},
    }
    after = await read(editor, dashboard["id"])
    assert (after["widget_count"], after["widgets"]) == (1, [widget])


@pytest.mark.parametrize(
    "widget_type",
    [
        "bar_chart",
        "line_chart",
        "pie_chart",
        "area_chart",
        "scatter_plot",
        "kpi_card",
        "table",
        "heatmap",
        "text",
    ],
)
async def test_each_of_the_seeds_widget_types_is_accepted(editor: Caller, widget_type: str) -> None:
    dashboard = await new_dashboard(editor)

    widget = await add_widget(
        editor, dashboard["id"], widget_type=widget_type, config={}, data_source=None
    )

    assert (widget["widget_type"], widget["data_source"]) == (widget_type, None)


async def test_a_widget_without_data_source_or_config_gets_none(editor: Caller) -> None:
    dashboard = await new_dashboard(editor)

    response = await editor.request(
        "POST",
        f"{BASE}/{dashboard['id']}/widgets",
        json={
            "name": "Notes",
            "widget_type": "text",
            "position": {"x": 0, "y": 0, "width": 12, "height": 1},
        },
    )

    assert response.status_code == 201, response.text
    assert (response.json()["data_source"], response.json()["config"]) == (None, {})


async def test_a_widget_changes_type(editor: Caller) -> None:
    # given a bar chart widget
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])

    # when it becomes a pie chart with a config for one
    response = await editor.request(
        "PUT",
        widget_url(dashboard["id"], widget["id"]),
        json={"widget_type": "pie_chart", "config": {"label": "region", "value": "revenue"}},
    )

    # then
    assert response.status_code == 200, response.text
    assert response.json()["widget_type"] == "pie_chart"
    assert response.json()["config"] == {"label": "region", "value": "revenue"}
    assert (await read(editor, dashboard["id"]))["widgets"][0] == response.json()


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"widget_type": "gauge"}, 422, "INVALID", "widget_type"),
        ({"name": " "}, 422, "REQUIRED", "name"),
        (
            {"position": {"x": 10, "y": 0, "width": 6, "height": 4}},
            422,
            "INVALID",
            "position.width",
        ),
        (
            {"position": {"x": 0, "y": 0, "width": 13, "height": 4}},
            422,
            "INVALID",
            "position.width",
        ),
        ({"position": {"x": -1, "y": 0, "width": 6, "height": 4}}, 422, "INVALID", "position.x"),
        (
            {"position": {"x": 0, "y": 0, "width": 6, "height": 0}},
            422,
            "INVALID",
            "position.height",
        ),
        ({"position": {"x": 0, "y": 0, "w": 6, "h": 4}}, 422, "INVALID", None),
        (
            {"position": {"x": 3, "y": 2, "width": 6, "height": 4}},
            409,
            "CARD_POSITION_CONFLICT",
            None,
        ),
        ({"data_source": {"sql": "DELETE FROM sales"}}, 422, "INVALID", "data_source.sql"),
        (
            {"data_source": {"sql": "SELECT 1", "cache_ttl_seconds": -1}},
            422,
            "INVALID",
            "data_source.cache_ttl_seconds",
        ),
        ({"config": {"show_legend": "yes"}}, 422, "INVALID_CARD_CONFIG", "config.show_legend"),
        ({"config": []}, 422, "INVALID", "config"),
    ],
)
async def test_a_bad_widget_is_refused_where_it_is_wrong(
    editor: Caller, changes: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    # given a dashboard with a widget on the right half, where CHART's position is free
    dashboard = await new_dashboard(editor)
    await add_widget(
        editor,
        dashboard["id"],
        data_source=None,
        position={"x": 6, "y": 0, "width": 6, "height": 4},
    )

    # when
    response = await editor.request(
        "POST", f"{BASE}/{dashboard['id']}/widgets", json={**CHART, **changes}
    )

    # then
    assert_error(response, status, code, field)
    assert (await read(editor, dashboard["id"]))["widget_count"] == 1


# --- update and delete -----------------------------------------------------------------------


async def test_a_widget_is_renamed_moved_reconfigured_and_given_new_data(editor: Caller) -> None:
    # given
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])
    source = {"sql": "SELECT region FROM sales", "cache_ttl_seconds": 60}

    # when
    response = await editor.request(
        "PUT",
        widget_url(dashboard["id"], widget["id"]),
        json={
            "name": "Regions",
            "widget_type": "bar_chart",
            "position": {"x": 6, "y": 1, "width": 6, "height": 2},
            "data_source": source,
            "config": {"x_axis": "region"},
        },
    )

    # then
    assert response.status_code == 200, response.text
    expected = {
        "id": widget["id"],
        "name": "Regions",
        "widget_type": "bar_chart",
        "position": {"x": 6, "y": 1, "width": 6, "height": 2},
        "data_source": source,
        "config": {"x_axis": "region"},
    }
    assert response.json() == expected
    assert (await read(editor, dashboard["id"]))["widgets"] == [expected]


async def test_an_update_changes_only_what_it_sends(editor: Caller) -> None:
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])

    response = await editor.request(
        "PUT", widget_url(dashboard["id"], widget["id"]), json={"name": "Renamed"}
    )

    assert response.status_code == 200, response.text
    assert response.json() == {**widget, "name": "Renamed"}


async def test_a_data_source_can_be_cleared(editor: Caller) -> None:
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])

    response = await editor.request(
        "PUT", widget_url(dashboard["id"], widget["id"]), json={"data_source": None}
    )

    assert response.status_code == 200, response.text
    assert response.json()["data_source"] is None


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        (
            {"widget_type": "scatter_plot", "config": {"y_axis": ["a", "b"]}},
            422,
            "INVALID_CARD_CONFIG",
            "config.y_axis",
        ),
        ({"widget_type": "gauge"}, 422, "INVALID", "widget_type"),
        ({"position": None}, 422, "REQUIRED", "position"),
        ({"position": {"x": 8, "y": 0, "width": 6, "height": 1}}, 422, "INVALID", "position.width"),
        (
            {"position": {"x": 0, "y": 4, "width": 6, "height": 1}},
            409,
            "CARD_POSITION_CONFLICT",
            None,
        ),
        ({"data_source": {"sql": "UPDATE sales SET units = 0"}}, 422, "INVALID", "data_source.sql"),
        ({"name": None}, 422, "REQUIRED", "name"),
    ],
)
async def test_a_bad_widget_update_is_refused_and_changes_nothing(
    editor: Caller, changes: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    # given two widgets, one below the other
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])
    await add_widget(editor, dashboard["id"], position={"x": 0, "y": 4, "width": 12, "height": 2})

    # when
    response = await editor.request("PUT", widget_url(dashboard["id"], widget["id"]), json=changes)

    # then
    assert_error(response, status, code, field)
    assert (await read(editor, dashboard["id"]))["widgets"][0] == widget


async def test_a_widget_is_deleted(editor: Caller) -> None:
    # given
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"])

    # when
    response = await editor.request("DELETE", widget_url(dashboard["id"], widget["id"]))

    # then
    assert response.status_code == 204, response.text
    after = await read(editor, dashboard["id"])
    assert (after["widget_count"], after["widgets"]) == (0, [])
    again = await editor.request("DELETE", widget_url(dashboard["id"], widget["id"]))
    assert_error(again, 404, "NOT_FOUND")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("widget_id", ["w-1", "0", "999999999"])
async def test_a_widget_the_dashboard_lacks_is_not_found(
    editor: Caller, method: str, widget_id: str
) -> None:
    dashboard = await new_dashboard(editor)

    response = await editor.request(
        method, widget_url(dashboard["id"], widget_id), json={"name": "X"}
    )

    assert_error(response, 404, "NOT_FOUND")


async def test_a_widget_of_another_dashboard_is_not_found(editor: Caller) -> None:
    # given
    first = await new_dashboard(editor, "First")
    second = await new_dashboard(editor, "Second")
    widget = await add_widget(editor, first["id"])

    # when
    response = await editor.request(
        "PUT", widget_url(second["id"], widget["id"]), json={"name": "Moved"}
    )

    # then
    assert_error(response, 404, "NOT_FOUND")
    assert (await read(editor, first["id"]))["widgets"] == [widget]


# --- who may ---------------------------------------------------------------------------------

WIDGET_ROUTES = [("POST", False, CHART), ("PUT", True, {"name": "X"}), ("DELETE", True, None)]


@pytest.mark.parametrize(("method", "on_widget", "body"), WIDGET_ROUTES)
async def test_a_member_without_dashboard_edit_may_not_change_widgets(
    editor: Caller, reader: Caller, method: str, on_widget: bool, body: dict[str, Any] | None
) -> None:
    # given
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"], data_source=None)
    url = (
        widget_url(dashboard["id"], widget["id"])
        if on_widget
        else f"{BASE}/{dashboard['id']}/widgets"
    )

    # when
    response = await reader.request(method, url, json=body)

    # then
    assert_error(response, 403, "FORBIDDEN")
    assert (await read(editor, dashboard["id"]))["widgets"] == [widget]


@pytest.mark.parametrize(("method", "on_widget", "body"), WIDGET_ROUTES)
@pytest.mark.parametrize("who", ["another tenant", "a member without a grant"])
async def test_widgets_of_a_dashboard_the_caller_cannot_see_are_not_found(
    editor: Caller,
    outsider: Caller,
    method: str,
    on_widget: bool,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    # given
    dashboard = await new_dashboard(editor, visibility="private")
    widget = await add_widget(editor, dashboard["id"], data_source=None)
    url = (
        widget_url(dashboard["id"], widget["id"])
        if on_widget
        else f"{BASE}/{dashboard['id']}/widgets"
    )
    caller = outsider if who == "another tenant" else editor.peer(user="bob")

    # when
    response = await caller.request(method, url, json=body)

    # then
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(("method", "on_widget", "body"), WIDGET_ROUTES)
@pytest.mark.parametrize("token", ["none", "expired"])
async def test_widget_routes_need_a_valid_token(
    editor: Caller,
    http: httpx.AsyncClient,
    method: str,
    on_widget: bool,
    body: dict[str, Any] | None,
    token: str,
) -> None:
    # given
    dashboard = await new_dashboard(editor)
    widget = await add_widget(editor, dashboard["id"], data_source=None)
    url = (
        widget_url(dashboard["id"], widget["id"])
        if on_widget
        else f"{BASE}/{dashboard['id']}/widgets"
    )
    headers = {"X-Clarus-Subdomain": editor.tenant}
    if token == "expired":
        headers = Caller(http, editor.tenant, ttl=-100).headers

    # when
    response = await http.request(method, url, json=body, headers=headers)

    # then
    assert_error(response, 401, "UNAUTHENTICATED")


# --- filters are real ------------------------------------------------------------------------


async def test_a_dashboard_filter_narrows_what_its_widgets_render(
    editor: Caller, services: Services
) -> None:
    # given
    await seed_sales(services, editor.tenant)
    dashboard = await new_dashboard(
        editor, filters=[{"field": "region", "operator": "in", "values": ["EU"]}]
    )
    widget = await add_widget(editor, dashboard["id"], data_source={"sql": REVENUE_BY_REGION})

    # when
    rendered = await rows(editor, dashboard["id"], widget)

    # then
    assert rendered == [{"region": "EU", "revenue": 200.5}]


def sale(region: str, product: str, day: str, revenue: float, units: int) -> dict[str, Any]:
    return {
        "region": region,
        "product": product,
        "order_date": day,
        "revenue": revenue,
        "units": units,
    }


EU_WIDGET = sale("EU", "Widget", "2026-01-05", 120.5, 3)
EU_GADGET = sale("EU", "Gadget", "2026-01-20", 80.0, 1)
US_WIDGET = sale("US", "Widget", "2026-02-02", 200.0, 5)
US_GIZMO = sale("US", "Gizmo", "2026-02-14", 45.25, 2)
APAC_GADGET = sale("APAC", "Gadget", "2026-03-01", 60.0, 2)
APAC_WIDGET = sale("APAC", "Widget", "2026-03-15", 99.75, 4)


@pytest.mark.parametrize(
    ("field", "operator", "values", "expected"),
    [
        ("region", "eq", ["US"], [US_WIDGET, US_GIZMO]),
        ("region", "neq", ["US"], [EU_WIDGET, EU_GADGET, APAC_GADGET, APAC_WIDGET]),
        ("product", "in", ["Gadget", "Gizmo"], [EU_GADGET, US_GIZMO, APAC_GADGET]),
        ("units", "gt", [3], [US_WIDGET, APAC_WIDGET]),
        ("revenue", "gte", [99.75], [EU_WIDGET, US_WIDGET, APAC_WIDGET]),
        ("revenue", "lt", [60], [US_GIZMO]),
        ("revenue", "lte", [60], [US_GIZMO, APAC_GADGET]),
        ("units", "between", [2, 3], [EU_WIDGET, US_GIZMO, APAC_GADGET]),
        ("product", "contains", ["ADG"], [EU_GADGET, APAC_GADGET]),
        ("order_date", "between", ["2026-02-01", "2026-02-28"], [US_WIDGET, US_GIZMO]),
    ],
)
async def test_each_filter_operator_selects_exactly_its_rows(
    editor: Caller,
    services: Services,
    field: str,
    operator: str,
    values: list[Any],
    expected: list[dict[str, Any]],
) -> None:
    # given
    await seed_sales(services, editor.tenant)
    dashboard = await new_dashboard(
        editor, filters=[{"field": field, "operator": operator, "values": values}]
    )
    widget = await add_widget(
        editor, dashboard["id"], widget_type="table", config={}, data_source={"sql": ALL_SALES}
    )

    # when
    rendered = await rows(editor, dashboard["id"], widget)

    # then
    assert rendered == expected


async def test_filters_replaced_by_an_update_apply_at_the_next_render(
    editor: Caller, services: Services
) -> None:
    # given
    await seed_sales(services, editor.tenant)
    dashboard = await new_dashboard(
        editor, filters=[{"field": "region", "operator": "eq", "values": ["EU"]}]
    )
    widget = await add_widget(editor, dashboard["id"], data_source={"sql": REVENUE_BY_REGION})
    assert await rows(editor, dashboard["id"], widget) == [{"region": "EU", "revenue": 200.5}]

    # when
    response = await editor.request(
        "PUT",
        f"{BASE}/{dashboard['id']}",
        json={"filters": [{"field": "region", "operator": "eq", "values": ["APAC"]}]},
    )

    # then
    assert response.status_code == 200, response.text
    assert await rows(editor, dashboard["id"], widget) == [{"region": "APAC", "revenue": 159.75}]
