"""A graphql-transport-ws client over real sockets, and the session app served by uvicorn in
this process on a free port, for the live-update tests."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from app.live import LiveUpdates
from tests.conftest import Caller

PROTOCOL = Subprotocol("graphql-transport-ws")
WAIT_SECONDS = 10.0  # for something that must happen; a failing test waits this long

DASHBOARD_CHANGED = """
subscription Watch($id: ID!) {
  dashboardChanged(id: $id) { dashboardId version deleted dashboard { id name version } }
}
"""


async def until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        while not condition():  # noqa: ASYNC110 (polls state of another component)
            await asyncio.sleep(0.01)
    assert condition(), what


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def served(app: Starlette) -> AsyncIterator[str]:
    """`app` (its lifespan already run) on a real socket; yields its /graphql WebSocket URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
                await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


class LiveClient:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, seconds: float = WAIT_SECONDS) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                raw = await self.socket.recv()
                message: dict[str, Any] = json.loads(raw)
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                    continue
                return message

    async def init(self, payload: dict[str, Any] | None) -> None:
        await self.send({"type": "connection_init", "payload": payload})
        assert (await self.receive())["type"] == "connection_ack"

    async def subscribe(
        self, operation_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        await self.send(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def watch(self, operation_id: str, dashboard_id: str, live: LiveUpdates) -> None:
        """Subscribe to the dashboard's changes; return once this process's hub has it."""
        before = len(live.hub)
        await self.subscribe(operation_id, DASHBOARD_CHANGED, {"id": dashboard_id})
        await until(lambda: len(live.hub) > before, "the subscription to be registered")
        await live.fanout.idle()  # its first read, which tells nothing new

    async def watch_remote(self, operation_id: str, dashboard_id: str) -> None:
        """Subscribe on a server in another process (wait for its registration apart)."""
        await self.subscribe(operation_id, DASHBOARD_CHANGED, {"id": dashboard_id})

    async def next_event(self, operation_id: str) -> dict[str, Any]:
        message = await self.receive()
        assert message == {**message, "id": operation_id, "type": "next"}, message
        assert "errors" not in message["payload"], message
        event: dict[str, Any] = message["payload"]["data"]["dashboardChanged"]
        return event

    async def closed(self, seconds: float = WAIT_SECONDS) -> tuple[int | None, str]:
        """Wait for the server to close the connection: its close code and reason."""
        async with asyncio.timeout(seconds):
            try:
                while True:
                    await self.socket.recv()
            except ConnectionClosed as closed:
                received = closed.rcvd
                return (received.code, received.reason) if received else (None, "")

    async def silent(self, seconds: float) -> None:
        """Nothing arrives for `seconds`."""
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")


@asynccontextmanager
async def live_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[LiveClient]:
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:
        yield LiveClient(ws)


@asynccontextmanager
async def subscribed_client(url: str, caller: Caller) -> AsyncIterator[LiveClient]:
    """Connected and acknowledged with the caller's token and tenant in connection_init."""
    async with live_client(url) as client:
        await client.init(caller.headers)
        yield client
