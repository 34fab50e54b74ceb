"""Faults (issue 6): a database that goes away under load, a pool with no connection to
spare, a write whose connection is killed halfway, and a SIGTERM with a request in flight.

Every answer while the database is unavailable is 503 with `Retry-After` and a code, never a
500 or a masked GraphQL error, and none hangs; the service recovers by itself once the
database is back. Waits carry bounds (asyncio.timeout) that only detect hangs: nothing here
asserts how fast anything is."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from app.main import create_app
from app.services import Services
from app.settings import Settings
from app.unavailable import CODES
from tests.conftest import REPO, SECRET, Caller, new_tenant
from tests.disposable_postgres import DisposablePostgres
from tests.helpers import UPDATE_DASHBOARD, create_dashboard, create_widget

# A request still unanswered after this long has hung: the test fails.
HANG_BOUND_SECONDS = 20.0
# Words of internals (drivers, SQL, tracebacks) that no answer may carry.
INTERNALS = ("asyncpg", "sqlalchemy", "SELECT ", "Traceback", "psycopg", ".s.PGSQL")

DASHBOARD_NAME = "query Name($id: ID!) { dashboard(id: $id) { name version } }"
DASHBOARDS = "{ dashboards(first: 5) { totalCount edges { node { id name } } } }"
# Shaped like a public link's slug (32 URL-safe characters), so that it is looked up.
UNKNOWN_SLUG = "unknown-slug-of-32-characters-00"


@pytest.fixture(scope="module")
def own_server() -> Iterator[DisposablePostgres]:
    server = DisposablePostgres()
    yield server
    server.remove()


@pytest.fixture
def disposable_postgres(own_server: DisposablePostgres) -> DisposablePostgres:
    """The module's server, running (a test that failed may have left it stopped)."""
    if not own_server.running:
        own_server.start()
    return own_server


def fault_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "auth_jwt_secret": SECRET,
        "data_dir": data_dir,
        "seed_demo": False,
        # Many requests of one user in a second are the point here, not an abuse.
        "rate_limit_enabled": False,
    }
    return Settings(**(values | overrides))


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield app, http


async def bounded(request: Awaitable[httpx.Response]) -> httpx.Response:
    async with asyncio.timeout(HANG_BOUND_SECONDS):
        return await request


def error_code(response: httpx.Response) -> str:
    body = response.json()
    if "errors" in body:  # GraphQL
        return str(body["errors"][0]["extensions"]["code"])
    return str(body["code"])


def assert_served_or_unavailable(response: httpx.Response) -> None:
    """200 with an answer, or 503 with Retry-After and an outage code; nothing else."""
    assert response.status_code in (200, 503), (response.status_code, response.text)
    for word in INTERNALS:
        assert word.lower() not in response.text.lower(), response.text
    if response.status_code == 503:
        assert int(response.headers["retry-after"]) > 0
        assert error_code(response) in CODES, response.text
        # in each transport's own shape: GraphQL's `errors`, REST's `error` and `code`
        graphql = response.request.url.path == "/graphql"
        assert ("errors" in response.json()) is graphql, response.text
    elif response.request.url.path == "/graphql":
        assert "errors" not in response.json(), response.text


def assert_unavailable(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert error_code(response) == code, response.text
    assert int(response.headers["retry-after"]) > 0
    assert_served_or_unavailable(response)


async def read_once(caller: Caller, board: dict[str, Any], use_rest: bool) -> httpx.Response:
    if use_rest:
        return await bounded(caller.request("GET", f"/api/dashboards/{board['databaseId']}"))
    return await bounded(caller.post_graphql(DASHBOARD_NAME, {"id": board["id"]}))


async def wait_for(condition: Any, what: str, seconds: float = HANG_BOUND_SECONDS) -> None:
    """Poll `condition()` (a coroutine function) until it holds; fail after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"waited {seconds} s for {what}")


async def lock_waiters(conn: asyncpg.Connection) -> int:
    """Backends waiting for a lock. pg_locks, not pg_stat_activity: the latter is a snapshot
    taken once per transaction, and the polling connections are inside one."""
    return int(await conn.fetchval("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"))


# --- The database stops under load, and comes back -------------------------------------------


async def test_database_stopped_under_load_answers_503_then_recovers_by_itself(
    disposable_postgres: DisposablePostgres, tmp_path: Path
) -> None:
    # given: a service on a database of its own, serving readers on both transports, and
    # writers held mid-request by a row lock the test holds
    pg = disposable_postgres
    settings = fault_settings(
        pg.url, tmp_path, db_pool_size=30, db_pool_timeout_seconds=3, db_connect_timeout_seconds=2
    )
    async with serving(settings) as (_, http):
        editor = Caller(http, new_tenant())
        board = await create_dashboard(editor, name="Before the outage")
        readers_stop = asyncio.Event()
        read_answers: list[tuple[bool, httpx.Response]] = []  # (database down yet?, answer)
        database_down = False

        async def reader(number: int) -> None:
            while not readers_stop.is_set():
                response = await read_once(editor, board, use_rest=number % 2 == 0)
                read_answers.append((database_down, response))
                await asyncio.sleep(0.02)

        locker = await asyncpg.connect(host=str(pg.root), user="postgres", database="postgres")
        lock = locker.transaction()
        await lock.start()
        await locker.execute(
            "SELECT 1 FROM dashboards WHERE id = $1 FOR UPDATE", board["databaseId"]
        )
        readers = [asyncio.create_task(reader(n)) for n in range(15)]
        await wait_for(lambda: _true(len(read_answers) >= 30), "readers to be served")
        writers = [
            asyncio.create_task(
                bounded(
                    editor.post_graphql(
                        UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": f"Writer {n}"}}
                    )
                )
            )
            for n in range(5)
        ]
        await wait_for(lambda: _at_least(lock_waiters(locker), 5), "five writers waiting")

        # when: the server stops at once (every connection cut), with 20 requests in flight
        await asyncio.to_thread(pg.stop, "immediate")
        database_down = True
        await asyncio.sleep(1.0)
        readers_stop.set()
        await asyncio.gather(*readers)
        write_answers = await asyncio.gather(*writers)
        ready_while_down = await bounded(http.get("/readyz"))

        # then: every answer is a 200 or a 503 with Retry-After; the writers in flight got 503
        for _, response in read_answers:
            assert_served_or_unavailable(response)
        for response in write_answers:
            assert_unavailable(response, "DATABASE_UNAVAILABLE")
        assert any(not down and r.status_code == 200 for down, r in read_answers)
        assert any(down and r.status_code == 503 for down, r in read_answers)
        assert ready_while_down.status_code == 503
        assert ready_while_down.headers["retry-after"]
        _report("outage", read_answers, write_answers)

        # when: the server is back; the app was not restarted
        await asyncio.to_thread(pg.start)

        # then: the very first requests succeed, on both transports, and readiness too
        after = await asyncio.gather(*(read_once(editor, board, n % 2 == 0) for n in range(20)))
        assert [r.status_code for r in after] == [200] * 20, [r.text for r in after]
        assert all("errors" not in r.json() for r in after)
        assert (await bounded(http.get("/readyz"))).status_code == 200
        # no writer changed anything, and writing works again
        current = await editor.graphql(DASHBOARD_NAME, {"id": board["id"]})
        assert current["dashboard"] == {"name": "Before the outage", "version": 1}
        renamed = await editor.graphql(
            UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "After the outage"}}
        )
        assert renamed["updateDashboard"]["dashboard"]["name"] == "After the outage"


async def _true(value: bool) -> bool:
    return value


async def _at_least(count: Awaitable[int], minimum: int) -> bool:
    return await count >= minimum


def _report(
    what: str, reads: list[tuple[bool, httpx.Response]], writes: list[httpx.Response]
) -> None:
    statuses = [r.status_code for _, r in reads] + [r.status_code for r in writes]
    print(  # shown with -s or -rP: the figures the README quotes
        f"\n{what}: {len(statuses)} requests, {statuses.count(200)} answered 200, "
        f"{statuses.count(503)} answered 503, "
        f"{len(statuses) - statuses.count(200) - statuses.count(503)} other"
    )


async def test_a_restart_while_idle_costs_no_request(
    disposable_postgres: DisposablePostgres, tmp_path: Path
) -> None:
    # given: a service whose pool holds connections opened before the restart
    pg = disposable_postgres
    async with serving(fault_settings(pg.url, tmp_path)) as (app, http):
        editor = Caller(http, new_tenant())
        board = await create_dashboard(editor)
        warm = await asyncio.gather(*(read_once(editor, board, n % 2 == 0) for n in range(10)))
        assert [r.status_code for r in warm] == [200] * 10
        services: Services = app.state.services
        assert services.db.engine.pool.checkedin() > 1

        # when: the database restarts while nothing is being asked of it
        await asyncio.to_thread(pg.stop, "immediate")
        await asyncio.to_thread(pg.start)

        # then: the pool replaces the dead connections before use; no request fails
        after = await asyncio.gather(*(read_once(editor, board, n % 2 == 0) for n in range(10)))
        assert [r.status_code for r in after] == [200] * 10, [r.text for r in after]


# --- Pool exhaustion ----------------------------------------------------------------------------


async def test_an_exhausted_pool_answers_503_after_a_bounded_wait(
    database_url: str, tmp_path: Path
) -> None:
    # given: a service with one pooled connection, and a caller its caches already know
    settings = fault_settings(
        database_url,
        tmp_path,
        migrate_on_start=False,
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=1.0,
    )
    async with serving(settings) as (app, http):
        editor = Caller(http, new_tenant())
        board = await create_dashboard(editor)
        services: Services = app.state.services

        # when: that one connection is taken
        async with services.db.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            graphql = await read_once(editor, board, use_rest=False)
            rest = await read_once(editor, board, use_rest=True)
            # a tenant the service meets for the first time: authentication needs the database
            newcomer = await bounded(Caller(http, new_tenant()).post_graphql(DASHBOARDS))
            # a route of no dialect's wrapper: the last-resort handler answers it
            public = await bounded(http.get(f"/api/public/dashboards/{UNKNOWN_SLUG}/render"))

        # then: 503 POOL_EXHAUSTED with Retry-After on every path, and 200 once it is free
        for response in (graphql, rest, newcomer, public):
            assert_unavailable(response, "POOL_EXHAUSTED")
        assert rest.json()["error"] == "pool_exhausted"  # seed 002's spelling of errors
        assert (await read_once(editor, board, use_rest=False)).status_code == 200
        assert (await read_once(editor, board, use_rest=True)).status_code == 200


# --- A write whose connection is killed halfway -------------------------------------------------

SET_PLACEMENTS = """
mutation Set($input: SetDashboardWidgetPlacementsInput!) {
  setDashboardWidgetPlacements(input: $input) {
    dashboard { version }
    userErrors { code }
  }
}
"""
ADD_CARD = """
mutation Add($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { card { id } userErrors { code } }
}
"""


async def test_a_write_killed_halfway_changes_nothing(
    editor: Caller, services: Services, tenant: str
) -> None:
    # given: a dashboard with one card (a private widget, deleted when a replace-all drops it)
    board = await create_dashboard(editor)
    added = await editor.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": board["id"],
                "cardType": "KPI_CARD",
                "layout": {"x": 0, "y": 0, "w": 3, "h": 2},
            }
        },
    )
    assert added["addDashboardCard"]["userErrors"] == []
    library = [await create_widget(editor, name=f"Widget {n}") for n in range(12)]
    before = await _stored_state(services, board["databaseId"])
    card_widget = before["placements"][0][0]

    # when: a replace-all of the placements runs until it must delete the card's widget,
    # which the test keeps locked; its backend is then terminated
    async with services.db.engine.connect() as test_conn:
        await test_conn.execute(
            text("SELECT 1 FROM dashboard_widgets WHERE id = :id FOR KEY SHARE"),
            {"id": card_widget},
        )
        write = asyncio.create_task(
            bounded(
                editor.post_graphql(
                    SET_PLACEMENTS,
                    {
                        "input": {
                            "dashboardId": board["id"],
                            "placements": [{"dashboardWidgetId": w["id"]} for w in library],
                        }
                    },
                )
            )
        )
        writer = await _blocked_by(test_conn)
        # It had written already: it holds the placements table's row-exclusive lock.
        assert await _has_written_placements(test_conn, writer)
        await test_conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": writer})
        await test_conn.rollback()
    response = await write

    # then: the request got 503 and nothing of the write remains
    assert_unavailable(response, "DATABASE_UNAVAILABLE")
    assert await _stored_state(services, board["databaseId"]) == before
    # and the same write, retried, goes through (the pool dropped the dead connection)
    retried = await editor.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [{"dashboardWidgetId": w["id"]} for w in library],
            }
        },
    )
    assert retried["setDashboardWidgetPlacements"]["userErrors"] == []
    assert retried["setDashboardWidgetPlacements"]["dashboard"]["version"] == before["version"] + 1


async def _stored_state(services: Services, dashboard_id: int) -> dict[str, Any]:
    async with services.db.engine.connect() as conn:
        placements = await conn.execute(
            text(
                "SELECT widget_id, page_id, position::text, ordinal"
                " FROM dashboard_widget_placements WHERE dashboard_id = :id ORDER BY ordinal"
            ),
            {"id": dashboard_id},
        )
        widgets = await conn.execute(
            text(
                "SELECT id, name, in_library FROM dashboard_widgets WHERE tenant_id ="
                " (SELECT tenant_id FROM dashboards WHERE id = :id) ORDER BY id"
            ),
            {"id": dashboard_id},
        )
        version = await conn.scalar(
            text("SELECT version FROM dashboards WHERE id = :id"), {"id": dashboard_id}
        )
        return {
            "placements": [tuple(row) for row in placements],
            "widgets": [tuple(row) for row in widgets],
            "version": version,
        }


async def _blocked_by(conn: Any) -> int:
    """The pid of the backend that waits for a lock `conn` holds."""
    query = text(
        "SELECT pid FROM pg_locks WHERE NOT granted"
        " AND pg_backend_pid() = ANY(pg_blocking_pids(pid)) LIMIT 1"
    )
    async with asyncio.timeout(HANG_BOUND_SECONDS):
        while True:
            pid = await conn.scalar(query)
            if pid is not None:
                return int(pid)
            await asyncio.sleep(0.05)


async def _has_written_placements(conn: Any, pid: int) -> bool:
    return bool(
        await conn.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = :pid AND granted"
                " AND mode = 'RowExclusiveLock'"
                " AND relation = 'dashboard_widget_placements'::regclass)"
            ),
            {"pid": pid},
        )
    )


# --- Graceful shutdown --------------------------------------------------------------------------


async def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(
    database_url: str, tmp_path: Path
) -> None:
    # given: `dashboards-api serve` in a process of its own, and a dashboard it serves
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = _serve(database_url, tmp_path, port)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=HANG_BOUND_SECONDS) as http:
            await _wait_until_serving(http, server)
            editor = Caller(http, new_tenant())
            board = await create_dashboard(editor, name="Before")

            # when: a request is in flight (held by a row lock the test keeps) and SIGTERM comes
            locker = await asyncpg.connect(database_url)
            lock = locker.transaction()
            await lock.start()
            await locker.execute(
                "SELECT 1 FROM dashboards WHERE id = $1 FOR UPDATE", board["databaseId"]
            )
            in_flight = asyncio.create_task(
                editor.post_graphql(
                    UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "During shutdown"}}
                )
            )
            await wait_for(lambda: _blocked_on(locker), "the request to wait for the lock")
            server.send_signal(signal.SIGTERM)

            # then: new connections are refused while the request is still being served
            await wait_for(lambda: _refused(port), "the listening socket to close")
            assert not in_flight.done()
            await lock.rollback()
            await locker.close()
            response = await bounded(in_flight)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["updateDashboard"]["dashboard"]["name"] == "During shutdown"
        assert await asyncio.to_thread(server.wait, HANG_BOUND_SECONDS) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _serve(database_url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "AUTH_JWT_SECRET": SECRET,
        "DATA_DIR": str(data_dir),
        "SEED_DEMO": "false",
        "RATE_LIMIT_ENABLED": "false",
        "SHUTDOWN_TIMEOUT_SECONDS": "20",
    }
    with (data_dir / "serve.log").open("wb") as log:  # read it when this test fails
        return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_until_serving(http: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(60):  # a cold start on a busy machine: imports, migrations
        while True:
            assert server.poll() is None, "the server exited before serving"
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def _blocked_on(conn: asyncpg.Connection) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks"
            " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid)))"
        )
    )


async def _refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False
