"""Share grants: a user or a group gets viewer, commenter or editor access to one dashboard,
whatever their roles. Granting the same subject again updates its grant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action, visible_dashboards
from app.domain.dashboard_rows import (
    AtVersion,
    read_at_versions,
    rows_of_dashboards,
    without_versions,
)
from app.domain.editing import bump_version, editing_dashboard
from app.domain.validation import Problems
from app.errors import FieldPath, not_found
from db.models import dashboards, share_grants

SUBJECT_ID_MAX = 255
SHARE_COLUMNS = [c for c in share_grants.c if c.name != "tenant_id"]


class SubjectType(StrEnum):
    USER = "user"
    GROUP = "group"


class ShareAccess(StrEnum):
    VIEWER = "viewer"
    COMMENTER = "commenter"
    EDITOR = "editor"


@dataclass(frozen=True, slots=True)
class ShareRecord:
    id: int
    dashboard_id: int
    subject_type: SubjectType
    subject_id: str
    access_level: ShareAccess
    granted_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> ShareRecord:
        m = row._mapping
        return cls(
            id=m["id"],
            dashboard_id=m["dashboard_id"],
            subject_type=SubjectType(m["subject_type"]),
            subject_id=m["subject_id"],
            access_level=ShareAccess(m["access_level"]),
            granted_by=m["granted_by"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
        )


_SHARES_OF_DASHBOARDS = rows_of_dashboards(share_grants, SHARE_COLUMNS, [share_grants.c.id])


async def get_versioned_shares(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, AtVersion[ShareRecord]]:
    """Grants of the given dashboards, with the dashboard version they belong to
    (dashboard_rows.py). The caller has already checked it may see them."""
    return await read_at_versions(
        conn, _SHARES_OF_DASHBOARDS, ctx, dashboard_ids, ShareRecord.from_row
    )


async def get_shares(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, list[ShareRecord]]:
    """As get_versioned_shares, without the versions."""
    return without_versions(await get_versioned_shares(conn, ctx, dashboard_ids))


async def share_dashboard(
    ctx: RequestContext,
    dashboard_id: int,
    subject_type: SubjectType,
    subject_id: str,
    access_level: ShareAccess,
    *,
    expected_version: int | None = None,
) -> tuple[ShareRecord, bool]:
    """The grant, and whether it is new (else an existing one was updated or kept)."""
    subject_id = checked_subject_id(subject_id)
    async with editing_dashboard(
        ctx, dashboard_id, expected_version, "sharing a dashboard", action=Action.MANAGE
    ) as conn:
        grant, created, changed = await upsert_grant(
            conn, ctx, dashboard_id, subject_type, subject_id, access_level
        )
        if changed:
            await bump_version(conn, ctx, dashboard_id)
    return grant, created


def checked_subject_id(subject_id: str, field: FieldPath = ("subject_id",)) -> str:
    subject_id = subject_id.strip()
    problems = Problems()
    problems.text(subject_id, field, max_length=SUBJECT_ID_MAX, required=True)
    problems.raise_if_any()
    return subject_id


async def upsert_grant(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    subject_type: SubjectType,
    subject_id: str,
    access_level: ShareAccess,
) -> tuple[ShareRecord, bool, bool]:
    """In a transaction that holds the dashboard's lock: the grant, whether it is new, and
    whether anything changed (the same grant again changes nothing)."""
    statement = (
        insert(share_grants)
        .values(
            tenant_id=ctx.tenant_id,
            dashboard_id=dashboard_id,
            subject_type=subject_type.value,
            subject_id=subject_id,
            access_level=access_level.value,
            granted_by=ctx.user_id,
        )
        .on_conflict_do_update(
            constraint="uq_share_grants_subject",
            set_={
                "access_level": access_level.value,
                "granted_by": ctx.user_id,
                "updated_at": func.now(),
            },
            where=share_grants.c.access_level != access_level.value,
        )
        # xmax is 0 only for a row this statement inserted.
        .returning(*SHARE_COLUMNS, literal_column("(xmax = 0)").label("inserted"))
    )
    row = (await conn.execute(statement)).first()
    if row is not None:
        return ShareRecord.from_row(row), bool(row.inserted), True
    kept = (
        await conn.execute(
            select(*SHARE_COLUMNS).where(
                share_grants.c.tenant_id == ctx.tenant_id,
                share_grants.c.dashboard_id == dashboard_id,
                share_grants.c.subject_type == subject_type.value,
                share_grants.c.subject_id == subject_id,
            )
        )
    ).one()
    return ShareRecord.from_row(kept), False, False


async def revoke_share(
    ctx: RequestContext, dashboard_id: int, share_id: int, *, expected_version: int | None = None
) -> ShareRecord:
    async with editing_dashboard(
        ctx, dashboard_id, expected_version, "revoking a share", action=Action.MANAGE
    ) as conn:
        row = (
            await conn.execute(
                delete(share_grants)
                .where(
                    share_grants.c.tenant_id == ctx.tenant_id,
                    share_grants.c.dashboard_id == dashboard_id,
                    share_grants.c.id == share_id,
                )
                .returning(*SHARE_COLUMNS)
            )
        ).first()
        if row is None:
            raise not_found("share", share_id, ("share_id",))
        await bump_version(conn, ctx, dashboard_id)
    return ShareRecord.from_row(row)


async def list_shares(ctx: RequestContext, dashboard_id: int) -> list[ShareRecord]:
    """The grants of a dashboard the caller sees (else not found)."""
    async with ctx.db.reader() as conn:
        if not await conn.scalar(
            select(dashboards.c.id).where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
        ):
            raise not_found("dashboard", dashboard_id, ("id",))
        return (await get_shares(conn, ctx, [dashboard_id])).get(dashboard_id, [])
