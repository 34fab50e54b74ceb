"""GET /metrics: requests counted by route template or GraphQL operation and status, latency
histograms, requests in flight, the database pool, tile cache lookups and tile queries; the
token that METRICS_TOKEN sets; several worker processes through PROMETHEUS_MULTIPROC_DIR.

Counters are read before and after the requests a test makes: the suite shares one app, and
tests run one at a time, so each delta is exactly what the test caused."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from starlette.applications import Starlette

from app.data.cache import CachedTile, CacheKey
from app.data.redis_tile_cache import RedisTileCache
from app.data.sandbox import Sandbox, SandboxLimits, TileQueryError
from app.main import create_app
from app.observability.metrics import Metrics, OperationNames
from app.observability.tiles import ObservedTiles
from app.observability.tracing import Tracing
from app.services import Services
from app.settings import Settings
from tests.conftest import SECRET, Caller
from tests.test_rest_platform import new_board
from tests.test_rest_render import add_data_card, rendered, sales_dataset
from tests.tile_data import tenant_schema

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

REQUESTS = "dashboards_http_requests_total"
LATENCY_COUNT = "dashboards_http_request_duration_seconds_count"


def parse(exposition: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def request_labels(
    route: str, status: int, method: str = "GET", operation: str = "", operation_type: str = ""
) -> dict[str, str]:
    return {
        "method": method,
        "route": route,
        "operation": operation,
        "operation_type": operation_type,
        "status": str(status),
    }


def latency_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k != "status"}


# Requests by route template.


async def test_requests_are_counted_by_route_template_and_status(
    http: httpx.AsyncClient, editor: Caller
) -> None:
    board = await new_board(editor)
    ok = request_labels("/api/dashboards/{dashboard_id}", 200)
    missing = request_labels("/api/dashboards/{dashboard_id}", 404)
    before = await scrape(http)

    for _ in range(3):
        assert (await editor.request("GET", f"/api/dashboards/{board['id']}")).status_code == 200
    assert (await editor.request("GET", "/api/dashboards/987654321")).status_code == 404

    after = await scrape(http)
    assert value(after, REQUESTS, **ok) - value(before, REQUESTS, **ok) == 3
    assert value(after, REQUESTS, **missing) - value(before, REQUESTS, **missing) == 1
    latency = latency_labels(ok)
    assert value(after, LATENCY_COUNT, **latency) - value(before, LATENCY_COUNT, **latency) == 4
    # Every request took less than the largest bucket: all four are in it.
    ten_seconds = {**latency, "le": "10.0"}
    bucket = "dashboards_http_request_duration_seconds_bucket"
    assert value(after, bucket, **ten_seconds) - value(before, bucket, **ten_seconds) == 4
    routes = {dict(labels).get("route", "") for _, labels in after}
    assert not any("987654321" in route or str(board["id"]) in route for route in routes)


async def test_a_path_no_route_matches_is_counted_as_unmatched(http: httpx.AsyncClient) -> None:
    labels = request_labels("unmatched", 404)
    before = await scrape(http)

    for path in ("/no/such/thing", "/no/such/thing/else"):
        assert (await http.get(path)).status_code == 404

    after = await scrape(http)
    assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 2
    assert not any("/no/such" in dict(labels).get("route", "") for _, labels in after)


async def test_files_of_a_mounted_app_count_under_the_mount(http: httpx.AsyncClient) -> None:
    labels = request_labels("/docs/static", 200)
    before = await scrape(http)

    for name in ("favicon-16x16.png", "favicon-32x32.png", "index.css"):
        assert (await http.get(f"/docs/static/{name}")).status_code == 200

    after = await scrape(http)
    assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 3


async def test_methods_no_route_knows_count_as_other(http: httpx.AsyncClient) -> None:
    labels = request_labels("/healthz", 405, method="other")
    before = await scrape(http)

    for method in ("BREW", "WHEN", "BREW"):
        assert (await http.request(method, "/healthz")).status_code == 405

    after = await scrape(http)
    assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 3
    assert not any(dict(labels).get("method") == "BREW" for _, labels in after)


async def test_the_scrape_itself_is_the_one_request_in_flight(http: httpx.AsyncClient) -> None:
    samples = await scrape(http)

    assert value(samples, "dashboards_http_requests_in_flight") == 1


# GraphQL operations.


async def test_graphql_requests_are_counted_by_operation_name_and_type(
    http: httpx.AsyncClient, editor: Caller
) -> None:
    name = f"Count{uuid.uuid4().hex[:8]}"
    named = request_labels("/graphql", 200, "POST", name, "query")
    anonymous = request_labels("/graphql", 200, "POST", "anonymous", "query")
    mutation = request_labels("/graphql", 200, "POST", "CreateBoard", "mutation")
    before = await scrape(http)

    await editor.graphql(f"query {name} {{ dashboards {{ totalCount }} }}")
    await editor.graphql(f"query {name} {{ dashboards {{ totalCount }} }}")
    await editor.graphql("{ dashboards { totalCount } }")
    await editor.graphql(
        "mutation CreateBoard($code: String!) { createDashboard(input: {code: $code, "
        'name: "A"}) { userErrors { code } } }',
        {"code": f"c-{uuid.uuid4().hex[:8]}"},
    )

    after = await scrape(http)
    for labels, count in ((named, 2), (anonymous, 1), (mutation, 1)):
        assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == count
    latency = latency_labels(named)
    assert value(after, LATENCY_COUNT, **latency) - value(before, LATENCY_COUNT, **latency) == 2


async def test_documents_naming_no_operation_they_hold_are_unknown(
    http: httpx.AsyncClient, editor: Caller
) -> None:
    before = await scrape(http)

    unparsable = await editor.post_graphql("{ dashboards { totalCount }")
    missing = await editor.http.post(
        "/graphql",
        json={"query": "query A { dashboards { totalCount } }", "operationName": "Zzz"},
        headers=editor.headers,
    )

    after = await scrape(http)
    statuses = {unparsable.status_code, missing.status_code}
    added = sum(
        value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels)
        for labels in (
            request_labels("/graphql", s, "POST", "unknown", "unknown") for s in statuses
        )
    )
    assert added == 2
    assert not any(dict(labels).get("operation") == "Zzz" for _, labels in after)


def test_operation_names_past_the_budget_count_as_other() -> None:
    names = OperationNames(limit=2)

    labels = [names.label(n) for n in ("A", "B", "C", "A", None, "D", "B")]

    assert labels == ["A", "B", "other", "A", "anonymous", "other", "B"]


# The database pool.


async def test_pool_gauges_follow_the_connections_in_use(
    http: httpx.AsyncClient, services: Services, settings: Settings
) -> None:
    idle = await scrape(http)
    assert value(idle, "dashboards_db_pool_size") == settings.db_pool_size
    for gauge in ("idle", "overflow"):
        assert value(idle, f"dashboards_db_pool_{gauge}") >= 0

    async with services.db.engine.connect(), services.db.engine.connect():
        busy = await scrape(http)

    checked_out = "dashboards_db_pool_checked_out"
    assert value(busy, checked_out) == value(idle, checked_out) + 2
    assert value(await scrape(http), checked_out) == value(idle, checked_out)


# Tiles: the cache and the queries.


async def test_a_render_twice_is_one_cache_miss_one_hit_and_one_query(
    http: httpx.AsyncClient, editor: Caller, services: Services
) -> None:
    await sales_dataset(editor, services)
    board = await new_board(editor)
    await add_data_card(
        editor, board["id"], {"sql": "SELECT count(*) AS n FROM sales", "cache_ttl_seconds": 60}
    )
    lookups = "dashboards_tile_cache_lookups_total"
    queries = "dashboards_tile_queries_total"
    durations = "dashboards_tile_query_duration_seconds_count"
    before = await scrape(http)

    first = await rendered(editor, board["id"])
    second = await rendered(editor, board["id"])

    after = await scrape(http)
    assert [first["cards"][0]["cached"], second["cards"][0]["cached"]] == [False, True]

    def added(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert added(lookups, backend="memory", result="miss") == 1
    assert added(lookups, backend="memory", result="hit") == 1
    assert added(queries, outcome="ok") == 1
    assert added(durations, outcome="ok") == 1
    assert added(queries, outcome="error") == added(queries, outcome="timeout") == 0


async def test_a_failing_tile_query_counts_as_an_error(
    http: httpx.AsyncClient, editor: Caller, services: Services
) -> None:
    await sales_dataset(editor, services)
    board = await new_board(editor)
    await add_data_card(
        editor, board["id"], {"sql": "SELECT 1 / (count(*) - count(*)) AS x FROM sales"}
    )
    before = await scrape(http)

    card = (await rendered(editor, board["id"]))["cards"][0]

    after = await scrape(http)
    assert card["error"]["code"] == "TILE_SQL_ERROR"
    errors = {"outcome": "error"}
    assert (
        value(after, "dashboards_tile_queries_total", **errors)
        - value(before, "dashboards_tile_queries_total", **errors)
        == 1
    )


async def test_a_tile_query_past_its_timeout_counts_as_a_timeout(
    services: Services, database_url: str, tenant: str
) -> None:
    metrics = Metrics(max_operation_names=10)
    sandbox = Sandbox(
        database_url,
        SandboxLimits(statement_timeout_ms=100, row_limit=10, pool_size=1, pools_max=1),
        secret=SECRET,
        prefix=services.data.sandbox.prefix,
        telemetry=ObservedTiles(metrics, Tracing()),
    )
    await tenant_schema(services, tenant)
    tenant_id = await services.tenants.id_for(tenant)
    try:
        assert (await sandbox.run(tenant_id, "SELECT 1 AS one")).rows == [{"one": 1}]
        with pytest.raises(TileQueryError) as raised:
            await sandbox.run(tenant_id, "SELECT pg_sleep(2)")
    finally:
        await sandbox.close()

    assert raised.value.code == "TILE_TIMEOUT"
    samples = parse(metrics.exposition("")[0].decode())
    assert value(samples, "dashboards_tile_queries_total", outcome="ok") == 1
    assert value(samples, "dashboards_tile_queries_total", outcome="timeout") == 1
    assert value(samples, "dashboards_tile_query_duration_seconds_count", outcome="timeout") == 1


async def test_redis_lookups_count_hits_misses_and_failures(redis_url: str) -> None:
    metrics = Metrics(max_operation_names=10)
    tiles = ObservedTiles(metrics, Tracing())
    prefix = f"test-metrics-{uuid.uuid4().hex}"
    cache = RedisTileCache(redis_url, prefix, max_ttl_seconds=60, telemetry=tiles)
    # Nothing listens on port 1: every lookup fails.
    dead = RedisTileCache("redis://127.0.0.1:1/0", prefix, max_ttl_seconds=60, telemetry=tiles)
    key = CacheKey(1, 2, "digest")
    try:
        assert await cache.get(key) is None
        await cache.put(key, CachedTile({"rows": []}, datetime.now(UTC)), 60)
        assert await cache.get(key) is not None
        assert await dead.get(key) is None
    finally:
        client = Redis.from_url(redis_url)
        await client.unlink(f"{prefix}:tile:1:2:digest")
        await client.aclose()
        await cache.close()
        await dead.close()

    samples = parse(metrics.exposition("")[0].decode())
    lookups = "dashboards_tile_cache_lookups_total"
    for result in ("miss", "hit", "error"):
        assert value(samples, lookups, backend="redis", result=result) == 1, result


# Access to the metrics.


@pytest.fixture(scope="module")
async def guarded_app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings.model_copy(update={"metrics_token": "scrape-me-" + "s" * 20}))
    async with application.router.lifespan_context(application):
        yield application


async def test_with_metrics_token_only_its_bearer_reads_the_metrics(
    guarded_app: Starlette,
) -> None:
    transport = httpx.ASGITransport(app=guarded_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get(
            "/metrics", headers={"Authorization": "Bearer scrape-me-" + "s" * 20}
        )

    for refused in (without, wrong):
        assert refused.status_code == 401
        assert refused.json()["code"] == "UNAUTHENTICATED"
        assert "dashboards_" not in refused.text
    assert right.status_code == 200
    assert "dashboards_http_requests_total" in right.text


# Several worker processes.

_WORKER = """
from sqlalchemy.pool import QueuePool
from app.observability.metrics import Metrics, RequestLabels
metrics = Metrics(max_operation_names=10)
metrics.pool.watch(QueuePool(lambda: None, pool_size=3))
metrics.observe_request("GET", RequestLabels("/healthz", "", ""), 200, 0.002)
print(metrics.exposition("")[0].decode())
metrics.process_exits()  # as the app's lifespan does when a worker stops
"""


def run_worker(script: str, folder: Path) -> Samples:
    """One worker process of its own, in multiprocess mode: what its scrape answered."""
    finished = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return parse(finished.stdout)


def test_worker_processes_share_their_counts_through_the_multiprocess_folder(
    tmp_path: Path,
) -> None:
    scrapes = [run_worker(_WORKER, tmp_path) for _ in range(3)]

    labels = request_labels("/healthz", 200)
    # Each process answered one request; each scrape reads every process's count so far.
    assert [value(samples, REQUESTS, **labels) for samples in scrapes] == [1, 2, 3]
    # Pool gauges are summed over the live processes only: each earlier one had stopped.
    assert [value(samples, "dashboards_db_pool_size") for samples in scrapes] == [3, 3, 3]


def test_live_gauges_of_running_workers_add_up(tmp_path: Path) -> None:
    never_stops = _WORKER.replace("metrics.process_exits()", "")

    scrapes = [run_worker(never_stops, tmp_path) for _ in range(2)]

    assert [value(samples, "dashboards_db_pool_size") for samples in scrapes] == [3, 6]
