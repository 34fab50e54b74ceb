"""The start and end of every write to a dashboard or its content: lock the row, check
access and the expected version; afterwards bump the version once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import (
    AccessLevel,
    Action,
    grant_level,
    require_dashboard_access,
    visible_dashboards,
)
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord
from app.domain.revisions import record_revision
from app.errors import FieldPath, not_found, version_conflict
from db.models import dashboards


async def lock_dashboard(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    expected_version: int | None,
    *,
    action: Action,
    description: str,
    field: FieldPath = ("id",),
) -> DashboardRecord:
    """Lock the dashboard row for the rest of the transaction, after checking that the
    caller sees it (else not found), may do `action` (else forbidden) and, when asked,
    that it is still at the version the caller last read (else conflict). Concurrent
    writers of one dashboard queue here, so each sees the others' committed work."""
    row = (
        await conn.execute(
            select(*DASHBOARD_COLUMNS, grant_level(ctx).label("caller_grant"))
            .where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
            .with_for_update(of=dashboards)
        )
    ).first()
    if row is None:
        raise not_found("dashboard", dashboard_id, field)
    current = DashboardRecord.from_row(row)
    require_dashboard_access(
        ctx.principal, current.owner_id, AccessLevel(row.caller_grant), action, description
    )
    if expected_version is not None and expected_version != current.version:
        raise version_conflict(expected_version, current.version)
    return current


@asynccontextmanager
async def editing_dashboard(
    ctx: RequestContext,
    dashboard_id: int,
    expected_version: int | None,
    description: str,
    *,
    action: Action = Action.EDIT,
) -> AsyncIterator[AsyncConnection]:
    """A transaction in which the dashboard is locked and the caller may do `action`: the
    opening of every write to a dashboard's pages, cards, layout, placements and grants."""
    async with ctx.db.transaction() as conn:
        await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=action,
            description=description,
            field=("dashboard_id",),
        )
        yield conn


async def bump_version(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, **values: Any
) -> DashboardRecord:
    """The next version of the dashboard, with `values` (changed columns) written with it,
    recorded as a revision (call it once the transaction's changes to the dashboard are made)."""
    row = (
        await conn.execute(
            update(dashboards)
            .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id)
            .values(**values, version=dashboards.c.version + 1, updated_at=func.now())
            .returning(*DASHBOARD_COLUMNS)
        )
    ).one()
    await record_revision(conn, ctx, dashboard_id)
    return DashboardRecord.from_row(row)
