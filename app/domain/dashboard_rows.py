"""Rows that belong to a dashboard (its cards, pages, grants) read with the version of the
dashboard they belong to, in the same statement. Every change to them bumps that version,
and versions are never reused, so what was read at (dashboard, version) can be kept: see
app/graphql/version_cache.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import FromClause, Row, Select, Table, select, true
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
    """For each dashboard among `:ids` of tenant `:tenant_id`: its version and `columns` of
    `table`'s rows of it (`rows_of`: a join from `table`), ordered by `order_by` (columns
    among `columns`); a dashboard without rows gives one row of nulls, so that it is dated
    too. Built once per process.

    The rows are filtered by the same tenant and ids as the dashboards, so that they are
    read through the index on (tenant_id, dashboard_id) whatever join the planner picks:
    joined on the dashboard alone, the planner joined all of the tenant's placements and
    widgets first (seconds, in a database holding many tenants' rows)."""
    rows = (
        select(*columns)
        .select_from(table if rows_of is None else rows_of)
        .where(
            table.c.tenant_id == TENANT_ID,
            among_ids(table.c.dashboard_id),
            table.c.tenant_id == dashboards.c.tenant_id,
            table.c.dashboard_id == dashboards.c.id,
        )
        .lateral()
    )
    return (
        select(dashboards.c.id.label("of_dashboard"), DASHBOARD_VERSION, *rows.c)
        .select_from(dashboards.outerjoin(rows, true()))
        .where(dashboards.c.tenant_id == TENANT_ID, among_ids(dashboards.c.id))
        .order_by(dashboards.c.id, *(rows.c[column.name] for column in order_by))
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
        entry = found.get(row.of_dashboard)
        if entry is None:
            entry = found[row.of_dashboard] = AtVersion(row.dashboard_version, [])
        if row.id is not None:  # else the row of nulls of a dashboard without rows
            entry.items.append(make(row))
    return found


def without_versions(found: dict[int, AtVersion[T]]) -> dict[int, list[T]]:
    return {dashboard_id: entry.items for dashboard_id, entry in found.items()}
