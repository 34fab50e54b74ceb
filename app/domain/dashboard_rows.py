"""Rows that belong to a dashboard (its cards, pages, grants) read with the version of the
dashboard they belong to, in the same statement. Every change to them bumps that version,
and versions are never reused, so what was read at (dashboard, version) can be kept: see
app/graphql/version_cache.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import FromClause, Join, Row, Select, Table, and_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.statement_parameters import batch_parameters
from db.models import dashboards

T = TypeVar("T")

DASHBOARD_VERSION = dashboards.c.version.label("dashboard_version")


@dataclass(frozen=True, slots=True)
class AtVersion(Generic[T]):
    """A dashboard's rows as they were at its `version` (None: no row to date them)."""

    version: int | None
    items: list[T]


def with_dashboard(table: Table, rows_of: FromClause | None = None) -> Join:
    """`table` (or `rows_of`, a join from it) joined to the dashboard of `table`'s rows."""
    return (table if rows_of is None else rows_of).join(
        dashboards,
        and_(dashboards.c.tenant_id == table.c.tenant_id, dashboards.c.id == table.c.dashboard_id),
    )


async def read_at_versions(
    conn: AsyncConnection,
    statement: Select[Any],
    ctx: RequestContext,
    dashboard_ids: Iterable[int],
    make: Callable[[Row[Any]], T],
) -> dict[int, AtVersion[T]]:
    """The rows of a statement built once (with TENANT_ID and `among_ids` over the dashboard
    ids) that selects DASHBOARD_VERSION, for the given dashboards, made into items."""
    rows = await conn.execute(statement, batch_parameters(ctx, dashboard_ids))
    return at_versions(rows, make)


def at_versions(rows: Iterable[Row[Any]], make: Callable[[Row[Any]], T]) -> dict[int, AtVersion[T]]:
    """Rows carrying `dashboard_id` and DASHBOARD_VERSION, made into items by dashboard."""
    found: dict[int, AtVersion[T]] = {}
    for row in rows:
        entry = found.get(row.dashboard_id)
        if entry is None:
            entry = found[row.dashboard_id] = AtVersion(row.dashboard_version, [])
        entry.items.append(make(row))
    return found


def without_versions(found: dict[int, AtVersion[T]]) -> dict[int, list[T]]:
    return {dashboard_id: entry.items for dashboard_id, entry in found.items()}
