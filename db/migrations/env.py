"""Alembic environment. Runs on a connection handed over in `config.attributes["connection"]`
(the normal path, see db/migrate.py) or opens one from `config.attributes["database_url"]`
or the DATABASE_URL setting (for the plain `alembic` command)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("database_url")
    if not url:
        from app.settings import get_settings

        url = get_settings().database_url
    if not url:
        raise SystemExit("set DATABASE_URL to run migrations with the alembic command")
    asyncio.run(_run_with_own_engine(url))


main()
