"""Which tenant a request acts in, and that tenant's row (created on first use)."""

from __future__ import annotations

import re
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth import Principal
from db.models import tenants

TENANT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TenantError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def tenant_name_for(principal: Principal, header_value: str | None, header_name: str) -> str:
    """The tenant named by the header, or the token's only tenant when the header is absent.
    Either way the name is normalised and checked the same: 400 when it cannot be decided or
    is malformed, 403 when the token does not name it."""
    if header_value is None or not header_value.strip():
        if len(principal.tenants) != 1:
            raise TenantError(
                400,
                f"the {header_name} header is required: the token names "
                f"{len(principal.tenants)} tenants",
            )
        candidate = next(iter(principal.tenants))
    else:
        candidate = header_value
    name = candidate.strip().lower()
    if not TENANT_NAME.match(name):
        raise TenantError(
            400,
            f"the tenant must be a name of lowercase letters, digits and '-' "
            f"(at most 63 characters), not {candidate[:80]!r}",
        )
    if name not in {t.strip().lower() for t in principal.tenants}:
        raise TenantError(403, f"the token does not grant access to tenant '{name}'")
    return name


class TenantDirectory:
    """Tenant name → id, creating the tenant on first use. Tenants are never renamed or
    deleted by the service, so a bounded per-process cache is safe across processes."""

    def __init__(self, engine: AsyncEngine, cache_size: int) -> None:
        self._engine = engine
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._cache_size = cache_size

    async def id_for(self, name: str) -> int:
        cached = self._cache.get(name)
        if cached is not None:
            self._cache.move_to_end(name)
            return cached
        tenant_id = await self._fetch_or_create(name)
        self._cache[name] = tenant_id
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return tenant_id

    async def _fetch_or_create(self, name: str) -> int:
        # ON CONFLICT DO UPDATE (a no-op write) returns the row whether or not we created it,
        # also when another process inserts the same name at the same moment.
        statement = (
            insert(tenants)
            .values(name=name)
            .on_conflict_do_update(index_elements=[tenants.c.name], set_={"name": name})
            .returning(tenants.c.id)
        )
        async with self._engine.begin() as conn:
            existing = await conn.scalar(select(tenants.c.id).where(tenants.c.name == name))
            if existing is not None:
                return int(existing)
            return int((await conn.execute(statement)).scalar_one())
