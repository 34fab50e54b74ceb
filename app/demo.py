"""Demo data for `make run` in development: tenant `demo` gets a year of sample orders in its
data schema, an `orders` dataset on them, a default "Sales overview" dashboard whose library
widgets query it (their kinds, e.g. `revenue_by_region`, are what seed-004 clients name as
widget types), and a "KPI summary" dashboard made from a template, so that the first render
returns real data. Runs once: a tenant that already has dashboards is left alone."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, Principal
from app.context import Database, RequestContext
from app.data.plane import DataPlane
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.datasets import DatasetDraft, create_dataset
from app.domain.placements import PlacementDraft, set_placements
from app.domain.records import Position
from app.domain.template_instances import create_from_template
from app.domain.widgets import WidgetDraft, WidgetType, create_widget
from app.settings import Settings
from app.tenancy import TenantDirectory
from db.engine import create_engine
from db.models import dashboards

DEMO_TENANT = "demo"
DEMO_USER = "dev-user"

# 2,400 orders over the last year, spread over regions, channels, products and customers by
# arithmetic on the row number (deterministic, no randomness).
ORDERS_TABLE = """
CREATE TABLE IF NOT EXISTS {schema}.orders AS
SELECT n AS order_id,
       (current_date - (n % 365))::date AS order_date,
       (ARRAY['EU', 'US', 'APAC', 'LATAM'])[1 + n % 4] AS region,
       (ARRAY['web', 'store', 'partner'])[1 + (n / 4) % 3] AS channel,
       (ARRAY['Widget', 'Gadget', 'Gizmo', 'Doohickey', 'Sprocket', 'Flange'])[1 + (n * 7) % 6]
           AS product,
       'customer-' || lpad((1 + (n * 13) % 120)::text, 3, '0') AS customer,
       1 + (n * 5) % 9 AS units,
       round((19.5 + (n * 37) % 180 + (n % 7) * 0.25)::numeric, 2) AS revenue
FROM generate_series(1, 2400) AS n
"""


def _by_region(dataset_id: int) -> dict[str, object]:
    return {
        "dataset_id": dataset_id,
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "filters": [{"field": "region", "operator": "in", "parameter": "region"}],
        "sort": [{"field": "sum_revenue", "direction": "desc"}],
        "cache_ttl_seconds": 300,
        # Its own declaration, for dashboards that place it without declaring `region`.
        "parameters": {"region": {"type": "string", "multiple": True}},
    }


def _widgets(dataset_id: int) -> list[tuple[WidgetDraft, Position]]:
    return [
        (
            WidgetDraft(
                "Revenue by region",
                WidgetType.BAR_CHART,
                "Sum of revenue per sales region",
                {"x_axis": "region", "y_axis": "sum_revenue", "show_legend": True},
                _by_region(dataset_id),
                kind="revenue_by_region",
            ),
            Position(0, 0, 6, 4),
        ),
        (
            WidgetDraft(
                "Orders per month",
                WidgetType.LINE_CHART,
                "Orders by month, last 12 months",
                {"x_axis": "order_date", "y_axis": "orders"},
                {
                    "dataset_id": dataset_id,
                    "dimensions": [{"column": "order_date", "grain": "month"}],
                    "measures": [{"aggregate": "count", "as": "orders"}],
                    "sort": [{"field": "order_date"}],
                    "cache_ttl_seconds": 300,
                },
                kind="orders_per_month",
            ),
            Position(6, 0, 6, 4),
        ),
        (
            WidgetDraft(
                "Active customers",
                WidgetType.KPI_CARD,
                "Customers with an order in the last 30 days",
                {"metric": "active_customers"},
                {
                    "sql": "SELECT count(DISTINCT customer) AS active_customers FROM orders "
                    "WHERE order_date > current_date - :days * interval '1 day'",
                    "cache_ttl_seconds": 60,
                    "parameters": {"days": {"type": "integer", "default": 30}},
                },
                kind="active_customers",
            ),
            Position(0, 4, 3, 2),
        ),
        (
            WidgetDraft(
                "Top products",
                WidgetType.TABLE,
                "Best sellers by revenue",
                {"columns": ["product", "units", "revenue"], "page_size": 10},
                {
                    "sql": "SELECT product, sum(units) AS units, sum(revenue) AS revenue "
                    "FROM orders GROUP BY product ORDER BY revenue DESC",
                    "cache_ttl_seconds": 300,
                },
                kind="top_products",
            ),
            Position(3, 4, 9, 4),
        ),
    ]


PARAMETERS = {
    "region": {
        "type": "string",
        "multiple": True,
        "values": ["EU", "US", "APAC", "LATAM"],
        "public": True,
        "label": "Regions",
    },
    "days": {"type": "integer", "default": 30, "public": True, "label": "Active within days"},
}


async def seed_demo(url: str, settings: Settings) -> bool:
    """Create the demo data unless the demo tenant has dashboards. True when it created."""
    engine = create_engine(url, pool_size=2, max_overflow=0)
    data = DataPlane.create(url, settings)
    try:
        tenant_id = await TenantDirectory(engine, 1).id_for(DEMO_TENANT)
        ctx = RequestContext(
            principal=Principal(
                DEMO_USER,
                frozenset({DEMO_TENANT}),
                frozenset(),
                frozenset(),
                frozenset({EDIT_SCOPE, ADMIN_SCOPE}),
            ),
            tenant_name=DEMO_TENANT,
            tenant_id=tenant_id,
            db=Database(engine).for_tenant(tenant_id),
            settings=settings,
            request_id=f"demo-{uuid.uuid4().hex[:8]}",
            data=data,
        )
        async with engine.connect() as conn:
            existing = await conn.scalar(
                select(func.count())
                .select_from(dashboards)
                .where(dashboards.c.tenant_id == tenant_id)
            )
        if existing:
            return False
        await _seed(ctx)
        return True
    finally:
        await data.close()
        await engine.dispose()


async def _seed(ctx: RequestContext) -> None:
    role = await ctx.data.sandbox.ensure_tenant(ctx.tenant_id)
    # The data plane's database is the service's unless DATA_DATABASE_URL says otherwise.
    admin = (
        create_engine(ctx.settings.data_database_url) if ctx.settings.data_database_url else None
    )
    engine = admin or ctx.db.engine
    try:
        async with engine.begin() as conn:
            await conn.execute(text(ORDERS_TABLE.format(schema=f'"{role.schema}"')))
    finally:
        if admin is not None:
            await admin.dispose()
    orders = await create_dataset(
        ctx,
        DatasetDraft("orders", "table", "orders", "A year of sample orders"),
    )
    board = await create_dashboard(
        ctx,
        DashboardDraft(
            code="sales-overview",
            name="Sales overview",
            is_default=True,
            description="Revenue, orders and customers at a glance",
            parameters=PARAMETERS,
        ),
    )
    placed = [
        PlacementDraft((await create_widget(ctx, draft)).id, position)
        for draft, position in _widgets(orders.id)
    ]
    await set_placements(ctx, board.id, placed)
    await create_from_template(
        ctx, template_id="kpi_summary", dataset_id=orders.id, name="Orders KPI summary"
    )
