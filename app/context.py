"""The request context every domain function takes: who is calling, in which tenant, and
the database to use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth import Principal
from app.data.plane import DataPlane
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One write = one transaction: commits on success, rolls back on any error."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection of its own for one read, so that reads fired together (by
        DataLoaders) never share a connection."""
        async with self.engine.connect() as conn:
            yield conn


@dataclass(frozen=True, slots=True)
class RequestContext:
    principal: Principal
    tenant_name: str
    tenant_id: int
    db: Database
    settings: Settings
    request_id: str
    data: DataPlane

    @property
    def user_id(self) -> str:
        return self.principal.user_id
