"""Dashboards assigned to users (seed 004), at most one of them each user's default.

A user may manage their own assignments; admins manage everyone's. Only dashboards the caller
sees can be assigned, and a user's list shows only the dashboards the caller sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import visible_dashboards
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord
from app.domain.users import add_user, is_user_id, user_known
from app.errors import DomainError, ErrorCode, Problem, forbidden, not_found
from db.models import assignments, dashboards, tenant_users


@dataclass(frozen=True, slots=True)
class AssignedDashboard:
    dashboard: DashboardRecord
    is_default: bool
    assigned_by: str
    created_at: datetime


async def assign_dashboard(
    ctx: RequestContext, user_id: str, dashboard_id: int, *, is_default: bool = False
) -> AssignedDashboard:
    """Assign the dashboard to the user, or change whether it is their default when it is
    assigned already. A new default replaces the previous one."""
    _require_user_id(user_id)
    _require_self_or_admin(ctx, user_id, "assigning dashboards")
    async with ctx.db.transaction() as conn:
        await add_user(conn, ctx.tenant_id, user_id)
        # Every assignment of one user queues here, so that clearing the previous default
        # sees the default another transaction has just committed.
        await _lock_user(conn, ctx, user_id)
        dashboard = await _visible_dashboard(conn, ctx, dashboard_id)
        if is_default:
            await conn.execute(
                update(assignments)
                .where(
                    _of_user(ctx, user_id),
                    assignments.c.is_default,
                    assignments.c.dashboard_id != dashboard_id,
                )
                .values(is_default=False)
            )
        statement = insert(assignments).values(
            tenant_id=ctx.tenant_id,
            user_id=user_id,
            dashboard_id=dashboard_id,
            is_default=is_default,
            assigned_by=ctx.user_id,
        )
        row = (
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        assignments.c.tenant_id,
                        assignments.c.user_id,
                        assignments.c.dashboard_id,
                    ],
                    set_={"is_default": statement.excluded.is_default},
                ).returning(assignments.c.assigned_by, assignments.c.created_at)
            )
        ).one()
    return AssignedDashboard(dashboard, is_default, row.assigned_by, row.created_at)


async def unassign_dashboard(ctx: RequestContext, user_id: str, dashboard_id: int) -> bool:
    """Take the dashboard from the user's list; False when it was not in it."""
    _require_user_id(user_id)
    _require_self_or_admin(ctx, user_id, "unassigning dashboards")
    async with ctx.db.transaction() as conn:
        await _visible_dashboard(conn, ctx, dashboard_id)
        result = await conn.execute(
            delete(assignments).where(
                _of_user(ctx, user_id), assignments.c.dashboard_id == dashboard_id
            )
        )
    return bool(result.rowcount)


async def user_dashboards(ctx: RequestContext, user_id: str) -> list[AssignedDashboard]:
    """The user's dashboards that the caller sees, the default first, then in the order they
    were assigned."""
    _require_self_or_admin(ctx, user_id, "reading the assigned dashboards")
    async with ctx.db.reader() as conn:
        if user_id != ctx.user_id and not await user_known(conn, ctx.tenant_id, user_id):
            raise DomainError(
                Problem(
                    ErrorCode.NOT_FOUND,
                    f"user {user_id!r} not found",
                    ("user_id",),
                    resource="user",
                )
            )
        rows = await conn.execute(
            select(
                *DASHBOARD_COLUMNS,
                assignments.c.is_default.label("assignment_is_default"),
                assignments.c.assigned_by,
                assignments.c.created_at.label("assigned_at"),
            )
            .join(
                assignments,
                and_(
                    assignments.c.tenant_id == dashboards.c.tenant_id,
                    assignments.c.dashboard_id == dashboards.c.id,
                ),
            )
            .where(_of_user(ctx, user_id), visible_dashboards(ctx))
            .order_by(
                assignments.c.is_default.desc(),
                assignments.c.created_at,
                assignments.c.dashboard_id,
            )
        )
        return [
            AssignedDashboard(
                DashboardRecord.from_row(row),
                row.assignment_is_default,
                row.assigned_by,
                row.assigned_at,
            )
            for row in rows
        ]


def _require_user_id(user_id: str) -> None:
    if not is_user_id(user_id):
        raise DomainError(
            Problem(
                ErrorCode.INVALID, "user_id must be 1 to 255 printable characters", ("user_id",)
            )
        )


def _require_self_or_admin(ctx: RequestContext, user_id: str, action: str) -> None:
    if user_id != ctx.user_id and not ctx.principal.is_admin:
        raise forbidden(f"{action} of another user is for admins")


def _of_user(ctx: RequestContext, user_id: str) -> ColumnElement[bool]:
    return and_(assignments.c.tenant_id == ctx.tenant_id, assignments.c.user_id == user_id)


async def _lock_user(conn: AsyncConnection, ctx: RequestContext, user_id: str) -> None:
    # FOR NO KEY UPDATE: it conflicts with itself, not with the key-share locks that
    # inserting assignments of this user takes through the foreign key.
    await conn.execute(
        select(tenant_users.c.user_id)
        .where(tenant_users.c.tenant_id == ctx.tenant_id, tenant_users.c.user_id == user_id)
        .with_for_update(key_share=True)
    )


async def _visible_dashboard(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int
) -> DashboardRecord:
    """The dashboard, kept from being deleted until the transaction ends; not found unless the
    caller sees it."""
    row = (
        await conn.execute(
            select(*DASHBOARD_COLUMNS)
            .where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
            .with_for_update(read=True, key_share=True, of=dashboards)
        )
    ).first()
    if row is None:
        raise not_found("dashboard", dashboard_id, ("dashboard_id",))
    return DashboardRecord.from_row(row)
