"""The users a tenant knows: whoever has called the API in it, or was assigned a dashboard in
it. Tokens name users; this directory is how "no such user" can be told apart."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.models import tenant_users

USER_ID_MAX = 255


def is_user_id(value: str) -> bool:
    """A user id as tokens carry it in `sub`: 1 to 255 printable characters."""
    return 0 < len(value) <= USER_ID_MAX and value.isprintable()


async def add_user(conn: AsyncConnection, tenant_id: int, user_id: str) -> None:
    """Make the user known to the tenant, in the caller's transaction."""
    await conn.execute(
        insert(tenant_users).values(tenant_id=tenant_id, user_id=user_id).on_conflict_do_nothing()
    )


async def user_known(conn: AsyncConnection, tenant_id: int, user_id: str) -> bool:
    if not is_user_id(user_id):
        return False  # could never have been stored (and NUL cannot be sent to PostgreSQL)
    found = await conn.scalar(
        select(tenant_users.c.user_id).where(
            tenant_users.c.tenant_id == tenant_id, tenant_users.c.user_id == user_id
        )
    )
    return found is not None


class UserDirectory:
    """Remembers the users that call the API. Users are never forgotten by the service, so a
    bounded per-process cache of who was remembered already is safe across processes: each
    user costs one statement per process, on their first request."""

    def __init__(self, engine: AsyncEngine, cache_size: int) -> None:
        self._engine = engine
        self._remembered: OrderedDict[tuple[int, str], None] = OrderedDict()
        self._cache_size = cache_size

    async def remember(self, tenant_id: int, user_id: str) -> None:
        key = (tenant_id, user_id)
        if key in self._remembered:
            self._remembered.move_to_end(key)
            return
        async with self._engine.begin() as conn:
            await add_user(conn, tenant_id, user_id)
        self._remembered[key] = None
        if len(self._remembered) > self._cache_size:
            self._remembered.popitem(last=False)

    async def knows(self, conn: AsyncConnection, tenant_id: int, user_id: str) -> bool:
        return await user_known(conn, tenant_id, user_id)
