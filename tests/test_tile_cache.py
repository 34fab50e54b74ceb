"""The tile cache: the in-process LRU, and Redis shared by several processes.

The Redis tests use TEST_REDIS_URL (and fail if it does not answer), else a Redis on
127.0.0.1:6379/15 when one answers, else they are skipped."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from app.data.cache import (
    CachedTile,
    CacheKey,
    MemoryTileCache,
)
from app.data.redis_tile_cache import RedisTileCache
from app.data.tile_caches import create_tile_cache
from app.settings import Settings

DEAD_REDIS_URL = "redis://user:sekret-password@127.0.0.1:1/0"

TILE = CachedTile(
    data={"columns": [{"name": "day", "type": "date"}], "rows": [{"day": "2026-01-01", "n": 1.5}]},
    computed_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
)


def key(tenant_id: int = 1, widget_id: int = 10, digest: str = "ab12") -> CacheKey:
    return CacheKey(tenant_id=tenant_id, widget_id=widget_id, digest=digest)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# In process.


async def test_memory_hit_and_miss() -> None:
    cache = MemoryTileCache(max_entries=10, max_ttl_seconds=3600)
    await cache.put(key(), TILE, 60)
    assert await cache.get(key()) == TILE
    assert await cache.get(key(digest="other")) is None
    assert await cache.get(key(tenant_id=2)) is None
    assert await cache.get(key(widget_id=11)) is None


async def test_memory_entries_expire_after_their_ttl() -> None:
    clock = FakeClock()
    cache = MemoryTileCache(max_entries=10, max_ttl_seconds=3600, clock=clock)
    await cache.put(key(), TILE, 60)
    clock.now += 59.9
    assert await cache.get(key()) == TILE
    clock.now += 0.1
    assert await cache.get(key()) is None
    assert len(cache) == 0
    assert cache._by_widget == {}


async def test_memory_ttl_zero_or_less_stores_nothing() -> None:
    cache = MemoryTileCache(max_entries=10, max_ttl_seconds=3600)
    await cache.put(key(), TILE, 0)
    await cache.put(key(digest="neg"), TILE, -5)
    assert await cache.get(key()) is None
    assert await cache.get(key(digest="neg")) is None
    assert len(cache) == 0


async def test_memory_ttl_is_capped_at_the_maximum() -> None:
    clock = FakeClock()
    cache = MemoryTileCache(max_entries=10, max_ttl_seconds=100, clock=clock)
    await cache.put(key(), TILE, 86_400)
    clock.now += 99
    assert await cache.get(key()) == TILE
    clock.now += 1
    assert await cache.get(key()) is None


async def test_memory_max_ttl_zero_stores_nothing() -> None:
    cache = MemoryTileCache(max_entries=10, max_ttl_seconds=0)
    await cache.put(key(), TILE, 60)
    assert await cache.get(key()) is None


async def test_memory_evicts_the_least_recently_used() -> None:
    cache = MemoryTileCache(max_entries=3, max_ttl_seconds=3600)
    for digest in ("a", "b", "c"):
        await cache.put(key(digest=digest), TILE, 60)
    assert await cache.get(key(digest="a")) == TILE  # now "b" is the least recently used
    await cache.put(key(digest="d"), TILE, 60)
    assert len(cache) == 3
    assert await cache.get(key(digest="b")) is None
    for digest in ("a", "c", "d"):
        assert await cache.get(key(digest=digest)) == TILE
    assert cache._by_widget == {(1, 10): {key(digest="a"), key(digest="c"), key(digest="d")}}


async def test_memory_put_again_replaces_and_refreshes() -> None:
    clock = FakeClock()
    cache = MemoryTileCache(max_entries=2, max_ttl_seconds=3600, clock=clock)
    await cache.put(key(digest="a"), TILE, 60)
    await cache.put(key(digest="b"), TILE, 60)
    newer = CachedTile(data=[1, 2], computed_at=datetime(2026, 11, 26, tzinfo=UTC))
    clock.now += 50
    await cache.put(key(digest="a"), newer, 60)  # "b" is now the least recently used
    await cache.put(key(digest="c"), TILE, 60)
    assert await cache.get(key(digest="b")) is None
    clock.now += 50
    assert await cache.get(key(digest="a")) == newer
    assert len(cache) == 2


async def test_memory_invalidate_widget_removes_only_that_widget() -> None:
    cache = MemoryTileCache(max_entries=100, max_ttl_seconds=3600)
    mine = [key(1, 10, "a"), key(1, 10, "b")]
    others = [key(1, 11, "a"), key(2, 10, "a")]
    for k in mine + others:
        await cache.put(k, TILE, 60)
    await cache.invalidate_widget(1, 10)
    for k in mine:
        assert await cache.get(k) is None
    for k in others:
        assert await cache.get(k) == TILE
    assert len(cache) == 2
    assert set(cache._by_widget) == {(1, 11), (2, 10)}
    await cache.invalidate_widget(1, 10)  # nothing left to remove
    await cache.invalidate_widget(99, 99)
    assert len(cache) == 2


async def test_memory_invalidate_after_eviction_and_expiry() -> None:
    clock = FakeClock()
    cache = MemoryTileCache(max_entries=2, max_ttl_seconds=3600, clock=clock)
    await cache.put(key(1, 10, "a"), TILE, 10)
    await cache.put(key(1, 10, "b"), TILE, 60)
    await cache.put(key(1, 11, "a"), TILE, 60)  # evicts (1, 10, "a")
    clock.now += 30
    assert await cache.get(key(1, 10, "a")) is None
    await cache.invalidate_widget(1, 10)
    assert cache._by_widget == {(1, 11): {key(1, 11, "a")}}
    assert await cache.get(key(1, 11, "a")) == TILE


async def test_memory_max_entries_zero_disables_caching() -> None:
    cache = MemoryTileCache(max_entries=0, max_ttl_seconds=3600)
    await cache.put(key(), TILE, 60)
    assert await cache.get(key()) is None
    assert len(cache) == 0
    await cache.invalidate_widget(1, 10)
    await cache.close()


async def test_create_tile_cache_picks_memory_or_redis() -> None:
    memory = create_tile_cache(
        Settings(redis_url="", tile_cache_max_entries=5, tile_cache_max_ttl_seconds=60)
    )
    assert isinstance(memory, MemoryTileCache)
    await memory.close()
    shared = create_tile_cache(Settings(redis_url=DEAD_REDIS_URL))
    assert isinstance(shared, RedisTileCache)
    await shared.close()


# Redis.


@pytest.fixture
async def caches(redis_url: str, redis_prefix: str) -> AsyncIterator[tuple[RedisTileCache, ...]]:
    """Two caches on the same Redis, as two processes of the service would have."""
    first = RedisTileCache(redis_url, redis_prefix, max_ttl_seconds=3600)
    second = RedisTileCache(redis_url, redis_prefix, max_ttl_seconds=3600)
    yield first, second
    await first.close()
    await second.close()


async def test_redis_instances_share_entries(
    caches: tuple[RedisTileCache, RedisTileCache], redis_client: Redis, redis_prefix: str
) -> None:
    first, second = caches
    assert await second.get(key()) is None
    await first.put(key(), TILE, 60)
    assert await second.get(key()) == TILE
    assert await first.get(key()) == TILE
    assert await second.get(key(digest="other")) is None
    assert await second.get(key(tenant_id=2)) is None
    assert await redis_client.exists(f"{redis_prefix}:tile:1:10:ab12") == 1


async def test_redis_applies_the_ttl(
    caches: tuple[RedisTileCache, RedisTileCache], redis_client: Redis, redis_prefix: str
) -> None:
    cache, _ = caches
    await cache.put(key(digest="short"), TILE, 120)
    await cache.put(key(digest="capped"), TILE, 86_400)
    await cache.put(key(digest="zero"), TILE, 0)
    assert 110 <= await redis_client.ttl(f"{redis_prefix}:tile:1:10:short") <= 120
    assert 3590 <= await redis_client.ttl(f"{redis_prefix}:tile:1:10:capped") <= 3600
    assert await redis_client.exists(f"{redis_prefix}:tile:1:10:zero") == 0
    assert await cache.get(key(digest="zero")) is None


async def test_redis_invalidate_widget_removes_only_that_widget(
    caches: tuple[RedisTileCache, RedisTileCache], redis_client: Redis, redis_prefix: str
) -> None:
    first, second = caches
    mine = [key(1, 10, "a"), key(1, 10, "b")]
    # Widget 1 of tenant 1 must not match widget 10's pattern, nor widget 10 match widget 100's.
    others = [key(1, 11, "a"), key(2, 10, "a"), key(1, 100, "a"), key(1, 1, "a")]
    for k in mine + others:
        await first.put(k, TILE, 600)
    # More keys than one UNLINK batch.
    await redis_client.mset({f"{redis_prefix}:tile:1:10:bulk{i}": b"{}" for i in range(1_200)})
    await second.invalidate_widget(1, 10)
    for k in mine:
        assert await first.get(k) is None
    for k in others:
        assert await first.get(k) == TILE
    assert [
        name async for name in redis_client.scan_iter(match=f"{redis_prefix}:tile:1:10:*")
    ] == []


async def test_redis_invalidate_is_confined_to_the_prefix(
    redis_url: str, redis_prefix: str, redis_client: Redis
) -> None:
    # A prefix with glob characters must not match other installations' keys.
    globby = RedisTileCache(redis_url, f"{redis_prefix}:*", max_ttl_seconds=3600)
    plain = RedisTileCache(redis_url, f"{redis_prefix}:x", max_ttl_seconds=3600)
    try:
        await plain.put(key(), TILE, 600)
        await globby.put(key(), TILE, 600)
        await globby.invalidate_widget(1, 10)
        assert await globby.get(key()) is None
        assert await plain.get(key()) == TILE
    finally:
        await globby.close()
        await plain.close()


async def test_redis_unreadable_value_is_a_miss(
    caches: tuple[RedisTileCache, RedisTileCache],
    redis_client: Redis,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache, _ = caches
    await redis_client.set(f"{redis_prefix}:tile:1:10:bad", b"not json", ex=60)
    await redis_client.set(f"{redis_prefix}:tile:1:10:shape", b'{"data": 1}', ex=60)
    with caplog.at_level(logging.WARNING, logger="app.data.redis_tile_cache"):
        assert await cache.get(key(digest="bad")) is None
        assert await cache.get(key(digest="shape")) is None
    assert len(caplog.records) == 2


async def test_redis_down_is_a_miss_never_an_error(caplog: pytest.LogCaptureFixture) -> None:
    cache = RedisTileCache(DEAD_REDIS_URL, "test-dead", max_ttl_seconds=3600)
    try:
        with caplog.at_level(logging.WARNING, logger="app.data.redis_tile_cache"):
            assert await cache.get(key()) is None
            await cache.put(key(), TILE, 60)
            await cache.invalidate_widget(1, 10)
            assert await cache.get(key()) is None
    finally:
        await cache.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert "sekret-password" not in caplog.text
