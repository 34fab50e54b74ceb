"""Demo data for `make run` in development: tenant `demo` gets a few widgets and a default
dashboard that shows them, so the first query returns something. Runs once: a tenant that
already has dashboards is left alone."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, Principal
from app.context import Database, RequestContext
from app.data.plane import DataPlane
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.placements import PlacementDraft, set_placements
from app.domain.records import Position
from app.domain.widgets import WidgetDraft, WidgetType, create_widget
from app.settings import Settings
from app.tenancy import TenantDirectory
from db.engine import create_engine
from db.models import dashboards

DEMO_TENANT = "demo"
DEMO_USER = "dev-user"

WIDGETS = [
    (
        WidgetDraft(
            "Revenue by region",
            WidgetType.BAR_CHART,
            "Sum of revenue per sales region",
            {"x_axis": "region", "y_axis": "sum_revenue", "show_legend": True},
        ),
        Position(0, 0, 6, 4),
    ),
    (
        WidgetDraft(
            "Orders per day",
            WidgetType.LINE_CHART,
            "Daily order count, last 90 days",
            {"x_axis": "day", "y_axis": "orders"},
        ),
        Position(6, 0, 6, 4),
    ),
    (
        WidgetDraft(
            "Active customers",
            WidgetType.KPI_CARD,
            "Customers with an order this month",
            {"metric": "active_customers", "trend": "month_over_month"},
        ),
        Position(0, 4, 3, 2),
    ),
    (
        WidgetDraft(
            "Top products",
            WidgetType.TABLE,
            "Best sellers by revenue",
            {"columns": ["product", "units", "revenue"], "page_size": 10},
        ),
        Position(3, 4, 9, 4),
    ),
]


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
            db=Database(engine),
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
        board = await create_dashboard(
            ctx,
            DashboardDraft(
                code="sales-overview",
                name="Sales overview",
                is_default=True,
                description="Revenue, orders and customers at a glance",
            ),
        )
        placed = [
            PlacementDraft((await create_widget(ctx, draft)).id, position)
            for draft, position in WIDGETS
        ]
        await set_placements(ctx, board.id, placed)
        return True
    finally:
        await data.close()
        await engine.dispose()
