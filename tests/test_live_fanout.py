"""The fan-out of one process: a notice costs one batched visibility load however many
subscribers watch the dashboard, the LISTEN connection comes back after it is killed and the
subscribers are told what they missed, and the connection and subscription limits hold."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
from starlette.applications import Starlette

from app import cli
from app.auth import EDIT_SCOPE
from app.data.roles import plain_url
from app.domain.change_notices import CHANNEL
from app.live import LiveUpdates
from app.main import create_app
from app.settings import Settings
from tests.conftest import Caller
from tests.helpers import UPDATE_DASHBOARD, create_dashboard
from tests.live_client import (
    DASHBOARD_CHANGED,
    LiveClient,
    live_client,
    served,
    subscribed_client,
    until,
)


@pytest.fixture(scope="module")
async def live_url(app: Starlette) -> AsyncIterator[str]:
    async with served(app) as url:
        yield url


@pytest.fixture
def live(app: Starlette) -> LiveUpdates:
    result: LiveUpdates = app.state.live
    return result


@pytest.fixture
async def superuser(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own, outside the app's engine (its statements aren't counted)."""
    conn = await asyncpg.connect(plain_url(database_url))
    yield conn
    await conn.close()


async def change_behind_the_apps_back(
    conn: asyncpg.Connection, dashboard_id: int, name: str, *, notify: bool
) -> int:
    """A new version of the dashboard, written straight to the database; with or without the
    notice a write sends."""
    async with conn.transaction():
        tenant_id, version = await conn.fetchrow(
            "UPDATE dashboards SET version = version + 1, name = $2 WHERE id = $1"
            " RETURNING tenant_id, version",
            dashboard_id,
            name,
        )
        if notify:
            payload = {"tenant": tenant_id, "dashboard": dashboard_id, "version": version}
            await conn.execute(
                "SELECT pg_notify($1, $2)",
                CHANNEL,
                orjson.dumps({**payload, "deleted": False}).decode(),
            )
    return int(version)


async def delivered_events(http: httpx.AsyncClient) -> float:
    body = (await http.get("/metrics")).text
    match = re.search(
        r'^dashboards_live_events_delivered_total\{kind="changed"\} (\S+)$', body, re.M
    )
    return float(match.group(1)) if match else 0.0


async def test_one_batched_load_per_notice_however_many_subscribers(
    editor: Caller,
    live: LiveUpdates,
    live_url: str,
    superuser: asyncpg.Connection,
    count_statements: Any,
    http: httpx.AsyncClient,
) -> None:
    board = await create_dashboard(editor, name="Watched")
    callers = [
        editor,
        editor,  # the same principal twice: one visibility column for both
        editor.peer(user="rita", scopes=()),
        editor.peer(user="bob", roles=(3,)),
        editor.peer(user="root", scopes=(EDIT_SCOPE, "dashboard.admin")),
    ]
    statements = []
    events_before = await delivered_events(http)
    for watchers in (1, len(callers)):
        async with _all_subscribed(live_url, callers[:watchers]) as clients:
            for client in clients:
                await client.watch("w", board["id"], live)
            loads = live.fanout.loads
            with count_statements() as counter:
                version = await change_behind_the_apps_back(
                    superuser, board["databaseId"], f"seen by {watchers}", notify=True
                )
                events = [await client.next_event("w") for client in clients]
                await live.fanout.idle()
            statements.append(counter.count)
            assert live.fanout.loads == loads + 1
            assert {(e["version"], e["dashboard"]["name"]) for e in events} == {
                (version, f"seen by {watchers}")
            }
    # One statement for one subscriber and for five of four principals alike.
    assert statements == [1, 1]
    assert await delivered_events(http) == events_before + 1 + len(callers)


class _all_subscribed:  # noqa: N801 (used as a context manager)
    def __init__(self, url: str, callers: list[Caller]) -> None:
        self._managers = [subscribed_client(url, caller) for caller in callers]

    async def __aenter__(self) -> list[LiveClient]:
        return [await manager.__aenter__() for manager in self._managers]

    async def __aexit__(self, *exc: object) -> None:
        for manager in reversed(self._managers):
            await manager.__aexit__(None, None, None)


async def test_after_its_listen_connection_is_killed_a_process_tells_what_it_missed(
    editor: Caller, live: LiveUpdates, live_url: str, superuser: asyncpg.Connection
) -> None:
    board = await create_dashboard(editor, name="Before")
    await until(live.listener.listening.is_set, "the listener to listen")
    pid, connects = live.listener.backend_pid, live.listener.connects
    async with subscribed_client(live_url, editor) as client:
        await client.watch("w", board["id"], live)
        # A change whose notice is lost (as one sent while nobody listens would be) ...
        version = await change_behind_the_apps_back(
            superuser, board["databaseId"], "Missed", notify=False
        )
        # ... then the LISTEN connection is killed.
        assert await superuser.fetchval("SELECT pg_terminate_backend($1)", pid)
        event = await client.next_event("w")
        assert (event["version"], event["dashboard"]["name"]) == (version, "Missed")
        assert live.listener.connects == connects + 1
        assert live.listener.backend_pid not in (None, pid)
        # Listening again: the next write's notice arrives as usual.
        data = await editor.graphql(
            UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "After"}}
        )
        assert data["updateDashboard"]["userErrors"] == []
        event = await client.next_event("w")
        assert (event["version"], event["dashboard"]["name"]) == (version + 1, "After")


@pytest.fixture
async def small_limits(settings: Settings) -> AsyncIterator[str]:
    """An app of its own with 2 connections, 1 subscription each and a 1 s connection_init wait."""
    limited = settings.model_copy(
        update={
            "live_max_connections": 2,
            "live_max_subscriptions_per_connection": 1,
            "live_connection_init_timeout_seconds": 1.0,
        }
    )
    app = create_app(limited)
    async with app.router.lifespan_context(app), served(app) as url:
        yield url


async def test_limits_on_connections_subscriptions_and_the_wait_for_connection_init(
    editor: Caller, small_limits: str
) -> None:
    board = await create_dashboard(editor)
    async with subscribed_client(small_limits, editor) as first:
        await first.subscribe("a", DASHBOARD_CHANGED, {"id": board["id"]})
        await first.subscribe("b", DASHBOARD_CHANGED, {"id": board["id"]})
        refusal = await first.receive()
        assert refusal["id"] == "b"
        assert refusal["type"] == "error"
        assert refusal["payload"][0]["message"] == "Subscription limit reached"

        async with live_client(small_limits) as silent:
            # The third connection is refused while two are open.
            async with live_client(small_limits) as third:
                assert (await third.closed())[0] == 1013
            # A connection that never sends connection_init is closed.
            assert (await silent.closed(seconds=5))[0] == 4408
        # Its place is free again.
        async with subscribed_client(small_limits, editor):
            pass


async def test_principals_batched_in_one_load_are_each_judged_by_their_own_claims(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor, name="Role 5", roleIds=[5])
    losing = editor.peer(user="lena", scopes=(), roles=(5,))
    keeping = editor.peer(user="kurt", scopes=(), roles=(6, 5))
    async with (
        subscribed_client(live_url, losing) as lost,
        subscribed_client(live_url, keeping) as kept,
    ):
        await lost.watch("w", board["id"], live)
        await kept.watch("w", board["id"], live)
        loads = live.fanout.loads
        data = await editor.graphql(
            UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Role 6", "roleIds": [6]}}
        )
        assert data["updateDashboard"]["userErrors"] == []
        assert (await kept.next_event("w"))["dashboard"]["name"] == "Role 6"
        message = await lost.receive()
        assert message["payload"]["data"] is None
        assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert live.fanout.loads == loads + 1  # both judged in the same load


@pytest.fixture
async def persisted_only(
    settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[str, str, LiveUpdates]]:
    """An app that runs persisted documents only, whose manifest holds DASHBOARD_CHANGED;
    yields its WebSocket URL, that document's id and the app's live updates."""
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "live.graphql").write_text(DASHBOARD_CHANGED)
    manifest = tmp_path / "persisted-operations.json"
    assert cli.main(["persist-operations", str(documents), "--output", str(manifest)]) == 0
    [persisted] = json.loads(manifest.read_text())["operations"]
    app = create_app(
        settings.model_copy(
            update={
                "graphql_persisted_operations_path": manifest,
                "graphql_persisted_only": True,
            }
        )
    )
    async with app.router.lifespan_context(app), served(app) as url:
        yield url, persisted["id"], app.state.live


async def test_persisted_only_runs_subscriptions_by_document_id_only(
    editor: Caller, persisted_only: tuple[str, str, LiveUpdates]
) -> None:
    url, document_id, live = persisted_only
    board = await create_dashboard(editor, name="Persisted")
    async with subscribed_client(url, editor) as client:
        await client.subscribe("text", DASHBOARD_CHANGED, {"id": board["id"]})
        refusal = await client.receive()
        assert refusal["type"] == "error"
        assert refusal["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"

        await client.send(
            {
                "id": "by-id",
                "type": "subscribe",
                "payload": {"documentId": document_id, "variables": {"id": board["id"]}},
            }
        )
        await until(lambda: len(live.hub) == 1, "the subscription to be registered")
        await live.fanout.idle()
        data = await editor.graphql(
            UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": "Changed"}}
        )
        assert data["updateDashboard"]["userErrors"] == []
        assert (await client.next_event("by-id"))["dashboard"]["name"] == "Changed"


async def test_each_subscription_spends_from_the_users_rate_limit(
    editor: Caller, settings: Settings
) -> None:
    limited = settings.model_copy(
        update={"rate_limit_user_burst": 2, "rate_limit_user_per_second": 0.001}
    )
    app = create_app(limited)
    board = await create_dashboard(editor)
    async with (
        app.router.lifespan_context(app),
        served(app) as url,
        subscribed_client(url, editor) as client,  # the connection: one token
    ):
        await client.subscribe("first", DASHBOARD_CHANGED, {"id": board["id"]})  # another
        await client.subscribe("second", DASHBOARD_CHANGED, {"id": board["id"]})
        refusal = await client.receive()
    assert refusal["id"] == "second"
    assert refusal["type"] == "error"
    assert refusal["payload"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_subscription_over_the_cost_limit_is_refused(
    editor: Caller, settings: Settings
) -> None:
    app = create_app(settings.model_copy(update={"graphql_max_cost": 3}))
    board = await create_dashboard(editor)
    async with (
        app.router.lifespan_context(app),
        served(app) as url,
        subscribed_client(url, editor) as client,
    ):
        await client.subscribe("w", DASHBOARD_CHANGED, {"id": board["id"]})
        refusal = await client.receive()
        assert refusal["payload"]["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert refusal == {**refusal, "id": "w", "type": "next"}
        assert refusal["payload"]["data"] is None
        assert await client.receive() == {"id": "w", "type": "complete"}
        await until(lambda: len(app.state.live.hub) == 0, "nothing subscribed")
