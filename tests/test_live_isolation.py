"""The isolation matrix of GraphQL subscriptions, which run over WebSocket rather than the
HTTP the main matrix (tests/test_isolation_matrix.py) drives: every Subscription field,
against the same victim tenant and the same callers. Credentials that do not authenticate
for the victim tenant close the connection with 4403; authenticated callers who may not see
the dashboard get NOT_FOUND, exactly as for an id that names nothing; and no marker of the
victim's data appears in anything sent. The matrix test fails for a Subscription field
without cells here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from app.services import Services
from tests.conftest import new_tenant
from tests.isolation.callers import (
    EXPIRED,
    FOREIGN_HEADER,
    FORGED,
    INACTIVE_READER,
    NO_TOKEN,
    OTHER_TENANT,
    ROLELESS_EDITOR,
    ROLELESS_READER,
    UNGRANTED_EDITOR,
    UNGRANTED_READER,
    UNSIGNED,
    seat,
)
from tests.isolation.victim import Board, Victim, build_victim, own_board
from tests.live_client import DASHBOARD_CHANGED, live_client, served

CLOSED_FORBIDDEN = "closed 4403"
NOT_FOUND = "NOT_FOUND error"

# Not cells, and why: members who see the team board may subscribe to it (a subscription only
# reads); the seats acting on "their own dashboard" name no other object than the dashboard.
SUBSCRIPTION_CELLS: dict[str, dict[str, str]] = {
    "dashboardChanged": {
        NO_TOKEN: CLOSED_FORBIDDEN,
        EXPIRED: CLOSED_FORBIDDEN,
        FORGED: CLOSED_FORBIDDEN,
        UNSIGNED: CLOSED_FORBIDDEN,
        FOREIGN_HEADER: CLOSED_FORBIDDEN,
        OTHER_TENANT: NOT_FOUND,
        UNGRANTED_EDITOR: NOT_FOUND,
        UNGRANTED_READER: NOT_FOUND,
        ROLELESS_EDITOR: NOT_FOUND,
        ROLELESS_READER: NOT_FOUND,
        INACTIVE_READER: NOT_FOUND,
    }
}
DOCUMENTS = {"dashboardChanged": DASHBOARD_CHANGED}


@dataclass(frozen=True)
class World:
    http: httpx.AsyncClient
    victim: Victim
    attacker: str
    attacker_board: Board
    url: str


@pytest.fixture(scope="module")
async def world(app: Starlette, services: Services) -> AsyncIterator[World]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        served(app) as url,
    ):
        victim = await build_victim(http, services)
        attacker = new_tenant()
        yield World(http, victim, attacker, await own_board(http, attacker), url)


@pytest.mark.parametrize(
    ("field", "caller"),
    [(field, caller) for field, cells in SUBSCRIPTION_CELLS.items() for caller in cells],
    ids=lambda value: str(value),
)
async def test_isolation(world: World, field: str, caller: str) -> None:
    victim = world.victim
    place = seat(caller, world.http, victim, world.attacker, world.attacker_board)
    sent: list[str] = []
    async with live_client(world.url) as client:
        await client.send({"type": "connection_init", "payload": place.headers})
        if SUBSCRIPTION_CELLS[field][caller] == CLOSED_FORBIDDEN:
            code, reason = await client.closed()
            assert code == 4403
            sent.append(reason)
        else:
            assert (await client.receive())["type"] == "connection_ack"
            await client.subscribe("w", DOCUMENTS[field], {"id": place.board.gid})
            message = await client.receive()
            sent.append(str(message))
            assert message["type"] == "error", message
            assert [e["extensions"]["code"] for e in message["payload"]] == ["NOT_FOUND"]
    marks = (victim.mark, victim.private_mark, victim.role_mark, victim.inactive_mark)
    assert not [mark for mark in marks for text in sent if mark in text]
