"""Rows that belong to a dashboard (its cards, pages, grants) read with the version of the
dashboard they belong to, in the same statement. Every change to them bumps that version,
and versions are never reused, so what was read at (dashboard, version) can be kept: see
app/graphql/version_cache.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import FromClause, Row, Select, Table, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.statement_parameters import TENANT_ID, among_ids, batch_parameters
from db.models import dashboards

T = TypeVar("T")

DASHBOARD_VERSION = dashboards.c.version.label("dashboard_version")


@dataclass(frozen=True, slots=True)
class AtVersion(Generic[T]):
    """A dashboard's rows as they were at its `version` (None: no row to date them)."""

    version: int | None
    items: list[T]


def rows_of_dashboards(
    table: Table,
    columns: Sequence[Any],
    order_by: Sequence[Any],
    rows_of: FromClause | None = None,
) -> Select[Any]:
    """`columns` of `table`'s rows (`rows_of`: a join from `table`) of the dashboards among
    `:ids` of tenant `:tenant_id`, each with its dashboard's version, ordered by dashboard
    and `order_by`. Built once per process.

    The rows drive the statement (`table.dashboard_id = ANY(:ids)`), so at worst the planner
    scans `table` once. Starting from the dashboards instead (to date those without rows)
    let it scan all of a tenant's placements once per dashboard: in CI's embedded
    PostgreSQL, a large import's read of 200 dashboards' cards ran past its statement
    timeout. A dashboard without rows is dated by the version its reader saw
    (version_cache.read_at_version)."""
    joined = (table if rows_of is None else rows_of).join(
        dashboards,
        and_(dashboards.c.tenant_id == table.c.tenant_id, dashboards.c.id == table.c.dashboard_id),
    )
    return (
        select(DASHBOARD_VERSION, *columns)
        .select_from(joined)
        .where(table.c.tenant_id == TENANT_ID, among_ids(table.c.dashboard_id))
        .order_by(table.c.dashboard_id, *order_by)
    )


async def read_at_versions(
    conn: AsyncConnection,
    statement: Select[Any],
    ctx: RequestContext,
    dashboard_ids: Iterable[int],
    make: Callable[[Row[Any]], T],
) -> dict[int, AtVersion[T]]:
    """A `rows_of_dashboards` statement's rows for the given dashboards, made into items."""
    rows = await conn.execute(statement, batch_parameters(ctx, dashboard_ids))
    return at_versions(rows, make)


def at_versions(rows: Iterable[Row[Any]], make: Callable[[Row[Any]], T]) -> dict[int, AtVersion[T]]:
    """A `rows_of_dashboards` statement's rows made into items, by dashboard."""
    found: dict[int, AtVersion[T]] = {}
    for row in rows:
        entry = found.get(row.dashboard_id)
        if entry is None:
            entry = found[row.dashboard_id] = AtVersion(row.dashboard_version, [])
        entry.items.append(make(row))
    return found


def without_versions(found: dict[int, AtVersion[T]]) -> dict[int, list[T]]:
    return {dashboard_id: entry.items for dashboard_id, entry in found.items()}
