"""The tile cache in Redis (REDIS_URL), shared by every process of the service. Best effort,
like the one in process: a Redis that fails or does not answer is a miss, never an error."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.data.cache import CachedTile, CacheKey
from app.data.telemetry import NO_TELEMETRY, TileTelemetry

log = logging.getLogger(__name__)

# Keys deleted per UNLINK when a widget's entries are invalidated.
_UNLINK_BATCH = 500


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


def _glob_escape(text: str) -> str:
    """`text` matched literally by a Redis MATCH pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _warn(operation: str, exc: Exception) -> None:
    # The exception's text, not the URL: redis-py's messages name the host, never the password.
    log.warning("tile cache: Redis %s failed (%s: %s)", operation, type(exc).__name__, exc)
