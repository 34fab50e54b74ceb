"""Row-level security, the second wall (migration 0005): work bound to a tenant sees and
writes that tenant's rows only, even through a query that forgets its tenant filter; work
with no tenant bound sees nothing; and every tenant table is covered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import Database, RequestContext
from app.data.roles import role_prefix
from app.services import Services
from db.engine import create_engine
from db.models import dashboards
from tests.conftest import Caller, new_tenant
from tests.helpers import context_for, create_dashboard, create_widget, place_widgets

TENANT_TABLES = """
SELECT c.table_name FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
  AND t.table_type = 'BASE TABLE'
ORDER BY 1
"""

# The policy's clause as PostgreSQL shows it: the row's tenant is the one bound, if any.
TENANT_POLICY = (
    "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::bigint)"
)

NESTED = """
{ dashboards(first: 50) { edges { node { code
    placements { position { x } dashboardWidget { name } } } } } }
"""


@dataclass(frozen=True)
class TwoTenants:
    a: int
    b: int


async def _fill(caller: Caller, dashboards_count: int = 2) -> None:
    widget = await create_widget(caller, name="rls widget")
    for _ in range(dashboards_count):
        board = await create_dashboard(caller)
        await place_widgets(caller, board["id"], [widget["id"]])


@pytest.fixture(scope="module")
async def two_tenants(app: Any, services: Services) -> TwoTenants:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        a, b = new_tenant(), new_tenant()
        await _fill(Caller(http, a))
        await _fill(Caller(http, b))
    return TwoTenants(await services.tenants.id_for(a), await services.tenants.id_for(b))


@pytest.fixture(scope="module")
async def tenant_tables(services: Services) -> list[str]:
    async with services.db.reader() as conn:
        return list((await conn.scalars(text(TENANT_TABLES))).all())


@pytest.fixture(scope="module")
def scoped_role(database_url: str) -> str:
    return role_prefix(database_url) + "_scoped"


async def _unscoped(conn: AsyncConnection, scoped_role: str) -> None:
    """The scoped role with no tenant bound, as a request that skipped the binding would be."""
    await conn.execute(text("SELECT set_config('role', :role, true)"), {"role": scoped_role})


async def test_every_tenant_table_has_a_tenant_policy_for_the_scoped_role(
    services: Services, tenant_tables: list[str], scoped_role: str
) -> None:
    async with services.db.reader() as conn:
        covered = await conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, p.qual, p.with_check, p.cmd,"
                " has_table_privilege(:role, c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS dml"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " LEFT JOIN pg_policies p ON p.schemaname = n.nspname AND p.tablename = c.relname"
                "  AND :role = ANY (p.roles)"
                " WHERE n.nspname = current_schema() AND c.relname = ANY (:tables)"
            ),
            {"role": scoped_role, "tables": tenant_tables},
        )
        rows = {row.relname: row for row in covered}
        ids = (
            await conn.scalars(
                text(
                    "SELECT has_sequence_privilege(:role,"
                    " pg_get_serial_sequence(table_name, column_name), 'USAGE')"
                    " FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND table_name = ANY (:tables) AND is_identity = 'YES'"
                ),
                {"role": scoped_role, "tables": tenant_tables},
            )
        ).all()

    assert len(tenant_tables) >= 10
    assert set(rows) == set(tenant_tables)
    for table, row in rows.items():
        assert row.relrowsecurity, f"{table}: row-level security is not enabled"
        assert row.cmd == "ALL", f"{table}: no policy for the scoped role"
        assert row.qual == row.with_check == TENANT_POLICY, table
        assert row.dml, f"{table}: the scoped role cannot read and write it"
    assert all(ids), "the scoped role cannot draw ids from every identity sequence"


async def test_the_tenants_table_shows_the_scoped_role_its_own_row_only(
    services: Services, two_tenants: TwoTenants
) -> None:
    async with services.db.for_tenant(two_tenants.a).reader() as conn:
        seen = (await conn.scalars(text("SELECT id FROM tenants"))).all()

    assert seen == [two_tenants.a]


async def test_the_scoped_role_is_bound_by_the_policies(
    services: Services, tenant_tables: list[str], scoped_role: str
) -> None:
    # Superusers, roles with BYPASSRLS and owners (unless forced) would ignore the policies.
    async with services.db.reader() as conn:
        role = (
            await conn.execute(
                text(
                    "SELECT rolsuper, rolbypassrls, rolcanlogin, rolinherit"
                    " FROM pg_roles WHERE rolname = :role"
                ),
                {"role": scoped_role},
            )
        ).one()
        owns = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                " WHERE r.rolname = :role"
            ),
            {"role": scoped_role},
        )

    assert tuple(role) == (False, False, False, False)
    assert owns == 0


async def test_a_query_without_a_tenant_filter_returns_the_bound_tenants_rows_only(
    services: Services, two_tenants: TwoTenants, tenant_tables: list[str]
) -> None:
    # given both tenants have dashboards, widgets, placements, pages and users
    async with services.db.reader() as conn:
        stored = {
            table: (
                await conn.execute(
                    text(
                        f"SELECT count(*) FILTER (WHERE tenant_id = :a) AS a,"
                        f" count(*) FILTER (WHERE tenant_id = :b) AS b FROM {table}"
                    ),
                    {"a": two_tenants.a, "b": two_tenants.b},
                )
            ).one()
            for table in tenant_tables
        }
    filled = [t for t, row in stored.items() if row.a and row.b]
    assert {
        "dashboards",
        "dashboard_widgets",
        "dashboard_widget_placements",
        "tenant_users",
    } <= set(filled)

    # when tenant A's connection reads every tenant table with no WHERE at all
    async with services.db.for_tenant(two_tenants.a).reader() as conn:
        seen = {
            table: (
                await conn.execute(
                    text(f"SELECT count(*), array_agg(DISTINCT tenant_id) FROM {table}")
                )
            ).one()
            for table in tenant_tables
        }

    # then it gets exactly A's rows, and nothing of B's
    for table in tenant_tables:
        count, tenants = seen[table]
        assert count == stored[table].a, table
        assert tenants in (None, [two_tenants.a]), table


async def test_with_no_tenant_bound_the_scoped_role_sees_nothing(
    services: Services, two_tenants: TwoTenants, tenant_tables: list[str], scoped_role: str
) -> None:
    async with services.db.engine.connect() as conn:
        # given a tenant was bound on this very connection before (the setting then reads '')
        async with conn.begin():
            await conn.execute(text("SELECT bind_tenant(:a)"), {"a": two_tenants.a})
            assert await conn.scalar(select(func.count()).select_from(dashboards)) > 0
        async with conn.begin():
            # when the scoped role reads with no tenant bound
            await _unscoped(conn, scoped_role)
            counts = {
                table: await conn.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in [*tenant_tables, "tenants"]
            }

    # then every table is empty to it
    assert counts == dict.fromkeys([*tenant_tables, "tenants"], 0)


async def _refused(conn: AsyncConnection, statement: Any) -> str:
    with pytest.raises(DBAPIError) as refused:
        async with conn.begin_nested():
            await conn.execute(statement)
    return str(refused.value.orig)


async def test_writes_of_another_tenants_rows_are_refused_or_find_nothing(
    services: Services, two_tenants: TwoTenants
) -> None:
    a, b = two_tenants.a, two_tenants.b
    async with services.db.for_tenant(a).transaction() as conn:
        own = await conn.scalar(select(dashboards.c.id).where(dashboards.c.tenant_id == a).limit(1))
        # an INSERT of a row of tenant B
        inserted = await _refused(
            conn,
            dashboards.insert().values(tenant_id=b, code="rls-probe", name="x", owner_id="eve"),
        )
        # an UPDATE that moves A's row to tenant B
        moved = await _refused(
            conn,
            update(dashboards)
            .where(dashboards.c.tenant_id == a, dashboards.c.id == own)
            .values(tenant_id=b),
        )
        # an UPDATE and a DELETE of B's rows, even naming B
        renamed = await conn.execute(
            update(dashboards).where(dashboards.c.tenant_id == b).values(name="hijacked")
        )
        deleted = await conn.execute(dashboards.delete().where(dashboards.c.tenant_id == b))
        touched = (renamed.rowcount, deleted.rowcount)

    for message in (inserted, moved):
        assert "row-level security" in message, message
    assert touched == (0, 0)
    async with services.db.reader() as conn:
        left = await conn.scalar(
            select(func.count())
            .select_from(dashboards)
            .where(dashboards.c.tenant_id == b, dashboards.c.name != "hijacked")
        )
    assert left == 2


async def test_the_binding_ends_with_the_transaction(
    database_url: str, two_tenants: TwoTenants
) -> None:
    # one pooled connection, so the second use gets the first one's connection
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    database = Database(engine)
    probe = text("SELECT current_user = session_user, current_setting('app.tenant_id', true)")
    try:
        async with database.for_tenant(two_tenants.a).transaction() as conn:
            during = tuple((await conn.execute(probe)).one())
        async with database.reader() as conn:
            after_commit = tuple((await conn.execute(probe)).one())
        with pytest.raises(RuntimeError):
            async with database.for_tenant(two_tenants.a).transaction() as conn:
                raise RuntimeError("rolled back")
        async with database.reader() as conn:
            after_rollback = tuple((await conn.execute(probe)).one())
    finally:
        await engine.dispose()

    assert during == (False, str(two_tenants.a))
    assert after_commit == after_rollback == (True, "")


async def test_the_tenant_index_serves_the_policy(
    services: Services, two_tenants: TwoTenants
) -> None:
    # The policy's tenant expression is stable, so it is an index condition computed once per
    # statement, not a function called for every row. (Seq scans are switched off because
    # the test tables are too small for the planner to prefer an index otherwise.)
    async with services.db.for_tenant(two_tenants.a).reader() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            (await conn.scalars(text("EXPLAIN SELECT id, name FROM dashboards"))).all()
        )

    assert "Index Cond: (tenant_id = (NULLIF(current_setting('app.tenant_id'" in plan, plan


async def test_a_request_context_is_bound_to_its_tenant(
    services: Services, two_tenants: TwoTenants
) -> None:
    ctx = await context_for(services, new_tenant())
    assert ctx.db.tenant_id == ctx.tenant_id

    with pytest.raises(ValueError, match="bound"):
        RequestContext(
            principal=ctx.principal,
            tenant_name=ctx.tenant_name,
            tenant_id=ctx.tenant_id,
            db=services.db,
            settings=ctx.settings,
            request_id="test",
            data=ctx.data,
        )


async def test_each_connection_a_request_uses_is_bound_once_whatever_the_data_size(
    editor: Caller, count_statements: Any
) -> None:
    large = Caller(editor.http, new_tenant(), user="alice")
    await _fill(editor, dashboards_count=1)
    await _fill(large, dashboards_count=8)
    counted = []
    for caller in (editor, large):
        await caller.graphql(NESTED)  # warm: tenant id and user cached
        with count_statements() as counter:
            data = await caller.graphql(NESTED)
        counted.append((counter.count, counter.bindings, len(data["dashboards"]["edges"])))

    # three reads (dashboards, placements, widgets) on two connections, each bound once: the
    # listing's own, and the one all DataLoader batches share (app/graphql/request_reader.py)
    assert counted == [(3, 2, 1), (3, 2, 8)]
