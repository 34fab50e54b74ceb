"""Sample data in a tenant's data schema, for the tests of datasets and rendering. The
service's own database user creates the tables, as an operator's loader would."""

from __future__ import annotations

from sqlalchemy import text

from app.services import Services

SALES_ROWS = [
    # region, product, order_date, revenue, units
    ("EU", "Widget", "2026-01-05", 120.50, 3),
    ("EU", "Gadget", "2026-01-20", 80.00, 1),
    ("US", "Widget", "2026-02-02", 200.00, 5),
    ("US", "Gizmo", "2026-02-14", 45.25, 2),
    ("APAC", "Gadget", "2026-03-01", 60.00, 2),
    ("APAC", "Widget", "2026-03-15", 99.75, 4),
]


async def tenant_schema(services: Services, tenant: str) -> str:
    """The tenant's data schema, provisioned (schema and role) if it was not yet."""
    tenant_id = await services.tenants.id_for(tenant)
    return (await services.data.sandbox.ensure_tenant(tenant_id)).schema


async def run_as_service(services: Services, *statements: str) -> None:
    async with services.db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def seed_sales(services: Services, tenant: str, table: str = "sales") -> str:
    """A `sales` table (region, product, order_date, revenue, units) with SALES_ROWS in the
    tenant's schema; returns the schema's name."""
    schema = await tenant_schema(services, tenant)
    rows = ", ".join(f"('{r}', '{p}', DATE '{d}', {rev}, {u})" for r, p, d, rev, u in SALES_ROWS)
    await run_as_service(
        services,
        f'CREATE TABLE "{schema}"."{table}" (region text, product text, order_date date, '
        "revenue numeric(12, 2), units integer)",
        f'INSERT INTO "{schema}"."{table}" VALUES {rows}',
    )
    return schema
