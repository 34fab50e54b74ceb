"""Rendering a dashboard's cards (app/domain/render.py) through the domain: each card on its
own (one card's failure never fails the others), at most TILE_CONCURRENCY at once, and results
cached per tenant, widget, query and parameter values, in process or in Redis shared by
several processes.

The Redis tests use TEST_REDIS_URL (and fail if it does not answer), else a Redis on
127.0.0.1:6379/15 when one answers, else they are skipped."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis

from app.auth import EDIT_SCOPE
from app.context import RequestContext
from app.data.cache import CachedTile, CacheKey, MemoryTileCache, TileCache
from app.data.plane import DataPlane
from app.data.redis_tile_cache import RedisTileCache
from app.data.sandbox import Sandbox, SandboxLimits, TileResult, Wrap
from app.domain.cards import CardChanges, CardDraft, add_card, update_card
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.datasets import DatasetDraft, create_dataset
from app.domain.records import Position
from app.domain.render import RenderedCard, Rendering, render_dashboard
from app.errors import DomainError, ErrorCode
from app.services import Services
from tests.conftest import SECRET, new_tenant
from tests.helpers import context_for
from tests.tile_data import SALES_ROWS, run_as_service, seed_sales


class CountingSandbox(Sandbox):
    """A sandbox that counts its calls and how many run at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []
        self.active = 0
        self.peak = 0

    async def run(
        self,
        tenant_id: int,
        sql: str,
        args: Sequence[Any] = (),
        *,
        row_limit: int | None = None,
        wrap: Wrap | None = None,
    ) -> TileResult:
        self.calls.append(sql)
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            return await super().run(tenant_id, sql, args, row_limit=row_limit, wrap=wrap)
        finally:
            self.active -= 1


class RecordingCache:
    """The in-process cache, remembering the keys it was given."""

    def __init__(self) -> None:
        self.inner = MemoryTileCache(max_entries=1_000, max_ttl_seconds=86_400)
        self.keys: list[CacheKey] = []

    async def get(self, key: CacheKey) -> CachedTile | None:
        return await self.inner.get(key)

    async def put(self, key: CacheKey, tile: CachedTile, ttl_seconds: int) -> None:
        self.keys.append(key)
        await self.inner.put(key, tile, ttl_seconds)

    async def invalidate_widget(self, tenant_id: int, widget_id: int) -> None:
        await self.inner.invalidate_widget(tenant_id, widget_id)

    async def close(self) -> None:
        await self.inner.close()


def sandbox_for(
    services: Services, database_url: str, *, timeout_ms: int = 2_000, pool_size: int = 4
) -> CountingSandbox:
    """A sandbox of the test's own (as another process would have): the service's roles."""
    return CountingSandbox(
        database_url,
        SandboxLimits(
            statement_timeout_ms=timeout_ms, row_limit=100, pool_size=pool_size, pools_max=4
        ),
        secret=SECRET,
        prefix=services.data.sandbox.prefix,
    )


async def context(
    services: Services,
    tenant: str,
    *,
    sandbox: Sandbox | None = None,
    cache: TileCache | None = None,
    **settings: Any,
) -> RequestContext:
    ctx = await context_for(services, tenant, scopes=(EDIT_SCOPE,))
    plane = DataPlane(sandbox or services.data.sandbox, cache or RecordingCache())
    return replace(ctx, data=plane, settings=services.settings.model_copy(update=settings))


async def board(
    ctx: RequestContext,
    sources: list[dict[str, Any] | None],
    parameters: dict[str, Any] | None = None,
) -> tuple[int, list[int]]:
    """A dashboard with one card per data source (a text card for None): its id and the
    cards' ids, in order."""
    dashboard = await create_dashboard(
        ctx, DashboardDraft(code=None, name="Sales", parameters=parameters or {})
    )
    cards = []
    for index, source in enumerate(sources):
        card = await add_card(
            ctx,
            dashboard.id,
            CardDraft(
                card_type="table" if source is not None else "text",
                config={} if source is not None else {"content": "hello"},
                layout=Position(0, index * 2, 6, 2),
                name=f"card {index}",
                data_source=source,
            ),
        )
        cards.append(card.placement.id)
    return dashboard.id, cards


def by_card(rendering: Rendering) -> dict[int | None, RenderedCard]:
    return {card.card_id: card for card in rendering.cards}


TOTALS_SQL = "SELECT region, sum(revenue) AS total FROM sales GROUP BY region ORDER BY region"


def totals() -> list[dict[str, Any]]:
    sums: dict[str, float] = {}
    for region, _, _, revenue, _ in SALES_ROWS:
        sums[region] = round(sums.get(region, 0) + revenue, 2)
    return [{"region": r, "total": int(t) if t == int(t) else t} for r, t in sorted(sums.items())]


# Each card on its own.


async def test_one_cards_failure_never_fails_the_others(
    services: Services, database_url: str, tenant: str
) -> None:
    await seed_sales(services, tenant)
    sandbox = sandbox_for(services, database_url, timeout_ms=300)
    ctx = await context(services, tenant, sandbox=sandbox)
    try:
        dataset = await create_dataset(ctx, DatasetDraft("sales", "table", "sales"))
        dashboard_id, cards = await board(
            ctx,
            [
                {"sql": TOTALS_SQL},
                {"sql": "SELECT no_such_column FROM sales"},
                {"sql": "SELECT pg_sleep(5)"},
                {"sql": "SELECT count(*) AS n FROM sales WHERE units >= :min_units"},
                {
                    "dataset_id": dataset.id,
                    "measures": [{"aggregate": "count"}],
                    "filters": [{"field": "region", "operator": "eq", "parameter": "region"}],
                },
                None,
                {"sql": "SELECT 1 AS placeholder"},
            ],
            parameters={"min_units": {"type": "integer"}, "region": "EU"},
        )
        # A data source stored around the checks (say, by an older version) is still refused.
        await run_as_service(
            services,
            "UPDATE dashboard_widgets SET data_source = "
            """'{"sql": "DELETE FROM sales"}'::jsonb """
            "WHERE id = (SELECT widget_id FROM dashboard_widget_placements "
            f"WHERE id = {cards[6]})",
        )
        rendering = await render_dashboard(
            ctx, dashboard_id, parameters={"min_units": "many", "region": "US"}
        )
    finally:
        await sandbox.close()

    rendered = by_card(rendering)
    assert [c.card_id for c in rendering.cards] == cards
    good, broken, slow, invalid, structured, text_card, stored = (rendered[c] for c in cards)
    assert good.error is None
    assert good.data["rows"] == totals()
    assert good.data["row_count"] == 3
    assert good.data["truncated"] is False
    assert good.data["columns"] == [
        {"name": "region", "type": "string"},
        {"name": "total", "type": "number"},
    ]
    assert broken.data is None
    assert broken.error is not None
    assert broken.error["code"] == "TILE_SQL_ERROR"
    assert 'column "no_such_column" does not exist' in broken.error["message"]
    assert slow.data is None
    assert slow.error == {
        "code": "TILE_TIMEOUT",
        "message": "the query ran longer than 300 ms and was stopped",
    }
    assert invalid.data is None
    assert invalid.error == {
        "code": "INVALID_PARAMETER",
        "message": "parameter min_units must be an integer",
    }
    assert structured.error is None
    assert structured.data["rows"] == [{"count": sum(1 for r in SALES_ROWS if r[0] == "US")}]
    assert (text_card.data, text_card.error, text_card.card_type) == (None, None, "text")
    assert stored.data is None
    assert stored.error is not None
    assert stored.error["code"] == "INVALID_DATA_SOURCE"
    # Refused before anything ran; the table is whole.
    assert not any("DELETE" in sql for sql in sandbox.calls)
    assert len(sandbox.calls) == 4  # good, broken, slow, structured
    # The values the cards were rendered with (an unusable one is not among them).
    assert rendering.parameters == {"region": "US"}
    body = rendering.as_json()
    assert body["dashboard"] == {
        "id": dashboard_id,
        "name": "Sales",
        "parameters": {"region": "US"},
    }
    assert body["page"] == 1
    assert body["cards"][0]["card_type"] == "table"
    assert body["cards"][0]["title"] == "card 0"
    assert body["cards"][2]["error"]["code"] == "TILE_TIMEOUT"


async def test_an_undeclared_parameter_refuses_the_whole_render(
    services: Services, tenant: str
) -> None:
    await seed_sales(services, tenant)
    ctx = await context(services, tenant)
    dashboard_id, _ = await board(ctx, [{"sql": TOTALS_SQL}], parameters={"region": "EU"})
    with pytest.raises(DomainError) as caught:
        await render_dashboard(ctx, dashboard_id, parameters={"colour": "red"})
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.problems[0].field == ("parameters", "colour")


async def test_an_invalid_dashboard_filter_fails_only_the_cards_with_its_column(
    services: Services, tenant: str
) -> None:
    await seed_sales(services, tenant)
    ctx = await context(services, tenant)
    dashboard_id, cards = await board(
        ctx,
        [{"sql": "SELECT * FROM sales"}, {"sql": "SELECT count(*) AS n FROM sales"}],
        parameters={"since": {"type": "date", "field": "order_date", "operator": "gte"}},
    )
    rendered = by_card(await render_dashboard(ctx, dashboard_id, parameters={"since": "soon"}))
    with_column, without = rendered[cards[0]], rendered[cards[1]]
    assert with_column.error is not None
    assert with_column.error["code"] == "INVALID_PARAMETER"
    assert without.error is None
    assert without.data["rows"] == [{"n": len(SALES_ROWS)}]


# Concurrency.


@pytest.mark.parametrize("concurrency", [2, 3])
async def test_cards_run_concurrently_at_most_tile_concurrency_at_once(
    services: Services, database_url: str, tenant: str, concurrency: int
) -> None:
    await seed_sales(services, tenant)
    sandbox = sandbox_for(services, database_url, pool_size=8)
    ctx = await context(services, tenant, sandbox=sandbox, tile_concurrency=concurrency)
    try:
        dashboard_id, _ = await board(ctx, [{"sql": "SELECT true AS slept FROM pg_sleep(0.1)"}] * 6)
        rendering = await render_dashboard(ctx, dashboard_id, parameters={})
        # Observed from PostgreSQL's side too: never more tile connections busy than that.
        role = sandbox.role(ctx.tenant_id).role
        busy: list[int] = []
        sampling = asyncio.create_task(sample_busy(services, role, busy))
        try:
            await render_dashboard(ctx, dashboard_id, parameters={})
        finally:
            sampling.cancel()
    finally:
        await sandbox.close()
    assert [c.error for c in rendering.cards] == [None] * 6, rendering.cards[0]
    assert all(c.data["rows"] == [{"slept": True}] for c in rendering.cards), rendering.cards[0]
    assert len(sandbox.calls) == 12
    # The bound is reached (the cards do run side by side) and never passed.
    assert sandbox.peak == concurrency
    assert 0 < max(busy) <= concurrency


async def sample_busy(services: Services, role: str, into: list[int]) -> None:
    async with services.db.engine.connect() as conn:
        while True:
            result = await conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 "
                "AND application_name = 'dashboards-api-tiles' AND state = 'active'",
                (role,),
            )
            into.append(int(result.scalar_one()))
            # pg_stat_activity is read once per transaction: end it for a fresh look.
            await conn.commit()
            await asyncio.sleep(0.01)


# Cache.


async def test_the_cache_serves_a_card_again_while_its_ttl_runs(
    services: Services, tenant: str
) -> None:
    await seed_sales(services, tenant)
    cache = RecordingCache()
    ctx = await context(services, tenant, cache=cache)
    sql = "SELECT count(*) AS n FROM sales WHERE region = :region"
    dashboard_id, (cached_card, fresh_card) = await board(
        ctx,
        [{"sql": sql, "cache_ttl_seconds": 60}, {"sql": TOTALS_SQL}],
        parameters={"region": "EU"},
    )

    async def render(**values: str) -> dict[int | None, RenderedCard]:
        return by_card(await render_dashboard(ctx, dashboard_id, parameters=values))

    first = await render()
    assert first[cached_card].cached is False
    computed_at = first[cached_card].computed_at
    assert computed_at is not None
    assert computed_at.tzinfo is not None
    second = await render()
    assert second[cached_card].cached is True
    assert second[cached_card].computed_at == first[cached_card].computed_at
    assert (
        second[cached_card].data
        == first[cached_card].data
        == {
            "columns": [{"name": "n", "type": "number"}],
            "rows": [{"n": 2}],
            "row_count": 1,
            "truncated": False,
        }
    )
    assert second[cached_card].as_json()["cached"] is True
    assert second[cached_card].as_json()["computed_at"] == computed_at.isoformat()
    # A TTL of 0 (the default) renders fresh every time.
    assert first[fresh_card].cached is False
    assert second[fresh_card].cached is False
    # Other parameter values: an entry of their own.
    us = await render(region="US")
    assert us[cached_card].cached is False
    assert us[cached_card].data["rows"] == [{"n": 2}]
    assert (await render(region="US"))[cached_card].cached is True
    assert (await render(region="APAC"))[cached_card].cached is False
    assert (await render(region="EU"))[cached_card].computed_at == first[cached_card].computed_at
    assert len({key.digest for key in cache.keys}) == 3
    assert {key.tenant_id for key in cache.keys} == {ctx.tenant_id}


async def test_cache_keys_carry_the_tenant(services: Services, tenant: str) -> None:
    await seed_sales(services, tenant)
    cache = RecordingCache()
    ctx = await context(services, tenant, cache=cache)
    dashboard_id, (card,) = await board(ctx, [{"sql": TOTALS_SQL, "cache_ttl_seconds": 60}])
    await render_dashboard(ctx, dashboard_id, parameters={})
    (key,) = cache.keys
    assert key.tenant_id == ctx.tenant_id
    # Another tenant's entry for the same widget id and digest is never this tenant's.
    other_id = await services.tenants.id_for(new_tenant())
    poisoned = CachedTile({"rows": [{"stolen": True}]}, datetime(2020, 1, 1, tzinfo=UTC))
    assert await cache.get(replace(key, tenant_id=other_id)) is None
    await cache.invalidate_widget(ctx.tenant_id, key.widget_id)
    await cache.put(replace(key, tenant_id=other_id), poisoned, 60)
    rendered = by_card(await render_dashboard(ctx, dashboard_id, parameters={}))[card]
    assert rendered.cached is False
    assert rendered.data["rows"] == totals()
    assert await cache.get(replace(key, tenant_id=other_id)) == poisoned


async def test_changing_the_data_source_or_invalidating_renders_fresh(
    services: Services, tenant: str
) -> None:
    schema = await seed_sales(services, tenant)
    cache = RecordingCache()
    ctx = await context(services, tenant, cache=cache)
    source = {"sql": "SELECT count(*) AS n FROM sales", "cache_ttl_seconds": 60}
    dashboard_id, (card,) = await board(ctx, [source])

    async def render() -> RenderedCard:
        return by_card(await render_dashboard(ctx, dashboard_id, parameters={}))[card]

    assert (await render()).data["rows"] == [{"n": 6}]
    await run_as_service(
        services, f"INSERT INTO \"{schema}\".sales VALUES ('EU', 'New', DATE '2026-04-01', 1, 1)"
    )
    stale = await render()
    assert stale.cached is True
    assert stale.data["rows"] == [{"n": 6}]
    # The widget's entries go when its data source changes (here only its TTL: the query,
    # and so its digest, is the same; only the invalidation makes it fresh).
    await update_card(
        ctx, dashboard_id, card, CardChanges(data_source={**source, "cache_ttl_seconds": 120})
    )
    changed = await render()
    assert changed.cached is False
    assert changed.data["rows"] == [{"n": 7}]
    assert (await render()).cached is True
    # And when they are invalidated directly.
    await run_as_service(services, f"DELETE FROM \"{schema}\".sales WHERE product = 'New'")
    widget_id = cache.keys[-1].widget_id
    await ctx.data.cache.invalidate_widget(ctx.tenant_id, widget_id)
    fresh = await render()
    assert fresh.cached is False
    assert fresh.data["rows"] == [{"n": 6}]


# Redis: the cache several processes share.


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test-render-{uuid.uuid4().hex}"
    yield prefix
    client = Redis.from_url(redis_url)
    try:
        names = [name async for name in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if names:
            await client.unlink(*names)
    finally:
        await client.aclose()


async def test_processes_share_rendered_cards_through_redis(
    services: Services, database_url: str, tenant: str, redis_url: str, redis_prefix: str
) -> None:
    await seed_sales(services, tenant)
    # Two processes: each its own sandbox (connections) and its own Redis client.
    planes = [
        DataPlane(
            sandbox_for(services, database_url),
            RedisTileCache(redis_url, redis_prefix, max_ttl_seconds=3600),
        )
        for _ in range(2)
    ]
    try:
        first, second = [replace(await context(services, tenant), data=plane) for plane in planes]
        source = {"sql": TOTALS_SQL, "cache_ttl_seconds": 60}
        dashboard_id, (card,) = await board(first, [source])

        async def render(ctx: RequestContext) -> RenderedCard:
            return by_card(await render_dashboard(ctx, dashboard_id, parameters={}))[card]

        computed = await render(first)
        assert computed.cached is False
        shared = await render(second)
        assert shared.cached is True
        assert shared.computed_at == computed.computed_at
        assert shared.data == computed.data
        assert shared.data["rows"] == totals()
        first_sandbox, second_sandbox = (p.sandbox for p in planes)
        assert isinstance(first_sandbox, CountingSandbox)
        assert isinstance(second_sandbox, CountingSandbox)
        assert (len(first_sandbox.calls), len(second_sandbox.calls)) == (1, 0)
        # A change made through one process invalidates the entries for both.
        await update_card(
            second, dashboard_id, card, CardChanges(data_source={**source, "cache_ttl_seconds": 90})
        )
        again = await render(first)
        assert again.cached is False
        assert (await render(second)).cached is True
    finally:
        for plane in planes:
            await plane.close()
