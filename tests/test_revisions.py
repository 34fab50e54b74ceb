"""Version history: every change to a dashboard records exactly one revision (each mutation is
enumerated, so a new one must say whether it changes dashboards); revisions are stored as
reverse patches once a newer one exists, so a one-card move on a 200-card dashboard stores a
few bytes; they read back exactly, list newest first, compare, and carry the writer's message.
Tenancy and visibility: what the caller cannot see is null / 404."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Text, func, select, text

from app.domain.revisions.reading import states_at
from app.domain.revisions.snapshot import current_snapshot
from app.graphql.schema import schema
from app.services import Services
from db.models import dashboards, revisions
from tests.conftest import Caller, graphql_data
from tests.helpers import (
    UPDATE_DASHBOARD,
    context_for,
    create_dashboard,
    create_widget,
    place_widgets,
)

ERRORS = "userErrors { field message code }"
HISTORY = """
query History($id: ID!, $first: Int, $after: String) {
  dashboard(id: $id) {
    version
    revisions(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id version author message restoredFrom changes { kind path } } }
    }
  }
}
"""
REVISION = """
query Revision($id: ID!, $version: Int!) {
  dashboardRevision(dashboardId: $id, version: $version) {
    id version author message changes { kind path } snapshot
  }
}
"""
DIFF = """
query Diff($id: ID!, $from: Int!, $to: Int) {
  dashboardRevisionDiff(dashboardId: $id, fromVersion: $from, toVersion: $to) {
    fromVersion toVersion changes { kind path } patch
  }
}
"""


def mutation(name: str, input_type: str, selection: str = "") -> str:
    return (
        f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"
    )


async def run(
    caller: Caller, name: str, input_type: str, values: dict[str, Any], sel: str = ""
) -> Any:
    data = await caller.graphql(mutation(name, input_type, sel), {"input": values})
    payload = data[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def revision_rows(services: Services, dashboard_id: int) -> list[Any]:
    """The dashboard's revision rows, oldest first (as the service's own user: all tenants)."""
    async with services.db.reader() as conn:
        rows = await conn.execute(
            select(revisions)
            .where(revisions.c.dashboard_id == dashboard_id)
            .order_by(revisions.c.version)
        )
        return list(rows)


async def version_of(services: Services, dashboard_id: int) -> int:
    async with services.db.reader() as conn:
        version = await conn.scalar(
            select(dashboards.c.version).where(dashboards.c.id == dashboard_id)
        )
    assert version is not None
    return int(version)


async def live_state(services: Services, tenant: str, dashboard_id: int) -> dict[str, Any]:
    ctx = await context_for(services, tenant)
    async with ctx.db.reader() as conn:
        return await current_snapshot(conn, ctx.tenant_id, dashboard_id)


async def state_at(services: Services, tenant: str, dashboard_id: int, version: int) -> Any:
    ctx = await context_for(services, tenant)
    async with ctx.db.reader() as conn:
        return (await states_at(conn, ctx, dashboard_id, [version])).get(version)


async def add_card(caller: Caller, board_gid: str, **fields: Any) -> dict[str, Any]:
    values = {
        "dashboardId": board_gid,
        "cardType": "TABLE",
        "config": {"note": "n"},
        "layout": {"x": 0, "y": 0, "w": 3, "h": 2},
        **fields,
    }
    payload = await run(
        caller, "addDashboardCard", "AddDashboardCardInput", values, "card { id databaseId }"
    )
    card: dict[str, Any] = payload["card"]
    return card


# --- every mutation, classified ---------------------------------------------------------------


class Board:
    """A dashboard with a library widget placed, a card, a second page and a grant."""

    def __init__(self, gid: str, database_id: int, widget_gid: str, card_gid: str, share_gid: str):
        self.gid, self.id = gid, database_id
        self.widget_gid, self.card_gid, self.share_gid = widget_gid, card_gid, share_gid


async def full_board(caller: Caller) -> Board:
    board = await create_dashboard(caller, name="Full")
    widget = await create_widget(caller, name=f"Library {uuid.uuid4().hex[:6]}")
    await place_widgets(caller, board["id"], [widget["id"]], [{"x": 6, "y": 0, "w": 3, "h": 2}])
    card = await add_card(caller, board["id"])
    await run(
        caller,
        "addDashboardPage",
        "AddDashboardPageInput",
        {"dashboardId": board["id"], "name": "Two"},
    )
    share = await run(
        caller,
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
    return Board(board["id"], board["databaseId"], widget["id"], card["id"], share["share"]["id"])


Change = Callable[[Caller, Board], Awaitable[Any]]


def _call(
    name: str, input_type: str, values: Callable[[Board], dict[str, Any]], sel: str = ""
) -> Change:
    async def change(caller: Caller, board: Board) -> Any:
        return await run(caller, name, input_type, values(board), sel)

    return change


# Each mutation that changes an existing dashboard, done once on a full board.
CHANGES: dict[str, Change] = {
    "updateDashboard": _call(
        "updateDashboard", "UpdateDashboardInput", lambda b: {"id": b.gid, "name": "Renamed"}
    ),
    "setDashboardWidgetPlacements": _call(
        "setDashboardWidgetPlacements",
        "SetDashboardWidgetPlacementsInput",
        lambda b: {"dashboardId": b.gid, "placements": [{"dashboardWidgetId": b.widget_gid}]},
    ),
    "addDashboardPage": _call(
        "addDashboardPage",
        "AddDashboardPageInput",
        lambda b: {"dashboardId": b.gid, "name": "Three"},
    ),
    "updateDashboardPage": _call(
        "updateDashboardPage",
        "UpdateDashboardPageInput",
        lambda b: {"dashboardId": b.gid, "page": 2, "name": "Deux"},
    ),
    "removeDashboardPage": _call(
        "removeDashboardPage",
        "RemoveDashboardPageInput",
        lambda b: {"dashboardId": b.gid, "page": 2},
    ),
    "addDashboardCard": _call(
        "addDashboardCard",
        "AddDashboardCardInput",
        lambda b: {
            "dashboardId": b.gid,
            "cardType": "TABLE",
            "config": {},
            "layout": {"x": 0, "y": 4, "w": 2, "h": 2},
        },
    ),
    "updateDashboardCard": _call(
        "updateDashboardCard",
        "UpdateDashboardCardInput",
        lambda b: {"dashboardId": b.gid, "cardId": b.card_gid, "config": {"note": "changed"}},
    ),
    "removeDashboardCard": _call(
        "removeDashboardCard",
        "DashboardCardRefInput",
        lambda b: {"dashboardId": b.gid, "cardId": b.card_gid},
    ),
    "duplicateDashboardCard": _call(
        "duplicateDashboardCard",
        "DashboardCardRefInput",
        lambda b: {"dashboardId": b.gid, "cardId": b.card_gid},
    ),
    "updateDashboardLayout": _call(
        "updateDashboardLayout",
        "UpdateDashboardLayoutInput",
        lambda b: {
            "dashboardId": b.gid,
            "cards": [{"cardId": b.card_gid, "x": 0, "y": 6, "w": 3, "h": 2}],
        },
    ),
    "shareDashboard": _call(
        "shareDashboard",
        "ShareDashboardInput",
        lambda b: {
            "dashboardId": b.gid,
            "subjectType": "GROUP",
            "subjectId": "team-x",
            "accessLevel": "EDITOR",
        },
    ),
    "revokeDashboardShare": _call(
        "revokeDashboardShare",
        "RevokeDashboardShareInput",
        lambda b: {"dashboardId": b.gid, "shareId": b.share_gid},
    ),
    "publishDashboard": _call(
        "publishDashboard", "PublishDashboardInput", lambda b: {"dashboardId": b.gid}
    ),
    "updateDashboardWidget": _call(
        "updateDashboardWidget",
        "UpdateDashboardWidgetInput",
        lambda b: {"id": b.widget_gid, "config": {"v": 2}},
    ),
}

# Mutations that make a new dashboard: it starts with exactly one revision, at version 1.
CREATIONS = ("createDashboard", "duplicateDashboard", "createDashboardFromTemplate")

# Mutations that change no dashboard's recorded state, and why.
NOT_DASHBOARD_CHANGES = {
    "deleteDashboard": "the dashboard and its revisions go (its deletion is announced)",
    "createDashboardWidget": "a new library widget is on no dashboard yet",
    "deleteDashboardWidget": "only a widget placed nowhere can be deleted",
    "createCollection": "collections are folders; dashboards keep their collection id",
    "updateCollection": "renaming or moving a folder changes no dashboard",
    "deleteCollection": "only an empty collection can be deleted",
    "createDataset": "datasets are the tenant's, read by widgets",
    "updateDataset": "datasets are the tenant's, read by widgets",
    "deleteDataset": "a dataset in use cannot be deleted",
    "assignDashboard": "assignments are a user's list of dashboards, not dashboard content",
    "unassignDashboard": "assignments are a user's list of dashboards, not dashboard content",
    "importDashboards": "the import part records revisions itself (tests of app/domain/transfer)",
    "revokePublicLink": "tested with publishDashboard: it needs a link to revoke",
    "restoreDashboardRevision": "tests/test_revision_restore.py (one revision per restore)",
}


def test_every_mutation_is_classified() -> None:
    """A new mutation fails here until it says whether it changes dashboards (and, if it
    does, CHANGES or CREATIONS shows it records exactly one revision)."""
    declared = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
    classified = set(CHANGES) | set(CREATIONS) | set(NOT_DASHBOARD_CHANGES)
    assert declared - classified == set()


@pytest.mark.parametrize("name", sorted(CHANGES))
async def test_each_change_records_exactly_one_revision(
    editor: Caller, services: Services, name: str
) -> None:
    # given a dashboard with every kind of content
    board = await full_board(editor)
    before = await revision_rows(services, board.id)
    version = await version_of(services, board.id)
    assert [r.version for r in before] == list(range(1, version + 1))

    # when the mutation runs once
    await CHANGES[name](editor, board)

    # then there is exactly one revision more, at the new version, with the live state
    after = await revision_rows(services, board.id)
    assert await version_of(services, board.id) == version + 1
    assert [r.version for r in after] == list(range(1, version + 2))
    newest = after[-1]
    assert newest.author_id == editor.user
    assert newest.snapshot == await live_state(services, editor.tenant, board.id)
    # and only the newest keeps a snapshot; the others hold reverse patches
    assert [r.snapshot is None for r in after] == [True] * version + [False]


async def test_revoking_the_public_link_records_one_revision(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor)
    await run(editor, "publishDashboard", "PublishDashboardInput", {"dashboardId": board["id"]})
    await run(editor, "revokePublicLink", "RevokePublicLinkInput", {"dashboardId": board["id"]})
    rows = await revision_rows(services, board["databaseId"])
    assert [(r.version, r.changes) for r in rows[1:]] == [
        (2, [{"kind": "PUBLIC_LINK_CHANGED", "path": "public_link"}]),
        (3, [{"kind": "PUBLIC_LINK_CHANGED", "path": "public_link"}]),
    ]


async def test_creations_start_with_one_revision(editor: Caller, services: Services) -> None:
    from tests.test_graphql_templates import sales_dataset

    made = [await create_dashboard(editor, name="Made")]
    full = await full_board(editor)
    copy = await run(
        editor,
        "duplicateDashboard",
        "DuplicateDashboardInput",
        {"id": full.gid},
        "dashboard { databaseId }",
    )
    made.append(copy["dashboard"])
    dataset = await sales_dataset(editor, services)
    templates = await editor.graphql("{ dashboardTemplates { id } }")
    from_template = await run(
        editor,
        "createDashboardFromTemplate",
        "CreateDashboardFromTemplateInput",
        {
            "templateId": templates["dashboardTemplates"][0]["id"],
            "datasetId": dataset["id"],
            "name": "From template",
        },
        "dashboard { databaseId }",
    )
    made.append(from_template["dashboard"])
    for board in made:
        rows = await revision_rows(services, board["databaseId"])
        assert [(r.version, r.changes) for r in rows] == [(1, [{"kind": "CREATED", "path": ""}])]
        assert rows[0].snapshot == await live_state(services, editor.tenant, board["databaseId"])
    copied = (await revision_rows(services, copy["dashboard"]["databaseId"]))[0].snapshot
    assert len(copied["cards"]) == 2
    assert len(copied["pages"]) == 2


async def test_a_new_default_records_a_revision_of_the_previous_one(
    admin: Caller, services: Services
) -> None:
    first = await create_dashboard(admin, isDefault=True)
    second = await create_dashboard(admin)
    await run(
        admin, "updateDashboard", "UpdateDashboardInput", {"id": second["id"], "isDefault": True}
    )
    rows = await revision_rows(services, first["databaseId"])
    assert rows[-1].version == await version_of(services, first["databaseId"])
    assert rows[-1].changes == [{"kind": "FIELD_CHANGED", "path": "is_default"}]
    assert rows[-1].snapshot["dashboard"]["is_default"] is False


async def test_creation_and_update_record_revisions(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor, name="First")
    rows = await revision_rows(services, board["databaseId"])
    assert [(r.version, r.changes) for r in rows] == [(1, [{"kind": "CREATED", "path": ""}])]
    assert rows[0].snapshot["dashboard"]["name"] == "First"
    assert rows[0].author_id == "alice"

    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Second", "expectedVersion": 1}}
    )
    assert data["updateDashboard"]["userErrors"] == []
    rows = await revision_rows(services, board["databaseId"])
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].snapshot is None
    assert rows[0].patch == [[["dashboard", "name"], "First"]]
    assert rows[1].changes == [{"kind": "FIELD_CHANGED", "path": "name"}]

    live = await live_state(services, editor.tenant, board["databaseId"])
    assert await state_at(services, editor.tenant, board["databaseId"], 2) == live
    assert await state_at(services, editor.tenant, board["databaseId"], 1) == {
        **live,
        "dashboard": {**live["dashboard"], "name": "First"},
    }


async def test_a_refused_write_records_nothing(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor)
    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "x", "expectedVersion": 7}}
    )
    assert data["updateDashboard"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert len(await revision_rows(services, board["databaseId"])) == 1


# --- storage ----------------------------------------------------------------------------------


async def _two_hundred_cards(services: Services, tenant: str, dashboard_id: int) -> None:
    """200 cards (each with its own widget and config) on the dashboard's first page, written
    directly: the set-up is not what is measured."""
    ctx = await context_for(services, tenant)
    async with services.db.transaction() as conn:
        page_id = await conn.scalar(
            text("SELECT id FROM dashboard_pages WHERE dashboard_id = :d"), {"d": dashboard_id}
        )
        widget_ids = (
            (
                await conn.execute(
                    text(
                        "INSERT INTO dashboard_widgets"
                        " (tenant_id, name, widget_type, config, in_library, owner_id)"
                        " SELECT :t, 'Card ' || n, 'TABLE',"
                        " jsonb_build_object('note', repeat('x', 80), 'n', n), false, 'alice'"
                        " FROM generate_series(1, 200) n RETURNING id"
                    ),
                    {"t": ctx.tenant_id},
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(
            text(
                "INSERT INTO dashboard_widget_placements"
                " (tenant_id, dashboard_id, page_id, widget_id, position, ordinal)"
                " VALUES (:t, :d, :p, :w, :pos, :o)"
            ),
            [
                {
                    "t": ctx.tenant_id,
                    "d": dashboard_id,
                    "p": page_id,
                    "w": w,
                    "pos": json.dumps({"x": (i % 4) * 3, "y": (i // 4) * 2, "w": 3, "h": 2}),
                    "o": i,
                }
                for i, w in enumerate(widget_ids)
            ],
        )


async def test_a_one_card_move_on_200_cards_stores_a_small_revision(
    editor: Caller, services: Services
) -> None:
    # given a 200-card dashboard whose state is recorded (a rename records it)
    board = await create_dashboard(editor, name="Big")
    await _two_hundred_cards(services, editor.tenant, board["databaseId"])
    await run(
        editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "Big one"}
    )
    before = await live_state(services, editor.tenant, board["databaseId"])
    card_id = next(iter(before["cards"]))

    # when one card moves
    await run(
        editor,
        "updateDashboardLayout",
        "UpdateDashboardLayoutInput",
        {
            "dashboardId": board["id"],
            "cards": [{"cardId": card_id, "x": 0, "y": 400, "w": 3, "h": 2}],
        },
    )

    # then the revision before it keeps only the patch back, a tiny part of the snapshot
    # (pg_column_size: as stored, compressed; octet_length: as JSON text)
    async with services.db.reader() as conn:
        sizes = {
            row.version: row
            for row in await conn.execute(
                select(
                    revisions.c.version,
                    func.pg_column_size(revisions.c.patch).label("patch_stored"),
                    func.pg_column_size(revisions.c.snapshot).label("snapshot_stored"),
                    func.octet_length(func.cast(revisions.c.snapshot, Text)).label("snapshot_text"),
                ).where(revisions.c.dashboard_id == board["databaseId"])
            )
        }
    moved_from, newest = sizes[2], sizes[3]
    assert moved_from.snapshot_stored is None
    assert newest.patch_stored is None
    print(
        f"\npatch of the move: {moved_from.patch_stored} bytes; snapshot of 200 cards: "
        f"{newest.snapshot_stored} bytes stored, {newest.snapshot_text} as text"
    )
    assert moved_from.patch_stored < 100
    assert newest.snapshot_text > 40_000
    assert newest.snapshot_stored > 20 * moved_from.patch_stored
    rows = await revision_rows(services, board["databaseId"])
    assert rows[1].patch == [
        [["cards", card_id, "position", "y"], before["cards"][card_id]["position"]["y"]]
    ]
    assert rows[2].changes == [{"kind": "CARD_MOVED", "path": f"cards/{card_id}"}]

    # and the old revisions read back exactly
    assert await state_at(services, editor.tenant, board["databaseId"], 2) == before
    first = await state_at(services, editor.tenant, board["databaseId"], 1)
    assert first["cards"] == {}
    assert first["dashboard"]["name"] == "Big"


# --- reading ----------------------------------------------------------------------------------


async def test_revisions_list_newest_first_in_pages(editor: Caller) -> None:
    board = await create_dashboard(editor, name="v1")
    for n in range(2, 6):
        await run(
            editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": f"v{n}"}
        )

    first = (await editor.graphql(HISTORY, {"id": board["id"], "first": 2}))["dashboard"]
    assert first["version"] == 5
    connection = first["revisions"]
    assert connection["totalCount"] == 5
    assert [e["node"]["version"] for e in connection["edges"]] == [5, 4]
    assert connection["pageInfo"]["hasNextPage"] is True
    rest = (
        await editor.graphql(
            HISTORY, {"id": board["id"], "first": 10, "after": connection["pageInfo"]["endCursor"]}
        )
    )["dashboard"]["revisions"]
    assert [e["node"]["version"] for e in rest["edges"]] == [3, 2, 1]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["edges"][-1]["node"]["changes"] == [{"kind": "CREATED", "path": ""}]
    assert rest["edges"][0]["node"]["author"] == "alice"


async def test_a_revision_reads_as_it_was_and_diffs(editor: Caller) -> None:
    board = await create_dashboard(editor, name="Before")
    card = await add_card(editor, board["id"])
    await run(
        editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "After"}
    )

    old = (await editor.graphql(REVISION, {"id": board["id"], "version": 1}))["dashboardRevision"]
    assert old["version"] == 1
    assert old["snapshot"]["dashboard"]["name"] == "Before"
    assert old["snapshot"]["cards"] == {}
    new = (await editor.graphql(REVISION, {"id": board["id"], "version": 3}))["dashboardRevision"]
    assert new["snapshot"]["dashboard"]["name"] == "After"
    assert list(new["snapshot"]["cards"]) == [str(card["databaseId"])]

    diff = (await editor.graphql(DIFF, {"id": board["id"], "from": 1, "to": 3}))[
        "dashboardRevisionDiff"
    ]
    kinds = {(c["kind"], c["path"]) for c in diff["changes"]}
    assert kinds == {
        ("FIELD_CHANGED", "name"),
        ("CARD_ADDED", f"cards/{card['databaseId']}"),
    }
    backwards = (await editor.graphql(DIFF, {"id": board["id"], "from": 3, "to": 1}))[
        "dashboardRevisionDiff"
    ]
    assert {(c["kind"], c["path"]) for c in backwards["changes"]} == {
        ("FIELD_CHANGED", "name"),
        ("CARD_REMOVED", f"cards/{card['databaseId']}"),
    }
    newest = (await editor.graphql(DIFF, {"id": board["id"], "from": 2}))["dashboardRevisionDiff"]
    assert newest["toVersion"] == 3
    assert newest["changes"] == [{"kind": "FIELD_CHANGED", "path": "name"}]
    assert newest["patch"] == [[["dashboard", "name"], "After"]]

    unknown = await editor.graphql(REVISION, {"id": board["id"], "version": 99})
    assert unknown["dashboardRevision"] is None
    assert (await editor.graphql(DIFF, {"id": board["id"], "from": 1, "to": 99}))[
        "dashboardRevisionDiff"
    ] is None


# --- messages ---------------------------------------------------------------------------------


async def test_the_revision_message_header_is_kept_for_graphql_and_rest(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor)
    response = await editor.http.post(
        "/graphql",
        json={"query": UPDATE_DASHBOARD, "variables": {"input": {"id": board["id"], "name": "N"}}},
        headers=[
            *((name.encode(), value.encode()) for name, value in editor.headers.items()),
            (b"X-Revision-Message", "Renamed for Q4 ✓".encode()),
        ],
    )
    assert graphql_data(response)["updateDashboard"]["userErrors"] == []
    rest = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['databaseId']}",
        json={"description": "d"},
        headers={"X-Revision-Message": "from REST"},
    )
    assert rest.status_code == 200, rest.text
    rows = await revision_rows(services, board["databaseId"])
    assert [r.message for r in rows] == [None, "Renamed for Q4 ✓", "from REST"]
    history = (await editor.graphql(HISTORY, {"id": board["id"]}))["dashboard"]["revisions"]
    assert [e["node"]["message"] for e in history["edges"]] == [
        "from REST",
        "Renamed for Q4 ✓",
        None,
    ]


async def test_a_message_too_long_refuses_the_write(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor, name="Kept")
    response = await editor.http.post(
        "/graphql",
        json={"query": UPDATE_DASHBOARD, "variables": {"input": {"id": board["id"], "name": "N"}}},
        headers={**editor.headers, "X-Revision-Message": "m" * 501},
    )
    errors = graphql_data(response)["updateDashboard"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["revisionMessage"], "TOO_LONG")]
    rest = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['databaseId']}",
        json={"name": "N"},
        headers={"X-Revision-Message": "m" * 501},
    )
    assert rest.status_code == 422, rest.text
    assert rest.json()["code"] == "TOO_LONG"
    assert len(await revision_rows(services, board["databaseId"])) == 1
    assert await version_of(services, board["databaseId"]) == 1


# --- tenancy, visibility, authentication ------------------------------------------------------


async def test_revisions_follow_the_dashboards_visibility(
    editor: Caller, reader: Caller, outsider: Caller, http: httpx.AsyncClient
) -> None:
    private = await create_dashboard(editor, visibility="PRIVATE")
    team = await create_dashboard(editor)
    for caller in (reader, outsider):
        assert (await caller.graphql(REVISION, {"id": private["id"], "version": 1}))[
            "dashboardRevision"
        ] is None
        assert (await caller.graphql(DIFF, {"id": private["id"], "from": 1}))[
            "dashboardRevisionDiff"
        ] is None
        listed = await caller.request("GET", f"/api/dashboards/{private['databaseId']}/revisions")
        assert listed.status_code == 404
    # another tenant naming the id sees nothing, even of a team dashboard
    assert (await outsider.graphql(REVISION, {"id": team["id"], "version": 1}))[
        "dashboardRevision"
    ] is None
    # a member who sees the team dashboard reads its history
    seen = await reader.graphql(REVISION, {"id": team["id"], "version": 1})
    assert seen["dashboardRevision"]["version"] == 1
    # no token, an expired token: 401
    url = f"/api/dashboards/{team['databaseId']}/revisions"
    assert (await http.get(url)).status_code == 401
    expired = Caller(http, editor.tenant, ttl=-60)
    assert (await expired.request("GET", url)).status_code == 401
    assert (
        await expired.post_graphql(REVISION, {"id": team["id"], "version": 1})
    ).status_code == 401


async def test_rest_lists_reads_and_diffs_revisions(editor: Caller) -> None:
    board = await create_dashboard(editor, name="One")
    for name in ("Two", "Three"):
        await run(
            editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": name}
        )
    base = f"/api/dashboards/{board['databaseId']}/revisions"

    page = (await editor.request("GET", base, params={"limit": 2})).json()
    assert [r["version"] for r in page["revisions"]] == [3, 2]
    assert (page["total"], page["limit"], page["next_before"]) == (3, 2, 2)
    rest = (await editor.request("GET", base, params={"before": 2})).json()
    assert [r["version"] for r in rest["revisions"]] == [1]
    assert rest["next_before"] is None

    one = await editor.request("GET", f"{base}/1")
    assert one.status_code == 200
    assert one.json()["snapshot"]["dashboard"]["name"] == "One"
    assert (await editor.request("GET", f"{base}/9")).status_code == 404

    diff = (await editor.request("GET", f"{base}/diff", params={"from": 1, "to": 3})).json()
    assert diff["changes"] == [{"kind": "FIELD_CHANGED", "path": "name"}]
    assert diff["patch"] == [[["dashboard", "name"], "Three"]]
    missing_from = await editor.request("GET", f"{base}/diff")
    assert missing_from.status_code == 400
    assert missing_from.json()["code"] == "INVALID_QUERY"


# --- statements -------------------------------------------------------------------------------

LISTED_HISTORY = """
query Listed($first: Int!) {
  dashboards(first: $first) {
    edges { node { id revisions(first: 3) {
      totalCount edges { node { version author changes { kind path } snapshot } }
    } } }
  }
}
"""


async def test_statements_for_revisions_of_a_list_are_constant(
    http: httpx.AsyncClient, count_statements: Any
) -> None:
    from tests.conftest import new_tenant

    counts = {}
    for boards in (2, 6):
        caller = Caller(http, new_tenant())
        for n in range(boards):
            board = await create_dashboard(caller, name=f"b{n}")
            await run(
                caller,
                "updateDashboard",
                "UpdateDashboardInput",
                {"id": board["id"], "name": f"c{n}"},
            )
        with count_statements() as counter:
            data = await caller.graphql(LISTED_HISTORY, {"first": 10})
        edges = data["dashboards"]["edges"]
        assert len(edges) == boards
        assert all(e["node"]["revisions"]["totalCount"] == 2 for e in edges)
        counts[boards] = counter.count
    assert counts[6] == counts[2], counts


async def test_the_revision_message_input_is_kept_and_wins_over_the_header(
    editor: Caller, services: Services
) -> None:
    board = await create_dashboard(editor)
    await run(
        editor,
        "updateDashboard",
        "UpdateDashboardInput",
        {"id": board["id"], "name": "N", "revisionMessage": "  renamed  "},
    )
    response = await editor.http.post(
        "/graphql",
        json={
            "query": mutation("addDashboardCard", "AddDashboardCardInput"),
            "variables": {
                "input": {
                    "dashboardId": board["id"],
                    "cardType": "TABLE",
                    "config": {},
                    "layout": {"x": 0, "y": 0, "w": 2, "h": 2},
                    "revisionMessage": "from the input",
                }
            },
        },
        headers={**editor.headers, "X-Revision-Message": "from the header"},
    )
    assert graphql_data(response)["addDashboardCard"]["userErrors"] == []
    too_long = await editor.graphql(
        mutation("addDashboardPage", "AddDashboardPageInput"),
        {"input": {"dashboardId": board["id"], "name": "P", "revisionMessage": "m" * 501}},
    )
    assert [(e["field"], e["code"]) for e in too_long["addDashboardPage"]["userErrors"]] == [
        (["revisionMessage"], "TOO_LONG")
    ]
    rows = await revision_rows(services, board["databaseId"])
    assert [r.message for r in rows] == [None, "renamed", "from the input"]


async def test_a_revision_is_a_node(editor: Caller, outsider: Caller) -> None:
    board = await create_dashboard(editor, name="Noded")
    revision = (await editor.graphql(REVISION, {"id": board["id"], "version": 1}))[
        "dashboardRevision"
    ]
    node = "query N($id: ID!) { node(id: $id) { id ... on DashboardRevision { version message } } }"
    found = await editor.graphql(node, {"id": revision["id"]})
    assert found["node"] == {"id": revision["id"], "version": 1, "message": None}
    assert (await outsider.graphql(node, {"id": revision["id"]}))["node"] is None


async def test_a_dashboard_older_than_its_history_records_its_first_revision(
    editor: Caller, services: Services
) -> None:
    # given a dashboard whose revisions are gone (as for one made before migration 0006)
    board = await create_dashboard(editor, name="Old")
    async with services.db.transaction() as conn:
        await conn.execute(
            text("DELETE FROM dashboard_revisions WHERE dashboard_id = :d"),
            {"d": board["databaseId"]},
        )
    await run(editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "New"})
    rows = await revision_rows(services, board["databaseId"])
    assert [(r.version, r.changes) for r in rows] == [(2, [{"kind": "RECORDED", "path": ""}])]


MAX_SNAPSHOTS = 100  # REVISION_SNAPSHOTS_PER_REQUEST's default


async def test_snapshots_a_request_may_read_are_bounded(editor: Caller) -> None:
    board = await create_dashboard(editor, name="s0")
    for n in range(1, MAX_SNAPSHOTS + 1):
        await run(
            editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": f"s{n}"}
        )
    query = (
        "query S($id: ID!, $first: Int!) { dashboard(id: $id) { revisions(first: $first) "
        "{ edges { node { version snapshot } } } } }"
    )
    within = await editor.graphql(query, {"id": board["id"], "first": MAX_SNAPSHOTS})
    edges = within["dashboard"]["revisions"]["edges"]
    assert [e["node"]["snapshot"]["dashboard"]["name"] for e in edges[:2]] == [
        f"s{MAX_SNAPSHOTS}",
        f"s{MAX_SNAPSHOTS - 1}",
    ]
    assert edges[-1]["node"]["snapshot"]["dashboard"]["name"] == "s1"
    # two pages of one request: 60 and the 41 below them, 101 snapshots in all
    from app.graphql.pagination import encode_cursor

    both = (
        "query S($id: ID!, $after: String!) { dashboard(id: $id) { "
        "a: revisions(first: 60) { edges { node { snapshot } } } "
        "b: revisions(first: 60, after: $after) { edges { node { snapshot } } } } }"
    )
    beyond = (
        await editor.post_graphql(both, {"id": board["id"], "after": encode_cursor(42)})
    ).json()
    assert "at most 100 revision snapshots" in beyond["errors"][0]["message"]


async def test_a_library_widget_change_records_a_revision_of_each_dashboard_showing_it(
    editor: Caller, services: Services
) -> None:
    widget = await create_widget(editor, name="Shared")
    boards = [await create_dashboard(editor, name=f"Shows {n}") for n in range(2)]
    for board in boards:
        await place_widgets(editor, board["id"], [widget["id"]])
    await run(
        editor,
        "updateDashboardWidget",
        "UpdateDashboardWidgetInput",
        {"id": widget["id"], "config": {"v": 3}},
    )
    for board in boards:
        rows = await revision_rows(services, board["databaseId"])
        assert [r.version for r in rows] == [1, 2, 3]
        assert rows[-1].changes == [
            {"kind": "WIDGET_CHANGED", "path": f"widgets/{widget['databaseId']}"}
        ]
