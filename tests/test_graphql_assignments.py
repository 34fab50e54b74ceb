"""Dashboards assigned to users through GraphQL: assignDashboard, unassignDashboard and
userDashboards, their refusals, one default per user under concurrent requests, and the users
a tenant knows because they called the API."""

from __future__ import annotations

import asyncio
from typing import Any

from app.auth import EDIT_SCOPE
from tests.conftest import Caller
from tests.helpers import create_dashboard

ASSIGN = """
mutation Assign($input: AssignDashboardInput!) {
  assignDashboard(input: $input) {
    assignment { dashboard { databaseId name } isDefault assignedBy createdAt }
    userErrors { field message code }
  }
}
"""

UNASSIGN = """
mutation Unassign($input: UnassignDashboardInput!) {
  unassignDashboard(input: $input) { removed userErrors { field message code } }
}
"""

USER_DASHBOARDS = """
query Of($userId: String!) {
  userDashboards(userId: $userId) {
    userId
    dashboards { dashboard { databaseId name type } isDefault assignedBy createdAt }
  }
}
"""

VIEWER = "{ viewer { userId } }"


async def assign(caller: Caller, user_id: str, dashboard_id: str, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(
        ASSIGN, {"input": {"userId": user_id, "dashboardId": dashboard_id, **fields}}
    )
    payload: dict[str, Any] = data["assignDashboard"]
    return payload


async def unassign(caller: Caller, user_id: str, dashboard_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        UNASSIGN, {"input": {"userId": user_id, "dashboardId": dashboard_id}}
    )
    payload: dict[str, Any] = data["unassignDashboard"]
    return payload


async def dashboards_of(caller: Caller, user_id: str) -> list[tuple[str, bool]]:
    data = await caller.graphql(USER_DASHBOARDS, {"userId": user_id})
    return [(d["dashboard"]["name"], d["isDefault"]) for d in data["userDashboards"]["dashboards"]]


async def refused_read(caller: Caller, user_id: str) -> list[str]:
    """The error messages of a userDashboards read that must fail."""
    response = await caller.post_graphql(USER_DASHBOARDS, {"userId": user_id})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"userDashboards": None}
    return [error["message"] for error in body["errors"]]


def problems(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


# --- happy paths ---------------------------------------------------------------------------


async def test_an_admin_assigns_and_reads_a_users_dashboards(editor: Caller, admin: Caller) -> None:
    # given
    board = await create_dashboard(editor, name="Executive Summary")

    # when
    payload = await assign(admin, "bob", board["id"], isDefault=True)
    data = await admin.graphql(USER_DASHBOARDS, {"userId": "bob"})

    # then
    assert payload["userErrors"] == []
    assignment = payload["assignment"]
    assert assignment["dashboard"] == {
        "databaseId": board["databaseId"],
        "name": "Executive Summary",
    }
    assert (assignment["isDefault"], assignment["assignedBy"]) == (True, "root")
    listing = data["userDashboards"]
    assert listing["userId"] == "bob"
    assert listing["dashboards"] == [
        {
            "dashboard": {
                "databaseId": board["databaseId"],
                "name": "Executive Summary",
                "type": None,
            },
            "isDefault": True,
            "assignedBy": "root",
            "createdAt": assignment["createdAt"],
        }
    ]


async def test_a_user_assigns_to_themself_by_integer_id(editor: Caller) -> None:
    board = await create_dashboard(editor, name="Mine")

    payload = await assign(editor, "alice", str(board["databaseId"]))

    assert payload["userErrors"] == []
    assert await dashboards_of(editor, "alice") == [("Mine", False)]


async def test_assigning_again_and_switching_the_default(editor: Caller, admin: Caller) -> None:
    first = await create_dashboard(editor, name="First")
    second = await create_dashboard(editor, name="Second")
    await assign(admin, "bob", first["id"], isDefault=True)
    await assign(admin, "bob", second["id"])

    again = await assign(admin, "bob", second["id"], isDefault=True)
    repeated = await assign(admin, "bob", second["id"], isDefault=True)

    assert again["userErrors"] == repeated["userErrors"] == []
    assert again["assignment"]["createdAt"] == repeated["assignment"]["createdAt"]
    assert await dashboards_of(admin, "bob") == [("Second", True), ("First", False)]


async def test_twelve_concurrent_default_assignments_leave_exactly_one_default(
    editor: Caller, admin: Caller
) -> None:
    # given
    boards = [await create_dashboard(editor, name=f"B{i}") for i in range(12)]

    # when
    payloads = await asyncio.gather(
        *(assign(admin, "bob", board["id"], isDefault=True) for board in boards)
    )

    # then
    assert all(p["userErrors"] == [] for p in payloads)
    listing = await dashboards_of(admin, "bob")
    assert len(listing) == 12
    assert sum(is_default for _, is_default in listing) == 1


async def test_unassigning_removes_it_once(editor: Caller, admin: Caller) -> None:
    board = await create_dashboard(editor)
    await assign(admin, "bob", board["id"])
    bob = editor.peer(user="bob", scopes=())

    removed = await unassign(bob, "bob", board["id"])
    again = await unassign(bob, "bob", board["id"])

    assert (removed, again) == (
        {"removed": True, "userErrors": []},
        {"removed": False, "userErrors": []},
    )
    assert await dashboards_of(admin, "bob") == []


# --- refusals ------------------------------------------------------------------------------


async def test_a_user_the_tenant_does_not_know_is_an_error(admin: Caller) -> None:
    assert await refused_read(admin, "nobody") == ["user 'nobody' not found"]


async def test_another_users_assignments_are_for_admins(editor: Caller, admin: Caller) -> None:
    board = await create_dashboard(editor)
    await assign(admin, "bob", board["id"])

    assigning = await assign(editor, "bob", board["id"])
    unassigning = await unassign(editor, "bob", board["id"])
    messages = await refused_read(editor, "bob")

    assert problems(assigning) == [(None, "FORBIDDEN")]
    assert assigning["assignment"] is None
    assert problems(unassigning) == [(None, "FORBIDDEN")]
    assert unassigning["removed"] is False
    assert messages == ["reading the assigned dashboards of another user is for admins"]
    assert await dashboards_of(admin, "bob") == [("A board", False)]


async def test_dashboards_the_caller_does_not_see_are_not_found(
    editor: Caller, outsider: Caller
) -> None:
    bob = editor.peer(user="bob", scopes=(EDIT_SCOPE,))
    private = await create_dashboard(editor, visibility="PRIVATE")
    theirs = await create_dashboard(outsider)

    for dashboard_id in (private["id"], theirs["id"], str(theirs["databaseId"]), "not-an-id"):
        payload = await assign(bob, "bob", dashboard_id)
        assert problems(payload) == [(["dashboardId"], "NOT_FOUND")], dashboard_id
        assert problems(await unassign(bob, "bob", dashboard_id)) == [
            (["dashboardId"], "NOT_FOUND")
        ]
    assert await dashboards_of(bob, "bob") == []


async def test_a_malformed_user_id_is_invalid(editor: Caller, admin: Caller) -> None:
    board = await create_dashboard(editor)

    payload = await assign(admin, "x" * 256, board["id"])

    assert problems(payload) == [(["userId"], "INVALID")]


async def test_the_list_shows_only_what_the_caller_sees(editor: Caller, admin: Caller) -> None:
    team = await create_dashboard(editor, name="Team")
    private = await create_dashboard(editor, name="Private", visibility="PRIVATE")
    await assign(admin, "bob", team["id"])
    await assign(admin, "bob", private["id"], isDefault=True)
    bob = editor.peer(user="bob", scopes=())

    assert await dashboards_of(admin, "bob") == [("Private", True), ("Team", False)]
    assert await dashboards_of(bob, "bob") == [("Team", False)]


# --- users the tenant knows ----------------------------------------------------------------


async def test_a_user_who_called_the_api_is_known_to_the_tenant(
    editor: Caller, admin: Caller
) -> None:
    # given rita is unknown until she calls the API
    before = await refused_read(admin, "rita")
    rita = editor.peer(user="rita", scopes=())

    # when
    await rita.graphql(VIEWER)

    # then
    assert before == ["user 'rita' not found"]
    assert await dashboards_of(admin, "rita") == []


async def test_a_users_first_request_costs_one_statement_more(
    editor: Caller, count_statements: Any
) -> None:
    await editor.graphql(VIEWER)  # the tenant is known and cached
    nina = editor.peer(user="nina")

    with count_statements() as first:
        await nina.graphql(VIEWER)
    with count_statements() as second:
        await nina.graphql(VIEWER)

    assert (first.count, second.count) == (1, 0)
