"""Rate limiting: token-bucket arithmetic, the in-process and Redis stores, the client address
behind proxies, and what HTTP clients see (429, Retry-After, RateLimit-* fields) per user, per
tenant, per public link and per client address.

The Redis tests use TEST_REDIS_URL (and fail if it does not answer), else a Redis on
127.0.0.1:6379/15 when one answers, else they are skipped."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pydantic
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request

from app.auth import EDIT_SCOPE, mint_token
from app.main import create_app
from app.rate_limit.bucket import BucketPolicy, Decision, take_one
from app.rate_limit.client_address import client_address, parse_networks
from app.rate_limit.redis_store import RedisBucketStore
from app.rate_limit.store import MemoryBucketStore
from app.settings import Settings
from tests.conftest import SECRET, Caller, new_tenant
from tests.test_public_links import public_render, published
from tests.test_rest_platform import new_board

DEAD_REDIS_URL = "redis://user:sekret-password@127.0.0.1:1/0"
VIEWER = "{ viewer { userId tenant } }"
RATE_FIELDS = {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"}
# Slow enough that no token comes back while a test runs: the bucket sizes alone decide.
SLOW = 0.01


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


# --- bucket arithmetic -----------------------------------------------------------------------


def test_refill_adds_rate_times_elapsed_up_to_the_burst() -> None:
    policy = BucketPolicy(rate=2.0, burst=5)

    assert policy.refill(1.0, 1.5) == 4.0
    assert policy.refill(1.0, 60.0) == 5.0
    # A clock that went backwards adds nothing, and takes nothing.
    assert policy.refill(1.0, -10.0) == 1.0


def test_take_one_needs_a_whole_token() -> None:
    policy = BucketPolicy(rate=1.0, burst=3)

    assert take_one(policy, 3.0) == (True, 2.0)
    assert take_one(policy, 0.99) == (False, 0.99)
    # Float noise just below 1 still counts as a token.
    assert take_one(policy, 0.1 * 3 + 0.7 - 1e-12)[0] is True


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    policy = BucketPolicy(rate=0.5, burst=4)

    # 0.3 tokens: 0.7 more needed at 0.5/s is 1.4 s.
    refused = policy.decision(False, 0.3)
    # Exactly two seconds away stays 2, float noise notwithstanding.
    exact = BucketPolicy(rate=0.1, burst=4).decision(False, 0.1 + 0.7)

    assert refused.retry_after_seconds == 2
    assert refused.remaining == 0
    assert refused.reset_seconds == 8  # 3.7 tokens to full at 0.5/s is 7.4 s
    assert exact.retry_after_seconds == 2
    assert refused.refusal == "too many requests: retry in 2 seconds"


def test_an_admitted_request_has_no_retry_after_and_counts_whole_tokens() -> None:
    decision = BucketPolicy(rate=10.0, burst=100).decision(True, 41.6)

    assert decision == Decision(
        allowed=True,
        limit=100,
        remaining=41,
        reset_seconds=6,
        retry_after_seconds=0,
        window_seconds=10,
    )


def test_tighter_prefers_a_refusal_then_the_fewest_remaining() -> None:
    policy = BucketPolicy(rate=1.0, burst=10)
    admitted_many, admitted_few = policy.decision(True, 8.0), policy.decision(True, 2.0)
    refused_soon = policy.decision(False, 0.5)
    refused_later = BucketPolicy(rate=0.1, burst=10).decision(False, 0.0)

    assert admitted_many.tighter(admitted_few) is admitted_few
    assert admitted_few.tighter(refused_soon) is refused_soon
    assert refused_soon.tighter(admitted_many) is refused_soon
    assert refused_soon.tighter(refused_later) is refused_later


# --- the in-process store --------------------------------------------------------------------


async def test_memory_bucket_admits_the_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    store = MemoryBucketStore(max_buckets=10, clock=clock)
    policy = BucketPolicy(rate=2.0, burst=3)

    burst = [await store.take("k", policy) for _ in range(3)]
    refused = await store.take("k", policy)
    clock.now += 0.25  # half a token
    still_refused = await store.take("k", policy)
    clock.now += 0.25
    admitted_again = await store.take("k", policy)

    assert [d.allowed for d in burst] == [True, True, True]
    assert [d.remaining for d in burst] == [2, 1, 0]
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    assert not still_refused.allowed
    assert admitted_again.allowed
    assert admitted_again.remaining == 0


async def test_memory_buckets_are_apart_by_key() -> None:
    store = MemoryBucketStore(max_buckets=10, clock=FakeClock())
    policy = BucketPolicy(rate=1.0, burst=1)

    assert (await store.take("a", policy)).allowed
    assert not (await store.take("a", policy)).allowed
    assert (await store.take("b", policy)).allowed


async def test_memory_store_keeps_at_most_max_buckets_dropping_the_least_recent() -> None:
    store = MemoryBucketStore(max_buckets=2, clock=FakeClock())
    policy = BucketPolicy(rate=1.0, burst=1)

    await store.take("a", policy)
    await store.take("b", policy)
    await store.take("a", policy)  # refused, but "a" is now the most recent
    await store.take("c", policy)  # drops "b"

    assert len(store) == 2
    assert (await store.take("b", policy)).allowed  # came back full
    assert not (await store.take("c", policy)).allowed


# --- the Redis store -------------------------------------------------------------------------


@pytest.fixture
def redis_store(
    redis_url: str, redis_prefix: str
) -> Callable[..., AbstractAsyncContextManager[RedisBucketStore]]:
    @asynccontextmanager
    async def opened(clock: Callable[[], float] | None = None) -> AsyncIterator[RedisBucketStore]:
        # A generous timeout: on a loaded machine a slow answer would pass unlimited (fail
        # open, as it should), which is not what these tests look at.
        store = RedisBucketStore(redis_url, redis_prefix, timeout_seconds=10.0, clock=clock)
        try:
            yield store
        finally:
            await store.close()

    return opened


async def test_redis_bucket_admits_the_burst_then_refills_at_the_rate(
    redis_store: Callable[..., AbstractAsyncContextManager[RedisBucketStore]],
) -> None:
    clock = FakeClock()
    policy = BucketPolicy(rate=2.0, burst=3)
    async with redis_store(clock) as store:
        burst = [await store.take("k", policy) for _ in range(3)]
        refused = await store.take("k", policy)
        clock.now += 0.25
        still_refused = await store.take("k", policy)
        clock.now += 0.25
        admitted_again = await store.take("k", policy)
        clock.now += 3_600
        full_again = await store.take("k", policy)

    assert [d.allowed for d in burst if d] == [True, True, True]
    assert [d.remaining for d in burst if d] == [2, 1, 0]
    assert refused is not None
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    assert still_refused is not None
    assert not still_refused.allowed
    assert admitted_again is not None
    assert admitted_again.allowed
    assert full_again is not None
    assert full_again.remaining == 2


async def test_redis_bucket_expires_once_it_would_be_full(
    redis_store: Callable[..., AbstractAsyncContextManager[RedisBucketStore]], redis_client: Redis
) -> None:
    policy = BucketPolicy(rate=0.5, burst=10)
    async with redis_store() as store:
        for _ in range(3):
            await store.take("k", policy)
        ttl_ms = await redis_client.pttl(store.redis_key("k"))

    # 3 tokens short at 0.5/s: full in 6 s; the key lives that long plus a second.
    assert 6_000 < ttl_ms <= 7_000


async def test_redis_concurrent_takes_from_two_processes_never_over_admit(
    redis_store: Callable[..., AbstractAsyncContextManager[RedisBucketStore]],
) -> None:
    policy = BucketPolicy(rate=0.001, burst=7)
    async with redis_store() as first, redis_store() as second:
        decisions = await asyncio.gather(
            *(store.take("shared", policy) for store in (first, second) * 15)
        )

    assert all(d is not None for d in decisions)
    assert sum(1 for d in decisions if d and d.allowed) == 7


async def test_redis_keys_live_under_the_prefix(
    redis_store: Callable[..., AbstractAsyncContextManager[RedisBucketStore]],
    redis_client: Redis,
    redis_prefix: str,
) -> None:
    async with redis_store() as store:
        await store.take("user:abc", BucketPolicy(rate=1.0, burst=2))

    assert await redis_client.hget(f"{redis_prefix}:ratelimit:user:abc", "tokens") == b"1"


async def test_redis_down_lets_requests_through_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RedisBucketStore(DEAD_REDIS_URL, "test-dead")
    try:
        with caplog.at_level(logging.WARNING, logger="app.rate_limit.redis_store"):
            decisions = [await store.take("k", BucketPolicy(rate=1.0, burst=1)) for _ in range(3)]
    finally:
        await store.close()

    assert decisions == [None, None, None]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # not one a request
    assert "unlimited" in warnings[0].getMessage()
    assert "sekret-password" not in caplog.text


# --- the client address ----------------------------------------------------------------------


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "headers": headers, "client": (peer, 5000)})


def test_the_peer_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    proxies = parse_networks("10.0.0.0/8, 192.168.1.7")

    assert client_address(request_from("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"
    assert client_address(request_from("203.0.113.9", "198.51.100.1"), proxies) == "203.0.113.9"
    assert client_address(request_from("10.1.2.3", "198.51.100.1"), proxies) == "198.51.100.1"


def test_behind_proxies_the_nearest_untrusted_hop_is_the_client() -> None:
    proxies = parse_networks("10.0.0.0/8")
    # The client wrote "1.1.1.1" itself; 198.51.100.1 is who connected to our first proxy.
    forged = request_from("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.2")
    only_proxies = request_from("10.0.0.1", "10.0.0.3")

    assert client_address(forged, proxies) == "198.51.100.1"
    assert client_address(only_proxies, proxies) == "10.0.0.1"


def test_ipv6_clients_are_counted_by_their_64_block() -> None:
    one = client_address(request_from("2001:db8:1:2::1"), ())
    same_block = client_address(request_from("2001:db8:1:2:ffff::9"), ())
    mapped = client_address(request_from("::ffff:203.0.113.9"), ())

    assert one == same_block == "2001:db8:1:2::/64"
    assert mapped == "203.0.113.9"


def test_a_bad_trusted_proxy_setting_is_refused_at_start() -> None:
    with pytest.raises(pydantic.ValidationError, match="not-an-address"):
        Settings(rate_limit_trusted_proxies="10.0.0.0/8, not-an-address")


# --- over HTTP -------------------------------------------------------------------------------


@asynccontextmanager
async def running(settings: Settings, **overrides: Any) -> AsyncIterator[Starlette]:
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        yield application


def client_of(app: Starlette, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


SMALL_BUCKETS = {
    "rate_limit_user_per_second": SLOW,
    "rate_limit_user_burst": 3,
    "rate_limit_public_link_per_second": SLOW,
    "rate_limit_public_link_burst": 2,
    "rate_limit_public_address_per_second": SLOW,
    "rate_limit_public_address_burst": 3,
}


@pytest.fixture(scope="module")
async def limited(settings: Settings) -> AsyncIterator[Starlette]:
    """The app with buckets small enough to empty in a test, refilling too slowly to matter."""
    async with running(settings, **SMALL_BUCKETS) as application:
        yield application


@pytest.fixture
async def limited_http(limited: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(limited) as client:
        yield client


def assert_fields(response: httpx.Response, limit: int, remaining: int) -> None:
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == str(remaining)
    assert int(response.headers["ratelimit-reset"]) >= 0
    assert response.headers["ratelimit-policy"] == f"{limit};w={int(limit / SLOW)}"


def assert_refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert response.headers["ratelimit-remaining"] == "0"
    # A token comes back every 100 s at SLOW; the wait is whole seconds, rounded up.
    assert 1 <= int(response.headers["retry-after"]) <= int(1 / SLOW)
    body: dict[str, Any] = response.json()
    return body


async def test_graphql_admits_the_burst_then_answers_429_in_the_graphql_error_shape(
    limited_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(limited_http, tenant)

    admitted = [await caller.post_graphql(VIEWER) for _ in range(3)]
    refused = await caller.post_graphql(VIEWER)

    for remaining, response in zip((2, 1, 0), admitted, strict=True):
        assert response.status_code == 200, response.text
        assert "retry-after" not in response.headers
        assert_fields(response, 3, remaining)
    body = assert_refused(refused)
    assert body == {
        "errors": [
            {
                "message": f"too many requests: retry in {refused.headers['retry-after']} seconds",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }


async def test_rest_and_graphql_share_the_users_bucket(
    limited_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(limited_http, tenant)
    for _ in range(3):
        assert (await caller.post_graphql(VIEWER)).status_code == 200

    refused = await caller.request("GET", "/api/dashboards")

    body = assert_refused(refused)
    assert body["code"] == "RATE_LIMITED"
    assert isinstance(body["error"], str)
    assert body["error"]


async def test_rest_success_carries_the_fields(
    limited_http: httpx.AsyncClient, tenant: str
) -> None:
    response = await Caller(limited_http, tenant).request("GET", "/api/dashboards")

    assert response.status_code == 200, response.text
    assert_fields(response, 3, 2)


async def test_each_user_and_each_tenant_has_a_bucket_of_its_own(
    limited_http: httpx.AsyncClient, tenant: str
) -> None:
    alice = Caller(limited_http, tenant, user="alice")
    for _ in range(3):
        await alice.post_graphql(VIEWER)
    assert (await alice.post_graphql(VIEWER)).status_code == 429

    bob = await Caller(limited_http, tenant, user="bob").post_graphql(VIEWER)
    alice_elsewhere = await Caller(limited_http, new_tenant(), user="alice").post_graphql(VIEWER)

    assert bob.status_code == 200, bob.text
    assert_fields(bob, 3, 2)
    assert alice_elsewhere.status_code == 200, alice_elsewhere.text
    assert_fields(alice_elsewhere, 3, 2)


async def test_refused_tokens_spend_nothing_of_the_users_bucket(
    limited_http: httpx.AsyncClient, tenant: str
) -> None:
    expired = mint_token(
        SECRET, subject="alice", tenants=[tenant], scopes=(EDIT_SCOPE,), ttl_seconds=-3_600
    )
    badly_signed = mint_token(
        "another-secret-" + "y" * 32, subject="alice", tenants=[tenant], scopes=(EDIT_SCOPE,)
    )
    refusals = []
    for token in ("garbage", expired, badly_signed) * 3:
        refusals.append(
            await limited_http.post(
                "/graphql",
                json={"query": VIEWER},
                headers={"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": tenant},
            )
        )

    real = await Caller(limited_http, tenant, user="alice").post_graphql(VIEWER)

    assert {r.status_code for r in refusals} == {401}
    assert not any(RATE_FIELDS & set(r.headers) for r in refusals)
    assert real.status_code == 200, real.text
    assert_fields(real, 3, 2)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"])
async def test_health_checks_metrics_and_documents_are_not_limited(
    limited_http: httpx.AsyncClient, path: str
) -> None:
    responses = [await limited_http.get(path) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert not any(RATE_FIELDS & set(r.headers) for r in responses)


async def test_switched_off_nothing_is_limited_and_no_fields_are_sent(
    settings: Settings, tenant: str
) -> None:
    async with (
        running(settings, rate_limit_enabled=False, rate_limit_user_burst=1) as application,
        client_of(application) as client,
    ):
        caller = Caller(client, tenant)
        responses = [await caller.post_graphql(VIEWER) for _ in range(4)]

    assert [r.status_code for r in responses] == [200] * 4
    assert not any(RATE_FIELDS & set(r.headers) for r in responses)


# Public links: set up through the suite's app (same database), rendered through the limited one.


async def public_slug(editor: Caller) -> str:
    board = await new_board(editor)
    slug: str = (await published(editor, board["id"]))["slug"]
    return slug


async def test_a_public_link_is_limited_per_slug_across_addresses(
    editor: Caller, limited: Starlette
) -> None:
    slug, other_slug = await public_slug(editor), await public_slug(editor)

    async with (
        client_of(limited, "198.51.100.1") as first,
        client_of(limited, "198.51.100.2") as second,
        client_of(limited, "198.51.100.3") as third,
    ):
        admitted = [await public_render(first, slug), await public_render(second, slug)]
        refused = await public_render(third, slug)
        other = await public_render(third, other_slug)

    assert [r.status_code for r in admitted] == [200, 200], admitted[0].text
    assert_fields(admitted[1], 2, 0)
    assert_refused(refused)
    assert refused.json()["error"] == "rate_limited"
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.headers["cache-control"] == "no-store"
    assert other.status_code == 200, other.text


async def test_a_public_client_is_limited_per_address_across_slugs(limited: Starlette) -> None:
    # Guessing slugs costs the guesser: unknown slugs are counted before they are looked up.
    guesses = [f"guess-{uuid.uuid4().hex}" for _ in range(4)]

    async with (
        client_of(limited, "203.0.113.7") as guesser,
        client_of(limited, "203.0.113.8") as neighbour,
    ):
        answers = [await public_render(guesser, slug) for slug in guesses]
        elsewhere = await public_render(neighbour, guesses[-1])

    assert [r.status_code for r in answers[:3]] == [404, 404, 404]
    assert_fields(answers[2], 3, 0)
    assert_refused(answers[3])
    assert elsewhere.status_code == 404


async def test_a_refused_address_spends_nothing_of_the_links_bucket(
    editor: Caller, limited: Starlette
) -> None:
    slug = await public_slug(editor)

    async with (
        client_of(limited, "192.0.2.10") as flooder,
        client_of(limited, "192.0.2.11") as viewer,
        client_of(limited, "192.0.2.12") as another_viewer,
    ):
        for _ in range(3):
            await public_render(flooder, f"guess-{uuid.uuid4().hex}")
        flooding = [await public_render(flooder, slug) for _ in range(5)]
        viewers = [await public_render(viewer, slug), await public_render(another_viewer, slug)]

    assert [r.status_code for r in flooding] == [429] * 5
    # The link's bucket (2) is whole for the viewers who share it.
    assert [r.status_code for r in viewers] == [200, 200], viewers[0].text


async def test_processes_sharing_redis_share_the_buckets(
    settings: Settings, redis_url: str, redis_prefix: str, tenant: str
) -> None:
    shared = {
        "redis_url": redis_url,
        "redis_key_prefix": redis_prefix,
        "rate_limit_redis_timeout_seconds": 10.0,
        **SMALL_BUCKETS,
    }
    async with (
        running(settings, **shared) as one,
        running(settings, **shared) as two,
        client_of(one) as first,
        client_of(two) as second,
    ):
        answers = [
            await Caller(client, tenant).post_graphql(VIEWER)
            for client in (first, second, first, second)
        ]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
