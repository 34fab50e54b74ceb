"""Running tile queries as the tenant's own database role: a pool of connections per tenant
(least recently used pools are closed past TILE_POOLS_MAX), READ ONLY transactions, the
statement timeout on the server and the client, and a row limit read through a cursor."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.data.column_types import ColumnType
from app.data.provision import provision_tenant_data
from app.data.roles import TenantDataRole, role_prefix, tenant_data_role, with_login
from app.data.telemetry import NO_TELEMETRY, TileTelemetry
from app.data.values import column_type, json_value

log = logging.getLogger(__name__)

# How long the client waits past the server's own timeout before cancelling the query itself.
_CLIENT_GRACE_SECONDS = 1.0


class TileQueryError(Exception):
    """A tile query failed: `code` is TILE_SQL_ERROR, TILE_TIMEOUT or TILE_UNAVAILABLE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class TileColumn:
    name: str
    type: ColumnType
    db_type: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type.value}


# Given a statement's columns: another statement (and its arguments) to run instead, or None.
Wrap = Callable[[Sequence["TileColumn"]], tuple[str, Sequence[Any]] | None]


@dataclass(frozen=True, slots=True)
class TileResult:
    columns: tuple[TileColumn, ...]
    rows: list[dict[str, Any]]
    truncated: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": [c.as_json() for c in self.columns],
            "rows": self.rows,
            "row_count": len(self.rows),
            "truncated": self.truncated,
        }


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    statement_timeout_ms: int
    row_limit: int
    pool_size: int
    pools_max: int


def _unique_names(names: Sequence[str]) -> list[str]:
    """`SELECT a, a` gives two columns named a: the second becomes a_2."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        result.append(name if count == 1 else f"{name}_{count}")
    return result


def _columns(statement: Any, *, unique: bool = True) -> tuple[TileColumn, ...]:
    """The statement's columns; `unique`: names made distinct, as rows of dicts need them."""
    attributes = statement.get_attributes()
    names = [a.name for a in attributes]
    if unique:
        names = _unique_names(names)
    return tuple(
        TileColumn(name, column_type(a.type.name), a.type.name)
        for name, a in zip(names, attributes, strict=True)
    )


class Sandbox:
    """The data plane of one process. `admin_url` is the data database as the service's
    user (which creates schemas and roles); tile queries log in as each tenant's role."""

    def __init__(
        self,
        admin_url: str,
        limits: SandboxLimits,
        *,
        secret: str,
        prefix: str = "",
        telemetry: TileTelemetry = NO_TELEMETRY,
    ) -> None:
        self._admin_url = admin_url
        self._telemetry = telemetry
        self._limits = limits
        self._secret = secret
        self.prefix = prefix or role_prefix(admin_url)
        self._pools: OrderedDict[int, asyncpg.Pool] = OrderedDict()
        self._opening: dict[int, asyncio.Lock] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def role(self, tenant_id: int) -> TenantDataRole:
        return tenant_data_role(tenant_id, prefix=self.prefix, secret=self._secret)

    async def ensure_tenant(self, tenant_id: int) -> TenantDataRole:
        """Provision the tenant's schema and role (once per process) and return them."""
        await self._pool(tenant_id)
        return self.role(tenant_id)

    async def _pool(self, tenant_id: int) -> asyncpg.Pool:
        pool = self._pools.get(tenant_id)
        if pool is not None:
            self._pools.move_to_end(tenant_id)
            return pool
        lock = self._opening.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            pool = self._pools.get(tenant_id)
            if pool is None:
                pool = await self._open(tenant_id)
                self._pools[tenant_id] = pool
                self._evict()
        self._opening.pop(tenant_id, None)
        return pool

    async def _open(self, tenant_id: int) -> asyncpg.Pool:
        role = self.role(tenant_id)
        try:
            await provision_tenant_data(self._admin_url, role, self._limits.statement_timeout_ms)
            return await asyncpg.create_pool(
                with_login(self._admin_url, role),
                min_size=0,
                max_size=self._limits.pool_size,
                max_inactive_connection_lifetime=60,
                server_settings={
                    "application_name": "dashboards-api-tiles",
                    "search_path": role.schema,
                    "default_transaction_read_only": "on",
                    "statement_timeout": str(self._limits.statement_timeout_ms),
                    "idle_in_transaction_session_timeout": "10000",
                },
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.error("tenant %s: cannot open its data connection: %s", tenant_id, exc)
            raise TileQueryError("TILE_UNAVAILABLE", "the tenant's data is unavailable") from exc

    def _evict(self) -> None:
        while len(self._pools) > self._limits.pools_max:
            _, pool = self._pools.popitem(last=False)
            task = asyncio.create_task(pool.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    @asynccontextmanager
    async def _read_only(
        self, tenant_id: int, wait_seconds: float
    ) -> AsyncIterator[asyncpg.Connection]:
        pool = await self._pool(tenant_id)
        try:
            async with pool.acquire(timeout=wait_seconds) as conn, conn.transaction(readonly=True):
                yield conn
        except TimeoutError as exc:
            raise TileQueryError(
                "TILE_TIMEOUT",
                f"the query did not finish within {self._limits.statement_timeout_ms} ms",
            ) from exc
        except asyncpg.QueryCanceledError as exc:
            raise TileQueryError(
                "TILE_TIMEOUT",
                f"the query ran longer than {self._limits.statement_timeout_ms} ms and was stopped",
            ) from exc
        except asyncpg.PostgresError as exc:
            if not _refused_by_server(exc):
                raise TileQueryError("TILE_SQL_ERROR", _message(exc)) from exc
            log.error("tenant %s: the server refused a data connection: %s", tenant_id, exc)
            raise TileQueryError("TILE_UNAVAILABLE", "the tenant's data is unavailable") from exc
        except (OSError, asyncpg.InterfaceError) as exc:
            log.error("tenant %s: data connection failed: %s", tenant_id, exc)
            raise TileQueryError("TILE_UNAVAILABLE", "the tenant's data is unavailable") from exc

    def _budget(self) -> float:
        return self._limits.statement_timeout_ms / 1000 + _CLIENT_GRACE_SECONDS

    async def run(
        self,
        tenant_id: int,
        sql: str,
        args: Sequence[Any] = (),
        *,
        row_limit: int | None = None,
        wrap: Wrap | None = None,
    ) -> TileResult:
        """Run one SELECT as the tenant's role; at most `row_limit` rows (the setting's by
        default), `truncated` when there were more. `wrap`, given the statement's columns,
        may put a query around it (None: run it as it is)."""
        limit = min(row_limit or self._limits.row_limit, self._limits.row_limit)
        deadline = time.monotonic() + self._budget()
        with self._telemetry.tile_query(tenant_id):
            async with self._read_only(tenant_id, self._budget()) as conn:
                statement = await conn.prepare(sql, timeout=_left(deadline))
                wrapped = wrap(_columns(statement, unique=False)) if wrap is not None else None
                if wrapped is not None:
                    sql, args = wrapped
                    statement = await conn.prepare(sql, timeout=_left(deadline))
                columns = _columns(statement)
                cursor = await statement.cursor(*args, timeout=_left(deadline))
                records = await cursor.fetch(limit + 1, timeout=_left(deadline))
        rows = [
            {c.name: json_value(v) for c, v in zip(columns, record.values(), strict=True)}
            for record in records[:limit]
        ]
        return TileResult(columns, rows, truncated=len(records) > limit)

    async def describe(self, tenant_id: int, sql: str) -> tuple[TileColumn, ...]:
        """The columns `sql` would return, as the tenant's role sees them, without running it
        (their names as PostgreSQL gives them, so a name may appear twice)."""
        deadline = time.monotonic() + self._budget()
        async with self._read_only(tenant_id, self._budget()) as conn:
            return _columns(await conn.prepare(sql, timeout=_left(deadline)), unique=False)

    async def relation_kind(self, tenant_id: int, relation: str) -> str | None:
        """ "table" or "view" for a relation of the tenant's schema, None if there is none."""
        role = self.role(tenant_id)
        async with self._read_only(tenant_id, self._budget()) as conn:
            kind = await conn.fetchval(
                "SELECT c.relkind::text FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relname = $2",
                role.schema,
                relation,
            )
        return {"r": "table", "p": "table", "f": "table", "v": "view", "m": "view"}.get(kind or "")

    async def close(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        await asyncio.gather(*(p.close() for p in pools), *self._closing, return_exceptions=True)


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


# SQLSTATE classes of a server that cannot serve (no connection slots, out of resources,
# shutting down, starting up), not of a statement that is wrong: 08, 53 and 57P.
_UNAVAILABLE_STATES = ("08", "53", "57P")


def _refused_by_server(exc: asyncpg.PostgresError) -> bool:
    return str(exc.sqlstate or "").startswith(_UNAVAILABLE_STATES)


def _message(exc: asyncpg.PostgresError) -> str:
    """PostgreSQL's own words about the tile's SQL (never details of the service)."""
    message = getattr(exc, "message", None) or str(exc)
    return f"{message} (SQLSTATE {exc.sqlstate})"
