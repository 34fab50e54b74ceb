"""Reading revisions: a dashboard's list (newest first), one revision's state as it was, and
the difference between two. Every read first checks that the caller sees the dashboard;
revisions of a dashboard the caller cannot see do not exist for them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import visible_dashboards
from app.domain.revisions.changes import describe
from app.domain.revisions.patches import Patch, apply, diff
from app.domain.revisions.snapshot import Snapshot
from app.errors import FieldPath, not_found
from db.models import dashboards, revisions

REVISION_COLUMNS = (
    revisions.c.dashboard_id,
    revisions.c.version,
    revisions.c.created_at,
    revisions.c.author_id,
    revisions.c.message,
    revisions.c.restored_from,
    revisions.c.changes,
)


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    dashboard_id: int
    version: int
    created_at: datetime
    author_id: str
    message: str | None
    restored_from: int | None
    changes: list[dict[str, Any]]

    @classmethod
    def from_row(cls, row: Any) -> RevisionRecord:
        m = row._mapping
        return cls(**{c.name: m[c.name] for c in REVISION_COLUMNS})


@dataclass(frozen=True, slots=True)
class RevisionPage:
    items: list[RevisionRecord]
    has_next: bool


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    dashboard_id: int
    from_version: int
    to_version: int
    changes: list[dict[str, Any]]
    patch: Patch  # turns the state at from_version into the state at to_version


async def require_visible_dashboard(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, field: FieldPath
) -> None:
    found = await conn.scalar(
        select(dashboards.c.id).where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
    )
    if found is None:
        raise not_found("dashboard", dashboard_id, field)


async def list_revisions(
    ctx: RequestContext, dashboard_id: int, *, limit: int, before: int | None = None
) -> tuple[RevisionPage, int]:
    """A page of the dashboard's revisions, newest first, below version `before` when given,
    and how many it has in all. NOT_FOUND when the caller does not see the dashboard."""
    async with ctx.db.reader() as conn:
        await require_visible_dashboard(conn, ctx, dashboard_id, ("dashboard_id",))
        pages = await revision_pages(conn, ctx, [dashboard_id], limit=limit, before=before)
        counts = await revision_counts(conn, ctx, [dashboard_id])
    return pages[dashboard_id], counts.get(dashboard_id, 0)


async def revision_pages(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_ids: Iterable[int],
    *,
    limit: int,
    before: int | None = None,
) -> dict[int, RevisionPage]:
    """One page per dashboard (whose visibility the caller checked), in one statement."""
    ids = list(dashboard_ids)
    ranked = (
        select(
            *REVISION_COLUMNS,
            func.row_number()
            .over(partition_by=revisions.c.dashboard_id, order_by=revisions.c.version.desc())
            .label("rank"),
        )
        .where(revisions.c.tenant_id == ctx.tenant_id, revisions.c.dashboard_id.in_(ids))
        .where(revisions.c.version < before if before is not None else and_(True))
        .subquery()
    )
    rows = await conn.execute(
        select(ranked)
        .where(ranked.c.rank <= limit + 1)
        .order_by(ranked.c.dashboard_id, ranked.c.version.desc())
    )
    found: dict[int, list[RevisionRecord]] = {dashboard_id: [] for dashboard_id in ids}
    for row in rows:
        found[row.dashboard_id].append(RevisionRecord.from_row(row))
    return {
        dashboard_id: RevisionPage(items[:limit], has_next=len(items) > limit)
        for dashboard_id, items in found.items()
    }


async def revision_counts(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> Mapping[int, int]:
    rows = await conn.execute(
        select(revisions.c.dashboard_id, func.count())
        .where(
            revisions.c.tenant_id == ctx.tenant_id,
            revisions.c.dashboard_id.in_(list(dashboard_ids)),
        )
        .group_by(revisions.c.dashboard_id)
    )
    return {row[0]: row[1] for row in rows}


async def get_revision(
    ctx: RequestContext, dashboard_id: int, version: int
) -> RevisionRecord | None:
    """The revision, or None when the caller does not see the dashboard or it has no such
    revision (never recorded, or pruned)."""
    async with ctx.db.reader() as conn:
        visible = await conn.scalar(
            select(dashboards.c.id).where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
        )
        if visible is None:
            return None
        row = (
            await conn.execute(
                select(*REVISION_COLUMNS).where(
                    revisions.c.tenant_id == ctx.tenant_id,
                    revisions.c.dashboard_id == dashboard_id,
                    revisions.c.version == version,
                )
            )
        ).first()
    return RevisionRecord.from_row(row) if row is not None else None


async def states_at(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, versions: Iterable[int]
) -> dict[int, Snapshot]:
    """The dashboard's state at each of `versions` that it has a revision of."""
    found = await states_of(conn, ctx, {dashboard_id: set(versions)})
    return {version: state for (_, version), state in found.items()}


async def states_of(
    conn: AsyncConnection, ctx: RequestContext, wanted: Mapping[int, Iterable[int]]
) -> dict[tuple[int, int], Snapshot]:
    """The states at the wanted versions of each dashboard, by (dashboard, version): the
    newest snapshot with the reverse patches applied down to each version, all read in one
    statement (so a concurrent prune or write cannot tear a chain)."""
    lowest = {d: min(versions) for d, versions in wanted.items() if versions}
    if not lowest:
        return {}
    rows = await conn.execute(
        select(
            revisions.c.dashboard_id, revisions.c.version, revisions.c.snapshot, revisions.c.patch
        )
        .where(
            revisions.c.tenant_id == ctx.tenant_id,
            or_(
                *(
                    and_(revisions.c.dashboard_id == d, revisions.c.version >= v)
                    for d, v in lowest.items()
                )
            ),
        )
        .order_by(revisions.c.dashboard_id, revisions.c.version.desc())
    )
    states: dict[tuple[int, int], Snapshot] = {}
    state: Snapshot | None = None
    current: int | None = None
    for row in rows:
        if row.dashboard_id != current:
            current = row.dashboard_id
            if row.snapshot is None:  # the newest revision always holds its snapshot
                raise ValueError(f"dashboard {current}'s newest revision has no snapshot")
            state = row.snapshot
        else:
            assert state is not None
            state = apply(state, row.patch)
        if row.version in wanted[row.dashboard_id]:
            states[(row.dashboard_id, row.version)] = state
    return states


async def revision_state(ctx: RequestContext, dashboard_id: int, version: int) -> Snapshot | None:
    """The dashboard as it was at `version`; None if unseen or no such revision."""
    async with ctx.db.reader() as conn:
        visible = await conn.scalar(
            select(dashboards.c.id).where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
        )
        if visible is None:
            return None
        return (await states_at(conn, ctx, dashboard_id, [version])).get(version)


async def diff_revisions(
    ctx: RequestContext, dashboard_id: int, from_version: int, to_version: int | None = None
) -> RevisionDiff | None:
    """What changed from one revision to another (either way round; None: the newest); None
    if the caller does not see the dashboard or it has no revision at either version."""
    async with ctx.db.reader() as conn:
        visible = await conn.scalar(
            select(dashboards.c.id).where(visible_dashboards(ctx), dashboards.c.id == dashboard_id)
        )
        if visible is None:
            return None
        if to_version is None:
            to_version = await conn.scalar(
                select(func.max(revisions.c.version)).where(
                    revisions.c.tenant_id == ctx.tenant_id,
                    revisions.c.dashboard_id == dashboard_id,
                )
            )
            if to_version is None:
                return None
        states = await states_at(conn, ctx, dashboard_id, [from_version, to_version])
    if from_version not in states or to_version not in states:
        return None
    source, target = states[from_version], states[to_version]
    return RevisionDiff(
        dashboard_id=dashboard_id,
        from_version=from_version,
        to_version=to_version,
        changes=describe(source, target),
        patch=diff(source, target),
    )
