"""What the CLI's commands on one tenant share (tenant-data, export, import): the tenant name
they are given, checked, and the service's database and data plane opened for that tenant,
migrated first, and closed when the command is done. Imports are deferred, as in cli.py, so
that commands which need none of this start quickly."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from app.data.plane import DataPlane


def tenant_name(given: str) -> str | None:
    """The tenant's name as the service spells it, or None (said on stderr) if it is not one."""
    from app.tenancy import TENANT_NAME

    name = given.strip().lower()
    if not TENANT_NAME.match(name):
        print(f"not a tenant name: {given!r}", file=sys.stderr)
        return None
    return name


@dataclass(frozen=True, slots=True)
class OpenTenant:
    engine: AsyncEngine
    data: DataPlane
    tenant_id: int


@asynccontextmanager
async def open_tenant(
    settings: Settings, name: str, *, pool_size: int
) -> AsyncIterator[OpenTenant]:
    """The database (migrated) and data plane, with the tenant's id (created if new)."""
    from app.data.plane import DataPlane
    from app.main import resolve_database_url
    from app.tenancy import TenantDirectory
    from db.engine import create_engine
    from db.migrate import upgrade

    url = await resolve_database_url(settings)
    await upgrade(url)
    engine = create_engine(url, pool_size=pool_size, max_overflow=0)
    data = DataPlane.create(url, settings)
    try:
        tenant_id = await TenantDirectory(engine, 1).id_for(name)
        yield OpenTenant(engine, data, tenant_id)
    finally:
        await data.close()
        await engine.dispose()
