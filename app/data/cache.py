"""Rendered tile results, cached per tenant, widget and query digest: in process (a bounded LRU)
or, when REDIS_URL is set, in Redis so that every process of the service shares them
(redis_tile_cache.py; tile_caches.py picks one). The cache
is best effort: a Redis that fails or does not answer is a miss, never an error."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.data.telemetry import NO_TELEMETRY, TileTelemetry

log = logging.getLogger(__name__)


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
