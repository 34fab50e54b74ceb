"""Buckets in Redis, shared by every process of the service. One Lua script per take refills,
takes and sets the key's expiry atomically, so concurrent takes from any number of processes
never admit more than the bucket holds. Time is Redis's own clock (`TIME`), so hosts with
skewed clocks agree. A Redis that fails or does not answer lets the request through, with a
warning in the log: an outage of the limiter must not become an outage of the service."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.rate_limit.bucket import BucketPolicy, Decision

log = logging.getLogger(__name__)

# Seconds between two warnings about a failing Redis: one per request would flood the log.
_WARNING_INTERVAL = 30.0

# KEYS[1] the bucket; ARGV rate (tokens/s), burst, now (seconds; empty: Redis's clock).
# Returns {allowed (0/1), tokens left as a string (Lua numbers would be cut to integers)}.
# The bucket is a hash {tokens, ts}; it expires once it would be full again, which loses
# nothing, since a missing bucket is a full one. Mirrors app/rate_limit/bucket.py.
TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
end
local allowed = 0
if tokens >= 1 - 1e-9 then
  allowed = 1
  tokens = math.max(0, tokens - 1)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""


class RedisBucketStore:
    def __init__(
        self,
        url: str,
        prefix: str,
        timeout_seconds: float = 0.5,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`clock` replaces Redis's clock (tests); keys are `<prefix>:ratelimit:<key>`."""
        self._prefix = prefix
        self._clock = clock
        # As the tile cache's client: a short timeout and no retries, a slow Redis must not
        # stall every request behind it.
        self._client = Redis.from_url(
            url,
            socket_connect_timeout=timeout_seconds,
            socket_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._client.register_script(TAKE_SCRIPT)
        self._last_warning = float("-inf")

    def redis_key(self, key: str) -> str:
        return f"{self._prefix}:ratelimit:{key}"

    async def take(self, key: str, policy: BucketPolicy) -> Decision | None:
        now = "" if self._clock is None else repr(self._clock())
        try:
            allowed, tokens = await self._script(
                keys=[self.redis_key(key)], args=[repr(policy.rate), policy.burst, now]
            )
            return policy.decision(bool(int(allowed)), float(tokens))
        except (RedisError, OSError, ValueError, TypeError) as exc:
            self._warn(exc)
            return None

    async def close(self) -> None:
        await self._client.aclose()

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning < _WARNING_INTERVAL:
            return
        self._last_warning = now
        # The exception's text, not the URL: redis-py's messages name the host, never the
        # password.
        log.warning(
            "rate limiting: Redis failed (%s: %s); requests pass unlimited until it answers",
            type(exc).__name__,
            exc,
        )
