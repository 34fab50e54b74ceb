"""Tenancy and authorization of every operation added for tile data and the seed-003/004
dialects, as one table: each operation (GraphQL field or REST route) against each kind of
caller that must not get through.

Callers: no token and an expired token (401); an editor and admin of another tenant whose
`sub` is the owner's, acting on this tenant's objects by id (not found: REST 404 with the
dialect's code, GraphQL null or a NOT_FOUND userError; a list without this tenant's objects;
a create naming this tenant's table, dataset or widget kind is refused as unknown, one naming
nothing of it lands in the caller's own tenant); a member without `dashboard.edit` or grants
(403 / FORBIDDEN for writes, the documented answer for reads); for the owner-or-admin
operations another editor (403); and for reads of a `private` dashboard, members without a
grant (not found).

Besides the answer, every cell checks that it shows nothing it must not (to another tenant or
without a valid token: none of this tenant's names, nor its public link's slug; to a member:
nothing of the private dashboard), shows a member what a read is for, and left the tenant's
admin seeing exactly the same datasets, dashboards, cards, widgets, grants, public links and
assignments. The tenant (`World`, made through the API by `build_world`) is built once and
shared by the cells for speed; a cell that changed it discards it, so the next cell builds a
fresh one and a failure never spreads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.tile_data import seed_sales

OWNER = "alice"  # the `sub` that made every object; the other tenant's caller uses it too
ASSIGNEE = "123"  # the user the seed-004 dashboard is assigned to
BI = "/api/v1/bi/dashboards"
SQL = "SELECT region, SUM(revenue) AS revenue FROM sales GROUP BY region ORDER BY region"
BY_REGION = {
    "dimensions": ["region"],
    "measures": [{"aggregate": "sum", "column": "revenue"}],
}

# --- the tenant under test -----------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """One tenant's objects, all made by OWNER; names carry `tag`."""

    tenant: str
    tag: str
    dataset: int  # the `orders` dataset over seed_sales
    board: int  # seed 002: a team dashboard with a SQL card; it has a public link
    card_widget: int  # that card's own widget
    slug: str
    bi: str  # seed 003: a team dashboard with one widget
    bi_widget: str
    kind: str  # a library widget's kind, over the dataset
    analytics: str  # seed 004: "dashboard_<n>" showing the library widget, assigned to ASSIGNEE
    private: int  # a private dashboard with a SQL card
    private_widget: int

    def names(self) -> dict[str, str]:
        return names_for(self.tag)


def names_for(tag: str) -> dict[str, str]:
    """The tenant's distinctive names; every one carries `tag`."""
    return {
        "dataset": f"Orders-{tag}",
        "board": f"SecretBoard-{tag}",
        "card": f"SecretCard-{tag}",
        "bi": f"SecretBI-{tag}",
        "bi_widget": f"SecretBIWidget-{tag}",
        "widget": f"SecretWidget-{tag}",
        "analytics": f"SecretA4-{tag}",
        "private": f"PrivateBoard-{tag}",
        "private_card": f"PrivateCard-{tag}",
    }


def _json(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


CREATE_WIDGET = """
mutation W($input: CreateDashboardWidgetInput!) {
  createDashboardWidget(input: $input) { dashboardWidget { databaseId } userErrors { code } }
}
"""


async def build_world(http: httpx.AsyncClient, services: Services) -> World:
    """A fresh tenant with every kind of object, made through the API by OWNER (the
    assignment by an admin)."""
    tenant, tag = new_tenant(), uuid.uuid4().hex[:10]
    kind = f"k_{uuid.uuid4().hex[:10]}"  # sent by the other tenant's caller: no `tag` in it
    owner = Caller(http, tenant, user=OWNER, scopes=(EDIT_SCOPE,))
    admin = Caller(http, tenant, user="root", scopes=(ADMIN_SCOPE,))
    names = names_for(tag)

    async def call(caller: Caller, method: str, url: str, body: Any, status: int) -> Any:
        return _json(await caller.request(method, url, json=body), status)

    async def data_chain() -> tuple[int, str]:
        """The dataset, a library widget over it, a seed-004 dashboard showing that widget,
        assigned to ASSIGNEE as their default."""
        await seed_sales(services, tenant)
        dataset = await call(
            owner,
            "POST",
            "/api/datasets",
            {"name": names["dataset"], "source_kind": "table", "source": "sales"},
            201,
        )
        widget_input = {
            "name": names["widget"],
            "widgetType": "BAR_CHART",
            "kind": kind,
            "dataSource": {"dataset_id": dataset["id"], **BY_REGION},
        }
        widget = await owner.graphql(CREATE_WIDGET, {"input": widget_input})
        assert widget["createDashboardWidget"]["userErrors"] == [], widget
        analytics = await call(
            owner,
            "POST",
            "/api/dashboards",
            {"name": names["analytics"], "type": "sales", "widgets": [{"id": "w1", "type": kind}]},
            201,
        )
        user_url = f"/api/users/{ASSIGNEE}/dashboards/{analytics['id']}"
        await call(admin, "PUT", user_url, {"isDefault": True}, 200)
        return dataset["id"], analytics["id"]

    async def board_chain(url: str, name: str, card_name: str, **extra: Any) -> tuple[int, int]:
        """A dashboard with one SQL card: its id and the card's widget's."""
        created = await call(owner, "POST", url, {"name": name, **extra}, 201)
        card = await call(
            owner,
            "POST",
            f"/api/dashboards/{created['id']}/cards",
            {
                "card_type": "table",
                "name": card_name,
                "config": {},
                "layout": {"x": 0, "y": 0, "w": 12, "h": 2},
                "data_source": {"sql": SQL},
            },
            201,
        )
        return int(created["id"]), card["widget_id"]

    async def public_board_chain() -> tuple[int, int, str]:
        board, widget = await board_chain("/api/dashboards", names["board"], names["card"])
        link = await call(owner, "POST", f"/api/dashboards/{board}/public", None, 201)
        return board, widget, link["slug"]

    async def bi_chain() -> tuple[str, str]:
        bi = await call(owner, "POST", BI, {"name": names["bi"]}, 201)
        widget = await call(
            owner,
            "POST",
            f"{BI}/{bi['id']}/widgets",
            {
                "name": names["bi_widget"],
                "widget_type": "bar_chart",
                "position": {"x": 0, "y": 0, "width": 6, "height": 3},
                "data_source": {"sql": SQL, "cache_ttl_seconds": 0},
            },
            201,
        )
        return bi["id"], widget["id"]

    dataset, analytics = await data_chain()
    board, card_widget, slug = await public_board_chain()
    bi, bi_widget = await bi_chain()
    private = await board_chain(BI, names["private"], names["private_card"], visibility="private")
    return World(
        tenant=tenant,
        tag=tag,
        dataset=dataset,
        board=board,
        card_widget=card_widget,
        slug=slug,
        bi=bi,
        bi_widget=bi_widget,
        kind=kind,
        analytics=analytics,
        private=private[0],
        private_widget=private[1],
    )


def key_id(key: str) -> int:
    """`dashboard_12` → 12."""
    return int(key.removeprefix("dashboard_"))


SNAPSHOT = """
query Snapshot($user: String!) {
  datasets { databaseId name source updatedAt }
  dashboards(first: 100) {
    totalCount
    edges { node {
      databaseId name version visibility updatedAt publicLink { slug }
      shares { subjectType subjectId accessLevel }
      cards { databaseId name layout { x y w h } dashboardWidget { name dataSource updatedAt } }
    } }
  }
  dashboardWidgets(first: 100) {
    totalCount edges { node { databaseId name kind dataSource updatedAt } }
  }
  userDashboards(userId: $user) { dashboards { isDefault dashboard { databaseId } } }
}
"""


async def snapshot(http: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Everything of the tenant's, as its admin sees it."""
    admin = Caller(http, world.tenant, user="root", scopes=(EDIT_SCOPE, ADMIN_SCOPE))
    return await admin.graphql(SNAPSHOT, {"user": ASSIGNEE})


# --- callers -------------------------------------------------------------------------------

NO_TOKEN, EXPIRED = "no token", "expired token"
OTHER_TENANT = "other tenant's editor+admin"
READER = "member without dashboard.edit"
OTHER_EDITOR = "non-owner editor"


def headers_for(kind: str, http: httpx.AsyncClient, world: World) -> dict[str, str]:
    if kind == NO_TOKEN:
        return {"X-Clarus-Subdomain": world.tenant}
    token_options: dict[str, dict[str, Any]] = {
        EXPIRED: {"user": OWNER, "scopes": (EDIT_SCOPE, ADMIN_SCOPE), "ttl": -100},
        READER: {"user": "rita", "scopes": ()},
        OTHER_EDITOR: {"user": "bob", "scopes": (EDIT_SCOPE,)},
        OTHER_TENANT: {"user": OWNER, "scopes": (EDIT_SCOPE, ADMIN_SCOPE)},
    }
    tenant = new_tenant() if kind == OTHER_TENANT else world.tenant
    return Caller(http, tenant, **token_options[kind]).headers


# --- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rest:
    method: str
    url: str
    body: Any = None


@dataclass(frozen=True)
class Gql:
    name: str  # the Query or Mutation field
    document: str
    variables: dict[str, Any] = field(default_factory=dict)


def mutation(name: str, input_type: str, payload: str, values: dict[str, Any]) -> Gql:
    document = (
        f"mutation M($input: {input_type}!) "
        f"{{ {name}(input: $input) {{ {payload} userErrors {{ field code message }} }} }}"
    )
    return Gql(name, document, {"input": values})


def query(name: str, document: str, **variables: Any) -> Gql:
    return Gql(name, document, variables)


# Outcomes. REST: 2xx as OK/CREATED, else seed 002's error name (`dataset_not_found`) or the
# code (seeds 003 and 004). GraphQL: OK (data, or a mutation without userErrors), NULL (the
# field is null), ERROR (null with an error), else the mutation's one userError code.
OK, CREATED, NULL, ERROR, UNAUTHENTICATED = "ok", "created", "null", "error", "UNAUTHENTICATED"
FORBIDDEN, NOT_FOUND = "FORBIDDEN", "NOT_FOUND"
DENIED = "permission_denied"
STATUS = {
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    "DASHBOARD_NOT_FOUND": 404,
    "USER_NOT_FOUND": 404,
    "INVALID": 422,
    "UNKNOWN_REFERENCE": 422,
    "INVALID_WIDGET_TYPE": 400,
}
GRAPHQL, SEED_002, SEED_003, SEED_004 = "graphql", "seed 002", "seed 003", "seed 004"


@dataclass(frozen=True)
class Op:
    dialect: str
    request: Callable[[World], Rest | Gql]
    reader: str
    other_tenant: str | None = None  # None: not a cell (reads of the private dashboard)
    other_editor: str | None = None  # only for owner-or-admin operations and private reads
    shows: tuple[str, ...] = ()  # World.names() a member's successful answer shows

    def expected(self) -> dict[str, str]:
        cells: dict[str, str] = {}
        if self.other_tenant is not None:
            unauthenticated = "unauthenticated" if self.dialect == SEED_002 else UNAUTHENTICATED
            cells |= {NO_TOKEN: unauthenticated, EXPIRED: unauthenticated}
            cells[OTHER_TENANT] = self.other_tenant
        cells[READER] = self.reader
        if self.other_editor is not None:
            cells[OTHER_EDITOR] = self.other_editor
        return cells


def _dataset(w: World) -> str:
    return f"/api/datasets/{w.dataset}"


def _users(w: World, key: str | None = None) -> str:
    return f"/api/users/{ASSIGNEE}/dashboards" + (f"/{key}" if key else "")


RENDER = "query R($id: ID!) { dashboardRendering(id: $id) { dashboard { name } cards { title } } }"
WIDGET_DATA = "query D($id: ID!) { widgetData(id: $id) { title data error { code } } }"
USER_DASHBOARDS = """
query U($user: String!) {
  userDashboards(userId: $user) { userId dashboards { isDefault dashboard { name } } }
}
"""
BI_WIDGET = {
    "name": "Injected",
    "widget_type": "table",
    "position": {"x": 0, "y": 4, "width": 6, "height": 2},
    "data_source": {"sql": "SELECT 1 AS one", "cache_ttl_seconds": 0},
}

OPS: dict[str, Op] = {
    # GraphQL queries
    "query datasets": Op(
        GRAPHQL,
        lambda w: query("datasets", "{ datasets { databaseId name source } }"),
        reader=OK,
        other_tenant=OK,
        shows=("dataset",),
    ),
    "query dataset(id)": Op(
        GRAPHQL,
        lambda w: query(
            "dataset", "query($id: ID!) { dataset(id: $id) { name } }", id=str(w.dataset)
        ),
        reader=OK,
        other_tenant=NULL,
        shows=("dataset",),
    ),
    "query dashboardTemplates": Op(
        GRAPHQL,
        lambda w: query("dashboardTemplates", "{ dashboardTemplates { id requirements } }"),
        reader=OK,
        other_tenant=OK,
    ),
    "query dashboardRendering": Op(
        GRAPHQL,
        lambda w: query("dashboardRendering", RENDER, id=str(w.board)),
        reader=OK,
        other_tenant=NULL,
        shows=("board", "card"),
    ),
    "query widgetData": Op(
        GRAPHQL,
        lambda w: query("widgetData", WIDGET_DATA, id=str(w.card_widget)),
        reader=OK,
        other_tenant=NULL,
        shows=("card",),
    ),
    "query userDashboards": Op(
        GRAPHQL,
        lambda w: query("userDashboards", USER_DASHBOARDS, user=ASSIGNEE),
        reader=ERROR,  # another user's, for a non-admin
        other_tenant=ERROR,  # a user that tenant does not know
    ),
    # GraphQL mutations
    "createDataset": Op(
        GRAPHQL,
        lambda w: mutation(
            "createDataset",
            "CreateDatasetInput",
            "dataset { name }",
            {"name": "Orders copy", "sourceKind": "TABLE", "source": "sales"},
        ),
        reader=FORBIDDEN,
        other_tenant="INVALID",  # no table `sales` in its own schema
    ),
    "updateDataset": Op(
        GRAPHQL,
        lambda w: mutation(
            "updateDataset",
            "UpdateDatasetInput",
            "dataset { name }",
            {"id": str(w.dataset), "name": "Renamed"},
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "deleteDataset": Op(
        GRAPHQL,
        lambda w: mutation("deleteDataset", "DeleteDatasetInput", "deletedId", {"id": w.dataset}),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "createDashboardFromTemplate": Op(
        GRAPHQL,
        lambda w: mutation(
            "createDashboardFromTemplate",
            "CreateDashboardFromTemplateInput",
            "dashboard { name }",
            {"templateId": "kpi_summary", "datasetId": str(w.dataset), "name": "KPIs"},
        ),
        reader=FORBIDDEN,
        other_tenant="UNKNOWN_REFERENCE",
    ),
    "publishDashboard": Op(
        GRAPHQL,
        lambda w: mutation(
            "publishDashboard",
            "PublishDashboardInput",
            "publicLink { slug }",
            {"dashboardId": str(w.board)},
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
        other_editor=FORBIDDEN,
    ),
    "revokePublicLink": Op(
        GRAPHQL,
        lambda w: mutation(
            "revokePublicLink", "RevokePublicLinkInput", "revoked", {"dashboardId": str(w.board)}
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
        other_editor=FORBIDDEN,
    ),
    "assignDashboard": Op(
        GRAPHQL,
        lambda w: mutation(
            "assignDashboard",
            "AssignDashboardInput",
            "assignment { isDefault }",
            {"userId": ASSIGNEE, "dashboardId": str(key_id(w.analytics)), "isDefault": False},
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "unassignDashboard": Op(
        GRAPHQL,
        lambda w: mutation(
            "unassignDashboard",
            "UnassignDashboardInput",
            "removed",
            {"userId": ASSIGNEE, "dashboardId": str(key_id(w.analytics))},
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "createDashboardWidget with dataSource and kind": Op(
        GRAPHQL,
        lambda w: mutation(
            "createDashboardWidget",
            "CreateDashboardWidgetInput",
            "dashboardWidget { name }",
            {
                "name": "Copy",
                "widgetType": "BAR_CHART",
                "kind": "k_copy",
                "dataSource": {"dataset_id": w.dataset, **BY_REGION},
            },
        ),
        reader=FORBIDDEN,
        other_tenant="UNKNOWN_REFERENCE",  # this tenant's dataset
    ),
    "addDashboardCard with dataSource": Op(
        GRAPHQL,
        lambda w: mutation(
            "addDashboardCard",
            "AddDashboardCardInput",
            "card { name }",
            {
                "dashboardId": str(w.board),
                "cardType": "TABLE",
                "layout": {"x": 0, "y": 4, "w": 6, "h": 2},
                "dataSource": {"dataset_id": w.dataset, **BY_REGION},
            },
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    # seed 002: datasets, render, public link, templates
    "GET /api/datasets": Op(
        SEED_002,
        lambda w: Rest("GET", "/api/datasets"),
        reader=OK,
        other_tenant=OK,
        shows=("dataset",),
    ),
    "POST /api/datasets": Op(
        SEED_002,
        lambda w: Rest(
            "POST",
            "/api/datasets",
            {"name": "Orders copy", "source_kind": "table", "source": "sales"},
        ),
        reader=DENIED,
        other_tenant="invalid",  # no table `sales` in its own schema
    ),
    "GET /api/datasets/{id}": Op(
        SEED_002,
        lambda w: Rest("GET", _dataset(w)),
        reader=OK,
        other_tenant="dataset_not_found",
        shows=("dataset",),
    ),
    "PATCH /api/datasets/{id}": Op(
        SEED_002,
        lambda w: Rest("PATCH", _dataset(w), {"name": "Renamed"}),
        reader=DENIED,
        other_tenant="dataset_not_found",
    ),
    "DELETE /api/datasets/{id}": Op(
        SEED_002,
        lambda w: Rest("DELETE", _dataset(w)),
        reader=DENIED,
        other_tenant="dataset_not_found",
    ),
    "GET /api/dashboards/{id}/render": Op(
        SEED_002,
        lambda w: Rest("GET", f"/api/dashboards/{w.board}/render?page=1"),
        reader=OK,
        other_tenant="dashboard_not_found",
        shows=("board", "card"),
    ),
    "POST /api/dashboards/{id}/public": Op(
        SEED_002,
        lambda w: Rest("POST", f"/api/dashboards/{w.board}/public"),
        reader=DENIED,
        other_tenant="dashboard_not_found",
        other_editor=DENIED,
    ),
    "DELETE /api/dashboards/{id}/public": Op(
        SEED_002,
        lambda w: Rest("DELETE", f"/api/dashboards/{w.board}/public"),
        reader=DENIED,
        other_tenant="dashboard_not_found",
        other_editor=DENIED,
    ),
    "GET /api/dashboards/templates": Op(
        SEED_002,
        lambda w: Rest("GET", "/api/dashboards/templates"),
        reader=OK,
        other_tenant=OK,
    ),
    "POST /api/dashboards/from-template": Op(
        SEED_002,
        lambda w: Rest(
            "POST",
            "/api/dashboards/from-template",
            {"template_id": "kpi_summary", "dataset_id": w.dataset, "name": "KPIs"},
        ),
        reader=DENIED,
        other_tenant="unknown_reference",
    ),
    # seed 003
    "POST /api/v1/bi/dashboards": Op(
        SEED_003,
        lambda w: Rest("POST", BI, {"name": "Mine"}),
        reader=FORBIDDEN,
        other_tenant=CREATED,  # in its own tenant; this one is unchanged
    ),
    "GET /api/v1/bi/dashboards": Op(
        SEED_003,
        lambda w: Rest("GET", f"{BI}?limit=100"),
        reader=OK,
        other_tenant=OK,
        shows=("bi", "board", "analytics"),
    ),
    "GET /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda w: Rest("GET", f"{BI}/{w.bi}"),
        reader=OK,
        other_tenant=NOT_FOUND,
        shows=("bi", "bi_widget"),
    ),
    "PUT /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda w: Rest("PUT", f"{BI}/{w.bi}", {"name": "Taken over", "visibility": "private"}),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
        other_editor=FORBIDDEN,
    ),
    "DELETE /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda w: Rest("DELETE", f"{BI}/{w.bi}"),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
        other_editor=FORBIDDEN,
    ),
    "POST /api/v1/bi/dashboards/{id}/widgets": Op(
        SEED_003,
        lambda w: Rest("POST", f"{BI}/{w.bi}/widgets", BI_WIDGET),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "PUT /api/v1/bi/dashboards/{id}/widgets/{widget_id}": Op(
        SEED_003,
        lambda w: Rest("PUT", f"{BI}/{w.bi}/widgets/{w.bi_widget}", {"name": "Renamed"}),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "DELETE /api/v1/bi/dashboards/{id}/widgets/{widget_id}": Op(
        SEED_003,
        lambda w: Rest("DELETE", f"{BI}/{w.bi}/widgets/{w.bi_widget}"),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
    ),
    "POST /api/v1/bi/dashboards/{id}/share": Op(
        SEED_003,
        lambda w: Rest(
            "POST",
            f"{BI}/{w.bi}/share",
            {"visibility": "public", "shared_with": ["mallory"], "permissions": "edit"},
        ),
        reader=FORBIDDEN,
        other_tenant=NOT_FOUND,
        other_editor=FORBIDDEN,
    ),
    # seed 004
    "POST /api/dashboards (seed-004 body)": Op(
        SEED_004,
        lambda w: Rest(
            "POST",
            "/api/dashboards",
            {"name": "Copy", "type": "sales", "widgets": [{"id": "w1", "type": w.kind}]},
        ),
        reader=FORBIDDEN,
        other_tenant="INVALID_WIDGET_TYPE",  # this tenant's library widget kind
    ),
    "GET /api/dashboards/dashboard_<id>": Op(
        SEED_004,
        lambda w: Rest("GET", f"/api/dashboards/{w.analytics}"),
        reader=OK,
        other_tenant="DASHBOARD_NOT_FOUND",
        shows=("analytics",),
    ),
    "PUT /api/dashboards/dashboard_<id>": Op(
        SEED_004,
        lambda w: Rest("PUT", f"/api/dashboards/{w.analytics}", {"name": "Renamed"}),
        reader=FORBIDDEN,
        other_tenant="DASHBOARD_NOT_FOUND",
    ),
    "DELETE /api/dashboards/dashboard_<id>": Op(
        SEED_004,
        lambda w: Rest("DELETE", f"/api/dashboards/{w.analytics}"),
        reader=FORBIDDEN,
        other_tenant="DASHBOARD_NOT_FOUND",
        other_editor=FORBIDDEN,
    ),
    "GET /api/dashboards?$top=5": Op(
        SEED_004,
        lambda w: Rest("GET", "/api/dashboards?$top=5"),
        reader=OK,
        other_tenant=OK,
        shows=("board", "bi", "analytics"),
    ),
    "GET /api/users/{userId}/dashboards": Op(
        SEED_004,
        lambda w: Rest("GET", _users(w)),
        reader=FORBIDDEN,
        other_tenant="USER_NOT_FOUND",
    ),
    "PUT /api/users/{userId}/dashboards/{id}": Op(
        SEED_004,
        lambda w: Rest("PUT", _users(w, w.analytics), {"isDefault": False}),
        reader=FORBIDDEN,
        other_tenant="DASHBOARD_NOT_FOUND",
    ),
    "DELETE /api/users/{userId}/dashboards/{id}": Op(
        SEED_004,
        lambda w: Rest("DELETE", _users(w, w.analytics)),
        reader=FORBIDDEN,
        other_tenant="DASHBOARD_NOT_FOUND",
    ),
    # reads of the private dashboard, by members without a grant
    "private: query dashboardRendering": Op(
        GRAPHQL,
        lambda w: query("dashboardRendering", RENDER, id=str(w.private)),
        reader=NULL,
        other_editor=NULL,
    ),
    "private: query widgetData of its card": Op(
        GRAPHQL,
        lambda w: query("widgetData", WIDGET_DATA, id=str(w.private_widget)),
        reader=NULL,
        other_editor=NULL,
    ),
    "private: GET /api/dashboards/{id}/render": Op(
        SEED_002,
        lambda w: Rest("GET", f"/api/dashboards/{w.private}/render"),
        reader="dashboard_not_found",
        other_editor="dashboard_not_found",
    ),
    "private: GET /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda w: Rest("GET", f"{BI}/{w.private}"),
        reader=NOT_FOUND,
        other_editor=NOT_FOUND,
    ),
    "private: GET /api/dashboards/dashboard_<id>": Op(
        SEED_004,
        lambda w: Rest("GET", f"/api/dashboards/dashboard_{w.private}"),
        reader="DASHBOARD_NOT_FOUND",
        other_editor="DASHBOARD_NOT_FOUND",
    ),
}

CELLS = [
    pytest.param(name, caller, id=f"{name} | {caller}")
    for name, op in OPS.items()
    for caller in op.expected()
]


# --- reading an answer ---------------------------------------------------------------------


def graphql_outcome(request: Gql, response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    if response.status_code != 200:  # refused before GraphQL ran
        assert "data" not in body, body
        assert body["errors"][0]["message"], body
        code: str = body["errors"][0]["extensions"]["code"]
        assert STATUS[code] == response.status_code, body
        return code
    answer = (body.get("data") or {}).get(request.name)
    if "errors" in body:
        assert answer is None, body
        assert all(e["message"] for e in body["errors"]), body
        return ERROR
    if answer is None:
        return NULL
    if isinstance(answer, dict) and "userErrors" in answer:
        errors = answer["userErrors"]
        if not errors:
            return OK
        assert len(errors) == 1, errors
        assert all(v in (None, False) for k, v in answer.items() if k != "userErrors"), answer
        user_error: str = errors[0]["code"]
        return user_error
    return OK


def rest_outcome(dialect: str, response: httpx.Response) -> str:
    if response.is_success:
        return {200: OK, 201: CREATED}[response.status_code]
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert response.status_code == STATUS[body["code"]], (response.status_code, body)
    if dialect != SEED_002:
        code: str = body["code"]
        return code
    name: str = body["error"]  # seed 002 names the error: `dataset_not_found`
    named = {"permission_denied": FORBIDDEN}.get(name, name.upper())
    assert body["code"] == (NOT_FOUND if name.endswith("_not_found") else named), body
    return name


def assert_error_format(dialect: str, response: httpx.Response) -> None:
    """A REST refusal in its dialect's words (README, "Errors" and the dialect tables)."""
    if response.is_success:
        return
    body: dict[str, Any] = response.json()
    assert isinstance(body["error"], str), body
    assert body["error"], body
    if dialect == SEED_002:  # `error` is the name, the text is in `message`
        assert isinstance(body["message"], str), body
        assert body["message"], body
    elif dialect == SEED_003:  # `error` is the text
        assert set(body) <= {"error", "code", "field", "details"}, body
    else:  # seed 004: the text in both `error` and `message`
        assert body.get("message") == body["error"], body


# --- the matrix ----------------------------------------------------------------------------

# The tenant the cells act on. Every cell must leave it exactly as it found it (the admin's
# snapshot); the cells share it for speed, and one that changed it discards it, so the next
# cell gets a fresh one and a failure never spreads.
_world: list[tuple[World, dict[str, Any]]] = []


async def tenant_world(http: httpx.AsyncClient, services: Services) -> tuple[World, dict[str, Any]]:
    if not _world:
        world = await build_world(http, services)
        _world.append((world, await snapshot(http, world)))
    return _world[0]


@pytest.mark.parametrize(("operation", "caller"), CELLS)
async def test_access(
    http: httpx.AsyncClient, services: Services, operation: str, caller: str
) -> None:
    # given a tenant's objects and a caller who may not have them
    op = OPS[operation]
    world, before = await tenant_world(http, services)
    request = op.request(world)
    headers = headers_for(caller, http, world)

    # when
    if isinstance(request, Gql):
        document = {"query": request.document, "variables": request.variables}
        response = await http.post("/graphql", json=document, headers=headers)
    else:
        response = await http.request(
            request.method, request.url, json=request.body, headers=headers
        )
    after = await snapshot(http, world)
    if after != before:
        _world.clear()

    # then the answer is the documented one
    if isinstance(request, Gql):
        outcome = graphql_outcome(request, response)
    else:
        outcome = rest_outcome(op.dialect, response)
    assert outcome == op.expected()[caller], response.text
    # and it shows nothing the caller may not see, and all that a member may
    names = world.names()
    if caller in (READER, OTHER_EDITOR):
        assert names["private"] not in response.text
        assert names["private_card"] not in response.text
        if outcome == OK:
            for shown in op.shows:
                assert names[shown] in response.text, (shown, response.text)
    else:
        assert world.tag not in response.text
        assert world.slug not in response.text
    # and the tenant is as it was
    assert after == before
    # and a refusal is worded as its dialect words them
    if not isinstance(request, Gql):
        assert_error_format(op.dialect, response)
