"""The suite runs against real PostgreSQL: the server in TEST_DATABASE_URL, or the embedded
one. Each run gets a fresh database, migrated from scratch and dropped at the end. Tests
stay apart by using tenants of their own, which is also how the service keeps data apart."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import redis.asyncio
from sqlalchemy import event
from starlette.applications import Starlette

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, mint_token
from app.context import TENANT_BINDING
from app.data.provision import drop_tenant_roles
from app.data.roles import role_prefix
from app.main import create_app
from app.services import Services
from app.settings import Settings
from db.embedded import start_embedded_server
from db.migrate import upgrade
from db.provision import drop_database, ensure_database

SECRET = "test-secret-" + "x" * 32
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL") or start_embedded_server(REPO / ".data")
    name = f"dashboards_test_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(server_url, name)
    await upgrade(url)
    yield url
    await drop_database(server_url, name)
    # Roles belong to the server, not the database: drop the tenant data roles of this run.
    await drop_tenant_roles(server_url, role_prefix(url))


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        auth_jwt_secret=SECRET,
        migrate_on_start=False,
        data_dir=tmp_path_factory.mktemp("data"),
        db_pool_size=30,
        # Limited, so every test runs through the limiter, but never refused: the rate limit
        # tests build apps of their own with small buckets.
        rate_limit_user_burst=1_000_000,
        rate_limit_public_link_burst=1_000_000,
        rate_limit_public_address_burst=1_000_000,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def services(app: Starlette) -> Services:
    result: Services = app.state.services
    return result


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def tenant() -> str:
    return new_tenant()


def graphql_data(response: httpx.Response) -> dict[str, Any]:
    """The `data` of a GraphQL answer, which must be a 200 without errors."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


class Caller:
    """A user of one tenant, talking to the app over HTTP (in process)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tenant: str,
        *,
        user: str = "alice",
        roles: tuple[int, ...] = (),
        groups: tuple[str, ...] = (),
        scopes: tuple[str, ...] = (EDIT_SCOPE,),
        ttl: int = 600,
        send_tenant_header: bool = True,
    ) -> None:
        self.http = http
        self.tenant = tenant
        self.user = user
        token = mint_token(
            SECRET,
            subject=user,
            tenants=[tenant],
            roles=roles,
            groups=groups,
            scopes=scopes,
            ttl_seconds=ttl,
        )
        self.headers = {"Authorization": f"Bearer {token}"}
        if send_tenant_header:
            self.headers["X-Clarus-Subdomain"] = tenant

    async def post_graphql(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        """The raw answer, whatever it is."""
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return graphql_data(await self.post_graphql(query, variables))

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    def peer(self, **overrides: Any) -> Caller:
        """Another user of the same tenant."""
        options: dict[str, Any] = {"user": "bob", "scopes": (EDIT_SCOPE,)} | overrides
        return Caller(self.http, self.tenant, **options)


@pytest.fixture
def editor(http: httpx.AsyncClient, tenant: str) -> Caller:
    return Caller(http, tenant, user="alice", scopes=(EDIT_SCOPE,))


@pytest.fixture
def admin(http: httpx.AsyncClient, tenant: str) -> Caller:
    return Caller(http, tenant, user="root", scopes=(ADMIN_SCOPE,))


@pytest.fixture
def reader(http: httpx.AsyncClient, tenant: str) -> Caller:
    return Caller(http, tenant, user="rita", scopes=())


@pytest.fixture
def outsider(http: httpx.AsyncClient) -> Caller:
    """An editor of another tenant."""
    return Caller(http, new_tenant(), user="mallory", scopes=(EDIT_SCOPE, ADMIN_SCOPE))


LOCAL_REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """TEST_REDIS_URL (which must answer: the tests fail, not skip, when it does not), else a
    local Redis if one answers, else the Redis tests are skipped."""
    configured = os.environ.get("TEST_REDIS_URL")
    if configured:
        if not _redis_answers(configured):
            pytest.fail("TEST_REDIS_URL is set but Redis does not answer a PING there")
        return configured
    if not _redis_answers(LOCAL_REDIS_URL):
        pytest.skip(f"no Redis: set TEST_REDIS_URL, or run one at {LOCAL_REDIS_URL}")
    return LOCAL_REDIS_URL


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: redis.asyncio.Redis) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    value = f"test-{uuid.uuid4().hex}"
    yield value
    names = [name async for name in redis_client.scan_iter(match=f"{value}:*", count=1000)]
    if names:
        await redis_client.unlink(*names)


class StatementCounter:
    """Statements a request sends, and apart from them its tenant bindings: one per
    connection it uses (app.context.Database binds each to the tenant)."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.bindings = 0


@pytest.fixture
def count_statements(services: Services) -> Any:
    """`with count_statements() as counter:` counts SQL statements sent to PostgreSQL."""
    engine = services.db.engine.sync_engine
    binding = str(TENANT_BINDING.compile(engine))

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement == binding:
                counter.bindings += 1
                return
            counter.count += 1
            counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
