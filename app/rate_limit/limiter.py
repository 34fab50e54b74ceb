"""Which buckets a request takes from. An authenticated request: its user's bucket, keyed by
the tenant and the verified token subject, so a garbage or expired token (refused before it
gets here) never touches anyone's bucket. A public render link: one bucket per slug and one
per client address, both must admit. Keys are digests: a slug is a credential and must not
sit in Redis in clear."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from app.rate_limit.bucket import BucketPolicy, Decision
from app.rate_limit.client_address import Network, client_address, parse_networks
from app.rate_limit.headers import record_decision
from app.rate_limit.store import BucketStore, MemoryBucketStore
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class Policies:
    user: BucketPolicy
    public_link: BucketPolicy
    public_address: BucketPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> Policies:
        return cls(
            user=BucketPolicy(settings.rate_limit_user_per_second, settings.rate_limit_user_burst),
            public_link=BucketPolicy(
                settings.rate_limit_public_link_per_second, settings.rate_limit_public_link_burst
            ),
            public_address=BucketPolicy(
                settings.rate_limit_public_address_per_second,
                settings.rate_limit_public_address_burst,
            ),
        )


class RateLimiter:
    """Takes a token for a request and records the decision for the response's headers
    (app/rate_limit/headers.py). Without a store (rate limiting switched off) every request
    passes and nothing is recorded."""

    def __init__(
        self,
        store: BucketStore | None,
        policies: Policies,
        trusted_proxies: tuple[Network, ...] = (),
    ) -> None:
        self._store = store
        self._policies = policies
        self._trusted_proxies = trusted_proxies

    async def admit_user(
        self, request: HTTPConnection, tenant: str, subject: str
    ) -> Decision | None:
        if self._store is None:
            return None
        decision = await self._store.take(_key("user", tenant, subject), self._policies.user)
        return _recorded(request, decision)

    async def admit_public_link(self, request: HTTPConnection, slug: str) -> Decision | None:
        """The address's bucket first: a client already refused for flooding spends nothing
        of the link's own bucket, which its legitimate viewers share."""
        if self._store is None:
            return None
        address = client_address(request, self._trusted_proxies)
        by_address = await self._store.take(_key("address", address), self._policies.public_address)
        if by_address is not None and not by_address.allowed:
            return _recorded(request, by_address)
        by_link = await self._store.take(_key("link", slug), self._policies.public_link)
        if by_address is None or by_link is None:
            return _recorded(request, by_address or by_link)
        return _recorded(request, by_address.tighter(by_link))

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()


def create_rate_limiter(settings: Settings) -> RateLimiter:
    store: BucketStore | None = None
    if settings.rate_limit_enabled and settings.redis_url:
        # Imported here: the Redis client costs a process about 8 MB, for nothing without Redis.
        from app.rate_limit.redis_store import RedisBucketStore

        store = RedisBucketStore(
            settings.redis_url,
            settings.redis_key_prefix,
            settings.rate_limit_redis_timeout_seconds,
        )
    elif settings.rate_limit_enabled:
        store = MemoryBucketStore(settings.rate_limit_max_buckets)
    return RateLimiter(
        store,
        Policies.from_settings(settings),
        parse_networks(settings.rate_limit_trusted_proxies),
    )


def _key(kind: str, *parts: str) -> str:
    # NUL cannot occur in a header value or a path parameter, so the parts cannot collide.
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


def _recorded(request: HTTPConnection, decision: Decision | None) -> Decision | None:
    if decision is not None:
        record_decision(request.scope, decision)
    return decision
