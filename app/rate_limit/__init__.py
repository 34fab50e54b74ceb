"""Per-user and per-public-link rate limiting: token buckets, in process or shared through
Redis. See docs/rate-limiting.md."""

from app.rate_limit.bucket import BucketPolicy, Decision
from app.rate_limit.headers import RateLimitHeadersMiddleware
from app.rate_limit.limiter import RateLimiter, create_rate_limiter

__all__ = [
    "BucketPolicy",
    "Decision",
    "RateLimitHeadersMiddleware",
    "RateLimiter",
    "create_rate_limiter",
]
