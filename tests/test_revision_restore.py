"""Restoring a revision: the round trip gives back the old state (fields, pages, cards and
their config, layout, grants) as a new revision; a stale expected version, an unknown
revision, a deleted widget or missing rights change nothing; of two concurrent restores
with the same expected version exactly one wins; REST says the same with its statuses."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from app.services import Services
from db.models import dashboard_widgets, placements
from tests.conftest import Caller, graphql_data
from tests.helpers import create_dashboard, create_widget, place_widgets
from tests.isolation.snapshot import tenant_rows
from tests.test_revisions import (
    add_card,
    live_state,
    revision_rows,
    run,
    version_of,
)

RESTORE = """
mutation Restore($input: RestoreDashboardRevisionInput!) {
  restoreDashboardRevision(input: $input) {
    dashboard { databaseId name version pages { name } cards { name config layout { x y } } }
    userErrors { field message code }
  }
}
"""


async def restore(caller: Caller, board_gid: str, version: int, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(
        RESTORE, {"input": {"dashboardId": board_gid, "version": version, **fields}}
    )
    payload: dict[str, Any] = data["restoreDashboardRevision"]
    return payload


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def restorable(state: dict[str, Any]) -> dict[str, Any]:
    """What a restore brings back: all but the default flag and the public link."""
    fields = {k: v for k, v in state["dashboard"].items() if k != "is_default"}
    return {**{k: v for k, v in state.items() if k != "public_link"}, "dashboard": fields}


async def tenant_id_of(services: Services, caller: Caller) -> int:
    return await services.tenants.id_for(caller.tenant)


async def dashboard_rows(services: Services, tenant_id: int) -> dict[str, Any]:
    """The tenant's rows, but the users it has met (a first call adds its caller)."""
    rows = await tenant_rows(services, tenant_id)
    return {table: found for table, found in rows.items() if table != "tenant_users"}


async def test_restore_round_trip_brings_back_every_part(
    editor: Caller, services: Services
) -> None:
    # given a dashboard at an early state A: two pages, a card with config, a library
    # widget placed, a grant
    board = await create_dashboard(editor, name="State A", description="as it was")
    widget = await create_widget(editor, name="Kept library widget")
    await place_widgets(editor, board["id"], [widget["id"]], [{"x": 6, "y": 0, "w": 3, "h": 2}])
    card = await add_card(editor, board["id"], name="First card", config={"note": "A"})
    await run(
        editor,
        "addDashboardPage",
        "AddDashboardPageInput",
        {"dashboardId": board["id"], "name": "Second"},
    )
    share = await run(
        editor,
        "shareDashboard",
        "ShareDashboardInput",
        {
            "dashboardId": board["id"],
            "subjectType": "USER",
            "subjectId": "gina",
            "accessLevel": "VIEWER",
        },
        "share { id }",
    )
    version_a = await version_of(services, board["databaseId"])
    state_a = await live_state(services, editor.tenant, board["databaseId"])

    # and many changes after it
    gid = board["id"]
    await run(editor, "updateDashboard", "UpdateDashboardInput", {"id": gid, "name": "State B"})
    await run(
        editor,
        "updateDashboardCard",
        "UpdateDashboardCardInput",
        {"dashboardId": gid, "cardId": card["id"], "config": {"note": "B"}, "name": "Renamed"},
    )
    await run(
        editor,
        "updateDashboardLayout",
        "UpdateDashboardLayoutInput",
        {"dashboardId": gid, "cards": [{"cardId": card["id"], "x": 0, "y": 9, "w": 3, "h": 2}]},
    )
    other = await add_card(editor, gid, name="Added later")
    await run(
        editor,
        "removeDashboardCard",
        "DashboardCardRefInput",
        {"dashboardId": gid, "cardId": card["id"]},
    )
    await run(
        editor, "removeDashboardPage", "RemoveDashboardPageInput", {"dashboardId": gid, "page": 2}
    )
    await run(
        editor,
        "revokeDashboardShare",
        "RevokeDashboardShareInput",
        {"dashboardId": gid, "shareId": share["share"]["id"]},
    )
    await run(editor, "publishDashboard", "PublishDashboardInput", {"dashboardId": gid})
    before = await version_of(services, board["databaseId"])

    # when the owner restores state A
    payload = await restore(
        editor, gid, version_a, expectedVersion=before, revisionMessage="back to A"
    )

    # then the dashboard is as it was, at a new version, recorded as a restore
    assert payload["userErrors"] == []
    assert payload["dashboard"]["version"] == before + 1
    assert payload["dashboard"]["name"] == "State A"
    now = await live_state(services, editor.tenant, board["databaseId"])
    assert restorable(now) == restorable(state_a)
    assert now["public_link"] is True  # a restore never unpublishes
    newest = (await revision_rows(services, board["databaseId"]))[-1]
    assert newest.version == before + 1
    assert (newest.restored_from, newest.message) == (version_a, "back to A")
    assert newest.changes[0] == {"kind": "RESTORED", "path": str(version_a)}
    assert {"kind": "CARD_ADDED", "path": f"cards/{card['databaseId']}"} in newest.changes
    assert {"kind": "CARD_REMOVED", "path": f"cards/{other['databaseId']}"} in newest.changes
    # the card came back with its own widget, and the later card's widget is gone
    async with services.db.reader() as conn:
        card_widget = state_a["cards"][str(card["databaseId"])]["widget_id"]
        names = dict(
            (
                await conn.execute(
                    select(dashboard_widgets.c.id, dashboard_widgets.c.name).where(
                        dashboard_widgets.c.id == card_widget
                    )
                )
            ).all()
        )
        assert names == {card_widget: "First card"}
        later = await conn.scalar(
            select(placements.c.widget_id).where(placements.c.id == other["databaseId"])
        )
        assert later is None
    # and GraphQL reads it as it was
    cards = {c["name"]: c for c in payload["dashboard"]["cards"]}
    assert cards["First card"]["config"] == {"note": "A"}
    pages = [p["name"] for p in payload["dashboard"]["pages"]]
    assert pages == [
        page["name"] for page in sorted(state_a["pages"].values(), key=lambda p: p["position"])
    ]
    assert pages[-1] == "Second"


async def test_restore_under_a_stale_version_changes_nothing(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor, name="One")
    await run(editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "Two"})
    tenant = await tenant_id_of(services, editor)
    rows_before = await dashboard_rows(services, tenant)

    payload = await restore(editor, board["id"], 1, expectedVersion=1)

    assert codes(payload) == [(["expectedVersion"], "VERSION_CONFLICT")]
    assert payload["dashboard"] is None
    assert await dashboard_rows(services, tenant) == rows_before


async def test_an_unknown_revision_is_not_found(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor)
    tenant = await tenant_id_of(services, editor)
    rows_before = await dashboard_rows(services, tenant)
    payload = await restore(editor, board["id"], 42)
    assert codes(payload) == [(["version"], "NOT_FOUND")]
    assert await dashboard_rows(services, tenant) == rows_before


async def test_a_revision_whose_library_widget_was_deleted_cannot_be_restored(
    editor: Caller, services: Services
) -> None:
    # given a revision that shows a library widget, deleted since
    board = await create_dashboard(editor)
    widget = await create_widget(editor, name="Short-lived")
    shown = await place_widgets(editor, board["id"], [widget["id"]])
    await place_widgets(editor, board["id"], [])
    deleted = await editor.graphql(
        "mutation D($input: DeleteDashboardWidgetInput!) { deleteDashboardWidget(input: $input)"
        " { deletedId userErrors { code } } }",
        {"input": {"id": widget["id"]}},
    )
    assert deleted["deleteDashboardWidget"]["userErrors"] == []
    tenant = await tenant_id_of(services, editor)
    rows_before = await dashboard_rows(services, tenant)

    # when it is restored
    payload = await restore(editor, board["id"], shown["version"])

    # then the restore is refused, clearly, and nothing changes
    assert codes(payload) == [(["version"], "UNKNOWN_REFERENCE")]
    assert str(widget["databaseId"]) in payload["userErrors"][0]["message"]
    assert await dashboard_rows(services, tenant) == rows_before


async def test_two_concurrent_restores_with_one_expected_version_one_wins(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor, name="v1")
    for name in ("v2", "v3"):
        await run(
            editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": name}
        )

    results = await asyncio.gather(
        restore(editor, board["id"], 1, expectedVersion=3),
        restore(editor.peer(), board["id"], 2, expectedVersion=3),
    )

    outcomes = sorted(
        "won" if r["userErrors"] == [] else r["userErrors"][0]["code"] for r in results
    )
    assert outcomes == ["VERSION_CONFLICT", "won"]
    winner = next(r for r in results if r["userErrors"] == [])
    rows = await revision_rows(services, board["databaseId"])
    assert [r.version for r in rows] == [1, 2, 3, 4]
    assert rows[-1].snapshot["dashboard"]["name"] == winner["dashboard"]["name"]
    assert winner["dashboard"]["version"] == 4


async def test_restoring_needs_edit_rights_and_grants_need_manage_rights(
    editor: Caller, reader: Caller, outsider: Caller, services: Services
) -> None:
    board = await create_dashboard(editor, name="Owned")
    await run(
        editor,
        "shareDashboard",
        "ShareDashboardInput",
        {
            "dashboardId": board["id"],
            "subjectType": "USER",
            "subjectId": "gina",
            "accessLevel": "VIEWER",
        },
    )
    await run(editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "N"})
    tenant = await tenant_id_of(services, editor)
    rows_before = await dashboard_rows(services, tenant)

    # a member without dashboard.edit: forbidden; another tenant: not found
    assert codes(await restore(reader, board["id"], 2)) == [(None, "FORBIDDEN")]
    assert codes(await restore(outsider, board["id"], 2)) == [(["dashboardId"], "NOT_FOUND")]
    # an editor who does not own it may restore content, but not take grants back
    other_editor = editor.peer()
    assert codes(await restore(other_editor, board["id"], 1)) == [(None, "FORBIDDEN")]
    assert await dashboard_rows(services, tenant) == rows_before
    same_grants = await restore(other_editor, board["id"], 2)
    assert same_grants["userErrors"] == []
    assert same_grants["dashboard"]["name"] == "Owned"


async def test_rest_restore_takes_if_match_and_answers_the_dashboard(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor, name="Rest one")
    await run(
        editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "Rest two"}
    )
    url = f"/api/dashboards/{board['databaseId']}/revisions/1/restore"

    stale = await editor.request("POST", url, headers={"If-Match": '"v1"'})
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "VERSION_CONFLICT"
    missing = await editor.request(
        "POST", f"/api/dashboards/{board['databaseId']}/revisions/77/restore"
    )
    assert missing.status_code == 404

    done = await editor.request(
        "POST", url, headers={"If-Match": '"v2"', "X-Revision-Message": "undo rename"}
    )
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == '"v3"'
    assert done.json()["name"] == "Rest one"
    newest = (await revision_rows(services, board["databaseId"]))[-1]
    assert (newest.version, newest.restored_from, newest.message) == (3, 1, "undo rename")
    listed = graphql_data(
        await editor.post_graphql(
            "query H($id: ID!) { dashboard(id: $id) { revisions(first: 1) "
            "{ edges { node { version restoredFrom message } } } } }",
            {"id": board["id"]},
        )
    )
    assert listed["dashboard"]["revisions"]["edges"][0]["node"] == {
        "version": 3,
        "restoredFrom": 1,
        "message": "undo rename",
    }


async def test_a_restore_message_too_long_is_refused(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor)
    await run(editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "N"})
    payload = await restore(editor, board["id"], 1, revisionMessage="x" * 501)
    assert codes(payload) == [(["revisionMessage"], "TOO_LONG")]
    assert len(await revision_rows(services, board["databaseId"])) == 2
