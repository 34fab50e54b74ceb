"""Alembic, driven from code: `dashboards-api migrate`, the test suite and `serve` all use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.attributes["database_url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` on the database at `url`."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            await upgrade_on(conn, revision)
    finally:
        await engine.dispose()


# Any constant works; it only has to be the same for every process of this service.
MIGRATION_LOCK_KEY = 0x44415348  # "DASH"


async def upgrade_on(conn: AsyncConnection, revision: str = "head") -> None:
    """Migrate inside `conn`'s transaction. Processes starting together take turns: the
    transaction-level advisory lock makes the later ones find the work done."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})

    def run(sync_conn: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_conn
        command.upgrade(config, revision)

    await conn.run_sync(run)
