"""One dashboard, seen by several principals at once: the row, and for each principal whether
it may see it, in one statement on a connection bound to the dashboard's tenant. A notice
watched by a thousand subscribers costs one query per 100 distinct principals (users with the
same token claims share one), not one per subscriber."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.auth import Principal
from app.context import Database, RequestContext
from app.domain.access import visible_dashboards
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord
from db.models import dashboards

# Principals checked by one statement: each adds a boolean column (a few subqueries).
PRINCIPALS_PER_STATEMENT = 100


@dataclass(frozen=True, slots=True)
class Sight:
    """The dashboard (None: it does not exist) and the principals that may see it."""

    record: DashboardRecord | None
    seen_by: frozenset[Principal]


async def dashboard_as_seen_by(
    db: Database, tenant_id: int, dashboard_id: int, contexts: Sequence[RequestContext]
) -> Sight:
    """Which of `contexts` (all of tenant `tenant_id`) may see the dashboard now."""
    by_principal = {ctx.principal: ctx for ctx in contexts}
    principals = list(by_principal)
    record: DashboardRecord | None = None
    seen: set[Principal] = set()
    async with db.for_tenant(tenant_id).reader() as conn:
        for start in range(0, max(len(principals), 1), PRINCIPALS_PER_STATEMENT):
            chunk = principals[start : start + PRINCIPALS_PER_STATEMENT]
            flags = [
                visible_dashboards(by_principal[p]).label(f"seen_{i}") for i, p in enumerate(chunk)
            ]
            row = (
                await conn.execute(
                    select(*DASHBOARD_COLUMNS, *flags).where(
                        dashboards.c.tenant_id == tenant_id, dashboards.c.id == dashboard_id
                    )
                )
            ).first()
            if row is None:
                return Sight(None, frozenset())
            record = DashboardRecord.from_row(row)
            seen.update(p for i, p in enumerate(chunk) if row._mapping[f"seen_{i}"])
    return Sight(record, frozenset(seen))
