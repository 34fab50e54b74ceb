"""Rendered tile results, cached per tenant, widget and query digest: in process (a bounded LRU)
or, when REDIS_URL is set, in Redis so that every process of the service shares them. The cache
is best effort: a Redis that fails or does not answer is a miss, never an error."""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.data.telemetry import NO_TELEMETRY, TileTelemetry
from app.settings import Settings

log = logging.getLogger(__name__)

# Keys deleted per UNLINK when a widget's entries are invalidated.
_UNLINK_BATCH = 500


@dataclass(frozen=True, slots=True)
class CacheKey:
    tenant_id: int
    widget_id: int
    digest: str  # hex, computed by the caller from the compiled SQL and bound parameter values


@dataclass(frozen=True, slots=True)
class CachedTile:
    # JSON-serialisable. Shared by every request that hits it: treat it as read only.
    data: Any
    computed_at: datetime  # timezone-aware UTC


class TileCache(Protocol):
    async def get(self, key: CacheKey) -> CachedTile | None: ...

    async def put(self, key: CacheKey, tile: CachedTile, ttl_seconds: int) -> None: ...

    async def invalidate_widget(self, tenant_id: int, widget_id: int) -> None: ...

    async def close(self) -> None: ...


class MemoryTileCache:
    """At most `max_entries` tiles (0 disables caching), least recently used evicted first.
    Used from one event loop, so it needs no locks."""

    def __init__(
        self,
        max_entries: int,
        max_ttl_seconds: int,
        clock: Callable[[], float] = time.monotonic,
        telemetry: TileTelemetry = NO_TELEMETRY,
    ) -> None:
        self._telemetry = telemetry
        self._max_entries = max_entries
        self._max_ttl_seconds = max_ttl_seconds
        self._clock = clock
        # key -> (expires at on `clock`, tile), least recently used first.
        self._entries: OrderedDict[CacheKey, tuple[float, CachedTile]] = OrderedDict()
        # (tenant, widget) -> its keys, so invalidating a widget does not scan every entry.
        self._by_widget: dict[tuple[int, int], set[CacheKey]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: CacheKey) -> CachedTile | None:
        tile = self._lookup(key)
        self._telemetry.cache_lookup("memory", "miss" if tile is None else "hit")
        return tile

    def _lookup(self, key: CacheKey) -> CachedTile | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, tile = entry
        if self._clock() >= expires_at:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return tile

    async def put(self, key: CacheKey, tile: CachedTile, ttl_seconds: int) -> None:
        ttl = min(ttl_seconds, self._max_ttl_seconds)
        if ttl <= 0 or self._max_entries <= 0:
            return
        self._entries[key] = (self._clock() + ttl, tile)
        self._entries.move_to_end(key)
        self._by_widget.setdefault((key.tenant_id, key.widget_id), set()).add(key)
        while len(self._entries) > self._max_entries:
            self._remove(next(iter(self._entries)))

    async def invalidate_widget(self, tenant_id: int, widget_id: int) -> None:
        for key in self._by_widget.pop((tenant_id, widget_id), ()):
            del self._entries[key]

    async def close(self) -> None:
        self._entries.clear()
        self._by_widget.clear()

    def _remove(self, key: CacheKey) -> None:
        del self._entries[key]
        widget = (key.tenant_id, key.widget_id)
        keys = self._by_widget[widget]
        keys.discard(key)
        if not keys:
            del self._by_widget[widget]


class RedisTileCache:
    """Tiles in Redis, shared by several processes. Keys are
    `<prefix>:tile:<tenant id>:<widget id>:<digest>`, values JSON, expiry Redis's own."""

    def __init__(
        self,
        url: str,
        prefix: str,
        max_ttl_seconds: int,
        telemetry: TileTelemetry = NO_TELEMETRY,
    ) -> None:
        self._telemetry = telemetry
        self._prefix = prefix
        self._max_ttl_seconds = max_ttl_seconds
        # Short timeouts and no retries: a dead Redis must not stall rendering, a miss is cheap.
        self._client = Redis.from_url(
            url,
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )

    def _key(self, key: CacheKey) -> str:
        return f"{self._prefix}:tile:{key.tenant_id}:{key.widget_id}:{key.digest}"

    async def get(self, key: CacheKey) -> CachedTile | None:
        try:
            value = await self._client.get(self._key(key))
        except (RedisError, OSError) as exc:
            _warn("get", exc)
            self._telemetry.cache_lookup("redis", "error")
            return None
        if value is None:
            self._telemetry.cache_lookup("redis", "miss")
            return None
        try:
            stored = orjson.loads(value)
            tile = CachedTile(
                data=stored["data"], computed_at=datetime.fromisoformat(stored["computed_at"])
            )
        except (ValueError, KeyError, TypeError) as exc:
            _warn("decoding a value", exc)
            self._telemetry.cache_lookup("redis", "error")
            return None
        self._telemetry.cache_lookup("redis", "hit")
        return tile

    async def put(self, key: CacheKey, tile: CachedTile, ttl_seconds: int) -> None:
        ttl = min(ttl_seconds, self._max_ttl_seconds)
        if ttl <= 0:
            return
        try:
            value = orjson.dumps({"data": tile.data, "computed_at": tile.computed_at.isoformat()})
        except orjson.JSONEncodeError as exc:
            _warn("encoding a value", exc)
            return
        try:
            await self._client.set(self._key(key), value, ex=ttl)
        except (RedisError, OSError) as exc:
            _warn("put", exc)

    async def invalidate_widget(self, tenant_id: int, widget_id: int) -> None:
        pattern = f"{_glob_escape(self._prefix)}:tile:{tenant_id}:{widget_id}:*"
        try:
            batch: list[bytes] = []
            async for name in self._client.scan_iter(match=pattern, count=_UNLINK_BATCH):
                batch.append(name)
                if len(batch) >= _UNLINK_BATCH:
                    await self._client.unlink(*batch)
                    batch.clear()
            if batch:
                await self._client.unlink(*batch)
        except (RedisError, OSError) as exc:
            _warn("invalidate", exc)

    async def close(self) -> None:
        await self._client.aclose()


def create_tile_cache(settings: Settings, telemetry: TileTelemetry = NO_TELEMETRY) -> TileCache:
    if settings.redis_url:
        return RedisTileCache(
            settings.redis_url,
            settings.redis_key_prefix,
            settings.tile_cache_max_ttl_seconds,
            telemetry,
        )
    return MemoryTileCache(
        settings.tile_cache_max_entries, settings.tile_cache_max_ttl_seconds, telemetry=telemetry
    )


def _glob_escape(text: str) -> str:
    """`text` matched literally by a Redis MATCH pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _warn(operation: str, exc: Exception) -> None:
    # The exception's text, not the URL: redis-py's messages name the host, never the password.
    log.warning("tile cache: Redis %s failed (%s: %s)", operation, type(exc).__name__, exc)
