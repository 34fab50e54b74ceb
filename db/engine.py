"""The async engine and its pool, built to fail fast and heal by itself.

- A server that does not accept a connection within `connect_timeout` seconds fails the
  request (asyncpg's `timeout`); one that stops answering mid-command fails it
  `COMMAND_GRACE_SECONDS` past the statement timeout (asyncpg's `command_timeout`), so that
  the server's own timeout fires first whenever the server is there to fire it.
- No `pool_pre_ping`: with asyncpg it costs three round trips (BEGIN, `;`, ROLLBACK) on every
  checkout, and this service checks out a connection per DataLoader batch. A connection
  whose server went away (restart, failover, `pg_terminate_backend`) has seen its socket
  close, which asyncpg records at once; `_drop_closed` hands such a connection back to the
  pool for a fresh one at no cost. A connection that fails mid-request makes SQLAlchemy
  invalidate the whole pool (every connection older than the failure is replaced on its
  next checkout), so the pool heals as soon as the server is back.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from db.urls import async_url

# How long past the statement timeout the client waits for an answer before giving up.
COMMAND_GRACE_SECONDS = 5.0


def create_engine(
    url: str,
    *,
    pool_size: int = 20,
    max_overflow: int = 10,
    pool_timeout: float = 5.0,
    statement_timeout_ms: int = 15_000,
    connect_timeout: float = 5.0,
    application_name: str = "dashboards-api",
) -> AsyncEngine:
    server_settings = {"application_name": application_name}
    connect_args: dict[str, Any] = {"server_settings": server_settings, "timeout": connect_timeout}
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
        connect_args["command_timeout"] = statement_timeout_ms / 1000 + COMMAND_GRACE_SECONDS
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_args=connect_args,
        # Reading JSON columns (configs, positions, data sources) is a hot path: orjson reads
        # them several times faster. Writes keep json.dumps; what is stored was checked first.
        json_deserializer=orjson.loads,
    )
    event.listen(engine.sync_engine.pool, "checkout", _drop_closed)
    return engine


def _drop_closed(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """A pooled connection whose socket the server closed is replaced before use (the pool
    retries the checkout with a new connection when a listener raises DisconnectionError)."""
    driver_connection = record.driver_connection
    if driver_connection is not None and driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")
