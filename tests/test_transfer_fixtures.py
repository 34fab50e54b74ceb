"""What the export/import tests share: a rich tenant built through the domain, the GraphQL
documents, and a dump of a tenant's rows with database ids replaced by natural keys (so two
tenants can be compared). Holds no tests itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.domain.cards import CardDraft, add_card
from app.domain.collections import create_collection
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.datasets import DatasetDraft, create_dataset
from app.domain.pages import add_page
from app.domain.placements import PlacementDraft, set_placements
from app.domain.records import Position
from app.domain.shares import ShareAccess, SubjectType, share_dashboard
from app.domain.widgets import WidgetDraft, WidgetType, create_widget
from app.services import Services
from tests.helpers import context_for
from tests.tile_data import seed_sales

EXPORT = """
query Export($input: ExportDashboardsInput!) {
  exportDashboards(input: $input) {
    document version
    counts { collections datasets widgets dashboards pages cards grants }
  }
}
"""

IMPORT = """
mutation Import($input: ImportDashboardsInput!) {
  importDashboards(input: $input) {
    report {
      mode dryRun
      objects { kind key name action databaseId }
      counts { kind created updated unchanged skipped }
    }
    userErrors { field message code }
  }
}
"""

ADMIN_SCOPES = (EDIT_SCOPE, ADMIN_SCOPE)


def by_region(dataset_id: int) -> dict[str, Any]:
    return {
        "dataset_id": dataset_id,
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "filters": [{"field": "region", "operator": "in", "parameter": "region"}],
        "cache_ttl_seconds": 60,
    }


SQL_SOURCE = {"sql": "SELECT 1 AS one", "cache_ttl_seconds": 30}


async def build_rich_tenant(services: Services, tenant: str, user: str = "root") -> dict[str, int]:
    """Collections three deep, two datasets, library widgets with both kinds of data source,
    and dashboards with pages, own cards and library cards, parameters, tags, visibility,
    type, refresh interval, role ids, grants and the default flag."""
    await seed_sales(services, tenant)
    ctx = await context_for(services, tenant, user=user, scopes=ADMIN_SCOPES)
    top = await create_collection(ctx, "Finance", "Money matters")
    middle = await create_collection(ctx, "Quarterly", None, top.id)
    await create_collection(ctx, "Archive", "Old ones", middle.id)
    await create_collection(ctx, "Operations")
    sales = await create_dataset(ctx, DatasetDraft("sales", "table", "sales", "All sales"))
    await create_dataset(
        ctx, DatasetDraft("eu sales", "sql", "SELECT * FROM sales WHERE region = 'EU'")
    )
    by_region_widget = await create_widget(
        ctx,
        WidgetDraft(
            "Revenue by region",
            WidgetType.BAR_CHART,
            "Sum per region",
            {"x_axis": "region", "y_axis": "sum_revenue"},
            by_region(sales.id),
            kind="revenue_by_region",
        ),
    )
    sql_widget = await create_widget(
        ctx, WidgetDraft("One", WidgetType.KPI_CARD, None, {"metric": "one"}, SQL_SOURCE)
    )
    await create_widget(ctx, WidgetDraft("Unplaced note", WidgetType.TEXT, None, {"content": "hi"}))
    overview = await create_dashboard(
        ctx,
        DashboardDraft(
            code="overview",
            name="Overview",
            description="The big picture",
            is_default=True,
            role_ids=[3, 1],
            collection_id=middle.id,
            parameters={"region": {"type": "string", "multiple": True, "default": ["EU"]}},
            visibility="public",
            tags=["finance", "weekly"],
            type="executive",
            refresh_interval=300,
        ),
    )
    await set_placements(
        ctx,
        overview.id,
        [
            PlacementDraft(by_region_widget.id, Position(0, 0, 6, 4)),
            PlacementDraft(sql_widget.id, Position(6, 0, 3, 2)),
        ],
    )
    await add_page(ctx, overview.id, "Details")
    await add_card(
        ctx,
        overview.id,
        CardDraft(
            "table",
            {"columns": ["region", "sum_revenue"]},
            Position(0, 0, 12, 5),
            page=2,
            name="Revenue table",
            data_source=by_region(sales.id),
        ),
    )
    await add_card(
        ctx, overview.id, CardDraft("text", {"content": "Notes"}, Position(0, 4, 4, 2), page=1)
    )
    await share_dashboard(ctx, overview.id, SubjectType.USER, "carol", ShareAccess.EDITOR)
    await share_dashboard(ctx, overview.id, SubjectType.GROUP, "team-a", ShareAccess.VIEWER)
    private = await create_dashboard(
        ctx,
        DashboardDraft(code="private-one", name="Mine", visibility="private", is_active=False),
    )
    await add_card(
        ctx,
        private.id,
        CardDraft("kpi_card", {"metric": "one"}, Position(0, 0, 3, 2), data_source=SQL_SOURCE),
    )
    await create_dashboard(ctx, DashboardDraft(code="empty", name="Empty", collection_id=top.id))
    return {"overview": overview.id, "private": private.id, "finance": top.id}


async def tenant_rows(services: Services, tenant: str) -> dict[str, list[Any]]:
    """Every row the tenant authored, ids replaced by natural keys, in a stable order."""
    tenant_id = await services.tenants.id_for(tenant)
    queries = {
        "collections": """
            WITH RECURSIVE path(id, name_path) AS (
              SELECT id, name::text FROM collections WHERE tenant_id = :t AND parent_id IS NULL
              UNION ALL
              SELECT c.id, p.name_path || '/' || c.name FROM collections c
              JOIN path p ON c.parent_id = p.id WHERE c.tenant_id = :t)
            SELECT p.name_path, c.description FROM collections c JOIN path p USING (id)
            WHERE c.tenant_id = :t ORDER BY 1""",
        "datasets": """SELECT name, description, source_kind, source, columns FROM datasets
            WHERE tenant_id = :t ORDER BY name""",
        "library widgets": """
            SELECT w.name, w.widget_type, w.description, w.config,
                   w.data_source - 'dataset_id', d.name, w.kind, w.owner_id
            FROM dashboard_widgets w LEFT JOIN datasets d
              ON d.tenant_id = w.tenant_id AND d.id = w.dataset_id
            WHERE w.tenant_id = :t AND w.in_library ORDER BY w.id""",
        "dashboards": """
            SELECT d.code, d.name, d.description, d.is_active, d.is_default, d.role_ids,
                   d.owner_id, c.name, d.parameters, d.visibility, d.tags, d.type,
                   d.refresh_interval
            FROM dashboards d LEFT JOIN collections c
              ON c.tenant_id = d.tenant_id AND c.id = d.collection_id
            WHERE d.tenant_id = :t ORDER BY d.code""",
        "pages": """SELECT d.code, p.position, p.name FROM dashboard_pages p
            JOIN dashboards d ON d.tenant_id = p.tenant_id AND d.id = p.dashboard_id
            WHERE p.tenant_id = :t ORDER BY 1, 2""",
        "cards": """
            SELECT d.code, pg.position, pl.position, pl.ordinal, pl.client_key, pl.title,
                   w.in_library, w.name, w.widget_type, w.description, w.config,
                   w.data_source - 'dataset_id', ds.name, w.kind
            FROM dashboard_widget_placements pl
            JOIN dashboards d ON d.tenant_id = pl.tenant_id AND d.id = pl.dashboard_id
            JOIN dashboard_pages pg ON pg.tenant_id = pl.tenant_id AND pg.id = pl.page_id
            JOIN dashboard_widgets w ON w.tenant_id = pl.tenant_id AND w.id = pl.widget_id
            LEFT JOIN datasets ds ON ds.tenant_id = w.tenant_id AND ds.id = w.dataset_id
            WHERE pl.tenant_id = :t ORDER BY 1, 4""",
        "grants": """SELECT d.code, g.subject_type, g.subject_id, g.access_level
            FROM share_grants g
            JOIN dashboards d ON d.tenant_id = g.tenant_id AND d.id = g.dashboard_id
            WHERE g.tenant_id = :t ORDER BY 1, 2, 3""",
        "card widgets": """SELECT count(*) FROM dashboard_widgets
            WHERE tenant_id = :t AND NOT in_library""",
    }
    dump: dict[str, list[Any]] = {}
    async with services.db.engine.connect() as conn:
        for name, sql in queries.items():
            rows = await conn.execute(text(sql), {"t": tenant_id})
            dump[name] = [tuple(row) for row in rows]
    return dump


async def full_dump(services: Services, tenant: str) -> dict[str, list[Any]]:
    """Every row of the tenant's tables, as they are (ids, versions and times included)."""
    tenant_id = await services.tenants.id_for(tenant)
    tables = [
        "collections",
        "datasets",
        "dashboard_widgets",
        "dashboards",
        "dashboard_pages",
        "dashboard_widget_placements",
        "share_grants",
        "public_links",
        "dashboard_assignments",
    ]
    dump: dict[str, list[Any]] = {}
    async with services.db.engine.connect() as conn:
        for table in tables:
            rows = await conn.execute(
                text(f"SELECT * FROM {table} WHERE tenant_id = :t ORDER BY 1, 2"),
                {"t": tenant_id},
            )
            dump[table] = sorted(tuple(str(v) for v in row) for row in rows)
    return dump


def without_moment(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what differs between tenants and runs."""
    return {k: v for k, v in document.items() if k not in ("exportedAt", "source")}
