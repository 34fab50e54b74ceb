"""The benchmark's scenarios: for each, the request to our service, the raw baseline's
equivalent (bench/baseline.py) and PostGraphile's (bench/postgraphile/documents.py). Our reads
select what a front end renders: names, types, configs, layouts, pages and shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from bench.fixture import Fixture
from bench.postgraphile.documents import postgraphile_request

PLACEMENTS = 200  # scenario 5 places this many library widgets, 1x1 each
GRID_COLUMNS = 12


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    ours: Request
    raw: Request | None
    postgraphile: Request | None
    write: bool = False


WIDGET_FIELDS = "id databaseId name widgetType description config dataSource kind updatedAt"

WIDGETS_QUERY = f"""query Widgets($first: Int!) {{
  dashboardWidgets(first: $first) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {WIDGET_FIELDS} }} }}
  }}
}}"""

CARD_FIELDS = """id databaseId layout { x y w h } cardType name config
        dashboardWidget { id databaseId dataSource kind }"""

DASHBOARD_QUERY = f"""query Dashboard($id: ID!) {{
  dashboard(id: $id) {{
    id databaseId code name description version isDefault visibility tags type
    refreshInterval updatedAt parameters
    pages {{
      id databaseId name position
      cards {{ {CARD_FIELDS} }}
    }}
    shares {{ id databaseId subjectType subjectId accessLevel grantedBy createdAt }}
  }}
}}"""

DASHBOARDS_QUERY = f"""query Dashboards($first: Int!) {{
  dashboards(first: $first) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{
      node {{
        id databaseId code name description version visibility tags type updatedAt
        cards {{ {CARD_FIELDS} }}
      }}
    }}
  }}
}}"""

PLACEMENTS_MUTATION = """mutation Place($input: SetDashboardWidgetPlacementsInput!) {
  setDashboardWidgetPlacements(input: $input) {
    dashboard { id databaseId version updatedAt }
    userErrors { field message code }
  }
}"""


def placements_input(fixture: Fixture) -> dict[str, Any]:
    """Every placement of the target replaced by 200 library widgets on non-overlapping 1x1
    cells of page 1 (the same list each time: a replace-all write)."""
    placements = [
        {
            "dashboardWidgetId": str(widget_id),
            "position": {"x": i % GRID_COLUMNS, "y": i // GRID_COLUMNS, "w": 1, "h": 1},
        }
        for i, widget_id in enumerate(fixture.widget_ids[:PLACEMENTS])
    ]
    return {"dashboardId": str(fixture.placements_target), "placements": placements}


def _headers(fixture: Fixture, token: str, *, json_body: bool) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": fixture.tenant}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


def _graphql(fixture: Fixture, token: str, query: str, variables: dict[str, Any]) -> Request:
    body = orjson.dumps({"query": query, "variables": variables})
    return Request("POST", "/graphql", body, _headers(fixture, token, json_body=True))


def _get(fixture: Fixture, token: str, path: str) -> Request:
    return Request("GET", path, None, _headers(fixture, token, json_body=False))


def _post(fixture: Fixture, token: str, path: str, body: dict[str, Any]) -> Request:
    return Request("POST", path, orjson.dumps(body), _headers(fixture, token, json_body=True))


def build_scenarios(fixture: Fixture, token: str) -> list[Scenario]:
    """Every scenario, in report order. The raw baseline takes the tenant from the same
    X-Clarus-Subdomain header and ignores the token."""
    f, t = fixture, token

    def graphql(query: str, variables: dict[str, Any]) -> Request:
        return _graphql(f, t, query, variables)

    def get(path: str) -> Request:
        return _get(f, t, path)

    def pg(key: str) -> Request | None:
        return postgraphile_request(key, f)

    placements = placements_input(f)
    return [
        Scenario(
            "1-widgets",
            "Widget listing (first 100 of the library)",
            graphql(WIDGETS_QUERY, {"first": 100}),
            get("/raw/widgets?first=100"),
            pg("1-widgets"),
        ),
        Scenario(
            "2-dashboard-50",
            "One dashboard: 50 cards with their widgets, 2 pages, 5 shares",
            graphql(DASHBOARD_QUERY, {"id": str(f.dashboard_50)}),
            get(f"/raw/dashboards/{f.dashboard_50}"),
            pg("2-dashboard-50"),
        ),
        Scenario(
            "3-dashboards-100",
            "dashboards(first: 100) with their cards and widgets",
            graphql(DASHBOARDS_QUERY, {"first": 100}),
            get("/raw/dashboards?first=100"),
            pg("3-dashboards-100"),
        ),
        Scenario(
            "4-dashboard-1000",
            "One dashboard with 1,000 cards (4 pages, 5 shares)",
            graphql(DASHBOARD_QUERY, {"id": str(f.dashboard_1000)}),
            get(f"/raw/dashboards/{f.dashboard_1000}"),
            pg("4-dashboard-1000"),
        ),
        Scenario(
            "5-placements-200",
            "setDashboardWidgetPlacements with 200 placements (replace all)",
            graphql(PLACEMENTS_MUTATION, {"input": placements}),
            _post(f, t, f"/raw/dashboards/{f.placements_target}/placements", placements),
            pg("5-placements-200"),
            write=True,
        ),
        Scenario(
            "6-render-cold",
            "Render of a 20-card dashboard, every card queried (cache_ttl_seconds 0)",
            get(f"/api/dashboards/{f.dashboard_render_cold}/render"),
            get(f"/raw/dashboards/{f.dashboard_render_cold}/render"),
            pg("6-render-cold"),
        ),
        Scenario(
            "6-render-cached",
            "Render of a 20-card dashboard from the tile cache (cache_ttl_seconds 300)",
            get(f"/api/dashboards/{f.dashboard_render_cached}/render"),
            # The raw baseline has no cache: its render of this dashboard is the cold one.
            None,
            pg("6-render-cached"),
        ),
        Scenario(
            "7-rest-dashboard-50",
            "REST: the 50-card dashboard's full configuration",
            get(f"/api/dashboards/{f.dashboard_50}"),
            get(f"/raw/rest/dashboards/{f.dashboard_50}"),
            pg("7-rest-dashboard-50"),
        ),
        Scenario(
            "7-rest-dashboards",
            "REST: the list of dashboards, 100 at a time",
            get("/api/dashboards?limit=100"),
            get("/raw/rest/dashboards?limit=100"),
            pg("7-rest-dashboards"),
        ),
    ]
