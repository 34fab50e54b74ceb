"""Optimistic concurrency: every write to a dashboard or its content accepts `expectedVersion`.
At the current version it succeeds and the version goes up by exactly one; at any other it is
refused with VERSION_CONFLICT and the dashboard, read in full (fields, pages, cards with their
layouts, placements and shares), is exactly as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLInputObjectType

from app.graphql.schema import schema
from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget

FULL = """
query Full($id: ID!) {
  dashboard(id: $id) {
    id databaseId code name description isActive isDefault roleIds ownerId version
    createdAt updatedAt parameters collection { name }
    placements { dashboardWidget { databaseId name config } position { x y w h } }
    pages {
      databaseId name position
      cards { databaseId name cardType config layout { x y w h } }
    }
    cards { databaseId name layout { x y w h } page { position } dashboardWidget { databaseId } }
    shares { databaseId subjectType subjectId accessLevel grantedBy createdAt updatedAt }
    publicLink { slug }
  }
}
"""

ADD_PAGE = """
mutation M($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) { userErrors { field message code } }
}
"""

ADD_CARD = """
mutation M($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { card { id } userErrors { field message code } }
}
"""

SHARE = """
mutation M($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { share { id } userErrors { field message code } }
}
"""


@dataclass(frozen=True)
class Board:
    """A dashboard with two pages, three cards, a share, and a library widget to place."""

    id: str
    cards: list[str]
    share: str
    widget: str


@dataclass(frozen=True)
class Write:
    mutation: str  # the field of Mutation
    input_type: str
    input: Callable[[Board], dict[str, Any]]
    # The board must be public first (a write of its own: one more version).
    public: bool = False


WRITES: dict[str, Write] = {
    "updateDashboard": Write(
        "updateDashboard",
        "UpdateDashboardInput",
        lambda b: {"id": b.id, "name": "Renamed", "roleIds": [3, 4]},
    ),
    "deleteDashboard": Write("deleteDashboard", "DeleteDashboardInput", lambda b: {"id": b.id}),
    "setDashboardWidgetPlacements": Write(
        "setDashboardWidgetPlacements",
        "SetDashboardWidgetPlacementsInput",
        lambda b: {
            "dashboardId": b.id,
            "placements": [
                {"dashboardWidgetId": b.widget, "position": {"x": 0, "y": 0, "w": 2, "h": 2}}
            ],
        },
    ),
    "addDashboardPage": Write(
        "addDashboardPage",
        "AddDashboardPageInput",
        lambda b: {"dashboardId": b.id, "name": "Inserted", "position": 1},
    ),
    "updateDashboardPage": Write(
        "updateDashboardPage",
        "UpdateDashboardPageInput",
        lambda b: {"dashboardId": b.id, "page": 2, "name": "Renamed page", "position": 1},
    ),
    "removeDashboardPage": Write(
        "removeDashboardPage",
        "RemoveDashboardPageInput",
        lambda b: {"dashboardId": b.id, "page": 1},
    ),
    "addDashboardCard": Write(
        "addDashboardCard",
        "AddDashboardCardInput",
        lambda b: {
            "dashboardId": b.id,
            "cardType": "TEXT",
            "layout": {"x": 0, "y": 10, "w": 2, "h": 2},
            "config": {"content": "hello"},
        },
    ),
    "updateDashboardCard": Write(
        "updateDashboardCard",
        "UpdateDashboardCardInput",
        lambda b: {
            "dashboardId": b.id,
            "cardId": b.cards[0],
            "name": "Renamed card",
            "config": {"metric": "margin"},
            "layout": {"x": 6, "y": 0, "w": 6, "h": 2},
        },
    ),
    "removeDashboardCard": Write(
        "removeDashboardCard",
        "DashboardCardRefInput",
        lambda b: {"dashboardId": b.id, "cardId": b.cards[0]},
    ),
    "duplicateDashboardCard": Write(
        "duplicateDashboardCard",
        "DashboardCardRefInput",
        lambda b: {"dashboardId": b.id, "cardId": b.cards[0]},
    ),
    "updateDashboardLayout": Write(
        "updateDashboardLayout",
        "UpdateDashboardLayoutInput",
        lambda b: {
            "dashboardId": b.id,
            "cards": [
                {"cardId": b.cards[0], "x": 3, "y": 0, "w": 3, "h": 2},
                {"cardId": b.cards[1], "x": 0, "y": 0, "w": 3, "h": 2},
            ],
        },
    ),
    "shareDashboard": Write(
        "shareDashboard",
        "ShareDashboardInput",
        lambda b: {
            "dashboardId": b.id,
            "subjectType": "GROUP",
            "subjectId": "sales",
            "accessLevel": "EDITOR",
        },
    ),
    "revokeDashboardShare": Write(
        "revokeDashboardShare",
        "RevokeDashboardShareInput",
        lambda b: {"dashboardId": b.id, "shareId": b.share},
    ),
    "publishDashboard": Write(
        "publishDashboard", "PublishDashboardInput", lambda b: {"dashboardId": b.id}
    ),
    "revokePublicLink": Write(
        "revokePublicLink", "RevokePublicLinkInput", lambda b: {"dashboardId": b.id}, public=True
    ),
    "restoreDashboardRevision": Write(
        "restoreDashboardRevision",
        "RestoreDashboardRevisionInput",
        lambda b: {"dashboardId": b.id, "version": 1},  # as created: no pages, cards, share
    ),
}

PUBLISH = """
mutation M($input: PublishDashboardInput!) {
  publishDashboard(input: $input) { userErrors { field message code } }
}
"""


def _document(write: Write) -> str:
    return (
        f"mutation M($input: {write.input_type}!) "
        f"{{ {write.mutation}(input: $input) {{ userErrors {{ field message code }} }} }}"
    )


async def _run(caller: Caller, write: Write, board: Board, **extra: Any) -> list[dict[str, Any]]:
    data = await caller.graphql(_document(write), {"input": {**write.input(board), **extra}})
    errors: list[dict[str, Any]] = data[write.mutation]["userErrors"]
    return errors


async def _ok(caller: Caller, document: str, field: str, values: dict[str, Any]) -> dict[str, Any]:
    data = await caller.graphql(document, {"input": values})
    assert data[field]["userErrors"] == [], data[field]["userErrors"]
    payload: dict[str, Any] = data[field]
    return payload


async def _board(caller: Caller, public: bool = False) -> Board:
    dashboard = await create_dashboard(
        caller, description="Before", roleIds=[3], parameters={"region": {"type": "string"}}
    )
    await _ok(caller, ADD_PAGE, "addDashboardPage", {"dashboardId": dashboard["id"], "name": "B"})
    cards = []
    for layout, page in (
        ({"x": 0, "y": 0, "w": 3, "h": 2}, 1),
        ({"x": 3, "y": 0, "w": 3, "h": 2}, 1),
        ({"x": 0, "y": 0, "w": 6, "h": 4}, 2),
    ):
        payload = await _ok(
            caller,
            ADD_CARD,
            "addDashboardCard",
            {
                "dashboardId": dashboard["id"],
                "cardType": "KPI_CARD",
                "config": {"metric": "revenue"},
                "layout": layout,
                "page": page,
            },
        )
        cards.append(payload["card"]["id"])
    shared = await _ok(
        caller,
        SHARE,
        "shareDashboard",
        {
            "dashboardId": dashboard["id"],
            "subjectType": "USER",
            "subjectId": "bob",
            "accessLevel": "VIEWER",
        },
    )
    widget = await create_widget(caller, name="Library widget")
    if public:
        await _ok(caller, PUBLISH, "publishDashboard", {"dashboardId": dashboard["id"]})
    return Board(dashboard["id"], cards, shared["share"]["id"], widget["id"])


async def _full(caller: Caller, board: Board) -> dict[str, Any] | None:
    dashboard: dict[str, Any] | None = (await caller.graphql(FULL, {"id": board.id}))["dashboard"]
    return dashboard


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_at_the_current_version_bumps_it_by_exactly_one(
    editor: Caller, name: str
) -> None:
    # given
    board = await _board(editor, WRITES[name].public)
    before = await _full(editor, board)
    assert before is not None
    # created, a page, three cards, a share (and made public)
    assert before["version"] == 6 + WRITES[name].public

    # when
    errors = await _run(editor, WRITES[name], board, expectedVersion=before["version"])

    # then
    assert errors == []
    after = await _full(editor, board)
    if name == "deleteDashboard":
        assert after is None
        return
    assert after is not None
    assert after["version"] == before["version"] + 1
    assert after != before | {"version": after["version"], "updatedAt": after["updatedAt"]}


@pytest.mark.parametrize("offset", [-1, 1])
@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_at_another_version_is_a_conflict_and_changes_nothing(
    editor: Caller, name: str, offset: int
) -> None:
    # given
    board = await _board(editor, WRITES[name].public)
    before = await _full(editor, board)
    assert before is not None

    # when the caller names an older (or a future) version
    errors = await _run(editor, WRITES[name], board, expectedVersion=before["version"] + offset)

    # then nothing at all changed, and the answer says why
    assert await _full(editor, board) == before
    assert [e["code"] for e in errors] == ["VERSION_CONFLICT"]
    assert f"version {before['version']}" in errors[0]["message"]


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_version_conflict_points_at_expected_version(editor: Caller, name: str) -> None:
    board = await _board(editor)

    errors = await _run(editor, WRITES[name], board, expectedVersion=1)

    assert [(e["field"], e["code"]) for e in errors] == [(["expectedVersion"], "VERSION_CONFLICT")]


def test_every_write_that_takes_expected_version_is_covered() -> None:
    """The schema's inputs with `expectedVersion` are exactly the ones above."""
    with_version = {
        name
        for name, graphql_type in schema._schema.type_map.items()
        if isinstance(graphql_type, GraphQLInputObjectType)
        and "expectedVersion" in graphql_type.fields
    }
    assert with_version == {w.input_type for w in WRITES.values()}
