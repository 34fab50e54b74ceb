"""Per-user dashboards in the seed-004 dialect: `GET /api/users/{userId}/dashboards`, assign
with `PUT .../dashboards/{id}` (one default per user), unassign with `DELETE`; the seed's
error codes, who may do what, and the same assignments seen through GraphQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Caller
from tests.helpers import create_dashboard
from tests.test_rest_analytics import assert_error, create, database_id

USER_DASHBOARDS = """
query Of($userId: String!) {
  userDashboards(userId: $userId) { userId dashboards { isDefault dashboard { databaseId name } } }
}
"""


def url(user_id: str, key: str | None = None) -> str:
    return f"/api/users/{user_id}/dashboards" + (f"/{key}" if key else "")


async def assign(caller: Caller, user_id: str, key: str, **body: Any) -> dict[str, Any]:
    response = await caller.request("PUT", url(user_id, key), json=body or None)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def listed(caller: Caller, user_id: str) -> dict[str, Any]:
    response = await caller.request("GET", url(user_id))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- the seed's shapes -----------------------------------------------------------------------


async def test_a_users_dashboards_answer_as_the_seed(admin: Caller) -> None:
    executive = await create(admin, {"name": "Executive Summary", "type": "executive"})
    sales = await create(admin, {"name": "Sales Performance", "type": "sales"})

    first = await assign(admin, "123", sales["id"])
    second = await assign(admin, "123", executive["id"], isDefault=True)

    assert first == {"userId": 123, "id": sales["id"], "isDefault": False}
    assert second == {"userId": 123, "id": executive["id"], "isDefault": True}
    assert await listed(admin, "123") == {
        "userId": 123,
        "dashboards": [
            {
                "id": executive["id"],
                "name": "Executive Summary",
                "type": "executive",
                "isDefault": True,
            },
            {"id": sales["id"], "name": "Sales Performance", "type": "sales", "isDefault": False},
        ],
    }


@pytest.mark.parametrize(
    ("user_id", "shown"),
    [("alice", "alice"), ("0123", "0123"), ("1" * 16, "1" * 16), ("42", 42)],
)
async def test_user_ids_are_numbers_only_when_they_are_plain_ones(
    admin: Caller, user_id: str, shown: int | str
) -> None:
    board = await create(admin, {"name": "Board", "type": "t"})

    assigned = await assign(admin, user_id, board["id"])

    assert assigned["userId"] == shown
    assert (await listed(admin, user_id))["userId"] == shown


async def test_assigning_accepts_plain_ids_and_an_empty_body(admin: Caller) -> None:
    board = await create(admin, {"name": "Plain", "type": "t"})

    response = await admin.request("PUT", url("bob", str(database_id(board))))

    assert response.status_code == 200, response.text
    assert response.json() == {"userId": "bob", "id": board["id"], "isDefault": False}


async def test_a_user_has_one_default_at_most(admin: Caller) -> None:
    a = await create(admin, {"name": "A", "type": "t"})
    b = await create(admin, {"name": "B", "type": "t"})
    await assign(admin, "carol", a["id"], isDefault=True)

    await assign(admin, "carol", b["id"], isDefault=True)

    body = await listed(admin, "carol")
    assert [(d["id"], d["isDefault"]) for d in body["dashboards"]] == [
        (b["id"], True),
        (a["id"], False),
    ]


async def test_assigning_again_changes_only_the_default(admin: Caller) -> None:
    a = await create(admin, {"name": "A", "type": "t"})
    await assign(admin, "dan", a["id"], isDefault=True)

    again = await assign(admin, "dan", a["id"], isDefault=False)

    assert again["isDefault"] is False
    assert [d["isDefault"] for d in (await listed(admin, "dan"))["dashboards"]] == [False]


async def test_unassigning_is_204_then_404(admin: Caller) -> None:
    a = await create(admin, {"name": "A", "type": "t"})
    await assign(admin, "erin", a["id"])

    removed = await admin.request("DELETE", url("erin", a["id"]))
    again = await admin.request("DELETE", url("erin", a["id"]))

    assert removed.status_code == 204, removed.text
    assert removed.content == b""
    assert_error(again, 404, "NOT_FOUND")
    assert (await listed(admin, "erin"))["dashboards"] == []


async def test_a_deleted_dashboard_leaves_the_users_list(admin: Caller) -> None:
    a = await create(admin, {"name": "A", "type": "t"})
    await assign(admin, "fay", a["id"], isDefault=True)

    assert (await admin.request("DELETE", f"/api/dashboards/{a['id']}")).status_code == 200

    assert (await listed(admin, "fay"))["dashboards"] == []


async def test_the_assignments_are_the_same_in_graphql(admin: Caller) -> None:
    a = await create(admin, {"name": "A", "type": "t"})
    b = await create(admin, {"name": "B", "type": "t"})
    await assign(admin, "gus", a["id"])
    await assign(admin, "gus", b["id"], isDefault=True)

    data = await admin.graphql(USER_DASHBOARDS, {"userId": "gus"})

    assert data["userDashboards"] == {
        "userId": "gus",
        "dashboards": [
            {"isDefault": True, "dashboard": {"databaseId": database_id(b), "name": "B"}},
            {"isDefault": False, "dashboard": {"databaseId": database_id(a), "name": "A"}},
        ],
    }


# --- errors and access -----------------------------------------------------------------------


async def test_an_unknown_user_is_404_user_not_found(admin: Caller) -> None:
    response = await admin.request("GET", url("nobody"))

    assert_error(response, 404, "USER_NOT_FOUND")


async def test_an_unknown_dashboard_is_404_dashboard_not_found(
    admin: Caller, outsider: Caller
) -> None:
    theirs = await create(outsider, {"name": "Theirs", "type": "t"})

    for key in ("dashboard_999999999", theirs["id"], "dashboard_x", "abc"):
        for method in ("PUT", "DELETE"):
            response = await admin.request(method, url("hal", key))
            assert_error(response, 404, "DASHBOARD_NOT_FOUND")


async def test_members_manage_their_own_assignments_only(editor: Caller, reader: Caller) -> None:
    board = await create(editor, {"name": "Shared", "type": "t"})

    own = await reader.request("PUT", url(reader.user, board["id"]), json={"isDefault": True})
    others_list = await reader.request("GET", url(editor.user))
    others_assign = await reader.request("PUT", url(editor.user, board["id"]))
    others_remove = await reader.request("DELETE", url(editor.user, board["id"]))

    assert own.status_code == 200, own.text
    assert (await listed(reader, reader.user))["dashboards"][0]["isDefault"] is True
    assert_error(others_list, 403, "FORBIDDEN")
    assert_error(others_assign, 403, "FORBIDDEN")
    assert_error(others_remove, 403, "FORBIDDEN")


async def test_a_dashboard_the_caller_cannot_see_cannot_be_assigned(
    editor: Caller, reader: Caller
) -> None:
    board = await create_dashboard(editor, name="Private", visibility="PRIVATE")

    response = await reader.request("PUT", url(reader.user, f"dashboard_{board['databaseId']}"))

    assert_error(response, 404, "DASHBOARD_NOT_FOUND")


@pytest.mark.parametrize(
    "body", [{"isDefault": "yes"}, {"is_default": True}, [True]], ids=["type", "name", "list"]
)
async def test_a_bad_body_is_422(admin: Caller, body: Any) -> None:
    board = await create(admin, {"name": "A", "type": "t"})

    response = await admin.request("PUT", url("ivy", board["id"]), json=body)

    assert_error(response, 422, "INVALID")


async def test_the_user_routes_need_a_valid_token(
    admin: Caller, http: httpx.AsyncClient, tenant: str
) -> None:
    board = await create(admin, {"name": "A", "type": "t"})
    expired = Caller(http, tenant, ttl=-100)

    for method, path in (
        ("GET", url("root")),
        ("PUT", url("root", board["id"])),
        ("DELETE", url("root", board["id"])),
    ):
        anonymous = await http.request(method, path)
        stale = await expired.request(method, path)
        assert anonymous.status_code == 401, (method, anonymous.text)
        assert stale.status_code == 401, (method, stale.text)
        assert stale.json()["code"] == "UNAUTHENTICATED"
