"""Creating a tenant's data schema and its login role: idempotent, safe from several
processes at once (an advisory lock of the data database serialises them: every tenant's
provisioning grants on the same database row, and two such grants at once fail with "tuple
concurrently updated")."""

from __future__ import annotations

import asyncpg

from app.data.roles import TenantDataRole, plain_url

# Advisory lock for provisioning, one for the whole database (see above).
_PROVISION_LOCK = (0x7D5B, 0)


def _ident(name: str) -> str:
    # Our names are generated from [a-z0-9_]; quoting is belt and braces.
    return '"' + name.replace('"', '""') + '"'


async def provision_tenant_data(admin_url: str, role: TenantDataRole, timeout_ms: int) -> None:
    """Create the schema and the role if missing and (re)grant the role read access to the
    schema's tables only. The role may log in, inherits nothing, and defaults to read-only
    transactions with the tile statement timeout."""
    conn = await asyncpg.connect(plain_url(admin_url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", *_PROVISION_LOCK)
            database = await conn.fetchval("SELECT current_database()")
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role.role)
            password = role.password.replace("'", "''")
            verb = "ALTER" if exists else "CREATE"
            schema, name = _ident(role.schema), _ident(role.role)
            for statement in (
                f"CREATE SCHEMA IF NOT EXISTS {schema}",
                f"{verb} ROLE {name} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE "
                f"NOREPLICATION NOBYPASSRLS PASSWORD '{password}'",
                f"ALTER ROLE {name} IN DATABASE {_ident(database)} SET search_path = {schema}",
                f"ALTER ROLE {name} SET default_transaction_read_only = on",
                f"ALTER ROLE {name} SET statement_timeout = {int(timeout_ms)}",
                f"GRANT CONNECT ON DATABASE {_ident(database)} TO {name}",
                f"GRANT USAGE ON SCHEMA {schema} TO {name}",
                f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {name}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {name}",
            ):
                await conn.execute(statement)
    finally:
        await conn.close()


async def drop_tenant_roles(admin_url: str, prefix: str) -> None:
    """Drop this installation's roles: the tenant data roles and the tenant-scoped role of
    migration 0005 (for tests, after their database is dropped: roles outlive databases)."""
    conn = await asyncpg.connect(plain_url(admin_url))
    try:
        names = await conn.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE $1",
            prefix.replace("_", r"\_") + r"\_%",
        )
        for row in names:
            await conn.execute(f"DROP ROLE IF EXISTS {_ident(row['rolname'])}")
    finally:
        await conn.close()
