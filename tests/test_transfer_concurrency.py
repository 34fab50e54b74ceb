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


async def test_a_kind_taken_while_an_import_runs_is_a_clear_conflict_and_nothing_is_written(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a tenant with a library widget of kind "revenue", exported
    tenant = new_tenant()
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    widget = await admin.graphql(
        """mutation W($input: CreateDashboardWidgetInput!) {
             createDashboardWidget(input: $input) { userErrors { code } } }""",
        {"input": {"name": "Revenue", "widgetType": "KPI_CARD", "kind": "revenue"}},
    )
    assert widget["createDashboardWidget"]["userErrors"] == []
    exported = await admin.graphql(EXPORT, {"input": {"scope": "TENANT"}})
    document = exported["exportDashboards"]["document"]

    # when another write takes "revenue_2", the kind a COPY import picks, while it runs
    async with services.db.engine.connect() as other:
        await other.execute(
            text(
                "INSERT INTO dashboard_widgets (tenant_id, name, widget_type, owner_id, kind) "
                "SELECT id, 'Other', 'kpi_card', 'bob', 'revenue_2' FROM tenants WHERE name = :t"
            ),
            {"t": tenant},
        )
        importing = asyncio.create_task(
            admin.graphql(IMPORT, {"input": {"document": document, "mode": "COPY"}})
        )
        await _waiting_for_locks(services, 1)
        await other.commit()
    answer = await importing

    # then the import is refused with a conflict a client can act on, and wrote nothing
    errors = answer["importDashboards"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("ALREADY_EXISTS", ["document", "widgets"])
    ]
    kinds = await admin.graphql("{ dashboardWidgets(first: 50) { nodes { kind } } }")
    assert sorted(w["kind"] for w in kinds["dashboardWidgets"]["nodes"]) == [
        "revenue",
        "revenue_2",
    ]
