"""Who sees which dashboard and who may change it (app/domain/access.py): owners and admins
always see; `roleIds` limit the audience to holders of one of those roles; inactive
dashboards are hidden from callers without `dashboard.edit`; writes need `dashboard.edit`.
Unseen is NOT_FOUND, seen but not writable is FORBIDDEN. Widgets are seen by every member."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from tests.conftest import Caller
from tests.helpers import (
    CREATE_DASHBOARD,
    CREATE_WIDGET,
    DASHBOARD,
    DASHBOARD_COUNT,
    DELETE_DASHBOARD,
    DELETE_WIDGET,
    SET_PLACEMENTS,
    UPDATE_DASHBOARD,
    UPDATE_WIDGET,
    create_dashboard,
    create_widget,
    place_widgets,
)

NODE = "query Node($id: ID!) { node(id: $id) { id ... on Dashboard { databaseId } } }"

LISTING = """
query List($isActive: Boolean) {
  dashboards(first: 100, isActive: $isActive) { totalCount edges { node { databaseId } } }
}
"""

WIDGET = "query One($id: ID!) { dashboardWidget(id: $id) { databaseId name } }"

WIDGETS = "{ dashboardWidgets(first: 100) { totalCount edges { node { databaseId } } } }"

# The dashboards every visibility test starts from, all owned by alice (the `editor`).
BOARDS: dict[str, dict[str, Any]] = {
    "open": {},
    "role7": {"roleIds": [7]},
    "role5or7": {"roleIds": [5, 7]},
    "inactive_open": {"isActive": False},
    "inactive_role7": {"roleIds": [7], "isActive": False},
}
EVERY_BOARD = frozenset(BOARDS)

# Callers of the same tenant, and which of BOARDS each one sees.
AUDIENCE: dict[str, tuple[dict[str, Any], frozenset[str]]] = {
    "owner": ({"user": "alice", "scopes": (EDIT_SCOPE,)}, EVERY_BOARD),
    "owner-without-edit": ({"user": "alice", "scopes": ()}, EVERY_BOARD),
    "admin": ({"user": "root", "scopes": (ADMIN_SCOPE,)}, EVERY_BOARD),
    "admin-with-other-role": (
        {"user": "root", "roles": (99,), "scopes": (ADMIN_SCOPE,)},
        EVERY_BOARD,
    ),
    "reader-role7": (
        {"user": "rita", "roles": (7,), "scopes": ()},
        frozenset({"open", "role7", "role5or7"}),
    ),
    "reader-role5": (
        {"user": "rita", "roles": (5,), "scopes": ()},
        frozenset({"open", "role5or7"}),
    ),
    "reader-roles-5-and-8": (
        {"user": "rita", "roles": (5, 8), "scopes": ()},
        frozenset({"open", "role5or7"}),
    ),
    "reader-other-role": ({"user": "rita", "roles": (8,), "scopes": ()}, frozenset({"open"})),
    "reader-no-roles": ({"user": "rita", "scopes": ()}, frozenset({"open"})),
    "reader-unrelated-scope": (
        {"user": "rita", "roles": (7,), "scopes": ("profile",)},
        frozenset({"open", "role7", "role5or7"}),
    ),
    "editor-role7": ({"user": "bob", "roles": (7,), "scopes": (EDIT_SCOPE,)}, EVERY_BOARD),
    "editor-role5": (
        {"user": "bob", "roles": (5,), "scopes": (EDIT_SCOPE,)},
        frozenset({"open", "role5or7", "inactive_open"}),
    ),
    "editor-no-roles": (
        {"user": "bob", "scopes": (EDIT_SCOPE,)},
        frozenset({"open", "inactive_open"}),
    ),
}


async def create_boards(owner: Caller) -> dict[str, dict[str, Any]]:
    return {name: await create_dashboard(owner, **fields) for name, fields in BOARDS.items()}


async def visible_by_single_reads(caller: Caller, boards: dict[str, dict[str, Any]]) -> set[str]:
    seen = set()
    for name, board in boards.items():
        by_global = (await caller.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"]
        by_integer = (await caller.graphql(DASHBOARD, {"id": str(board["databaseId"])}))[
            "dashboard"
        ]
        as_node = (await caller.graphql(NODE, {"id": board["id"]}))["node"]
        assert by_global == by_integer, name
        assert (as_node is None) == (by_global is None), name
        if by_global is not None:
            assert by_global["databaseId"] == board["databaseId"]
            seen.add(name)
    return seen


async def visible_by_listing(
    caller: Caller, boards: dict[str, dict[str, Any]], is_active: bool | None = None
) -> set[str]:
    names = {board["databaseId"]: name for name, board in boards.items()}
    listing = (await caller.graphql(LISTING, {"isActive": is_active}))["dashboards"]
    ids = [edge["node"]["databaseId"] for edge in listing["edges"]]
    assert listing["totalCount"] == len(ids)
    assert len(set(ids)) == len(ids)
    return {names[i] for i in ids}


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def placements_body(*widget_ids: int) -> dict[str, Any]:
    placements = [{"dashboard_widget_id": widget_id} for widget_id in widget_ids]
    return {"data": {"type": "dashboards", "attributes": {"placements": placements}}}


# --- who sees what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [pytest.param(*spec, id=name) for name, spec in AUDIENCE.items()],
)
async def test_each_caller_sees_exactly_its_dashboards(
    editor: Caller, overrides: dict[str, Any], expected: frozenset[str]
) -> None:
    # given
    boards = await create_boards(editor)
    caller = editor.peer(**overrides)

    # when
    by_reads = await visible_by_single_reads(caller, boards)
    by_listing = await visible_by_listing(caller, boards)

    # then single reads and the listing agree, and match the rules
    assert by_reads == expected
    assert by_listing == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [pytest.param(*spec, id=name) for name, spec in AUDIENCE.items()],
)
async def test_the_active_filter_stays_within_what_the_caller_sees(
    editor: Caller, overrides: dict[str, Any], expected: frozenset[str]
) -> None:
    boards = await create_boards(editor)
    caller = editor.peer(**overrides)

    active = await visible_by_listing(caller, boards, is_active=True)
    inactive = await visible_by_listing(caller, boards, is_active=False)

    assert active == {name for name in expected if not name.startswith("inactive")}
    assert inactive == {name for name in expected if name.startswith("inactive")}


async def test_changing_role_ids_changes_who_sees_it(editor: Caller) -> None:
    # given a dashboard for role 7, and a reader holding role 3
    board = await create_dashboard(editor, roleIds=[7])
    reader = editor.peer(user="rita", roles=(3,), scopes=())
    assert (await reader.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None

    # when role 3 is added, then when the list is emptied
    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": board["id"], "roleIds": [3, 7]}})
    with_role = (await reader.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"]
    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": board["id"], "roleIds": [11]}})
    without_role = (await reader.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"]
    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": board["id"], "roleIds": []}})
    for_everyone = (await reader.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"]

    # then
    assert with_role is not None
    assert without_role is None
    assert for_everyone is not None


async def test_deactivating_hides_it_from_readers_only(editor: Caller) -> None:
    board = await create_dashboard(editor)
    reader = editor.peer(user="rita", scopes=())
    other_editor = editor.peer(user="bob")

    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": board["id"], "isActive": False}})

    assert (await reader.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None
    assert (await other_editor.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is not None
    assert (await reader.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0
    assert (await other_editor.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 1


# --- who may create ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"scopes": ()}, id="no-scope"),
        pytest.param({"scopes": ("profile",), "roles": (1, 2, 3)}, id="roles-but-no-edit"),
    ],
)
async def test_creating_a_dashboard_needs_the_edit_scope(
    editor: Caller, admin: Caller, overrides: dict[str, Any]
) -> None:
    # given
    reader = editor.peer(user="rita", **overrides)

    # when
    data = await reader.graphql(CREATE_DASHBOARD, {"input": {"code": "mine", "name": "Mine"}})
    response = await reader.request(
        "POST",
        "/api/dashboards",
        json={"data": {"type": "dashboards", "attributes": {"code": "mine", "name": "Mine"}}},
    )

    # then
    assert data["createDashboard"]["dashboard"] is None
    assert codes(data["createDashboard"]) == ["FORBIDDEN"]
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "FORBIDDEN"
    assert isinstance(response.json()["error"], str)
    assert (await admin.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0


@pytest.mark.parametrize(
    "scopes",
    [pytest.param((EDIT_SCOPE,), id="edit"), pytest.param((ADMIN_SCOPE,), id="admin")],
)
async def test_editors_and_admins_may_create(editor: Caller, scopes: tuple[str, ...]) -> None:
    caller = editor.peer(user="bob", scopes=scopes)

    created = await create_dashboard(caller)
    response = await caller.request(
        "POST",
        "/api/dashboards",
        json={"data": {"type": "dashboards", "attributes": {"code": "rest", "name": "Rest"}}},
    )

    assert created["ownerId"] == "bob"
    assert response.status_code == 201, response.text


# --- who may change ---------------------------------------------------------------------

# (caller, board): callers who see the board but lack dashboard.edit.
SEEN_NOT_WRITABLE = {
    "reader-on-open": ({"user": "rita", "scopes": ()}, "open"),
    "role-holder-on-its-board": ({"user": "rita", "roles": (7,), "scopes": ()}, "role7"),
    "owner-without-edit-on-own": ({"user": "alice", "scopes": ()}, "role7"),
    "owner-without-edit-on-own-inactive": ({"user": "alice", "scopes": ()}, "inactive_role7"),
}

# (caller, board): callers who do not see the board, with or without dashboard.edit.
UNSEEN = {
    "editor-without-the-role": ({"user": "bob", "scopes": (EDIT_SCOPE,)}, "role7"),
    "editor-other-role-inactive": (
        {"user": "bob", "roles": (5,), "scopes": (EDIT_SCOPE,)},
        "inactive_role7",
    ),
    "reader-without-the-role": ({"user": "rita", "roles": (5,), "scopes": ()}, "role7"),
    "reader-on-inactive": ({"user": "rita", "scopes": ()}, "inactive_open"),
    "role-holder-on-inactive": ({"user": "rita", "roles": (7,), "scopes": ()}, "inactive_role7"),
}


async def attempt_every_change(
    caller: Caller, board: dict[str, Any], widget: dict[str, Any]
) -> tuple[list[list[str]], int]:
    """Update, delete, replace placements (GraphQL), and replace placements (REST)."""
    updated = await caller.graphql(
        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Changed"}}
    )
    deleted = await caller.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})
    placed = await caller.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [{"dashboardWidgetId": widget["id"]}],
            }
        },
    )
    cleared = await caller.graphql(
        SET_PLACEMENTS, {"input": {"dashboardId": board["id"], "placements": []}}
    )
    assert updated["updateDashboard"]["dashboard"] is None
    assert deleted["deleteDashboard"]["deletedId"] is None
    assert placed["setDashboardWidgetPlacements"]["dashboard"] is None
    assert cleared["setDashboardWidgetPlacements"]["dashboard"] is None
    response = await caller.request(
        "PUT", f"/api/dashboards/{board['databaseId']}/widgets", json=placements_body()
    )
    return [
        codes(updated["updateDashboard"]),
        codes(deleted["deleteDashboard"]),
        codes(placed["setDashboardWidgetPlacements"]),
        codes(cleared["setDashboardWidgetPlacements"]),
    ], response.status_code


async def board_with_a_widget(owner: Caller, board: dict[str, Any]) -> dict[str, Any]:
    widget = await create_widget(owner)
    await place_widgets(owner, board["id"], [widget["id"]])
    return widget


async def board_to_change(
    owner: Caller, board_name: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One of BOARDS with a widget on it, another widget to place on it, and the board as its
    owner reads it before anyone tries a change."""
    board = (await create_boards(owner))[board_name]
    await board_with_a_widget(owner, board)
    other_widget = await create_widget(owner, name="Other")
    before = await owner.graphql(DASHBOARD, {"id": board["id"]})
    return board, other_widget, before


@pytest.mark.parametrize(
    ("overrides", "board_name"),
    [pytest.param(*spec, id=name) for name, spec in SEEN_NOT_WRITABLE.items()],
)
async def test_seeing_without_edit_is_forbidden_to_change(
    editor: Caller, overrides: dict[str, Any], board_name: str
) -> None:
    # given a dashboard with a widget on it, that the caller sees
    board, other_widget, before = await board_to_change(editor, board_name)
    caller = editor.peer(**overrides)
    assert (await caller.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is not None

    # when it tries every change
    errors, rest_status = await attempt_every_change(caller, board, other_widget)

    # then each is forbidden, and nothing changed
    assert errors == [["FORBIDDEN"]] * 4
    assert rest_status == 403
    assert await editor.graphql(DASHBOARD, {"id": board["id"]}) == before


@pytest.mark.parametrize(
    ("overrides", "board_name"),
    [pytest.param(*spec, id=name) for name, spec in UNSEEN.items()],
)
async def test_not_seeing_is_not_found_whatever_the_scope(
    editor: Caller, overrides: dict[str, Any], board_name: str
) -> None:
    # given a dashboard with a widget on it, that the caller does not see
    board, other_widget, before = await board_to_change(editor, board_name)
    caller = editor.peer(**overrides)
    assert (await caller.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None

    # when it tries every change
    errors, rest_status = await attempt_every_change(caller, board, other_widget)

    # then each is not found (never forbidden), and nothing changed
    assert errors == [["NOT_FOUND"]] * 4
    assert rest_status == 404
    assert await editor.graphql(DASHBOARD, {"id": board["id"]}) == before


async def test_the_rest_refusals_carry_the_domain_codes(editor: Caller) -> None:
    boards = await create_boards(editor)
    reader = editor.peer(user="rita", scopes=())
    outsider_editor = editor.peer(user="bob", scopes=(EDIT_SCOPE,))

    forbidden = await reader.request(
        "PUT", f"/api/dashboards/{boards['open']['databaseId']}/widgets", json=placements_body()
    )
    not_found = await outsider_editor.request(
        "PUT", f"/api/dashboards/{boards['role7']['databaseId']}/widgets", json=placements_body()
    )

    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "FORBIDDEN"
    assert isinstance(forbidden.json()["error"], str)
    assert not_found.status_code == 404
    assert not_found.json()["code"] == "NOT_FOUND"
    assert isinstance(not_found.json()["error"], str)


@pytest.mark.parametrize(
    ("overrides", "board_name"),
    [
        pytest.param({"user": "bob", "roles": (7,)}, "role7", id="role-holder-editor"),
        pytest.param({"user": "bob", "roles": (5,)}, "role5or7", id="one-of-the-roles"),
        pytest.param({"user": "bob"}, "inactive_open", id="editor-on-inactive"),
        pytest.param({"user": "root", "scopes": (ADMIN_SCOPE,)}, "inactive_role7", id="admin"),
        pytest.param({"user": "alice"}, "inactive_role7", id="owner"),
    ],
)
async def test_who_sees_it_with_edit_may_change_it(
    editor: Caller, overrides: dict[str, Any], board_name: str
) -> None:
    # given
    board = (await create_boards(editor))[board_name]
    widget = await create_widget(editor)
    caller = editor.peer(**overrides)

    # when
    updated = await caller.graphql(
        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Changed"}}
    )
    placed = await caller.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [{"dashboardWidgetId": widget["id"]}],
            }
        },
    )
    response = await caller.request(
        "PUT", f"/api/dashboards/{board['databaseId']}/widgets", json=placements_body()
    )
    deleted = await caller.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})

    # then
    assert updated["updateDashboard"]["userErrors"] == []
    assert updated["updateDashboard"]["dashboard"]["name"] == "Changed"
    assert placed["setDashboardWidgetPlacements"]["userErrors"] == []
    assert response.status_code == 204, response.text
    # deleting is for the owner, editors it is shared with and admins, not every editor
    may_delete = overrides["user"] in ("alice", "root")
    if may_delete:
        assert deleted["deleteDashboard"] == {"deletedId": board["id"], "userErrors": []}
        assert (await editor.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None
    else:
        assert deleted["deleteDashboard"]["deletedId"] is None
        assert [e["code"] for e in deleted["deleteDashboard"]["userErrors"]] == ["FORBIDDEN"]
        assert (await editor.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is not None


# --- widgets ----------------------------------------------------------------------------


async def test_every_member_sees_every_widget(editor: Caller) -> None:
    # given widgets, one of them only on a dashboard the reader cannot see
    boards = await create_boards(editor)
    hidden_only = await board_with_a_widget(editor, boards["inactive_role7"])
    loose = await create_widget(editor, name="Loose")
    by_peer = await create_widget(editor.peer(user="bob"), name="Bob's")
    expected = {w["databaseId"] for w in (hidden_only, loose, by_peer)}

    for overrides in [
        {"user": "rita", "scopes": ()},
        {"user": "rita", "roles": (8,), "scopes": ()},
        {"user": "carol", "scopes": (EDIT_SCOPE,)},
    ]:
        caller = editor.peer(**overrides)

        # when
        listing = (await caller.graphql(WIDGETS))["dashboardWidgets"]
        singles = [
            (await caller.graphql(WIDGET, {"id": w}))["dashboardWidget"]
            for w in [hidden_only["id"], str(loose["databaseId"]), by_peer["id"]]
        ]

        # then
        assert {e["node"]["databaseId"] for e in listing["edges"]} == expected, overrides
        assert listing["totalCount"] == 3
        assert {w["databaseId"] for w in singles} == expected


async def test_a_reader_sees_the_widgets_on_a_dashboard_it_sees(editor: Caller) -> None:
    boards = await create_boards(editor)
    widget = await board_with_a_widget(editor, boards["role7"])
    reader = editor.peer(user="rita", roles=(7,), scopes=())

    data = await reader.graphql(DASHBOARD, {"id": boards["role7"]["id"]})

    assert [p["dashboardWidget"]["databaseId"] for p in data["dashboard"]["placements"]] == [
        widget["databaseId"]
    ]


async def test_changing_widgets_needs_the_edit_scope(editor: Caller) -> None:
    # given
    widget = await create_widget(editor, name="Keep me")
    reader = editor.peer(user="rita", roles=(1,), scopes=())

    # when
    created = await reader.graphql(
        CREATE_WIDGET, {"input": {"name": "Nope", "widgetType": "TABLE"}}
    )
    updated = await reader.graphql(UPDATE_WIDGET, {"input": {"id": widget["id"], "name": "Nope"}})
    deleted = await reader.graphql(DELETE_WIDGET, {"input": {"id": widget["id"]}})

    # then
    assert created["createDashboardWidget"]["dashboardWidget"] is None
    assert codes(created["createDashboardWidget"]) == ["FORBIDDEN"]
    assert updated["updateDashboardWidget"]["dashboardWidget"] is None
    assert codes(updated["updateDashboardWidget"]) == ["FORBIDDEN"]
    assert deleted["deleteDashboardWidget"]["deletedId"] is None
    assert codes(deleted["deleteDashboardWidget"]) == ["FORBIDDEN"]
    still = await editor.graphql(WIDGET, {"id": widget["id"]})
    assert still["dashboardWidget"]["name"] == "Keep me"
    listing = await editor.graphql(WIDGETS)
    assert listing["dashboardWidgets"]["totalCount"] == 1


@pytest.mark.parametrize(
    "scopes",
    [pytest.param((EDIT_SCOPE,), id="edit"), pytest.param((ADMIN_SCOPE,), id="admin")],
)
async def test_any_editor_may_change_any_widget_of_the_tenant(
    editor: Caller, scopes: tuple[str, ...]
) -> None:
    widget = await create_widget(editor, name="Alice's")
    other = editor.peer(user="bob", scopes=scopes)

    created = await create_widget(other, name="Bob's")
    updated = await other.graphql(UPDATE_WIDGET, {"input": {"id": widget["id"], "name": "Renamed"}})
    deleted = await other.graphql(DELETE_WIDGET, {"input": {"id": widget["id"]}})

    assert created["name"] == "Bob's"
    assert updated["updateDashboardWidget"]["userErrors"] == []
    assert updated["updateDashboardWidget"]["dashboardWidget"]["name"] == "Renamed"
    assert deleted["deleteDashboardWidget"] == {"deletedId": widget["id"], "userErrors": []}
    assert (await editor.graphql(WIDGET, {"id": widget["id"]}))["dashboardWidget"] is None
