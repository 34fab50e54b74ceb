"""The request context every domain function takes: who is calling, in which tenant, and
the database to use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine.interfaces import IsolationLevel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth import Principal
from app.data.plane import DataPlane
from app.settings import Settings

# Switches the transaction to the tenant-scoped role with the tenant set, both until the
# transaction ends (migration 0005): row-level security then shows that tenant's rows only.
TENANT_BINDING = text("SELECT bind_tenant(:tenant_id)")


@dataclass(frozen=True, slots=True)
class Database:
    """The service's database. Unbound, it works as the service's own user, across tenants
    (tenant and user directories, public-link lookup, CLI, demo set-up); `for_tenant` gives
    the one a request uses, whose every connection is bound to its tenant."""

    engine: AsyncEngine
    tenant_id: int | None = None

    def for_tenant(self, tenant_id: int) -> Database:
        return Database(self.engine, tenant_id)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One write = one transaction: commits on success, rolls back on any error."""
        async with self.engine.begin() as conn:
            await self._bind(conn)
            yield conn

    @asynccontextmanager
    async def reader(
        self, *, isolation_level: IsolationLevel | None = None
    ) -> AsyncIterator[AsyncConnection]:
        """A pooled connection of its own for one read, so that reads fired together (by
        DataLoaders) never share a connection. Its statements run in one transaction, rolled
        back at the end, at `isolation_level` when given (REPEATABLE READ: one snapshot)."""
        async with self.engine.connect() as conn:
            if isolation_level is not None:
                await conn.execution_options(isolation_level=isolation_level)
            await self._bind(conn)
            yield conn

    async def _bind(self, conn: AsyncConnection) -> None:
        if self.tenant_id is not None:
            await conn.execute(TENANT_BINDING, {"tenant_id": self.tenant_id})


@dataclass(frozen=True, slots=True)
class RequestContext:
    principal: Principal
    tenant_name: str
    tenant_id: int
    db: Database
    settings: Settings
    request_id: str
    data: DataPlane

    def __post_init__(self) -> None:
        # Everything a request does runs bound to its tenant: row-level security is the
        # second wall behind the tenant filter of every query.
        if self.db.tenant_id != self.tenant_id:
            raise ValueError(
                f"a request of tenant {self.tenant_id} needs its database bound to it, "
                f"not to {self.db.tenant_id}"
            )

    @property
    def user_id(self) -> str:
        return self.principal.user_id
