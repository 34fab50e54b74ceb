"""Every cell of the access matrix of app/domain/access.py, as data.

Seeing: owner and admins always; share-grant holders always; otherwise the audience (holders
of one of `roleIds`, everyone when there are none), inactive dashboards only with
`dashboard.edit`. Content writes: `dashboard.edit` or an editor grant. Delete and share: the
owner with `dashboard.edit`, an editor grant, or an admin. Unseen → null / NOT_FOUND; seen but
not allowed → FORBIDDEN.

Each cell runs on a dashboard of its own (owned by alice of a fresh tenant), so writes that
succeed never influence another cell; a refused write must change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from tests.conftest import Caller, new_tenant
from tests.helpers import DELETE_DASHBOARD, UPDATE_DASHBOARD, create_dashboard

OPERATIONS = ("read", "list", "update", "content", "delete", "share")

# Outcomes: a read or list sees the dashboard or not; a write succeeds or names its refusal.
SEEN, UNSEEN = "seen", "unseen"
OK, FORBIDDEN, NOT_FOUND = "ok", "FORBIDDEN", "NOT_FOUND"

READ = """
query One($id: ID!) {
  dashboard(id: $id) {
    databaseId name version cards { databaseId } shares { subjectType subjectId accessLevel }
  }
}
"""

LIST = "{ dashboards(first: 100) { totalCount edges { node { databaseId } } } }"

ADD_CARD = """
mutation Add($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { card { databaseId } userErrors { field message code } }
}
"""

SHARE = """
mutation Share($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { share { subjectId } userErrors { field message code } }
}
"""

ROLE_RESTRICTED = {"roleIds": [7]}
INACTIVE_OPEN = {"isActive": False}
INACTIVE_RESTRICTED = {"roleIds": [7], "isActive": False}

NOBODY = ()
EDIT = (EDIT_SCOPE,)
ADMIN = (ADMIN_SCOPE,)


@dataclass(frozen=True)
class Row:
    """One caller against one kind of dashboard, and the outcome of each operation."""

    token: dict[str, Any]  # Caller options (user, roles, groups, scopes)
    expected: tuple[str, str, str, str, str, str]  # in OPERATIONS order
    board: dict[str, Any] = field(default_factory=lambda: dict(ROLE_RESTRICTED))
    grant: tuple[str, str, str] | None = None  # (subjectType, subjectId, accessLevel)
    other_tenant: bool = False


ALL_OK = (SEEN, SEEN, OK, OK, OK, OK)
READ_ONLY = (SEEN, SEEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
CONTENT_ONLY = (SEEN, SEEN, OK, OK, FORBIDDEN, FORBIDDEN)
INVISIBLE = (UNSEEN, UNSEEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)

# The matrix. Boards are restricted to role 7 unless the row says otherwise.
MATRIX: dict[str, Row] = {
    "owner with edit": Row({"user": "alice", "scopes": EDIT}, ALL_OK),
    "owner without scopes": Row({"user": "alice", "scopes": NOBODY}, READ_ONLY),
    "admin": Row({"user": "root", "scopes": ADMIN}, ALL_OK),
    "edit scope, matching role": Row({"user": "bob", "roles": (7,), "scopes": EDIT}, CONTENT_ONLY),
    "edit scope, no matching role": Row({"user": "bob", "roles": (8,), "scopes": EDIT}, INVISIBLE),
    "reader, matching role": Row({"user": "rita", "roles": (7,), "scopes": NOBODY}, READ_ONLY),
    "reader, no matching role": Row({"user": "rita", "roles": (8,), "scopes": NOBODY}, INVISIBLE),
    "viewer grant": Row(
        {"user": "vic", "scopes": NOBODY}, READ_ONLY, grant=("USER", "vic", "VIEWER")
    ),
    "commenter grant": Row(
        {"user": "cora", "scopes": NOBODY}, READ_ONLY, grant=("USER", "cora", "COMMENTER")
    ),
    "editor grant, no scopes": Row(
        {"user": "eddie", "scopes": NOBODY}, ALL_OK, grant=("USER", "eddie", "EDITOR")
    ),
    "group editor grant, no scopes": Row(
        {"user": "gina", "groups": ("analysts",), "scopes": NOBODY},
        ALL_OK,
        grant=("GROUP", "analysts", "EDITOR"),
    ),
    "other-tenant admin": Row(
        {"user": "mallory", "scopes": (EDIT_SCOPE, ADMIN_SCOPE)}, INVISIBLE, other_tenant=True
    ),
    "other-tenant user named in an editor grant": Row(
        {"user": "mallory", "scopes": EDIT},
        INVISIBLE,
        grant=("USER", "mallory", "EDITOR"),
        other_tenant=True,
    ),
    "inactive, reader": Row(
        {"user": "rita", "scopes": NOBODY}, INVISIBLE, board=dict(INACTIVE_OPEN)
    ),
    "inactive, reader with matching role": Row(
        {"user": "rita", "roles": (7,), "scopes": NOBODY},
        INVISIBLE,
        board=dict(INACTIVE_RESTRICTED),
    ),
    "inactive, editor": Row(
        {"user": "bob", "scopes": EDIT}, CONTENT_ONLY, board=dict(INACTIVE_OPEN)
    ),
    "inactive, editor with matching role": Row(
        {"user": "bob", "roles": (7,), "scopes": EDIT},
        CONTENT_ONLY,
        board=dict(INACTIVE_RESTRICTED),
    ),
    "inactive, owner without scopes": Row(
        {"user": "alice", "scopes": NOBODY}, READ_ONLY, board=dict(INACTIVE_RESTRICTED)
    ),
    "inactive, viewer grant": Row(
        {"user": "vic", "scopes": NOBODY},
        READ_ONLY,
        board=dict(INACTIVE_RESTRICTED),
        grant=("USER", "vic", "VIEWER"),
    ),
}

CELLS = [
    pytest.param(name, operation, id=f"{name} / {operation}")
    for name in MATRIX
    for operation in OPERATIONS
]


def test_the_matrix_covers_every_operation_with_a_known_outcome() -> None:
    for name, row in MATRIX.items():
        reads, writes = row.expected[:2], row.expected[2:]
        assert set(reads) <= {SEEN, UNSEEN}, name
        assert set(writes) <= {OK, FORBIDDEN, NOT_FOUND}, name
        # unseen means every write is not found; seen means none is
        assert (reads == (UNSEEN, UNSEEN)) == (set(writes) == {NOT_FOUND}), name


def _codes(payload: dict[str, Any]) -> str:
    errors = payload["userErrors"]
    if not errors:
        return OK
    assert len(errors) == 1, errors
    code: str = errors[0]["code"]
    return code


async def _perform(operation: str, caller: Caller, board: dict[str, Any]) -> str:
    if operation == "read":
        read = (await caller.graphql(READ, {"id": board["id"]}))["dashboard"]
        by_integer = (await caller.graphql(READ, {"id": str(board["databaseId"])}))["dashboard"]
        assert read == by_integer
        if read is None:
            return UNSEEN
        assert read["databaseId"] == board["databaseId"]
        return SEEN
    if operation == "list":
        listing = (await caller.graphql(LIST))["dashboards"]
        ids = [e["node"]["databaseId"] for e in listing["edges"]]
        assert listing["totalCount"] == len(ids)
        return SEEN if board["databaseId"] in ids else UNSEEN
    if operation == "update":
        data = await caller.graphql(
            UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Changed"}}
        )
        return _codes(data["updateDashboard"])
    if operation == "content":
        data = await caller.graphql(
            ADD_CARD,
            {
                "input": {
                    "dashboardId": board["id"],
                    "cardType": "KPI_CARD",
                    "layout": {"x": 0, "y": 0, "w": 3, "h": 2},
                }
            },
        )
        return _codes(data["addDashboardCard"])
    if operation == "delete":
        data = await caller.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})
        return _codes(data["deleteDashboard"])
    assert operation == "share"
    data = await caller.graphql(
        SHARE,
        {
            "input": {
                "dashboardId": board["id"],
                "subjectType": "USER",
                "subjectId": "newcomer",
                "accessLevel": "VIEWER",
            }
        },
    )
    return _codes(data["shareDashboard"])


def _effect_seen(operation: str, before: dict[str, Any], after: dict[str, Any] | None) -> None:
    """What a successful write left behind, as the tenant's admin reads it."""
    if operation == "delete":
        assert after is None
        return
    assert after is not None
    assert after["version"] == before["version"] + 1
    if operation == "update":
        assert after["name"] == "Changed"
    elif operation == "content":
        assert len(after["cards"]) == len(before["cards"]) + 1
    elif operation == "share":
        assert after["shares"] == [
            *before["shares"],
            {"subjectType": "USER", "subjectId": "newcomer", "accessLevel": "VIEWER"},
        ]


@pytest.mark.parametrize(("name", "operation"), CELLS)
async def test_access_matrix_cell(editor: Caller, admin: Caller, name: str, operation: str) -> None:
    row = MATRIX[name]
    expected = row.expected[OPERATIONS.index(operation)]

    # given a dashboard of alice's (the `editor`), shared as the row says
    board = await create_dashboard(editor, **row.board)
    if row.grant is not None:
        subject_type, subject_id, level = row.grant
        data = await editor.graphql(
            SHARE,
            {
                "input": {
                    "dashboardId": board["id"],
                    "subjectType": subject_type,
                    "subjectId": subject_id,
                    "accessLevel": level,
                }
            },
        )
        assert data["shareDashboard"]["userErrors"] == []
    tenant = new_tenant() if row.other_tenant else editor.tenant
    caller = Caller(editor.http, tenant, **row.token)
    before = (await admin.graphql(READ, {"id": board["id"]}))["dashboard"]

    # when
    outcome = await _perform(operation, caller, board)

    # then the outcome is the matrix's, and only a successful write changed anything
    assert outcome == expected
    after = (await admin.graphql(READ, {"id": board["id"]}))["dashboard"]
    if outcome == OK:
        _effect_seen(operation, before, after)
    else:
        assert after == before
