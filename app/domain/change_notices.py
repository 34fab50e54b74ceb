"""Notices that a dashboard changed, sent through PostgreSQL `NOTIFY` so that every process
serving subscriptions hears of it, whichever process made the change. A notice is sent in the
writing transaction, so PostgreSQL delivers it at commit and never for a rolled-back write. It
is small on purpose: listeners load what their subscriber may see."""

from __future__ import annotations

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

CHANNEL = "dashboard_changes"


async def announce_dashboard_change(
    conn: AsyncConnection,
    *,
    tenant_id: int,
    dashboard_id: int,
    version: int | None,
    deleted: bool = False,
) -> None:
    """Tell listeners that `dashboard_id` reached `version` (its new revision), or was deleted."""
    payload = orjson.dumps(
        {"tenant": tenant_id, "dashboard": dashboard_id, "version": version, "deleted": deleted}
    ).decode()
    await conn.execute(select(func.pg_notify(CHANNEL, payload)))
