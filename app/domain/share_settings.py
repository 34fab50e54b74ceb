"""A dashboard's sharing set in one go (seed 003's `share`): its visibility, grants for
several users and groups, and its public link, which exists exactly while it is `public`.
One transaction under the dashboard's lock: all of it applies, or nothing does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update

from app.context import RequestContext
from app.domain.access import Action, Visibility
from app.domain.editing import bump_version, lock_dashboard
from app.domain.public_links import delete_link, ensure_link
from app.domain.shares import ShareAccess, SubjectType, checked_subject_id, upsert_grant
from app.errors import DomainError, ErrorCode, Problem
from db.models import dashboards


@dataclass(frozen=True, slots=True)
class ShareSettings:
    visibility: Visibility | None  # None: unchanged
    subjects: Sequence[tuple[SubjectType, str]]  # each gets a grant of `access`
    access: ShareAccess


async def apply_share_settings(
    ctx: RequestContext,
    dashboard_id: int,
    settings: ShareSettings,
    *,
    expected_version: int | None = None,
) -> None:
    """For the dashboard's owner (with dashboard.edit), editors it is shared with and admins.
    The version goes up once when anything changed."""
    subjects = [
        (kind, checked_subject_id(subject_id, ("shared_with", index)))
        for index, (kind, subject_id) in enumerate(settings.subjects)
    ]
    if settings.visibility is None and not subjects:
        raise DomainError(
            Problem(ErrorCode.REQUIRED, "send visibility, shared_with or both", ("shared_with",))
        )
    async with ctx.db.transaction() as conn:
        current = await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=Action.MANAGE,
            description="sharing a dashboard",
            field=("dashboard_id",),
        )
        changed = False
        visibility = settings.visibility
        if visibility is not None and visibility.value != current.visibility:
            await conn.execute(
                update(dashboards)
                .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id)
                .values(visibility=visibility.value)
            )
            changed = True
        for kind, subject_id in subjects:
            _, _, granted = await upsert_grant(
                conn, ctx, dashboard_id, kind, subject_id, settings.access
            )
            changed = changed or granted
        if visibility is Visibility.PUBLIC:
            changed = (await ensure_link(conn, ctx, dashboard_id))[1] or changed
        elif visibility is not None:
            changed = await delete_link(conn, ctx, dashboard_id) or changed
        if changed:
            await bump_version(conn, ctx, dashboard_id)
