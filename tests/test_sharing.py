"""Share grants (app/domain/shares.py): a user or a group gets viewer, commenter or editor
access to one dashboard, whatever their roles. Granting the same subject again updates the
grant; revoking takes effect at once; grants go with their dashboard and never cross
tenants. Viewer and commenter grants read; an editor grant also writes, deletes and shares."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.services import Services
from db.models import share_grants
from tests.conftest import Caller
from tests.helpers import (
    DASHBOARD,
    DELETE_DASHBOARD,
    SET_PLACEMENTS,
    UPDATE_DASHBOARD,
    create_dashboard,
    create_widget,
)

SHARE = """
mutation Share($input: ShareDashboardInput!) {
  shareDashboard(input: $input) {
    share { id databaseId subjectType subjectId accessLevel grantedBy }
    userErrors { field message code }
  }
}
"""

REVOKE = """
mutation Revoke($input: RevokeDashboardShareInput!) {
  revokeDashboardShare(input: $input) { deletedId userErrors { field message code } }
}
"""

SHARES = """
query Shares($id: ID!) {
  dashboard(id: $id) {
    databaseId version
    shares { id databaseId subjectType subjectId accessLevel grantedBy }
  }
}
"""

LISTING = "{ dashboards(first: 100) { totalCount edges { node { databaseId } } } }"

ADD_CARD = """
mutation Add($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) {
    card { databaseId layout { x y w h } }
    userErrors { field message code }
  }
}
"""

# The restricted audience of the boards below: nobody in these tests holds role 7 unless
# a test says so, so only the owner, admins and grant holders see them.
RESTRICTED = {"roleIds": [7]}
A_WIDGET_LAYOUT = {"x": 0, "y": 0, "w": 3, "h": 2}


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def share(
    caller: Caller,
    dashboard_id: str,
    subject_id: str,
    level: str = "VIEWER",
    subject_type: str = "USER",
    **extra: Any,
) -> dict[str, Any]:
    """The shareDashboard payload, whatever it holds."""
    data = await caller.graphql(
        SHARE,
        {
            "input": {
                "dashboardId": dashboard_id,
                "subjectType": subject_type,
                "subjectId": subject_id,
                "accessLevel": level,
                **extra,
            }
        },
    )
    payload: dict[str, Any] = data["shareDashboard"]
    return payload


async def granted(caller: Caller, dashboard_id: str, subject_id: str, **kwargs: Any) -> str:
    """Share and return the grant's global id; the share must succeed."""
    payload = await share(caller, dashboard_id, subject_id, **kwargs)
    assert payload["userErrors"] == [], payload["userErrors"]
    share_id: str = payload["share"]["id"]
    return share_id


async def revoke(caller: Caller, dashboard_id: str, share_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        REVOKE, {"input": {"dashboardId": dashboard_id, "shareId": share_id}}
    )
    payload: dict[str, Any] = data["revokeDashboardShare"]
    return payload


async def shares_of(caller: Caller, dashboard_id: str) -> list[dict[str, Any]]:
    dashboard = (await caller.graphql(SHARES, {"id": dashboard_id}))["dashboard"]
    assert dashboard is not None
    result: list[dict[str, Any]] = dashboard["shares"]
    return result


async def version_of(caller: Caller, dashboard_id: str) -> int:
    dashboard = (await caller.graphql(SHARES, {"id": dashboard_id}))["dashboard"]
    assert dashboard is not None
    version: int = dashboard["version"]
    return version


async def sees(caller: Caller, dashboard: dict[str, Any]) -> bool:
    """Whether the caller sees the dashboard, by a single read and in the listing (which
    must agree)."""
    single = (await caller.graphql(DASHBOARD, {"id": dashboard["id"]}))["dashboard"]
    listing = (await caller.graphql(LISTING))["dashboards"]
    listed = dashboard["databaseId"] in [e["node"]["databaseId"] for e in listing["edges"]]
    assert (single is not None) == listed
    return listed


async def update_name(caller: Caller, dashboard_id: str, name: str) -> dict[str, Any]:
    data = await caller.graphql(UPDATE_DASHBOARD, {"input": {"id": dashboard_id, "name": name}})
    payload: dict[str, Any] = data["updateDashboard"]
    return payload


async def add_card(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        ADD_CARD,
        {"input": {"dashboardId": dashboard_id, "cardType": "TEXT", "layout": A_WIDGET_LAYOUT}},
    )
    payload: dict[str, Any] = data["addDashboardCard"]
    return payload


async def set_placements(caller: Caller, dashboard_id: str, widget_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        SET_PLACEMENTS,
        {"input": {"dashboardId": dashboard_id, "placements": [{"dashboardWidgetId": widget_id}]}},
    )
    payload: dict[str, Any] = data["setDashboardWidgetPlacements"]
    return payload


async def test_users_and_groups_are_granted_each_level_and_listed(editor: Caller) -> None:
    # given
    board = await create_dashboard(editor)

    # when
    viewer = await share(editor, board["id"], "bob", "VIEWER")
    commenter = await share(editor, board["id"], "carol", "COMMENTER")
    group = await share(editor, board["id"], "sales", "EDITOR", subject_type="GROUP")

    # then every payload is the grant, and the dashboard lists them in the order granted
    made = [viewer["share"], commenter["share"], group["share"]]
    assert [p["userErrors"] for p in (viewer, commenter, group)] == [[], [], []]
    assert [(s["subjectType"], s["subjectId"], s["accessLevel"]) for s in made] == [
        ("USER", "bob", "VIEWER"),
        ("USER", "carol", "COMMENTER"),
        ("GROUP", "sales", "EDITOR"),
    ]
    assert all(s["grantedBy"] == "alice" for s in made)
    assert await shares_of(editor, board["id"]) == made


async def test_sharing_the_same_subject_again_updates_its_one_grant(editor: Caller) -> None:
    # given a viewer grant for bob
    board = await create_dashboard(editor)
    first = await share(editor, board["id"], "bob", "VIEWER")

    # when bob is shared again, once with surrounding blanks, by another user who may share
    admin = editor.peer(user="root", scopes=("dashboard.admin",))
    second = await share(admin, board["id"], "bob", "EDITOR")
    third = await share(editor, board["id"], "  bob ", "COMMENTER")

    # then there is still one grant for bob, with the last level and granter
    assert first["share"]["id"] == second["share"]["id"] == third["share"]["id"]
    assert second["share"]["grantedBy"] == "root"
    grants = await shares_of(editor, board["id"])
    assert [(g["subjectId"], g["accessLevel"], g["grantedBy"]) for g in grants] == [
        ("bob", "COMMENTER", "alice")
    ]


async def test_a_user_and_a_group_of_the_same_name_are_two_subjects(editor: Caller) -> None:
    board = await create_dashboard(editor)

    user = await granted(editor, board["id"], "ops", level="VIEWER")
    group = await granted(editor, board["id"], "ops", level="EDITOR", subject_type="GROUP")

    assert user != group
    grants = await shares_of(editor, board["id"])
    assert [(g["subjectType"], g["accessLevel"]) for g in grants] == [
        ("USER", "VIEWER"),
        ("GROUP", "EDITOR"),
    ]


@pytest.mark.parametrize(
    ("subject_id", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"), ("x" * 256, "TOO_LONG")]
)
async def test_a_blank_or_too_long_subject_is_refused(
    editor: Caller, subject_id: str, code: str
) -> None:
    board = await create_dashboard(editor)

    payload = await share(editor, board["id"], subject_id)

    assert payload["share"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["subjectId"], code)]
    assert await shares_of(editor, board["id"]) == []
    assert await version_of(editor, board["id"]) == board["version"]


async def test_revoking_removes_exactly_that_grant(editor: Caller) -> None:
    # given two grants
    board = await create_dashboard(editor)
    bob = await granted(editor, board["id"], "bob")
    sales = await granted(editor, board["id"], "sales", subject_type="GROUP")

    # when
    payload = await revoke(editor, board["id"], bob)

    # then
    assert payload == {"deletedId": bob, "userErrors": []}
    assert [g["id"] for g in await shares_of(editor, board["id"])] == [sales]


async def test_revoking_an_unknown_share_is_not_found_and_changes_nothing(editor: Caller) -> None:
    # given a grant on one dashboard, and another dashboard of the same tenant
    board = await create_dashboard(editor)
    other = await create_dashboard(editor)
    grant = await granted(editor, other["id"], "bob")
    before = await version_of(editor, board["id"])

    # when revoking ids that name no grant of `board`: none at all, not a share id, and a
    # grant of the other dashboard
    answers = [
        await revoke(editor, board["id"], share_id)
        for share_id in ("987654321", "not-an-id", board["id"], grant)
    ]

    # then each is NOT_FOUND, at shareId, and nothing changed
    for payload in answers:
        assert payload["deletedId"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["shareId"], "NOT_FOUND")
        ]
    assert [g["id"] for g in await shares_of(editor, other["id"])] == [grant]
    assert await version_of(editor, board["id"]) == before


async def test_a_user_grant_shows_a_restricted_dashboard_to_a_caller_without_roles_or_scopes(
    editor: Caller,
) -> None:
    # given a dashboard for role 7, and vic with neither roles nor scopes
    board = await create_dashboard(editor, **RESTRICTED)
    vic = editor.peer(user="vic", scopes=())
    assert not await sees(vic, board)

    # when
    await granted(editor, board["id"], "vic", level="VIEWER")

    # then vic sees it, and no one else without the role does
    assert await sees(vic, board)
    assert not await sees(editor.peer(user="victor", scopes=()), board)


async def test_a_group_grant_shows_the_dashboard_to_tokens_with_that_group(editor: Caller) -> None:
    # given a dashboard for role 7 shared with the group "analysts"
    board = await create_dashboard(editor, **RESTRICTED)
    await granted(editor, board["id"], "analysts", subject_type="GROUP")

    # then a token carrying the group (among others) sees it; one with other groups, or a
    # user whose `sub` happens to be the group's id, does not
    assert await sees(editor.peer(user="gus", groups=("finance", "analysts"), scopes=()), board)
    assert not await sees(editor.peer(user="gus", groups=("finance",), scopes=()), board)
    assert not await sees(editor.peer(user="analysts", scopes=()), board)


@pytest.mark.parametrize("level", ["VIEWER", "COMMENTER"])
async def test_viewer_and_commenter_grants_read_but_may_not_write(
    editor: Caller, level: str
) -> None:
    # given a restricted dashboard shared with vic, who has no scopes
    board = await create_dashboard(editor, **RESTRICTED)
    widget = await create_widget(editor)
    await granted(editor, board["id"], "vic", level=level)
    vic = editor.peer(user="vic", scopes=())
    before = await editor.graphql(SHARES, {"id": board["id"]})

    # when vic tries every kind of write
    updated = await update_name(vic, board["id"], "Renamed")
    carded = await add_card(vic, board["id"])
    placed = await set_placements(vic, board["id"], widget["id"])
    deleted = (await vic.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}}))[
        "deleteDashboard"
    ]
    shared = await share(vic, board["id"], "vic", "EDITOR")

    # then vic reads it, every write is forbidden, and nothing changed
    assert await sees(vic, board)
    assert [codes(p) for p in (updated, carded, placed, deleted, shared)] == [["FORBIDDEN"]] * 5
    assert await editor.graphql(SHARES, {"id": board["id"]}) == before


@pytest.mark.parametrize(
    ("subject_type", "subject_id", "token"),
    [
        ("USER", "eddie", {"user": "eddie"}),
        ("GROUP", "designers", {"user": "gina", "groups": ("designers",)}),
    ],
)
async def test_an_editor_grant_writes_shares_and_deletes_without_the_edit_scope(
    editor: Caller, subject_type: str, subject_id: str, token: dict[str, Any]
) -> None:
    # given a restricted dashboard shared as editor with a caller who has no scopes at all
    board = await create_dashboard(editor, **RESTRICTED)
    widget = await create_widget(editor)
    await granted(editor, board["id"], subject_id, level="EDITOR", subject_type=subject_type)
    grantee = editor.peer(scopes=(), **token)
    start = await version_of(editor, board["id"])

    # when the grantee changes, shares and finally deletes it
    placed = await set_placements(grantee, board["id"], widget["id"])
    updated = await update_name(grantee, board["id"], "Edited by a grantee")
    carded = await add_card(grantee, board["id"])
    shared = await share(grantee, board["id"], "zoe", "VIEWER")
    seen = (await editor.graphql(SHARES, {"id": board["id"]}))["dashboard"]
    deleted = (await grantee.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}}))[
        "deleteDashboard"
    ]

    # then every write succeeded, each bumping the version once
    assert [codes(p) for p in (placed, updated, carded, shared, deleted)] == [[]] * 5
    assert updated["dashboard"]["name"] == "Edited by a grantee"
    assert carded["card"]["layout"] == A_WIDGET_LAYOUT
    assert shared["share"]["grantedBy"] == grantee.user
    assert seen["version"] == start + 4
    assert [s["subjectId"] for s in seen["shares"]] == [subject_id, "zoe"]
    assert deleted["deletedId"] == board["id"]
    assert (await editor.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None


async def test_revoking_takes_effect_at_once(editor: Caller) -> None:
    # given vic, an editor grantee without scopes, who has just read the dashboard
    board = await create_dashboard(editor, **RESTRICTED)
    grant = await granted(editor, board["id"], "vic", level="EDITOR")
    vic = editor.peer(user="vic", scopes=())
    assert await sees(vic, board)

    # when the owner revokes the grant
    assert codes(await revoke(editor, board["id"], grant)) == []

    # then vic's very next requests no longer see it: null, not listed, writes NOT_FOUND
    assert (await vic.graphql(DASHBOARD, {"id": board["id"]}))["dashboard"] is None
    assert not await sees(vic, board)
    assert codes(await update_name(vic, board["id"], "Too late")) == ["NOT_FOUND"]
    assert codes(await share(vic, board["id"], "vic", "EDITOR")) == ["NOT_FOUND"]


async def test_lowering_a_grant_takes_effect_at_once(editor: Caller) -> None:
    board = await create_dashboard(editor, **RESTRICTED)
    await granted(editor, board["id"], "vic", level="EDITOR")
    vic = editor.peer(user="vic", scopes=())
    assert codes(await update_name(vic, board["id"], "First")) == []

    await granted(editor, board["id"], "vic", level="VIEWER")

    assert await sees(vic, board)
    assert codes(await update_name(vic, board["id"], "Second")) == ["FORBIDDEN"]


async def test_sharing_and_revoking_bump_the_version_once_each(editor: Caller) -> None:
    board = await create_dashboard(editor)
    start = await version_of(editor, board["id"])

    grant = await granted(editor, board["id"], "bob")
    after_share = await version_of(editor, board["id"])
    await granted(editor, board["id"], "bob", level="EDITOR")
    after_reshare = await version_of(editor, board["id"])
    assert codes(await revoke(editor, board["id"], grant)) == []
    after_revoke = await version_of(editor, board["id"])

    assert (after_share, after_reshare, after_revoke) == (start + 1, start + 2, start + 3)


async def test_grants_go_when_the_dashboard_is_deleted(editor: Caller, services: Services) -> None:
    # given a dashboard with two grants, and another one with a grant of its own
    board = await create_dashboard(editor, **RESTRICTED)
    kept = await create_dashboard(editor)
    await granted(editor, board["id"], "vic")
    await granted(editor, board["id"], "sales", subject_type="GROUP")
    await granted(editor, kept["id"], "vic")

    # when
    deleted = await editor.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})
    assert codes(deleted["deleteDashboard"]) == []

    # then its grants are gone from the database, the other dashboard's stay
    async with services.db.engine.connect() as conn:
        left = await conn.scalar(
            select(func.count())
            .select_from(share_grants)
            .where(share_grants.c.dashboard_id == board["databaseId"])
        )
    assert left == 0
    assert [g["subjectId"] for g in await shares_of(editor, kept["id"])] == ["vic"]
    assert not await sees(editor.peer(user="vic", scopes=()), board)


async def test_another_tenant_can_neither_share_nor_see_grants(
    editor: Caller, outsider: Caller
) -> None:
    # given a shared dashboard of the editor's tenant, with a grant for a user named like
    # the outsider
    board = await create_dashboard(editor)
    grant = await granted(editor, board["id"], outsider.user, level="EDITOR")
    before = await editor.graphql(SHARES, {"id": board["id"]})

    # when the outsider (an admin of another tenant) tries
    shared = await share(outsider, board["id"], "mallory-friend", "EDITOR")
    revoked = await revoke(outsider, board["id"], grant)
    read = await outsider.graphql(SHARES, {"id": board["id"]})

    # then the dashboard does not exist for them, and nothing changed
    assert codes(shared) == ["NOT_FOUND"]
    assert codes(revoked) == ["NOT_FOUND"]
    assert read == {"dashboard": None}
    assert not await sees(outsider, board)
    assert await editor.graphql(SHARES, {"id": board["id"]}) == before
