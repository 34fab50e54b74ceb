"""Tenant isolation: what tenant A holds is invisible and untouchable from tenant B, through
every query, mutation and REST route, even for B's admins and with A's exact ids."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import Caller, graphql_data
from tests.helpers import (
    DASHBOARD,
    DELETE_DASHBOARD,
    DELETE_WIDGET,
    SET_PLACEMENTS,
    UPDATE_DASHBOARD,
    UPDATE_WIDGET,
    create_dashboard,
    create_widget,
    place_widgets,
)

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Dashboard { code name }
    ... on DashboardWidget { name }
  }
}
"""

WIDGET = "query One($id: ID!) { dashboardWidget(id: $id) { id databaseId name config } }"

DASHBOARDS = """
query List($search: String) {
  dashboards(first: 100, search: $search) {
    totalCount edges { node { databaseId code name } }
  }
}
"""

WIDGETS = """
query List($search: String) {
  dashboardWidgets(first: 100, search: $search) {
    totalCount edges { node { databaseId name } }
  }
}
"""


@dataclass
class TenantA:
    """Tenant A's data, named with strings no other test uses."""

    owner: Caller
    dashboard: dict[str, Any]
    widget: dict[str, Any]
    secrets: list[str]


@dataclass
class Spy:
    """Tenant B's caller; keeps every response body it receives."""

    caller: Caller
    bodies: list[str] = field(default_factory=list)

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.caller.post_graphql(query, variables)
        self.bodies.append(response.text)
        return graphql_data(response)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.caller.request(method, url, **kwargs)
        self.bodies.append(response.text)
        return response

    def assert_saw_nothing_of(self, a: TenantA) -> None:
        for body in self.bodies:
            for secret in a.secrets:
                assert secret not in body, (secret, body)


@pytest.fixture
async def a(editor: Caller) -> TenantA:
    """Tenant A, the `editor`'s, with a dashboard and a widget placed on it."""
    marker = uuid.uuid4().hex[:12]
    code, name = f"secret-{marker}", f"Secret board {marker}"
    widget_name, widget_config = f"Secret widget {marker}", f"secret-config-{marker}"
    dashboard = await create_dashboard(
        editor, code=code, name=name, description=f"secret description {marker}"
    )
    widget = await create_widget(editor, name=widget_name, config={"query": widget_config})
    await place_widgets(
        editor, dashboard["id"], [widget["id"]], positions=[{"x": 1, "y": 2, "w": 3, "h": 4}]
    )
    return TenantA(
        owner=editor,
        dashboard=dashboard,
        widget=widget,
        secrets=[code, name, widget_name, widget_config, marker],
    )


@pytest.fixture
def b(outsider: Caller) -> Spy:
    """Tenant B: the `outsider`, an editor and admin of its own tenant."""
    return Spy(outsider)


async def snapshot(a: TenantA) -> dict[str, Any]:
    """A's dashboard and widget as A sees them."""
    dashboard = await a.owner.graphql(DASHBOARD, {"id": a.dashboard["id"]})
    widget = await a.owner.graphql(WIDGET, {"id": a.widget["id"]})
    assert dashboard["dashboard"] is not None
    assert widget["dashboardWidget"] is not None
    return {**dashboard, **widget}


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def ids_of(a: TenantA, kind: str) -> list[str]:
    """Every spelling of A's id: global and integer."""
    record = a.dashboard if kind == "dashboard" else a.widget
    return [record["id"], str(record["databaseId"])]


async def test_reads_from_another_tenant_find_nothing(a: TenantA, b: Spy) -> None:
    # given A's data, and B (an admin of its own tenant) with data of its own
    own_dashboard = await create_dashboard(b.caller)
    own_widget = await create_widget(b.caller)

    # when B reads A's things by every id, and lists its own
    for dashboard_id in ids_of(a, "dashboard"):
        assert (await b.graphql(DASHBOARD, {"id": dashboard_id}))["dashboard"] is None
    for widget_id in ids_of(a, "widget"):
        assert (await b.graphql(WIDGET, {"id": widget_id}))["dashboardWidget"] is None
    assert (await b.graphql(NODE, {"id": a.dashboard["id"]}))["node"] is None
    assert (await b.graphql(NODE, {"id": a.widget["id"]}))["node"] is None

    dashboards = (await b.graphql(DASHBOARDS))["dashboards"]
    widgets = (await b.graphql(WIDGETS))["dashboardWidgets"]
    searched_dashboards = (await b.graphql(DASHBOARDS, {"search": a.secrets[-1]}))["dashboards"]
    searched_widgets = (await b.graphql(WIDGETS, {"search": a.secrets[-1]}))["dashboardWidgets"]

    # then B sees only its own
    assert [e["node"]["databaseId"] for e in dashboards["edges"]] == [own_dashboard["databaseId"]]
    assert dashboards["totalCount"] == 1
    assert [e["node"]["databaseId"] for e in widgets["edges"]] == [own_widget["databaseId"]]
    assert widgets["totalCount"] == 1
    assert searched_dashboards == {"totalCount": 0, "edges": []}
    assert searched_widgets == {"totalCount": 0, "edges": []}
    b.assert_saw_nothing_of(a)


async def test_dashboard_mutations_from_another_tenant_are_not_found_and_change_nothing(
    a: TenantA, b: Spy
) -> None:
    # given
    before = await snapshot(a)
    b_widget = await create_widget(b.caller)

    for dashboard_id in ids_of(a, "dashboard"):
        # when
        updated = await b.graphql(
            UPDATE_DASHBOARD, {"input": {"id": dashboard_id, "name": "Pwned", "code": "pwned"}}
        )
        deleted = await b.graphql(DELETE_DASHBOARD, {"input": {"id": dashboard_id}})
        placed = await b.graphql(
            SET_PLACEMENTS,
            {
                "input": {
                    "dashboardId": dashboard_id,
                    "placements": [{"dashboardWidgetId": b_widget["id"]}],
                }
            },
        )
        cleared = await b.graphql(
            SET_PLACEMENTS, {"input": {"dashboardId": dashboard_id, "placements": []}}
        )

        # then
        assert updated["updateDashboard"]["dashboard"] is None
        assert error_codes(updated["updateDashboard"]) == ["NOT_FOUND"]
        assert deleted["deleteDashboard"]["deletedId"] is None
        assert error_codes(deleted["deleteDashboard"]) == ["NOT_FOUND"]
        for payload in (placed, cleared):
            assert payload["setDashboardWidgetPlacements"]["dashboard"] is None
            assert error_codes(payload["setDashboardWidgetPlacements"]) == ["NOT_FOUND"]

    assert await snapshot(a) == before
    b.assert_saw_nothing_of(a)


async def test_widget_mutations_from_another_tenant_are_not_found_and_change_nothing(
    a: TenantA, b: Spy
) -> None:
    # a widget that is not placed anywhere, so that deleting it would succeed in A
    loose = await create_widget(a.owner, name=f"Loose {a.secrets[-1]}")
    before = await snapshot(a)

    for widget in (a.widget, loose):
        for widget_id in (widget["id"], str(widget["databaseId"])):
            updated = await b.graphql(
                UPDATE_WIDGET, {"input": {"id": widget_id, "name": "Pwned", "config": {}}}
            )
            deleted = await b.graphql(DELETE_WIDGET, {"input": {"id": widget_id}})

            assert updated["updateDashboardWidget"]["dashboardWidget"] is None
            assert error_codes(updated["updateDashboardWidget"]) == ["NOT_FOUND"]
            assert deleted["deleteDashboardWidget"]["deletedId"] is None
            assert error_codes(deleted["deleteDashboardWidget"]) == ["NOT_FOUND"]

    assert await snapshot(a) == before
    still = await a.owner.graphql(WIDGET, {"id": loose["id"]})
    assert still["dashboardWidget"]["name"] == loose["name"]
    b.assert_saw_nothing_of(a)


async def test_placing_another_tenants_widget_is_an_unknown_reference(a: TenantA, b: Spy) -> None:
    # given
    b_dashboard = await create_dashboard(b.caller)
    b_widget = await create_widget(b.caller)

    for widget_id in ids_of(a, "widget"):
        # when B puts A's widget on B's own dashboard
        data = await b.graphql(
            SET_PLACEMENTS,
            {
                "input": {
                    "dashboardId": b_dashboard["id"],
                    "placements": [{"dashboardWidgetId": widget_id}],
                }
            },
        )

        # then
        payload = data["setDashboardWidgetPlacements"]
        assert payload["dashboard"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["placements", "0", "dashboardWidgetId"], "UNKNOWN_REFERENCE")
        ]

    # and mixed with one of B's own, only A's is refused, at its index
    mixed = await b.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": b_dashboard["id"],
                "placements": [
                    {"dashboardWidgetId": b_widget["id"]},
                    {"dashboardWidgetId": a.widget["id"]},
                ],
            }
        },
    )
    assert [
        (e["field"], e["code"]) for e in mixed["setDashboardWidgetPlacements"]["userErrors"]
    ] == [(["placements", "1", "dashboardWidgetId"], "UNKNOWN_REFERENCE")]
    mine = await b.graphql(DASHBOARD, {"id": b_dashboard["id"]})
    assert mine["dashboard"]["placements"] == []
    assert mine["dashboard"]["version"] == b_dashboard["version"]
    b.assert_saw_nothing_of(a)


async def test_rest_placements_on_another_tenants_dashboard_are_not_found(
    a: TenantA, b: Spy
) -> None:
    # given
    before = await snapshot(a)
    b_widget = await create_widget(b.caller)

    # when
    responses = [
        await b.request(
            "PUT",
            f"/api/dashboards/{a.dashboard['databaseId']}/widgets",
            json={"data": {"type": "dashboards", "attributes": {"placements": placements}}},
        )
        for placements in ([], [{"dashboard_widget_id": b_widget["databaseId"]}])
    ]

    # then
    for response in responses:
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "NOT_FOUND"
    assert await snapshot(a) == before
    b.assert_saw_nothing_of(a)


async def test_rest_placing_another_tenants_widget_is_refused(a: TenantA, b: Spy) -> None:
    # given
    b_dashboard = await create_dashboard(b.caller)

    # when
    response = await b.request(
        "PUT",
        f"/api/dashboards/{b_dashboard['databaseId']}/widgets",
        json={
            "data": {
                "type": "dashboards",
                "attributes": {"placements": [{"dashboard_widget_id": a.widget["databaseId"]}]},
            }
        },
    )

    # then
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "UNKNOWN_REFERENCE"
    assert body["field"] == "data.attributes.placements[0].dashboard_widget_id"
    mine = await b.graphql(DASHBOARD, {"id": b_dashboard["id"]})
    assert mine["dashboard"]["placements"] == []
    b.assert_saw_nothing_of(a)


async def test_the_same_token_cannot_reach_another_tenant_by_header(a: TenantA, b: Spy) -> None:
    # given B's token, pointed at A's tenant
    headers = {"X-Clarus-Subdomain": a.owner.tenant}

    # when
    graphql = await b.request(
        "POST",
        "/graphql",
        json={"query": DASHBOARD, "variables": {"id": a.dashboard["id"]}},
        headers=headers,
    )
    rest = await b.request(
        "PUT",
        f"/api/dashboards/{a.dashboard['databaseId']}/widgets",
        json={"data": {"type": "dashboards", "attributes": {"placements": []}}},
        headers=headers,
    )

    # then
    assert graphql.status_code == 403, graphql.text
    assert json.loads(graphql.text)["errors"][0]["extensions"]["code"] == "TENANT_FORBIDDEN"
    assert rest.status_code == 403, rest.text
    assert rest.json()["code"] == "TENANT_FORBIDDEN"
    b.assert_saw_nothing_of(a)
