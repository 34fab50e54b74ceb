"""A dashboard's visibility, tags, type, refresh interval and filters (issue 5): written and read
through GraphQL, checked field by field, filtered on, kept by duplication; private dashboards
hidden from members; unique names and manage-only updates for the dialects that need them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, update

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.domain.access import Action
from app.domain.dashboards import (
    DashboardChanges,
    DashboardDraft,
    DashboardFilter,
    create_dashboard,
    list_dashboards_at,
    update_dashboard,
)
from app.errors import DomainError
from app.services import Services
from db.models import placements
from tests.conftest import Caller
from tests.helpers import context_for, create_widget, place_widgets

ATTRIBUTES = "visibility tags type refreshInterval"

CREATE = f"""
mutation Create($input: CreateDashboardInput!) {{
  createDashboard(input: $input) {{
    dashboard {{ id databaseId {ATTRIBUTES} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE = f"""
mutation Update($input: UpdateDashboardInput!) {{
  updateDashboard(input: $input) {{
    dashboard {{ databaseId version {ATTRIBUTES} }}
    userErrors {{ field message code }}
  }}
}}
"""

READ = f"""
query One($id: ID!) {{
  dashboard(id: $id) {{ databaseId {ATTRIBUTES} filters {{ name field operator values }} }}
}}
"""

LIST = """
query List($tag: String, $visibility: DashboardVisibility, $type: String, $search: String) {
  dashboards(first: 100, tag: $tag, visibility: $visibility, type: $type, search: $search) {
    totalCount edges { node { name } }
  }
}
"""

DUPLICATE = f"""
mutation Dup($input: DuplicateDashboardInput!) {{
  duplicateDashboard(input: $input) {{
    dashboard {{ databaseId {ATTRIBUTES} }}
    userErrors {{ field message code }}
  }}
}}
"""

SHARE = """
mutation Share($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { userErrors { field message code } }
}
"""

WIDGET_KIND = """
mutation($create: CreateDashboardWidgetInput!) {
  createDashboardWidget(input: $create) {
    dashboardWidget { id kind } userErrors { field code }
  }
}
"""

UPDATE_WIDGET_KIND = """
mutation($update: UpdateDashboardWidgetInput!) {
  updateDashboardWidget(input: $update) { dashboardWidget { kind } userErrors { field code } }
}
"""


async def create(caller: Caller, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(CREATE, {"input": {"name": "A board", **fields}})
    payload: dict[str, Any] = data["createDashboard"]
    return payload


async def created(caller: Caller, **fields: Any) -> dict[str, Any]:
    payload = await create(caller, **fields)
    assert payload["userErrors"] == [], payload["userErrors"]
    dashboard: dict[str, Any] = payload["dashboard"]
    return dashboard


async def change(caller: Caller, dashboard_id: str, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(UPDATE, {"input": {"id": dashboard_id, **fields}})
    payload: dict[str, Any] = data["updateDashboard"]
    return payload


async def names(caller: Caller, **filters: Any) -> set[str]:
    listing = (await caller.graphql(LIST, filters))["dashboards"]
    found = {edge["node"]["name"] for edge in listing["edges"]}
    assert listing["totalCount"] == len(found)
    return found


def problems(payload: dict[str, Any]) -> set[tuple[tuple[str, ...], str]]:
    return {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}


# --- written and read through GraphQL ------------------------------------------------------


async def test_a_new_dashboard_is_team_visible_without_tags_type_or_refresh(
    editor: Caller,
) -> None:
    board = await created(editor)

    assert {k: board[k] for k in ("visibility", "tags", "type", "refreshInterval")} == {
        "visibility": "TEAM",
        "tags": [],
        "type": None,
        "refreshInterval": None,
    }


async def test_create_stores_the_attributes_with_tags_trimmed_and_without_repeats(
    editor: Caller,
) -> None:
    # when
    board = await created(
        editor,
        visibility="PRIVATE",
        tags=[" revenue ", "quarterly", "revenue", "EU"],
        type=" executive ",
        refreshInterval=60,
    )

    # then
    read = (await editor.graphql(READ, {"id": board["id"]}))["dashboard"]
    assert read["visibility"] == "PRIVATE"
    assert read["tags"] == ["revenue", "quarterly", "EU"]
    assert read["type"] == "executive"
    assert read["refreshInterval"] == 60
    assert {k: board[k] for k in ("visibility", "tags", "type", "refreshInterval")} == {
        k: read[k] for k in ("visibility", "tags", "type", "refreshInterval")
    }


async def test_update_changes_only_what_is_sent_and_null_clears(editor: Caller) -> None:
    board = await created(
        editor, visibility="PUBLIC", tags=["a", "b"], type="sales", refreshInterval=30
    )

    tagged = await change(editor, board["id"], tags=["c"])
    cleared = await change(editor, board["id"], type=None, refreshInterval=None, tags=[])
    private = await change(editor, board["id"], visibility="PRIVATE", refreshInterval=0)

    assert tagged["dashboard"] | {"version": 0} == {
        "databaseId": board["databaseId"],
        "version": 0,
        "visibility": "PUBLIC",
        "tags": ["c"],
        "type": "sales",
        "refreshInterval": 30,
    }
    assert (cleared["dashboard"]["tags"], cleared["dashboard"]["type"]) == ([], None)
    assert cleared["dashboard"]["refreshInterval"] is None
    assert private["dashboard"]["visibility"] == "PRIVATE"
    assert private["dashboard"]["refreshInterval"] == 0
    assert private["dashboard"]["version"] == cleared["dashboard"]["version"] + 1


async def test_the_same_tags_in_another_order_is_a_change_and_repeats_are_not(
    editor: Caller,
) -> None:
    board = await created(editor, tags=["a", "b"])

    same = await change(editor, board["id"], tags=["a", "b", "a"])
    reordered = await change(editor, board["id"], tags=["b", "a"])

    assert same["dashboard"]["version"] == 1
    assert reordered["dashboard"]["version"] == 2
    assert reordered["dashboard"]["tags"] == ["b", "a"]


async def test_filters_are_the_parameters_with_a_field(editor: Caller) -> None:
    parameters = {
        "region": {
            "type": "string",
            "multiple": True,
            "default": ["US", "EU"],
            "field": "region",
            "operator": "in",
        },
        "year": {"type": "integer", "default": 2025, "field": "year", "operator": "gte"},
        "plain": {"type": "string", "default": "x"},
        "open": {"type": "string", "field": "status"},
    }
    board = await created(editor, parameters=parameters)

    read = (await editor.graphql(READ, {"id": board["id"]}))["dashboard"]

    assert read["filters"] == [
        {"name": "open", "field": "status", "operator": "EQ", "values": []},
        {"name": "region", "field": "region", "operator": "IN", "values": ["US", "EU"]},
        {"name": "year", "field": "year", "operator": "GTE", "values": [2025]},
    ]


async def test_a_widget_kind_is_written_and_read(editor: Caller) -> None:
    data = await editor.graphql(
        WIDGET_KIND,
        {"create": {"name": "Revenue", "widgetType": "BAR_CHART", "kind": "revenue_chart"}},
    )
    widget = data["createDashboardWidget"]["dashboardWidget"]

    renamed = await editor.graphql(
        UPDATE_WIDGET_KIND, {"update": {"id": widget["id"], "kind": "monthly_revenue"}}
    )
    cleared = await editor.graphql(
        UPDATE_WIDGET_KIND, {"update": {"id": widget["id"], "kind": None}}
    )

    assert widget["kind"] == "revenue_chart"
    assert renamed["updateDashboardWidget"]["dashboardWidget"] == {"kind": "monthly_revenue"}
    assert cleared["updateDashboardWidget"]["dashboardWidget"] == {"kind": None}


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tags": [f"t{i}" for i in range(21)]}, {(("tags",), "INVALID")}),
        ({"tags": ["ok", "fine", "  "]}, {(("tags", "2"), "REQUIRED")}),
        ({"tags": ["t" * 51]}, {(("tags", "0"), "TOO_LONG")}),
        ({"tags": ["ok", "nul\x00"]}, {(("tags", "1"), "INVALID")}),
        ({"type": "t" * 51}, {(("type",), "TOO_LONG")}),
        ({"type": "  "}, {(("type",), "INVALID")}),
        ({"type": "a\x00b"}, {(("type",), "INVALID")}),
        ({"refreshInterval": -1}, {(("refreshInterval",), "INVALID")}),
        ({"refreshInterval": 86_401}, {(("refreshInterval",), "INVALID")}),
        (
            {"tags": [""], "type": "", "refreshInterval": 90_000},
            {
                (("tags", "0"), "REQUIRED"),
                (("type",), "INVALID"),
                (("refreshInterval",), "INVALID"),
            },
        ),
    ],
)
async def test_invalid_attributes_are_refused_on_create_and_update(
    editor: Caller, fields: dict[str, Any], expected: set[tuple[tuple[str, ...], str]]
) -> None:
    board = await created(editor, name="Untouched")

    refused_create = await create(editor, **fields)
    refused_update = await change(editor, board["id"], **fields)

    assert problems(refused_create) == expected
    assert problems(refused_update) == expected
    assert refused_create["dashboard"] is None
    assert (await editor.graphql(READ, {"id": board["id"]}))["dashboard"]["tags"] == []


async def test_fifty_character_tags_and_types_and_a_day_are_the_limits(editor: Caller) -> None:
    board = await created(
        editor, tags=["t" * 50, "u" * 50] + [f"t{i}" for i in range(18)], type="y" * 50
    )

    updated = await change(editor, board["id"], refreshInterval=86_400)

    assert len(board["tags"]) == 20
    assert updated["userErrors"] == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"visibility": None}, {(("visibility",), "REQUIRED")}),
        ({"tags": None}, {(("tags",), "REQUIRED")}),
    ],
)
async def test_visibility_and_tags_may_not_be_null(
    editor: Caller, fields: dict[str, Any], expected: set[tuple[tuple[str, ...], str]]
) -> None:
    board = await created(editor)

    assert problems(await change(editor, board["id"], **fields)) == expected


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (DashboardChanges(visibility="secret"), ("visibility",), "INVALID"),
        (DashboardChanges(tags="revenue"), ("tags",), "INVALID"),
        (DashboardChanges(tags=["ok", 7]), ("tags", 1), "INVALID"),
        (DashboardChanges(type=12), ("type",), "INVALID"),
        (DashboardChanges(refresh_interval=True), ("refresh_interval",), "INVALID"),
        (DashboardChanges(refresh_interval=1.5), ("refresh_interval",), "INVALID"),
    ],
)
async def test_the_domain_refuses_values_of_the_wrong_kind(
    services: Services, tenant: str, changes: DashboardChanges, field: tuple[Any, ...], code: str
) -> None:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    board = await create_dashboard(ctx, DashboardDraft(code=None, name="Board"))

    with pytest.raises(DomainError) as refused:
        await update_dashboard(ctx, board.id, changes)

    assert [(p.field, p.code.value) for p in refused.value.problems] == [(field, code)]


# --- filters on dashboards -----------------------------------------------------------------


async def test_listing_filters_by_tag_visibility_type_and_search(editor: Caller) -> None:
    # given
    await created(editor, name="Q4 revenue", tags=["revenue", "q4"], type="sales")
    await created(editor, name="Q3 revenue", tags=["revenue"], visibility="PUBLIC", type="sales")
    await created(editor, name="Ops", tags=["ops", "Revenue"], visibility="PRIVATE")
    await created(editor, name="Exec", type="executive", visibility="PUBLIC")
    await created(editor, name="Long", tags=["revenue" + "!" * 43])

    # when / then
    assert await names(editor, tag="revenue") == {"Q4 revenue", "Q3 revenue"}
    assert await names(editor, tag="Revenue") == {"Ops"}
    assert await names(editor, tag=" q4 ") == {"Q4 revenue"}
    assert await names(editor, tag="rev") == set()
    assert await names(editor, visibility="PUBLIC") == {"Q3 revenue", "Exec"}
    assert await names(editor, visibility="PRIVATE") == {"Ops"}
    assert await names(editor, type="sales") == {"Q4 revenue", "Q3 revenue"}
    assert await names(editor, type="Sales") == set()
    assert await names(editor, tag="revenue", visibility="TEAM") == {"Q4 revenue"}
    assert await names(editor, type="sales", search="q3") == {"Q3 revenue"}
    assert await names(editor, tag="revenue", type="sales", search="Q") == {
        "Q4 revenue",
        "Q3 revenue",
    }
    assert await names(editor, tag="nul\x00", type="x\x00") == set()
    assert await names(editor, tag="revenue" + "!" * 50) == set()


async def test_offset_listing_filters_the_same_way(services: Services, tenant: str) -> None:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    for index in range(3):
        await create_dashboard(
            ctx, DashboardDraft(code=None, name=f"Tagged {index}", tags=["kpi"], type="ops")
        )
    await create_dashboard(ctx, DashboardDraft(code=None, name="Other", visibility="public"))

    tagged, total = await list_dashboards_at(ctx, DashboardFilter(tag="kpi"), offset=1, limit=1)
    public, public_total = await list_dashboards_at(
        ctx, DashboardFilter(visibility="public"), offset=0, limit=10
    )
    unknown, unknown_total = await list_dashboards_at(
        ctx, DashboardFilter(visibility="nobody"), offset=0, limit=10
    )

    assert ([d.name for d in tagged], total) == (["Tagged 1"], 3)
    assert ([d.name for d in public], public_total) == (["Other"], 1)
    assert (unknown, unknown_total) == ([], 0)


# --- private dashboards --------------------------------------------------------------------


async def test_a_private_dashboard_is_seen_by_its_owner_admins_and_grant_holders_only(
    editor: Caller, admin: Caller, reader: Caller
) -> None:
    # given a private and a team dashboard of alice's, and one grant on the private one
    private = await created(editor, name="Private", visibility="PRIVATE")
    await created(editor, name="Team")
    member = editor.peer(user="bob", scopes=(EDIT_SCOPE,))
    holder = editor.peer(user="gina", scopes=())
    group_member = editor.peer(user="hank", groups=("analysts",), scopes=())
    for subject_type, subject_id in (("USER", "gina"), ("GROUP", "analysts")):
        share = await editor.graphql(
            SHARE,
            {
                "input": {
                    "dashboardId": private["id"],
                    "subjectType": subject_type,
                    "subjectId": subject_id,
                    "accessLevel": "VIEWER",
                }
            },
        )
        assert share["shareDashboard"]["userErrors"] == []

    # when / then
    for caller, sees_private in (
        (editor, True),
        (admin, True),
        (holder, True),
        (group_member, True),
        (member, False),
        (reader, False),
    ):
        expected = {"Private", "Team"} if sees_private else {"Team"}
        assert await names(caller) == expected, caller.user
        read = (await caller.graphql(READ, {"id": private["id"]}))["dashboard"]
        assert (read is not None) == sees_private, caller.user


async def test_private_ignores_the_role_audience(editor: Caller) -> None:
    await created(editor, name="Private for role 7", visibility="PRIVATE", roleIds=[7])
    await created(editor, name="Team for role 7", roleIds=[7])

    role_holder = editor.peer(user="rita", roles=(7,), scopes=())

    assert await names(role_holder) == {"Team for role 7"}


async def test_a_member_cannot_change_a_private_dashboard_they_do_not_see(
    editor: Caller,
) -> None:
    private = await created(editor, visibility="PRIVATE")
    member = editor.peer(user="bob", scopes=(EDIT_SCOPE,))

    refused = await change(member, private["id"], name="Mine now")

    assert problems(refused) == {(("id",), "NOT_FOUND")}


async def test_making_a_dashboard_private_hides_it_and_team_shows_it_again(
    editor: Caller,
) -> None:
    board = await created(editor, name="Shifting")
    member = editor.peer(user="bob", scopes=())

    await change(editor, board["id"], visibility="PRIVATE")
    hidden = await names(member)
    await change(editor, board["id"], visibility="TEAM")
    shown = await names(member)

    assert (hidden, shown) == (set(), {"Shifting"})


# --- duplication ---------------------------------------------------------------------------


async def test_a_copy_keeps_the_attributes_and_the_tiles_keys_and_titles(
    editor: Caller, services: Services
) -> None:
    # given a dashboard with the attributes and a tile with a client key and a title
    board = await created(
        editor, visibility="PUBLIC", tags=["kpi", "ops"], type="executive", refreshInterval=90
    )
    widget = await create_widget(editor, name="Revenue")
    await place_widgets(editor, board["id"], [widget["id"]])
    async with services.db.transaction() as conn:
        await conn.execute(
            update(placements)
            .where(placements.c.dashboard_id == board["databaseId"])
            .values(client_key="widget_1", title="Monthly Revenue")
        )

    # when
    data = await editor.graphql(DUPLICATE, {"input": {"id": board["id"]}})

    # then
    copy = data["duplicateDashboard"]["dashboard"]
    assert {k: copy[k] for k in ("visibility", "tags", "type", "refreshInterval")} == {
        "visibility": "PUBLIC",
        "tags": ["kpi", "ops"],
        "type": "executive",
        "refreshInterval": 90,
    }
    async with services.db.reader() as conn:
        tiles = (
            await conn.execute(
                select(placements.c.client_key, placements.c.title).where(
                    placements.c.dashboard_id == copy["databaseId"]
                )
            )
        ).all()
    assert [tuple(t) for t in tiles] == [("widget_1", "Monthly Revenue")]


# --- unique names --------------------------------------------------------------------------


def refusal(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[Any, str]]:
    return [(p.field, p.code.value) for p in error.value.problems]


async def test_a_unique_name_is_refused_when_taken_in_any_case_and_spacing(
    services: Services, tenant: str
) -> None:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    await create_dashboard(ctx, DashboardDraft(code=None, name="Executive Summary"))

    with pytest.raises(DomainError) as refused:
        await create_dashboard(
            ctx, DashboardDraft(code=None, name="  executive SUMMARY "), unique_name=True
        )
    allowed = await create_dashboard(ctx, DashboardDraft(code=None, name="executive summary"))

    assert refusal(refused) == [(("name",), "ALREADY_EXISTS")]
    assert "a dashboard named 'executive SUMMARY' exists already" in str(refused.value)
    assert allowed.name == "executive summary"


async def test_a_unique_name_is_per_tenant(services: Services, tenant: str) -> None:
    mine = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    theirs = await context_for(services, f"{tenant}-other", scopes=(EDIT_SCOPE,))
    await create_dashboard(theirs, DashboardDraft(code=None, name="Sales"))

    board = await create_dashboard(mine, DashboardDraft(code=None, name="Sales"), unique_name=True)

    assert board.name == "Sales"


async def test_renaming_to_a_taken_name_is_refused_but_a_new_case_of_its_own_is_not(
    services: Services, tenant: str
) -> None:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    await create_dashboard(ctx, DashboardDraft(code=None, name="Sales"))
    board = await create_dashboard(ctx, DashboardDraft(code=None, name="Ops"))

    with pytest.raises(DomainError) as refused:
        await update_dashboard(ctx, board.id, DashboardChanges(name="SALES"), unique_name=True)
    recased = await update_dashboard(ctx, board.id, DashboardChanges(name="OPS"), unique_name=True)
    kept = await update_dashboard(
        ctx, board.id, DashboardChanges(name="OPS", type="ops"), unique_name=True
    )

    assert refusal(refused) == [(("name",), "ALREADY_EXISTS")]
    assert (recased.name, recased.version) == ("OPS", 2)
    assert (kept.name, kept.type, kept.version) == ("OPS", "ops", 3)


async def test_ten_concurrent_creates_of_one_name_leave_exactly_one(
    services: Services, tenant: str
) -> None:
    # given ten creates of the same name, in different cases, at once
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    spellings = ["Revenue", "REVENUE", "revenue", "ReVeNuE", " Revenue "] * 2

    # when
    results = await asyncio.gather(
        *(
            create_dashboard(ctx, DashboardDraft(code=None, name=name), unique_name=True)
            for name in spellings
        ),
        return_exceptions=True,
    )

    # then one succeeded, the other nine were told the name is taken
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len([r for r in results if not isinstance(r, BaseException)]) == 1
    assert len(refused) == 9
    assert all(r.code.value == "ALREADY_EXISTS" for r in refused)
    everything, total = await list_dashboards_at(ctx, DashboardFilter(), offset=0, limit=20)
    assert total == 1
    assert everything[0].name.lower() == "revenue"


async def test_concurrent_renames_to_one_name_leave_exactly_one(
    services: Services, tenant: str
) -> None:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    boards = [
        await create_dashboard(ctx, DashboardDraft(code=None, name=f"B{i}")) for i in range(8)
    ]

    results = await asyncio.gather(
        *(
            update_dashboard(ctx, b.id, DashboardChanges(name="Target"), unique_name=True)
            for b in boards
        ),
        return_exceptions=True,
    )

    assert len([r for r in results if not isinstance(r, BaseException)]) == 1
    assert all(isinstance(r, DomainError) for r in results if isinstance(r, BaseException))


# --- updates for the owner and admins only --------------------------------------------------


async def test_manage_updates_refuse_an_editor_who_is_not_the_owner(
    services: Services, tenant: str
) -> None:
    owner = await context_for(services, tenant, user="alice", scopes=(EDIT_SCOPE,))
    other_editor = await context_for(services, tenant, user="bob", scopes=(EDIT_SCOPE,))
    admin = await context_for(services, tenant, user="root", scopes=(ADMIN_SCOPE,))
    board = await create_dashboard(owner, DashboardDraft(code=None, name="Board"))

    with pytest.raises(DomainError) as refused:
        await update_dashboard(
            other_editor, board.id, DashboardChanges(name="Bob's"), action=Action.MANAGE
        )
    by_owner = await update_dashboard(
        owner, board.id, DashboardChanges(name="Alice's"), action=Action.MANAGE
    )
    by_admin = await update_dashboard(
        admin, board.id, DashboardChanges(tags=["x"]), action=Action.MANAGE
    )
    as_content = await update_dashboard(other_editor, board.id, DashboardChanges(type="ops"))

    assert refusal(refused) == [((), "FORBIDDEN")]
    assert by_owner.name == "Alice's"
    assert by_admin.tags == ("x",)
    assert as_content.type == "ops"
