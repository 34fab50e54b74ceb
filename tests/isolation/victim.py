"""The victim: a tenant holding one of every kind of object, made through the API, each
carrying a marker string (names, titles, configs, SQL, parameters, tags, dataset names, data
rows, grantees), so that a response showing any of it can be caught by a substring search.

Two dashboards: `board` (team visibility, every member sees it) and `private` (seen only by
its owner, admins and grant holders), whose objects carry a second marker as well."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.services import Services
from tests.conftest import Caller, graphql_data, new_tenant
from tests.tile_data import run_as_service, seed_sales

OWNER = "alice"  # made every object; the other tenant's caller has the same `sub`
ADMIN = "root"
READER = "rita"  # a member without dashboard.edit, roles or grants
EDITOR = "bob"  # a member with dashboard.edit, neither owner nor admin, without grants
ASSIGNEE = "carol"  # the team board is assigned to her as her default
MEMBERS = (OWNER, ADMIN, READER, EDITOR)
RESTRICTED_ROLE = 7  # no member but the owner and admin sees the restricted dashboard


@dataclass(frozen=True)
class Board:
    """One dashboard of the victim and the objects hanging on it."""

    id: int
    gid: str
    card: int  # a SQL card on page 1
    card_gid: str
    card_widget: int  # that card's own (private) widget
    card_widget_gid: str
    share: int  # a viewer grant
    share_gid: str
    last_page: int  # page numbers run 1..last_page
    last_page_gid: str


@dataclass(frozen=True)
class Victim:
    tenant: str
    tenant_id: int
    mark: str  # in every object of the tenant
    private_mark: str  # in the private dashboard's objects only
    role_mark: str  # in the role-restricted dashboard's objects only
    inactive_mark: str  # in the inactive dashboard's objects only
    schema: str  # the tenant's data schema
    dataset: int
    dataset_gid: str
    collection: int
    collection_gid: str
    widget: int  # a library widget over the dataset, placed on the team board
    widget_gid: str
    kind: str  # that widget's seed-004 kind (sent by attackers: no mark in it)
    slug: str  # the team board's public link
    board: Board  # team: every member sees it
    private: Board  # its owner, admins and grant holders only
    restricted: Board  # team, but only for holders of RESTRICTED_ROLE
    inactive: Board  # team, inactive: seen only by members with dashboard.edit
    editors_board: Board  # team, made by EDITOR

    def unseen_marks(self, *, can_edit: bool) -> tuple[str, ...]:
        """What members without a grant or the role may not read; nor, without
        dashboard.edit, what is inactive."""
        unseen = (self.private_mark, self.role_mark)
        return unseen if can_edit else (*unseen, self.inactive_mark)

    def member(self, http: httpx.AsyncClient, user: str) -> Caller:
        scopes = {
            OWNER: (EDIT_SCOPE,),
            ADMIN: (EDIT_SCOPE, ADMIN_SCOPE),
            READER: (),
            EDITOR: (EDIT_SCOPE,),
        }[user]
        return Caller(http, self.tenant, user=user, scopes=scopes)


def _payload(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    assert payload["userErrors"] == [], payload
    return payload


def _mutation(name: str, input_type: str, selection: str) -> str:
    return (
        f"mutation M($input: {input_type}!) "
        f"{{ {name}(input: $input) {{ {selection} userErrors {{ field code message }} }} }}"
    )


CREATE_DATASET = _mutation("createDataset", "CreateDatasetInput", "dataset { id databaseId }")
CREATE_COLLECTION = _mutation(
    "createCollection", "CreateCollectionInput", "collection { id databaseId }"
)
CREATE_WIDGET = _mutation(
    "createDashboardWidget", "CreateDashboardWidgetInput", "dashboardWidget { id databaseId }"
)
CREATE_DASHBOARD = _mutation(
    "createDashboard", "CreateDashboardInput", "dashboard { id databaseId }"
)
SET_PLACEMENTS = _mutation(
    "setDashboardWidgetPlacements", "SetDashboardWidgetPlacementsInput", "dashboard { id }"
)
ADD_PAGE = _mutation("addDashboardPage", "AddDashboardPageInput", "page { id position }")
ADD_CARD = _mutation(
    "addDashboardCard",
    "AddDashboardCardInput",
    "card { id databaseId dashboardWidget { id databaseId } }",
)
SHARE = _mutation("shareDashboard", "ShareDashboardInput", "share { id databaseId }")
PUBLISH = _mutation("publishDashboard", "PublishDashboardInput", "publicLink { slug }")
ASSIGN = _mutation("assignDashboard", "AssignDashboardInput", "assignment { isDefault }")
VIEWER = "{ viewer { userId } }"


async def _board(
    owner: Caller,
    mark: str,
    collection: str | None,
    *,
    visibility: str = "TEAM",
    role_ids: tuple[int, ...] = (),
    active: bool = True,
    widget_gid: str | None = None,
) -> Board:
    """A dashboard with a second page, a SQL card, the library widget (if given) and a viewer
    grant; every text of it carries `mark`."""
    tag = uuid.uuid4().hex[:8]
    created = await owner.graphql(
        CREATE_DASHBOARD,
        {
            "input": {
                "code": f"c{tag}{mark.replace(' ', '')}"[:30],
                "name": f"{mark} board",
                "description": f"{mark} description",
                "collectionId": collection,
                "parameters": {"note": f"{mark} default"},
                "visibility": visibility,
                "isActive": active,
                "roleIds": list(role_ids),
                "tags": [f"{mark}-tag"],
                "type": f"{mark}-type",
            }
        },
    )
    board = _payload(created, "createDashboard")["dashboard"]
    if widget_gid is not None:
        placements = [
            {"dashboardWidgetId": widget_gid, "position": {"x": 6, "y": 0, "w": 6, "h": 2}}
        ]
        await owner.graphql(
            SET_PLACEMENTS, {"input": {"dashboardId": board["id"], "placements": placements}}
        )
    page = await owner.graphql(
        ADD_PAGE, {"input": {"dashboardId": board["id"], "name": f"{mark} page"}}
    )
    last_page = _payload(page, "addDashboardPage")["page"]
    card_input = {
        "dashboardId": board["id"],
        "cardType": "TABLE",
        "name": f"{mark} card",
        "config": {"note": f"{mark} config"},
        "layout": {"x": 0, "y": 0, "w": 6, "h": 2},
        "dataSource": {
            "sql": f"SELECT region, '{mark} label' AS label FROM sales ORDER BY region",
            "cache_ttl_seconds": 0,
        },
    }
    card = _payload(await owner.graphql(ADD_CARD, {"input": card_input}), "addDashboardCard")[
        "card"
    ]
    share_input = {
        "dashboardId": board["id"],
        "subjectType": "USER",
        "subjectId": f"grantee-{mark}",
        "accessLevel": "VIEWER",
    }
    # The revision this write records carries the mark in its message.
    shared = await owner.http.post(
        "/graphql",
        json={"query": SHARE, "variables": {"input": share_input}},
        headers={**owner.headers, "X-Revision-Message": f"{mark} shared"},
    )
    share = _payload(graphql_data(shared), "shareDashboard")["share"]
    return Board(
        id=board["databaseId"],
        gid=board["id"],
        card=card["databaseId"],
        card_gid=card["id"],
        card_widget=card["dashboardWidget"]["databaseId"],
        card_widget_gid=card["dashboardWidget"]["id"],
        share=share["databaseId"],
        share_gid=share["id"],
        last_page=last_page["position"],
        last_page_gid=last_page["id"],
    )


async def build_victim(http: httpx.AsyncClient, services: Services) -> Victim:
    tenant = new_tenant()
    mark, private_mark = f"Vm{uuid.uuid4().hex[:12]}", f"Pm{uuid.uuid4().hex[:12]}"
    role_mark = f"Rm{uuid.uuid4().hex[:12]}"
    inactive_mark = f"Im{uuid.uuid4().hex[:12]}"
    kind = f"k_{uuid.uuid4().hex[:10]}"
    owner = Caller(http, tenant, user=OWNER, scopes=(EDIT_SCOPE,))
    admin = Caller(http, tenant, user=ADMIN, scopes=(EDIT_SCOPE, ADMIN_SCOPE))
    victim_editor = Caller(http, tenant, user=EDITOR, scopes=(EDIT_SCOPE,))

    schema = await seed_sales(services, tenant)
    await run_as_service(
        services,
        f"INSERT INTO \"{schema}\".sales VALUES ('{mark} region', '{mark} product', "
        "DATE '2026-04-01', 1, 1)",
    )
    dataset_input = {"name": f"{mark} orders", "sourceKind": "TABLE", "source": "sales"}
    dataset = _payload(
        await owner.graphql(CREATE_DATASET, {"input": dataset_input}), "createDataset"
    )
    collection_input = {"name": f"{mark} folder", "description": f"{mark} folder text"}
    collection = _payload(
        await owner.graphql(CREATE_COLLECTION, {"input": collection_input}), "createCollection"
    )["collection"]
    widget_input = {
        "name": f"{mark} widget",
        "widgetType": "BAR_CHART",
        "description": f"{mark} widget text",
        "config": {"note": f"{mark} widget config"},
        "kind": kind,
        "dataSource": {
            "dataset_id": dataset["dataset"]["databaseId"],
            "dimensions": ["region"],
            "measures": [{"aggregate": "sum", "column": "revenue"}],
        },
    }
    widget = _payload(
        await owner.graphql(CREATE_WIDGET, {"input": widget_input}), "createDashboardWidget"
    )["dashboardWidget"]

    board = await _board(owner, mark, collection["id"], widget_gid=widget["id"])
    private_marks = f"{mark} {private_mark}"
    private = await _board(owner, private_marks, collection["id"], visibility="PRIVATE")
    role_marks = f"{mark} {role_mark}"
    restricted = await _board(owner, role_marks, collection["id"], role_ids=(RESTRICTED_ROLE,))
    inactive_marks = f"{mark} {inactive_mark}"
    inactive = await _board(owner, inactive_marks, collection["id"], active=False)
    link = await owner.graphql(PUBLISH, {"input": {"dashboardId": board.gid}})
    slug = _payload(link, "publishDashboard")["publicLink"]["slug"]
    assign = {"userId": ASSIGNEE, "dashboardId": board.gid, "isDefault": True}
    _payload(await admin.graphql(ASSIGN, {"input": assign}), "assignDashboard")
    for unseen in (private, restricted):  # assigned, yet still not hers to see
        assign = {"userId": READER, "dashboardId": unseen.gid, "isDefault": False}
        _payload(await admin.graphql(ASSIGN, {"input": assign}), "assignDashboard")

    victim = Victim(
        tenant=tenant,
        tenant_id=await services.tenants.id_for(tenant),
        mark=mark,
        private_mark=private_mark,
        role_mark=role_mark,
        inactive_mark=inactive_mark,
        schema=schema,
        dataset=dataset["dataset"]["databaseId"],
        dataset_gid=dataset["dataset"]["id"],
        collection=collection["databaseId"],
        collection_gid=collection["id"],
        widget=widget["databaseId"],
        widget_gid=widget["id"],
        kind=kind,
        slug=slug,
        board=board,
        private=private,
        restricted=restricted,
        inactive=inactive,
        editors_board=await _board(victim_editor, mark, None),
    )
    # Members become known to the tenant on their first call; make that happen now, so that
    # a refused call later must not change even that.
    for user in MEMBERS:
        await victim.member(http, user).graphql(VIEWER)
    return victim


def placeholder() -> Victim:
    """A victim with made-up ids, to see which field or route an operation calls without
    building one."""
    board = Board(
        1, "RGFzaGJvYXJkOjE=", 2, "Q2FyZDoy", 3, "V2lkZ2V0OjM=", 4, "U2hhcmU6NA==", 2, "UGFnZToy"
    )
    return Victim(
        tenant="t-placeholder",
        tenant_id=1,
        mark="Vm",
        private_mark="Pm",
        role_mark="Rm",
        inactive_mark="Im",
        schema="tenant_data_1",
        dataset=5,
        dataset_gid="RGF0YXNldDo1",
        collection=6,
        collection_gid="Q29sbGVjdGlvbjo2",
        widget=7,
        widget_gid="V2lkZ2V0Ojc=",
        kind="k_placeholder",
        slug="slug",
        board=board,
        private=board,
        restricted=board,
        inactive=board,
        editors_board=board,
    )


async def own_board(http: httpx.AsyncClient, tenant: str) -> Board:
    """A dashboard of another tenant, made by its own OWNER, for attacks that name the
    victim's objects from a dashboard the attacker may change."""
    caller = Caller(http, tenant, user=OWNER, scopes=(EDIT_SCOPE, ADMIN_SCOPE))
    return await _board(caller, f"Am{uuid.uuid4().hex[:12]}", None)
