"""Token-bucket arithmetic, shared by every store: a bucket holds at most `burst` tokens, gains
`rate` tokens a second, and each request takes one. The stores keep (tokens, last update) and
use `refill`; `decision` turns what a take left into what the client is told."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Float noise (0.1 + 0.2) must not turn "1 second" into 2 when rounding up, or 3 tokens into 2.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class BucketPolicy:
    rate: float  # tokens gained per second, > 0
    burst: int  # capacity: requests allowed at once from a full bucket, >= 1

    def refill(self, tokens: float, elapsed_seconds: float) -> float:
        # A clock that went backwards (another host's, a test's) adds nothing.
        return min(float(self.burst), tokens + max(0.0, elapsed_seconds) * self.rate)

    @property
    def window_seconds(self) -> int:
        """Seconds an empty bucket takes to fill: the `w` of RateLimit-Policy."""
        return max(1, _ceil(self.burst / self.rate))

    def decision(self, allowed: bool, tokens: float) -> Decision:
        """What the client is told, given whether the take succeeded and the tokens left."""
        retry_after = 0 if allowed else max(1, _ceil((1.0 - tokens) / self.rate))
        return Decision(
            allowed=allowed,
            limit=self.burst,
            remaining=max(0, math.floor(tokens + _EPSILON)),
            reset_seconds=max(0, _ceil((self.burst - tokens) / self.rate)),
            retry_after_seconds=retry_after,
            window_seconds=self.window_seconds,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int  # the bucket's capacity
    remaining: int  # whole tokens left after this request
    reset_seconds: int  # until the bucket is full again
    retry_after_seconds: int  # until the next request can pass; 0 when this one passed
    window_seconds: int

    @property
    def refusal(self) -> str:
        unit = "second" if self.retry_after_seconds == 1 else "seconds"
        return f"too many requests: retry in {self.retry_after_seconds} {unit}"

    def tighter(self, other: Decision) -> Decision:
        """Of two buckets that both applied, the one the client must respect."""
        if self.allowed != other.allowed:
            return other if self.allowed else self
        if not self.allowed:
            return self if self.retry_after_seconds >= other.retry_after_seconds else other
        return self if self.remaining <= other.remaining else other


def take_one(policy: BucketPolicy, tokens: float) -> tuple[bool, float]:
    """(allowed, tokens left) for a bucket that holds `tokens` after refilling."""
    if tokens >= 1.0 - _EPSILON:
        return True, max(0.0, tokens - 1.0)
    return False, tokens


def _ceil(value: float) -> int:
    return math.ceil(value - _EPSILON)
