"""Creating and dropping whole databases (the embedded server's, and the tests' fresh ones)."""

from __future__ import annotations

import re

from sqlalchemy import text

from db.engine import create_engine
from db.urls import with_database

DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(name: str) -> str:
    if not DATABASE_NAME.match(name):
        raise ValueError(f"unsupported database name: {name!r}")
    return name


async def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server at `server_url` unless it exists; return its URL."""
    engine = create_engine(server_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{_checked(name)}"'))
    finally:
        await engine.dispose()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    engine = create_engine(server_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)'))
    finally:
        await engine.dispose()
