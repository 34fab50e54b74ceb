"""Public links: a dashboard made public gets an unguessable slug that opens its render, and
nothing else, without a token. Publishing and revoking are the dashboard's sharing: its
owner (with `dashboard.edit`), editors it is shared with and admins. Revoking deletes the row,
so the next request through the slug is refused at once."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth import Principal
from app.context import Database, RequestContext
from app.data.plane import DataPlane
from app.domain.access import Action
from app.domain.editing import bump_version, lock_dashboard
from app.domain.records import columns_of
from app.settings import Settings
from db.models import public_links, tenants

SLUG_BYTES = 24  # 192 random bits, 32 URL-safe characters


@dataclass(frozen=True, slots=True)
class PublicLinkRecord:
    slug: str
    dashboard_id: int
    created_by: str
    created_at: datetime


_LINK_COLUMNS = [public_links.c[f] for f in ("slug", "dashboard_id", "created_by", "created_at")]


def _record(row: object) -> PublicLinkRecord:
    return PublicLinkRecord(**columns_of(PublicLinkRecord, row))  # type: ignore[arg-type]


async def publish_dashboard(
    ctx: RequestContext, dashboard_id: int, *, expected_version: int | None = None
) -> tuple[PublicLinkRecord, bool]:
    """The dashboard's public link, made now unless it has one (publishing twice keeps
    the slug), and whether it was made now."""
    async with ctx.db.transaction() as conn:
        await _lock(conn, ctx, dashboard_id, expected_version, "making a dashboard public")
        link, created = await ensure_link(conn, ctx, dashboard_id)
        if created:
            await bump_version(conn, ctx, dashboard_id)
    return link, created


async def revoke_public_link(
    ctx: RequestContext, dashboard_id: int, *, expected_version: int | None = None
) -> bool:
    """True when there was a link to revoke."""
    async with ctx.db.transaction() as conn:
        await _lock(conn, ctx, dashboard_id, expected_version, "revoking a dashboard's public link")
        revoked = await delete_link(conn, ctx, dashboard_id)
        if revoked:
            await bump_version(conn, ctx, dashboard_id)
    return revoked


async def _lock(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    expected_version: int | None,
    description: str,
) -> None:
    await lock_dashboard(
        conn,
        ctx,
        dashboard_id,
        expected_version,
        action=Action.MANAGE,
        description=description,
        field=("dashboard_id",),
    )


async def ensure_link(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int
) -> tuple[PublicLinkRecord, bool]:
    """In a transaction that holds the dashboard's lock: its link, made unless it has one."""
    existing = (await get_public_links(conn, ctx, [dashboard_id])).get(dashboard_id)
    if existing is not None:
        return existing, False
    row = (
        await conn.execute(
            public_links.insert()
            .values(
                slug=secrets.token_urlsafe(SLUG_BYTES),
                tenant_id=ctx.tenant_id,
                dashboard_id=dashboard_id,
                created_by=ctx.user_id,
            )
            .returning(*_LINK_COLUMNS)
        )
    ).one()
    return _record(row), True


async def delete_link(conn: AsyncConnection, ctx: RequestContext, dashboard_id: int) -> bool:
    """In a transaction that holds the dashboard's lock: True when there was a link."""
    deleted = await conn.execute(
        delete(public_links).where(
            public_links.c.tenant_id == ctx.tenant_id,
            public_links.c.dashboard_id == dashboard_id,
        )
    )
    return bool(deleted.rowcount)


async def get_public_links(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, PublicLinkRecord]:
    rows = await conn.execute(
        select(*_LINK_COLUMNS).where(
            public_links.c.tenant_id == ctx.tenant_id,
            public_links.c.dashboard_id.in_(list(dashboard_ids)),
        )
    )
    return {row.dashboard_id: _record(row) for row in rows}


@dataclass(frozen=True, slots=True)
class PublicVisit:
    """Who a public link lets in: an anonymous caller of the link's tenant, for one dashboard."""

    context: RequestContext
    dashboard_id: int


async def open_public_link(
    db: Database, data: DataPlane, settings: Settings, slug: str, request_id: str
) -> PublicVisit | None:
    """The dashboard a slug opens, or None (unknown, revoked, or not a slug at all)."""
    if not 20 <= len(slug) <= 64 or not slug.replace("-", "").replace("_", "").isalnum():
        return None
    async with db.reader() as conn:
        row = (
            await conn.execute(
                select(public_links.c.tenant_id, public_links.c.dashboard_id, tenants.c.name)
                .join(tenants, tenants.c.id == public_links.c.tenant_id)
                .where(public_links.c.slug == slug)
            )
        ).first()
    if row is None:
        return None
    anonymous = Principal(
        f"public-link:{slug[:6]}", frozenset({row.name}), frozenset(), frozenset(), frozenset()
    )
    context = RequestContext(
        principal=anonymous,
        tenant_name=row.name,
        tenant_id=row.tenant_id,
        db=db.for_tenant(row.tenant_id),
        settings=settings,
        request_id=request_id,
        data=data,
    )
    return PublicVisit(context, row.dashboard_id)
