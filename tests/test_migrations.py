"""Migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from app.data.provision import drop_tenant_roles
from app.data.roles import role_prefix
from db.engine import create_engine
from db.migrate import alembic_config, upgrade
from db.models import Base
from db.provision import drop_database, ensure_database
from db.urls import with_database


def _diff(conn: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _downgrade_to_base(conn: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = conn
    command.downgrade(config, "base")


async def test_migrated_database_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_downgrade_then_upgrade_round_trips(database_url: str) -> None:
    server = with_database(database_url, "postgres")
    name = f"dashboards_mig_{uuid.uuid4().hex[:8]}"
    url = await ensure_database(server, name)
    engine = create_engine(url, pool_size=1)
    try:
        await upgrade(url)
        await upgrade(url)  # a second run finds nothing to do
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to_base)
        await upgrade(url)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()
        await drop_database(server, name)
        await drop_tenant_roles(server, role_prefix(url))  # the role migration 0005 made
