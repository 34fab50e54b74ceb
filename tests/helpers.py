"""Small builders the tests share: GraphQL documents and data set-up through the API."""

from __future__ import annotations

import uuid
from typing import Any

from app.auth import Principal
from app.context import RequestContext
from app.services import Services
from tests.conftest import Caller

CREATE_DASHBOARD = """
mutation Create($input: CreateDashboardInput!) {
  createDashboard(input: $input) {
    dashboard { id databaseId code name description isActive isDefault roleIds ownerId version }
    userErrors { field message code }
  }
}
"""

CREATE_WIDGET = """
mutation CreateWidget($input: CreateDashboardWidgetInput!) {
  createDashboardWidget(input: $input) {
    dashboardWidget { id databaseId name widgetType description config }
    userErrors { field message code }
  }
}
"""

SET_PLACEMENTS = """
mutation Set($input: SetDashboardWidgetPlacementsInput!) {
  setDashboardWidgetPlacements(input: $input) {
    dashboard { id version placements { dashboardWidget { databaseId } position { x y w h } } }
    userErrors { field message code }
  }
}
"""

UPDATE_DASHBOARD = """
mutation Update($input: UpdateDashboardInput!) {
  updateDashboard(input: $input) {
    dashboard { databaseId code name description isActive isDefault roleIds version }
    userErrors { field message code }
  }
}
"""

DELETE_DASHBOARD = """
mutation Delete($input: DeleteDashboardInput!) {
  deleteDashboard(input: $input) { deletedId userErrors { field message code } }
}
"""

UPDATE_WIDGET = """
mutation UpdateWidget($input: UpdateDashboardWidgetInput!) {
  updateDashboardWidget(input: $input) {
    dashboardWidget { id databaseId name widgetType description config }
    userErrors { field message code }
  }
}
"""

DELETE_WIDGET = """
mutation DeleteWidget($input: DeleteDashboardWidgetInput!) {
  deleteDashboardWidget(input: $input) { deletedId userErrors { field message code } }
}
"""

DASHBOARD_COUNT = "{ dashboards { totalCount } }"

DASHBOARD = """
query One($id: ID!) {
  dashboard(id: $id) {
    id databaseId code name isDefault roleIds version
    placements { dashboardWidget { databaseId name } position { x y w h } }
  }
}
"""


async def create_dashboard(caller: Caller, **fields: Any) -> dict[str, Any]:
    values = {"code": fields.pop("code", None) or f"d-{uuid.uuid4().hex[:10]}", "name": "A board"}
    values.update(fields)
    data = await caller.graphql(CREATE_DASHBOARD, {"input": values})
    payload = data["createDashboard"]
    assert payload["userErrors"] == [], payload["userErrors"]
    dashboard: dict[str, Any] = payload["dashboard"]
    return dashboard


async def create_widget(
    caller: Caller, name: str = "Revenue", widget_type: str = "BAR_CHART", **fields: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        CREATE_WIDGET, {"input": {"name": name, "widgetType": widget_type, **fields}}
    )
    payload = data["createDashboardWidget"]
    assert payload["userErrors"] == [], payload["userErrors"]
    widget: dict[str, Any] = payload["dashboardWidget"]
    return widget


async def placed_widget_ids(caller: Caller, dashboard_id: str) -> list[int]:
    data = await caller.graphql(DASHBOARD, {"id": dashboard_id})
    return [p["dashboardWidget"]["databaseId"] for p in data["dashboard"]["placements"]]


async def place_widgets(
    caller: Caller,
    dashboard_id: str,
    widget_ids: list[str],
    positions: list[dict[str, int] | None] | None = None,
) -> dict[str, Any]:
    """Replace the dashboard's placements with `widget_ids` (global ids), in that order; a
    position of None (or no `positions` at all) sends no position for that widget."""
    placements: list[dict[str, Any]] = [{"dashboardWidgetId": w} for w in widget_ids]
    for placement, position in zip(
        placements, positions if positions is not None else [None] * len(placements), strict=True
    ):
        if position is not None:
            placement["position"] = position
    data = await caller.graphql(
        SET_PLACEMENTS, {"input": {"dashboardId": dashboard_id, "placements": placements}}
    )
    payload = data["setDashboardWidgetPlacements"]
    assert payload["userErrors"] == [], payload["userErrors"]
    dashboard: dict[str, Any] = payload["dashboard"]
    return dashboard


async def context_for(
    services: Services, tenant: str, *, user: str = "alice", scopes: tuple[str, ...] = ()
) -> RequestContext:
    """A domain RequestContext for a caller of `tenant`, as authentication would build it."""
    principal = Principal(user, frozenset({tenant}), frozenset(), frozenset(), frozenset(scopes))
    tenant_id = await services.tenants.id_for(tenant)
    return RequestContext(
        principal=principal,
        tenant_name=tenant,
        tenant_id=tenant_id,
        db=services.db.for_tenant(tenant_id),
        settings=services.settings,
        request_id="test",
        data=services.data,
    )
