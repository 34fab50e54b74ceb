"""The GraphQL documents PostGraphile 5 (amber preset) serves in the benchmark: the same reads as
our scenarios 1 to 4, over the same tables, in PostGraphile's inflection of them.

The selections mirror bench/scenarios.py (WIDGETS_QUERY, DASHBOARD_QUERY, DASHBOARDS_QUERY)
field for field, JSON configs and data sources included; the rows match (the tenant's library
widgets; a dashboard's pages with the cards on each and its share grants; the tenant's first 100
dashboards with all their cards), in the same order (widgets and dashboards by id, pages by
position, cards by ordinal then id, grants by id), with `totalCount` and `pageInfo` on both
listings as ours.

PostGraphile does LESS work than our API, and the ratios should be read with that in mind:

- It knows nothing of our tenants, tokens or access rules. It verifies no token, resolves no
  tenant, and applies no visibility check (owner, share grants, roles, `visibility`, active):
  the tenant is an argument of the query (`condition: {tenantId}` or the composite key
  `(tenantId, rowId)`), which is the whole of its tenancy filter. Its listing counts the
  tenant's rows; ours counts the rows the caller may see.
- It returns columns as stored: a card's `position` is the raw JSONB (ours: a typed
  `layout {x y w h}`, null for `{}`), `widgetType`/`visibility`/`subjectType`/`accessLevel` are
  plain strings (ours: enums), and a card's name, type and config are read on its widget
  (ours: resolved on the card).
- Its whole document compiles to one SQL statement (PostgreSQL builds the nested arrays).

Inflection under amber: a table's `id` column is `rowId` (`id` is the node id); a composite
primary key is looked up with `<table>ByTenantIdAndRowId`; relations through the composite
foreign keys are `<targets>By<Fk columns>` (e.g. `dashboardPagesByTenantIdAndDashboardId`);
`condition` and `orderBy` exist only on indexed columns, and graphile.config.mjs marks
`dashboard_widgets.in_library` filterable (a smart tag in PostGraphile's config, not a database
change) so that the widget listing can leave cards' private widgets out as ours does. BigInt
arguments are sent as strings (PostGraphile's BigInt scalar).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when called: bench.scenarios imports this module
    from bench.fixture import Fixture
    from bench.scenarios import Request

GRAPHQL_PATH = "/graphql"

# A card (a placement): its place on the grid and the widget behind it, whose name, type and
# config are the card's. Ours: `id databaseId layout {x y w h} cardType name config
# dashboardWidget {id databaseId dataSource kind}`.
_CARD = """
            id
            rowId
            position
            dashboardWidgetByTenantIdAndWidgetId {
              id
              rowId
              name
              widgetType
              config
              dataSource
              kind
            }"""

# One dashboard as a page load needs it: its fields, its pages (tabs) in order with the cards on
# each, and whom it is shared with (bench/scenarios.py DASHBOARD_QUERY).
_ONE_DASHBOARD = (
    """query Dashboard($tenantId: BigInt!, $id: BigInt!) {
  dashboardByTenantIdAndRowId(tenantId: $tenantId, rowId: $id) {
    id
    rowId
    code
    name
    description
    version
    isDefault
    visibility
    tags
    type
    refreshInterval
    updatedAt
    parameters
    dashboardPagesByTenantIdAndDashboardId(orderBy: POSITION_ASC) {
      nodes {
        id
        rowId
        name
        position
        dashboardWidgetPlacementsByTenantIdAndPageId(orderBy: [ORDINAL_ASC, ROW_ID_ASC]) {
          nodes {"""
    + _CARD
    + """
          }
        }
      }
    }
    shareGrantsByTenantIdAndDashboardId(orderBy: ROW_ID_ASC) {
      nodes {
        id
        rowId
        subjectType
        subjectId
        accessLevel
        grantedBy
        createdAt
      }
    }
  }
}
"""
)

DOCUMENTS: dict[str, str] = {
    # (1) The tenant's widget library, first 100, in creation (id) order, with the total and the
    # page info; a card's private widget (in_library false) is not in the library.
    "1-widgets": """query Widgets($tenantId: BigInt!) {
  allDashboardWidgets(
    first: 100
    condition: {tenantId: $tenantId, inLibrary: true}
    orderBy: PRIMARY_KEY_ASC
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        rowId
        name
        widgetType
        description
        config
        dataSource
        kind
        updatedAt
      }
    }
  }
}
""",
    # (2) The typical page load: one dashboard (50 cards on 2 pages, 5 shares).
    "2-dashboard-50": _ONE_DASHBOARD,
    # (3) The tenant's first 100 dashboards, each with all its cards (placements by ordinal) and
    # their widgets, with the total and the page info.
    "3-dashboards-100": (
        """query Dashboards($tenantId: BigInt!) {
  allDashboards(first: 100, condition: {tenantId: $tenantId}, orderBy: PRIMARY_KEY_ASC) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        rowId
        code
        name
        description
        version
        visibility
        tags
        type
        updatedAt
        dashboardWidgetPlacementsByTenantIdAndDashboardId(orderBy: [ORDINAL_ASC, ROW_ID_ASC]) {
          nodes {"""
        + _CARD
        + """
          }
        }
      }
    }
  }
}
"""
    ),
    # (4) The same page load on a 1,000-card dashboard (4 pages, 5 shares).
    "4-dashboard-1000": _ONE_DASHBOARD,
}


def variables(key: str, fixture: Fixture) -> dict[str, str] | None:
    """The document's variables for this fixture (BigInts as strings); None for a scenario
    PostGraphile does not serve."""
    tenant = str(fixture.tenant_id)
    if key == "1-widgets" or key == "3-dashboards-100":
        return {"tenantId": tenant}
    if key == "2-dashboard-50":
        return {"tenantId": tenant, "id": str(fixture.dashboard_50)}
    if key == "4-dashboard-1000":
        return {"tenantId": tenant, "id": str(fixture.dashboard_1000)}
    return None


def body(key: str, fixture: Fixture) -> bytes | None:
    """The POST /graphql body for `key`, or None when PostGraphile has no equivalent."""
    values = variables(key, fixture)
    if key not in DOCUMENTS or values is None:
        return None
    return json.dumps({"query": DOCUMENTS[key], "variables": values}).encode()


def postgraphile_request(key: str, fixture: Fixture) -> Request | None:
    """The request PostGraphile serves for scenario `key` (POST /graphql, no token: it checks
    none), or None for the scenarios it has no equivalent of (writes, render, REST)."""
    from bench.scenarios import Request

    payload = body(key, fixture)
    if payload is None:
        return None
    return Request(
        method="POST",
        path=GRAPHQL_PATH,
        body=payload,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
