"""Version history: every change records one revision, stored as a reverse patch once a newer
one exists; revisions read back exactly as the dashboard was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.revisions.reading import states_at
from app.domain.revisions.snapshot import current_snapshot
from app.services import Services
from db.models import revisions
from tests.conftest import Caller
from tests.helpers import UPDATE_DASHBOARD, context_for, create_dashboard


async def _rows(services: Services, dashboard_id: int) -> list[Any]:
    async with services.db.reader() as conn:
        return list(
            (
                await conn.execute(
                    select(revisions)
                    .where(revisions.c.dashboard_id == dashboard_id)
                    .order_by(revisions.c.version)
                )
            ).all()
        )


async def test_creation_and_update_record_revisions(editor: Caller, services: Services) -> None:
    board = await create_dashboard(editor, name="First")
    rows = await _rows(services, board["databaseId"])
    assert [(r.version, r.changes) for r in rows] == [(1, [{"kind": "CREATED", "path": ""}])]
    assert rows[0].snapshot["dashboard"]["name"] == "First"
    assert rows[0].author_id == "alice"

    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Second", "expectedVersion": 1}}
    )
    assert data["updateDashboard"]["userErrors"] == []
    rows = await _rows(services, board["databaseId"])
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].snapshot is None
    assert rows[0].patch == [[["dashboard", "name"], "First"]]
    assert rows[1].changes == [{"kind": "FIELD_CHANGED", "path": "name"}]

    ctx = await context_for(services, editor.tenant)
    async with ctx.db.reader() as conn:
        states = await states_at(conn, ctx, board["databaseId"], [1, 2])
        live = await current_snapshot(conn, ctx.tenant_id, board["databaseId"])
    assert states[2] == live
    assert states[1] == {**live, "dashboard": {**live["dashboard"], "name": "First"}}
