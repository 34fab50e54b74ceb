"""Every row of one tenant, read straight from the database: the tenant row and the rows of
every table that has a `tenant_id` column. The tables are found in the catalog, so a table
added later is part of the snapshot without anyone remembering to add it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.services import Services

TENANT_TABLES = text(
    """
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
      AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name
    """
)


def _rows_of(table: str, key: str) -> str:
    return (
        f"'{table}', (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), "
        f"'[]'::jsonb) FROM public.\"{table}\" r WHERE r.{key} = :tenant_id)"
    )


async def tenant_rows(services: Services, tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Table name → the tenant's rows in it, in a stable order; one statement."""
    async with services.db.engine.connect() as conn:
        tables = list((await conn.execute(TENANT_TABLES)).scalars())
        parts = [_rows_of("tenants", "id"), *(_rows_of(t, "tenant_id") for t in tables)]
        statement = text(f"SELECT jsonb_build_object({', '.join(parts)})")
        snapshot: dict[str, list[dict[str, Any]]] = (
            await conn.execute(statement, {"tenant_id": tenant_id})
        ).scalar_one()
    assert len(tables) >= 10, tables  # a catalog query that finds nothing would prove nothing
    assert snapshot["tenants"], "the tenant's rows are not readable"
    assert snapshot["dashboards"], "the tenant's rows are not readable"
    return snapshot
