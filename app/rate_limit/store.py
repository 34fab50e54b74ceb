"""Where buckets live. One protocol, two stores: in process, and Redis (rate_limit/redis_store.py)
for several processes. A take refills, takes one token and answers in one step."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from app.rate_limit.bucket import BucketPolicy, Decision, take_one


class BucketStore(Protocol):
    async def take(self, key: str, policy: BucketPolicy) -> Decision | None:
        """The decision for one request on bucket `key`; None when the store could not
        decide (the request passes: rate limiting fails open)."""
        ...

    async def close(self) -> None: ...


class MemoryBucketStore:
    """At most `max_buckets` buckets, least recently used dropped first (a dropped bucket
    comes back full). Used from one event loop and never awaits inside a take, so takes are
    atomic without locks."""

    def __init__(self, max_buckets: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_buckets = max_buckets
        self._clock = clock
        # key -> (tokens, clock at the last take), least recently used first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    async def take(self, key: str, policy: BucketPolicy) -> Decision:
        now = self._clock()
        tokens = float(policy.burst)
        stored = self._buckets.get(key)
        if stored is not None:
            left_then, taken_at = stored
            tokens = policy.refill(left_then, now - taken_at)
        allowed, left = take_one(policy, tokens)
        self._buckets[key] = (left, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_buckets:
            self._buckets.popitem(last=False)
        return policy.decision(allowed, left)

    async def close(self) -> None:
        self._buckets.clear()
