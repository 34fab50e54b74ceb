"""The database walls around tile SQL, proven on their own: these tests go through the sandbox
directly (app/data/sandbox.py), bypassing the SQL check, and show that PostgreSQL still
refuses writes, second statements, the service's tables, other tenants' data, changes of
role, and queries past the timeout; that the row limit holds; and that nothing a tile does
to its connection outlives it. The last tests show the same attacks refused by the domain's
SQL check before anything runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

import app.data.sandbox as sandbox_module
from app.data.provision import provision_tenant_data
from app.data.roles import with_login
from app.data.sandbox import Sandbox, SandboxLimits, TileQueryError, TileResult
from app.domain.data_sources import SqlSource
from app.domain.parameters import resolve
from app.domain.tile_queries import CardError, compile_tile
from app.services import Services
from tests.conftest import SECRET, new_tenant
from tests.tile_data import SALES_ROWS, seed_sales

SHORT_TIMEOUT_MS = 300
ROW_LIMIT = 5


@asynccontextmanager
async def short_sandbox(
    services: Services,
    database_url: str,
    *,
    timeout_ms: int = SHORT_TIMEOUT_MS,
    row_limit: int = ROW_LIMIT,
    pool_size: int = 2,
) -> AsyncIterator[Sandbox]:
    """A sandbox of the test's own, with a short timeout and a small row limit. The same
    secret and prefix as the service's: the roles (and their passwords) are the same, and the
    session drops them at its end."""
    sandbox = Sandbox(
        database_url,
        SandboxLimits(
            statement_timeout_ms=timeout_ms,
            row_limit=row_limit,
            pool_size=pool_size,
            pools_max=4,
        ),
        secret=SECRET,
        prefix=services.data.sandbox.prefix,
    )
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def service_rows(services: Services, sql: str, **params: Any) -> Sequence[Any]:
    """Rows read as the service's own (super)user."""
    async with services.db.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).all()


async def sales_count(services: Services, schema: str) -> int:
    rows = await service_rows(services, f'SELECT count(*) FROM "{schema}".sales')
    return int(rows[0][0])


async def refused(sandbox: Sandbox, tenant_id: int, sql: str) -> TileQueryError:
    with pytest.raises(TileQueryError) as caught:
        await sandbox.run(tenant_id, sql)
    return caught.value


@pytest.fixture
async def sales(services: Services, tenant: str) -> tuple[int, str]:
    """The tenant's id and data schema, with the sales table."""
    schema = await seed_sales(services, tenant)
    return await services.tenants.id_for(tenant), schema


# Writes.


WRITES = [
    "INSERT INTO sales VALUES ('XX', 'Thing', DATE '2026-01-01', 1, 1)",
    "UPDATE sales SET units = 0",
    "DELETE FROM sales",
    "TRUNCATE sales",
    "DROP TABLE sales",
    "CREATE TABLE stolen (a int)",
    "CREATE TEMP TABLE scratch (a int)",
    "CREATE TABLE public.stolen (a int)",
    "ALTER TABLE sales ADD COLUMN x int",
    "WITH gone AS (DELETE FROM sales RETURNING *) SELECT count(*) FROM gone",
    "SELECT * INTO stolen FROM sales",
    "CREATE SEQUENCE counter",
    "COMMENT ON TABLE sales IS 'mine'",
]


async def test_writes_are_refused(services: Services, sales: tuple[int, str]) -> None:
    tenant_id, schema = sales
    for sql in WRITES:
        error = await refused(services.data.sandbox, tenant_id, sql)
        assert error.code == "TILE_SQL_ERROR", sql
        assert "in a read-only transaction (SQLSTATE 25006)" in error.message, error.message
    assert await sales_count(services, schema) == len(SALES_ROWS)
    tables = await service_rows(
        services,
        "SELECT count(*) FROM pg_tables WHERE tablename IN ('stolen', 'scratch')",
    )
    assert tables[0][0] == 0


async def test_writes_are_refused_by_privileges_even_in_a_read_write_transaction(
    services: Services, sales: tuple[int, str], database_url: str
) -> None:
    """The READ ONLY transaction is one wall; the role's privileges are another."""
    tenant_id, schema = sales
    role = services.data.sandbox.role(tenant_id)
    conn = await asyncpg.connect(with_login(database_url, role))
    try:
        await conn.execute("SET default_transaction_read_only = off")
        for sql in (
            "INSERT INTO sales VALUES ('XX', 'Thing', DATE '2026-01-01', 1, 1)",
            "UPDATE sales SET units = 0",
            "DELETE FROM sales",
            "TRUNCATE sales",
            "DROP TABLE sales",
            "CREATE TABLE stolen (a int)",
            "CREATE TABLE public.stolen (a int)",
            "DELETE FROM public.dashboards",
            "SELECT * FROM public.tenants",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(sql)
    finally:
        await conn.close()
    assert await sales_count(services, schema) == len(SALES_ROWS)


# One statement.


async def test_a_second_statement_cannot_run(services: Services, sales: tuple[int, str]) -> None:
    tenant_id, schema = sales
    for sql in (
        "SELECT 1; DELETE FROM sales",
        "SELECT 1; SELECT 2",
        "SELECT * FROM sales; DROP TABLE sales; --",
    ):
        error = await refused(services.data.sandbox, tenant_id, sql)
        assert error.code == "TILE_SQL_ERROR"
        assert "cannot insert multiple commands into a prepared statement" in error.message
    assert await sales_count(services, schema) == len(SALES_ROWS)


# Other people's data.


async def test_the_services_tables_are_not_readable(
    services: Services, sales: tuple[int, str]
) -> None:
    tenant_id, _ = sales
    for sql in (
        "SELECT * FROM public.dashboards",
        "SELECT * FROM public.tenants",
        "SELECT * FROM public.dashboard_widgets",
        "SELECT * FROM public.datasets",
        "SELECT count(*) FROM public.tenants",
        "TABLE public.tenants",
    ):
        error = await refused(services.data.sandbox, tenant_id, sql)
        assert error.code == "TILE_SQL_ERROR"
        assert "permission denied for table" in error.message
        assert "42501" in error.message
    error = await refused(services.data.sandbox, tenant_id, "SELECT * FROM dashboards")
    assert 'relation "dashboards" does not exist' in error.message


async def test_another_tenants_data_is_not_readable(services: Services, tenant: str) -> None:
    mine = await seed_sales(services, tenant)
    other_tenant = new_tenant()
    theirs = await seed_sales(services, other_tenant)
    my_id = await services.tenants.id_for(tenant)
    their_id = await services.tenants.id_for(other_tenant)
    sandbox = services.data.sandbox
    assert mine != theirs

    for sql in (
        f"SELECT * FROM {theirs}.sales",
        f'SELECT count(*) FROM "{theirs}"."sales"',
        f"SELECT * FROM sales JOIN {theirs}.sales t USING (region)",
    ):
        error = await refused(sandbox, my_id, sql)
        assert error.code == "TILE_SQL_ERROR"
        assert f"permission denied for schema {theirs}" in error.message
    # Each role reads its own schema, and only its own rows.
    assert (await sandbox.run(my_id, "SELECT count(*) AS n FROM sales")).rows == [
        {"n": len(SALES_ROWS)}
    ]
    await sandbox.run(their_id, "SELECT 1")
    error = await refused(sandbox, their_id, f"SELECT * FROM {mine}.sales")
    assert f"permission denied for schema {mine}" in error.message


async def test_the_role_cannot_become_another(services: Services, tenant: str) -> None:
    await seed_sales(services, tenant)
    other_tenant = new_tenant()
    await seed_sales(services, other_tenant)
    tenant_id = await services.tenants.id_for(tenant)
    other_role = services.data.sandbox.role(await services.tenants.id_for(other_tenant)).role
    service_user = services.db.engine.url.username
    assert service_user

    for target in (service_user, other_role):
        for sql in (
            f'SET ROLE "{target}"',
            f"SELECT set_config('role', '{target}', false)",
            f"SELECT set_config('role', '{target}', true)",
            f'SET SESSION AUTHORIZATION "{target}"',
            f"SELECT set_config('session_authorization', '{target}', false)",
        ):
            error = await refused(services.data.sandbox, tenant_id, sql)
            assert error.code == "TILE_SQL_ERROR"
            assert "permission denied to set" in error.message
    rows = await services.data.sandbox.run(tenant_id, "SELECT current_user AS u, session_user AS s")
    role = services.data.sandbox.role(tenant_id).role
    assert rows.rows == [{"u": role, "s": role}]


async def test_the_role_has_no_privileges_beyond_reading_its_schema(
    services: Services, sales: tuple[int, str]
) -> None:
    tenant_id, schema = sales
    role = services.data.sandbox.role(tenant_id).role
    attributes = await service_rows(
        services,
        "SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, "
        "rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = :role",
        role=role,
    )
    assert [tuple(r) for r in attributes] == [(False, False, False, False, False, False, True)]
    memberships = await service_rows(
        services,
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
        "WHERE r.rolname = :role",
        role=role,
    )
    assert memberships[0][0] == 0
    privileges = await service_rows(
        services,
        "SELECT has_schema_privilege(:role, :schema, 'USAGE'), "
        "has_schema_privilege(:role, :schema, 'CREATE'), "
        "has_schema_privilege(:role, 'public', 'CREATE'), "
        "has_database_privilege(:role, current_database(), 'CREATE'), "
        "has_table_privilege(:role, :sales, 'SELECT'), "
        "has_table_privilege(:role, :sales, 'INSERT'), "
        "has_table_privilege(:role, :sales, 'UPDATE'), "
        "has_table_privilege(:role, :sales, 'DELETE'), "
        "has_table_privilege(:role, :sales, 'TRUNCATE'), "
        "has_table_privilege(:role, 'public.dashboards', 'SELECT'), "
        "has_table_privilege(:role, 'public.tenants', 'SELECT')",
        role=role,
        schema=schema,
        sales=f"{schema}.sales",
    )
    assert tuple(privileges[0]) == (
        True,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
    )


# Time and size.


async def test_a_query_past_the_timeout_is_stopped_and_the_connection_lives_on(
    services: Services, database_url: str, sales: tuple[int, str]
) -> None:
    tenant_id, _ = sales
    async with short_sandbox(services, database_url, pool_size=1) as sandbox:
        error = await refused(sandbox, tenant_id, "SELECT pg_sleep(5)")
        assert error.code == "TILE_TIMEOUT"
        assert error.message == (f"the query ran longer than {SHORT_TIMEOUT_MS} ms and was stopped")
        # The one connection of the pool answers again.
        for _ in range(3):
            result = await sandbox.run(tenant_id, "SELECT count(*) AS n FROM sales")
            assert result.rows == [{"n": len(SALES_ROWS)}]
        assert await sleeping_backends(services, sandbox.role(tenant_id).role) == 0


async def sleeping_backends(services: Services, role: str) -> int:
    rows = await service_rows(
        services,
        "SELECT count(*) FROM pg_stat_activity WHERE usename = :role AND state = 'active'",
        role=role,
    )
    return int(rows[0][0])


async def test_turning_the_servers_timeout_off_from_the_sql_does_not_help(
    services: Services, database_url: str, sales: tuple[int, str]
) -> None:
    tenant_id, _ = sales
    async with short_sandbox(services, database_url, pool_size=1) as sandbox:
        for sql in (
            "SELECT set_config('statement_timeout', '0', false), pg_sleep(5)",
            "SELECT pg_sleep(5) FROM (SELECT set_config('statement_timeout', '0', false)) s",
        ):
            error = await refused(sandbox, tenant_id, sql)
            assert error.code == "TILE_TIMEOUT"
        # A setting changed by one tile does not stay on the connection for the next.
        await sandbox.run(tenant_id, "SELECT set_config('statement_timeout', '0', false)")
        await sandbox.run(tenant_id, "SELECT set_config('search_path', 'public', false)")
        result = await sandbox.run(
            tenant_id,
            "SELECT current_setting('statement_timeout') AS timeout, "
            "current_setting('search_path') AS path, "
            "current_setting('transaction_read_only') AS read_only",
        )
        assert result.rows == [
            {
                "timeout": f"{SHORT_TIMEOUT_MS}ms",
                "path": sandbox.role(tenant_id).schema,
                "read_only": "on",
            }
        ]
        error = await refused(sandbox, tenant_id, "SELECT pg_sleep(5)")
        assert error.code == "TILE_TIMEOUT"


async def test_the_client_stops_a_query_the_server_does_not(
    services: Services,
    database_url: str,
    sales: tuple[int, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client's own deadline, for when the server's timeout does not fire (a setting
    the SQL managed to change, a hung server): with the client's deadline made to come
    first, the client cancels the query itself and the connection is usable afterwards."""
    tenant_id, _ = sales
    async with short_sandbox(services, database_url, pool_size=1) as sandbox:
        await sandbox.run(tenant_id, "SELECT 1")  # the pool and its connection are open
        # Client deadline: 300 ms - 150 ms, before the server's 300 ms.
        monkeypatch.setattr(sandbox_module, "_CLIENT_GRACE_SECONDS", -0.15)
        error = await refused(sandbox, tenant_id, "SELECT pg_sleep(5)")
        assert error.code == "TILE_TIMEOUT"
        assert error.message == f"the query did not finish within {SHORT_TIMEOUT_MS} ms"
        monkeypatch.undo()
        result = await sandbox.run(tenant_id, "SELECT count(*) AS n FROM sales")
        assert result.rows == [{"n": len(SALES_ROWS)}]
        assert await sleeping_backends(services, sandbox.role(tenant_id).role) == 0


async def test_the_row_limit(services: Services, database_url: str, sales: tuple[int, str]) -> None:
    tenant_id, _ = sales
    async with short_sandbox(services, database_url) as sandbox:

        async def series(n: int, row_limit: int | None = None) -> TileResult:
            return await sandbox.run(
                tenant_id, f"SELECT g FROM generate_series(1, {n}) g", row_limit=row_limit
            )

        many = await series(10_000)
        assert many.truncated
        assert many.rows == [{"g": g} for g in range(1, ROW_LIMIT + 1)]
        exact = await series(ROW_LIMIT)
        assert not exact.truncated
        assert len(exact.rows) == ROW_LIMIT
        fewer = await series(ROW_LIMIT, row_limit=3)
        assert fewer.truncated
        assert fewer.rows == [{"g": 1}, {"g": 2}, {"g": 3}]
        # A card's own limit never goes past the sandbox's.
        capped = await series(100, row_limit=1_000)
        assert capped.truncated
        assert len(capped.rows) == ROW_LIMIT
        # SALES_ROWS has more rows than the limit.
        table = await sandbox.run(tenant_id, "SELECT * FROM sales ORDER BY order_date")
        assert table.truncated
        assert [r["region"] for r in table.rows] == [r[0] for r in SALES_ROWS[:ROW_LIMIT]]
        as_json = table.as_json()
        assert as_json["row_count"] == ROW_LIMIT
        assert as_json["truncated"] is True


# Nothing outlives the tile's connection.


async def test_advisory_locks_do_not_survive_the_connections_return(
    services: Services, database_url: str, sales: tuple[int, str]
) -> None:
    tenant_id, _ = sales
    async with short_sandbox(services, database_url, pool_size=1) as sandbox:
        role = sandbox.role(tenant_id).role
        taken = await sandbox.run(
            tenant_id,
            "SELECT pg_advisory_lock(424242) AS session_lock, "
            "pg_advisory_xact_lock(434343) AS xact_lock, "
            "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid()) AS held",
        )
        assert taken.rows[0]["held"] == 2  # the tile did take them
        held = await service_rows(
            services,
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND a.usename = :role",
            role=role,
        )
        assert held[0][0] == 0
        # The connection is still open (idle in the pool), yet the lock is free.
        connected = await service_rows(
            services, "SELECT count(*) FROM pg_stat_activity WHERE usename = :role", role=role
        )
        assert connected[0][0] == 1
        async with services.db.engine.connect() as conn:
            free = await conn.scalar(text("SELECT pg_try_advisory_lock(424242)"))
            assert free is True
            await conn.execute(text("SELECT pg_advisory_unlock(424242)"))


# Provisioning.


async def test_provisioning_is_idempotent_and_safe_at_once(
    services: Services, database_url: str, tenant: str
) -> None:
    schema = await seed_sales(services, tenant)
    tenant_id = await services.tenants.id_for(tenant)
    role = services.data.sandbox.role(tenant_id)
    timeout = services.settings.tile_statement_timeout_ms

    await provision_tenant_data(database_url, role, timeout)
    await provision_tenant_data(database_url, role, timeout)
    await asyncio.gather(*(provision_tenant_data(database_url, role, timeout) for _ in range(4)))
    # Several tenants at once (first renders in several processes).
    others = [
        services.data.sandbox.role(await services.tenants.id_for(new_tenant())) for _ in "abcd"
    ]
    await asyncio.gather(*(provision_tenant_data(database_url, r, timeout) for r in others * 2))

    rows = await service_rows(
        services,
        "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = :role), "
        "(SELECT count(*) FROM pg_namespace WHERE nspname = :schema)",
        role=role.role,
        schema=schema,
    )
    assert tuple(rows[0]) == (1, 1)
    assert await sales_count(services, schema) == len(SALES_ROWS)
    # The data is still readable as the role, through a fresh sandbox (fresh logins).
    async with short_sandbox(services, database_url) as sandbox:
        roles = await asyncio.gather(*(sandbox.ensure_tenant(tenant_id) for _ in range(3)))
        assert set(roles) == {role}
        results = await asyncio.gather(
            sandbox.run(tenant_id, "SELECT count(*) AS n FROM sales"),
            *(sandbox.run(r.tenant_id, "SELECT 1 AS one") for r in others),
        )
        assert results[0].rows == [{"n": len(SALES_ROWS)}]
        assert all(r.rows == [{"one": 1}] for r in results[1:])
    # And by the service's own sandbox, whose pool predates the re-provisioning.
    result = await services.data.sandbox.run(tenant_id, "SELECT count(*) AS n FROM sales")
    assert result.rows == [{"n": len(SALES_ROWS)}]


async def test_tables_created_later_by_the_service_are_readable_by_the_role(
    services: Services, sales: tuple[int, str]
) -> None:
    tenant_id, schema = sales
    async with services.db.engine.begin() as conn:
        await conn.execute(text(f'CREATE TABLE "{schema}".later AS SELECT 7 AS n'))
    result = await services.data.sandbox.run(tenant_id, "SELECT n FROM later")
    assert result.rows == [{"n": 7}]


# The same attacks, refused by the domain before anything runs.


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO sales VALUES ('XX', 'Thing', DATE '2026-01-01', 1, 1)",
        "DELETE FROM sales",
        "CREATE TABLE stolen (a int)",
        "WITH gone AS (DELETE FROM sales RETURNING *) SELECT count(*) FROM gone",
        "SELECT 1; DELETE FROM sales",
        "SELECT * FROM public.dashboards",
        "SELECT * FROM public.tenants",
        "SELECT * FROM tenant_data_1.sales",
        "SET ROLE postgres",
        "SELECT set_config('role', 'postgres', false)",
        "SELECT set_config('statement_timeout', '0', false), pg_sleep(5)",
        "SELECT pg_advisory_lock(424242)",
        "SELECT * FROM pg_catalog.pg_roles",
    ],
)
def test_the_domain_refuses_the_same_attacks_before_running(sql: str) -> None:
    schema = "tenant_data_2"
    with pytest.raises(CardError) as caught:
        compile_tile(
            SqlSource(sql, 0),
            dataset=None,
            schema=schema,
            params=resolve({}, {}),
            max_sql_chars=20_000,
        )
    assert caught.value.code == "INVALID_DATA_SOURCE"
