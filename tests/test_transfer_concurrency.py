"""An OVERWRITE import and an edit of the same dashboard, at once, against real PostgreSQL:
they serialise on the dashboard's row. The import does not check versions (it replaces what
is there when it gets the row); an editor who read the version before the import committed
gets VERSION_CONFLICT and nothing of theirs is written."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text

from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.helpers import UPDATE_DASHBOARD, create_dashboard
from tests.test_transfer_fixtures import ADMIN_SCOPES, EXPORT, IMPORT

WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def _waiting_for_locks(services: Services, count: int) -> None:
    async with services.db.engine.connect() as conn:
        for _ in range(500):
            # Statistics views keep one snapshot per transaction unless it is cleared.
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            if (await conn.scalar(WAITING) or 0) >= count:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"{count} requests never queued on the dashboard's lock")


async def test_an_overwrite_and_an_edit_serialise_and_the_stale_editor_gets_a_conflict(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a dashboard, an export of it with a new name, and its version as an editor read it
    tenant = new_tenant()
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    board = await create_dashboard(admin, code="contested", name="Before")
    exported = await admin.graphql(EXPORT, {"input": {"scope": "DASHBOARD", "id": board["id"]}})
    document = exported["exportDashboards"]["document"]
    document["dashboards"][0]["name"] = "Imported"
    read_version = board["version"]

    # when the row is held, the import and then the edit queue behind it, and it is released
    async with services.db.engine.connect() as holder:
        await holder.execute(
            text("SELECT id FROM dashboards WHERE id = :id FOR UPDATE"),
            {"id": board["databaseId"]},
        )
        importing = asyncio.create_task(
            admin.graphql(IMPORT, {"input": {"document": document, "mode": "OVERWRITE"}})
        )
        await _waiting_for_locks(services, 1)
        edit_input: dict[str, Any] = {
            "id": board["id"],
            "name": "Edited",
            "expectedVersion": read_version,
        }
        editing = asyncio.create_task(admin.graphql(UPDATE_DASHBOARD, {"input": edit_input}))
        await _waiting_for_locks(services, 2)
        await holder.rollback()
    imported, edited = await asyncio.gather(importing, editing)

    # then the import went first, and the editor's stale version was refused
    assert imported["importDashboards"]["userErrors"] == []
    actions = {o["key"]: o["action"] for o in imported["importDashboards"]["report"]["objects"]}
    assert actions == {"contested": "UPDATED"}
    assert [e["code"] for e in edited["updateDashboard"]["userErrors"]] == ["VERSION_CONFLICT"]
    now = await admin.graphql(
        "query D($id: ID!) { dashboard(id: $id) { name version } }", {"id": board["id"]}
    )
    assert now["dashboard"] == {"name": "Imported", "version": read_version + 1}


async def test_two_overwrite_imports_of_one_tenant_queue_and_both_apply(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    board = await create_dashboard(admin, code="twice", name="Start")
    exported = await admin.graphql(EXPORT, {"input": {"scope": "TENANT"}})
    documents = []
    for name in ("First", "Second"):
        document = exported["exportDashboards"]["document"]
        documents.append({**document, "dashboards": [{**document["dashboards"][0], "name": name}]})

    answers = await asyncio.gather(
        *(admin.graphql(IMPORT, {"input": {"document": d, "mode": "OVERWRITE"}}) for d in documents)
    )

    assert [a["importDashboards"]["userErrors"] for a in answers] == [[], []]
    now = await admin.graphql(
        "query D($id: ID!) { dashboard(id: $id) { name version } }", {"id": board["id"]}
    )
    assert now["dashboard"]["version"] == board["version"] + 2
    assert now["dashboard"]["name"] in ("First", "Second")
