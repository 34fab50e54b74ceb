"""Two `dashboards-api serve` processes against the same database: a mutation served by one
reaches the subscribers connected to the other (and its own), through PostgreSQL
LISTEN/NOTIFY, over real sockets."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, SECRET, Caller, new_tenant
from tests.helpers import DELETE_DASHBOARD, UPDATE_DASHBOARD, create_dashboard
from tests.live_client import WAIT_SECONDS, free_port, subscribed_client

SUBSCRIPTIONS_GAUGE = re.compile(r"^dashboards_live_subscriptions (\S+)$", re.MULTILINE)


class Server:
    def __init__(self, database_url: str, data_dir: Path, name: str) -> None:
        self.port = free_port()
        self.http_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = os.environ | {
            "DATABASE_URL": database_url,
            "AUTH_JWT_SECRET": SECRET,
            "DATA_DIR": str(data_dir),
            "SEED_DEMO": "false",
            "RATE_LIMIT_ENABLED": "false",
            "SHUTDOWN_TIMEOUT_SECONDS": "5",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with (data_dir / f"{name}.log").open("wb") as log:  # read it when a test fails
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_until_serving(self, http: httpx.AsyncClient) -> None:
        async with asyncio.timeout(60):  # a cold start on a busy machine
            while True:
                assert self.process.poll() is None, "the server exited before serving"
                try:
                    if (await http.get(f"{self.http_url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    async def open_subscriptions(self, http: httpx.AsyncClient) -> float:
        body = (await http.get(f"{self.http_url}/metrics")).text
        match = SUBSCRIPTIONS_GAUGE.search(body)
        assert match, body
        return float(match.group(1))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    first = Server(database_url, tmp_path / "a", "a")
    second = Server(database_url, tmp_path / "b", "b")
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


async def _subscribed_on(server: Server, http: httpx.AsyncClient, count: float) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while await server.open_subscriptions(http) < count:  # noqa: ASYNC110 (another process)
            await asyncio.sleep(0.05)


async def test_a_change_served_by_one_process_reaches_subscribers_of_another(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    async with httpx.AsyncClient(timeout=WAIT_SECONDS) as http:
        await asyncio.gather(a.wait_until_serving(http), b.wait_until_serving(http))
        writer = Caller(httpx.AsyncClient(base_url=a.http_url, timeout=WAIT_SECONDS), new_tenant())
        board = await create_dashboard(writer, name="Created on A")
        async with (
            subscribed_client(b.ws_url, writer) as on_b,
            subscribed_client(a.ws_url, writer) as on_a,
        ):
            await on_b.watch_remote("b", board["id"])
            await on_a.watch_remote("a", board["id"])
            await _subscribed_on(b, http, 1)
            await _subscribed_on(a, http, 1)

            for name in ("Changed on A", "Changed again on A"):
                data = await writer.graphql(
                    UPDATE_DASHBOARD, {"input": {"id": board["id"], "name": name}}
                )
                assert data["updateDashboard"]["userErrors"] == []
            from_b = [await on_b.next_event("b") for _ in range(2)]
            from_a = [await on_a.next_event("a") for _ in range(2)]
            assert [e["version"] for e in from_b] == [2, 3]
            assert [e["version"] for e in from_a] == [2, 3]
            assert from_b[-1]["dashboard"]["name"] == "Changed again on A"

            data = await writer.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})
            assert data["deleteDashboard"]["userErrors"] == []
            assert (await on_b.next_event("b"))["deleted"] is True
            assert await on_b.receive() == {"id": "b", "type": "complete"}
        await writer.http.aclose()


async def test_sigterm_closes_open_subscriptions_with_1012_and_the_process_exits(
    database_url: str, tmp_path: Path
) -> None:
    server = Server(database_url, tmp_path / "s", "s")
    try:
        async with httpx.AsyncClient(timeout=WAIT_SECONDS) as http:
            await server.wait_until_serving(http)
            caller = Caller(
                httpx.AsyncClient(base_url=server.http_url, timeout=WAIT_SECONDS), new_tenant()
            )
            board = await create_dashboard(caller)
            async with subscribed_client(server.ws_url, caller) as client:
                await client.watch_remote("w", board["id"])
                await _subscribed_on(server, http, 1)
                server.process.send_signal(signal.SIGTERM)
                code, _ = await client.closed()
            await caller.http.aclose()
        # 1012: "service restart", so clients reconnect (to another process) and subscribe again.
        assert code == 1012
        assert await asyncio.to_thread(server.process.wait, WAIT_SECONDS) == 0
    finally:
        server.stop()
