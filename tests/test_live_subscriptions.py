"""dashboardChanged over graphql-transport-ws, against the session app served on a real socket:
changes arrive in commit order, a deletion ends the subscription, a subscriber who loses access
gets NOT_FOUND and never any content after it, a rolled-back write sends nothing, and the
connection's credentials are checked as an HTTP request's are."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from app.auth import EDIT_SCOPE, mint_token
from app.domain.change_notices import announce_dashboard_change
from app.graphql.loaders import Loaders
from app.live import LiveUpdates
from app.services import Services
from tests.conftest import SECRET, Caller
from tests.helpers import DELETE_DASHBOARD, UPDATE_DASHBOARD, create_dashboard
from tests.live_client import (
    DASHBOARD_CHANGED,
    LiveClient,
    live_client,
    served,
    subscribed_client,
    until,
)

SHARE = """
mutation Share($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { share { id } userErrors { field message code } }
}
"""
REVOKE = """
mutation Revoke($input: RevokeDashboardShareInput!) {
  revokeDashboardShare(input: $input) { deletedId userErrors { field message code } }
}
"""
QUIET_SECONDS = 0.5  # how long "nothing more arrives" is watched for


@pytest.fixture(scope="module")
async def live_url(app: Starlette) -> AsyncIterator[str]:
    async with served(app) as url:
        yield url


@pytest.fixture
def live(app: Starlette) -> LiveUpdates:
    result: LiveUpdates = app.state.live
    return result


async def update(caller: Caller, board: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(UPDATE_DASHBOARD, {"input": {"id": board["id"], **fields}})
    payload: dict[str, Any] = data["updateDashboard"]
    assert payload["userErrors"] == [], payload
    return payload


async def ended_with_not_found(client: LiveClient, operation_id: str) -> None:
    """The subscription's last words: a NOT_FOUND error without data, then complete."""
    message = await client.receive()
    assert message["id"] == operation_id
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["NOT_FOUND"]
    assert await client.receive() == {"id": operation_id, "type": "complete"}


async def refused_with_not_found(client: LiveClient, operation_id: str) -> str:
    message = await client.receive()
    assert message["id"] == operation_id
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    message_text: str = error["message"]
    return message_text


# --- changes, in order -------------------------------------------------------------------


async def test_each_new_version_arrives_in_commit_order(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor, name="v1")
    async with subscribed_client(live_url, editor) as client:
        await client.watch("w", board["id"], live)
        for name in ("v2", "v3", "v4"):
            await update(editor, board, name=name)
        events = [await client.next_event("w") for _ in range(3)]
        await client.silent(QUIET_SECONDS)
    assert [e["version"] for e in events] == [2, 3, 4]
    assert {e["dashboardId"] for e in events} == {board["id"]}
    assert not any(e["deleted"] for e in events)
    # The dashboard as it is when sent: never older than the event's version.
    assert all(e["dashboard"]["version"] >= e["version"] for e in events)
    assert events[-1]["dashboard"] == {"id": board["id"], "name": "v4", "version": 4}


async def test_concurrent_writers_are_told_in_commit_order_each_version_once(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor, name="v1")
    writers = [editor.peer(user=f"writer-{i}") for i in range(6)]
    async with subscribed_client(live_url, editor) as client:
        await client.watch("w", board["id"], live)
        await asyncio.gather(*(update(writer, board, name=writer.user) for writer in writers))
        events = [await client.next_event("w") for _ in writers]
        await client.silent(QUIET_SECONDS)
    assert [e["version"] for e in events] == list(range(2, 2 + len(writers)))


REVISIONS = """
subscription Revisions($id: ID!) {
  dashboardChanged(id: $id) { version revision { version author snapshot } }
}
"""


async def test_each_event_carries_the_revision_its_change_recorded(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor, name="v1")
    async with subscribed_client(live_url, editor) as client:
        before = len(live.hub)
        await client.subscribe("w", REVISIONS, {"id": board["id"]})
        await until(lambda: len(live.hub) > before, "the subscription to be registered")
        for name in ("v2", "v3"):
            await update(editor, board, name=name)
        events = [await client.next_event("w") for _ in range(2)]
    # Unlike `dashboard` (as it is when sent), the revision is exactly the version's.
    assert [(e["version"], e["revision"]["version"]) for e in events] == [(2, 2), (3, 3)]
    assert [e["revision"]["snapshot"]["dashboard"]["name"] for e in events] == ["v2", "v3"]
    assert {e["revision"]["author"] for e in events} == {editor.user}


async def test_two_subscriptions_on_one_connection_each_get_their_dashboard(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    first = await create_dashboard(editor, name="first")
    second = await create_dashboard(editor, name="second")
    async with subscribed_client(live_url, editor) as client:
        await client.watch("a", first["id"], live)
        await client.watch("b", second["id"], live)
        await update(editor, second, name="second, changed")
        event = await client.next_event("b")
        await update(editor, first, name="first, changed")
        other = await client.next_event("a")
    assert (event["dashboard"]["name"], other["dashboard"]["name"]) == (
        "second, changed",
        "first, changed",
    )


async def test_a_deletion_is_the_last_event(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor)
    async with subscribed_client(live_url, editor) as client:
        await client.watch("w", board["id"], live)
        data = await editor.graphql(DELETE_DASHBOARD, {"input": {"id": board["id"]}})
        assert data["deleteDashboard"]["userErrors"] == []
        event = await client.next_event("w")
        assert event == {
            "dashboardId": board["id"],
            "version": None,
            "deleted": True,
            "dashboard": None,
        }
        assert await client.receive() == {"id": "w", "type": "complete"}
    key = (await _tenant_id(live, editor), board["databaseId"])
    await until(lambda: not live.hub.watched(key), "the subscriber to leave the hub")


async def test_a_rolled_back_write_sends_nothing(
    editor: Caller, live: LiveUpdates, live_url: str, services: Services
) -> None:
    board = await create_dashboard(editor, name="kept")
    tenant_id = await services.tenants.id_for(editor.tenant)
    async with subscribed_client(live_url, editor) as client:
        await client.watch("w", board["id"], live)
        # A notice in a transaction that rolls back, and a refused mutation (stale version).
        async with services.db.for_tenant(tenant_id).engine.connect() as conn:
            transaction = await conn.begin()
            await announce_dashboard_change(
                conn, tenant_id=tenant_id, dashboard_id=board["databaseId"], version=2
            )
            await transaction.rollback()
        data = await editor.graphql(
            UPDATE_DASHBOARD,
            {"input": {"id": board["id"], "name": "never", "expectedVersion": 7}},
        )
        assert data["updateDashboard"]["userErrors"][0]["code"] == "VERSION_CONFLICT"
        await client.silent(QUIET_SECONDS)
        # The next committed change is the first thing told.
        await update(editor, board, name="committed")
        event = await client.next_event("w")
    assert (event["version"], event["dashboard"]["name"]) == (2, "committed")


# --- who may subscribe, and for how long ------------------------------------------------


async def private_board_shared_with(admin: Caller, user: str) -> tuple[dict[str, Any], str]:
    board = await create_dashboard(admin, name="Board", visibility="PRIVATE")
    data = await admin.graphql(
        SHARE,
        {
            "input": {
                "dashboardId": board["id"],
                "subjectType": "USER",
                "subjectId": user,
                "accessLevel": "VIEWER",
            }
        },
    )
    assert data["shareDashboard"]["userErrors"] == []
    share_id: str = data["shareDashboard"]["share"]["id"]
    return board, share_id


async def test_a_revoked_grant_ends_the_subscription_and_nothing_follows(
    admin: Caller, reader: Caller, live: LiveUpdates, live_url: str
) -> None:
    board, share_id = await private_board_shared_with(admin, reader.user)
    async with subscribed_client(live_url, reader) as client:
        await client.watch("w", board["id"], live)
        await update(admin, board, name="still shared")
        assert (await client.next_event("w"))["dashboard"]["name"] == "still shared"

        data = await admin.graphql(
            REVOKE, {"input": {"dashboardId": board["id"], "shareId": share_id}}
        )
        assert data["revokeDashboardShare"]["userErrors"] == []
        await ended_with_not_found(client, "w")

        await update(admin, board, name="secret after revocation")
        await client.silent(QUIET_SECONDS)
    assert live.hub.subscribers((await _tenant_id(live, admin), board["databaseId"])) == []


async def test_a_dashboard_made_private_ends_the_subscription_of_its_audience(
    editor: Caller, reader: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor, name="Team board")
    async with subscribed_client(live_url, reader) as client:
        await client.watch("w", board["id"], live)
        await update(editor, board, visibility="PRIVATE", name="private now")
        await ended_with_not_found(client, "w")
        await update(editor, board, name="private and changed")
        await client.silent(QUIET_SECONDS)


async def test_unseen_unknown_and_other_tenants_dashboards_are_all_not_found(
    admin: Caller, reader: Caller, outsider: Caller, live_url: str
) -> None:
    private = await create_dashboard(admin, name="Private", visibility="PRIVATE")
    theirs = await create_dashboard(outsider, name="Theirs")
    messages = []
    async with subscribed_client(live_url, reader) as client:
        for operation_id, dashboard_id in (
            ("private", private["id"]),
            ("other-tenant", theirs["id"]),
            ("unknown", "RGFzaGJvYXJkOjk5OTk5OTk5"),  # Dashboard:99999999
            ("not-an-id", "nonsense"),
        ):
            await client.subscribe(operation_id, DASHBOARD_CHANGED, {"id": dashboard_id})
            messages.append(await refused_with_not_found(client, operation_id))
    # Existence does not leak: every refusal reads the same.
    assert len(set(messages)) == 1


async def test_another_tenants_admin_cannot_subscribe_to_this_tenants_dashboard(
    editor: Caller, outsider: Caller, live_url: str
) -> None:
    board = await create_dashboard(editor)
    async with subscribed_client(live_url, outsider) as client:
        await client.subscribe("w", DASHBOARD_CHANGED, {"id": board["id"]})
        await refused_with_not_found(client, "w")


async def _closed_at_init(live_url: str, payload: dict[str, Any] | None) -> tuple[Any, str]:
    async with live_client(live_url) as client:
        await client.send({"type": "connection_init", "payload": payload})
        return await client.closed()


@pytest.mark.parametrize(
    "credentials",
    ["none", "expired", "forged", "not a jwt", "other tenant", "tenant not in token"],
)
async def test_bad_credentials_close_the_connection_with_4403(
    tenant: str, live_url: str, credentials: str
) -> None:
    def token(secret: str = SECRET, ttl: int = 600, tenants: tuple[str, ...] = (tenant,)) -> str:
        return mint_token(secret, subject="eve", tenants=tenants, ttl_seconds=ttl)

    payloads: dict[str, dict[str, Any] | None] = {
        "none": None,
        "expired": {"Authorization": f"Bearer {token(ttl=-3600)}"},
        "forged": {"Authorization": f"Bearer {token(secret='another-secret-' + 'y' * 32)}"},
        "not a jwt": {"Authorization": "Bearer abc.def"},
        "other tenant": {
            "Authorization": f"Bearer {token(tenants=('t-elsewhere',))}",
            "X-Clarus-Subdomain": tenant,
        },
        "tenant not in token": {
            "Authorization": f"Bearer {token()}",
            "X-Clarus-Subdomain": f"t-{uuid.uuid4().hex[:12]}",
        },
    }
    code, reason = await _closed_at_init(live_url, payloads[credentials])
    assert code == 4403
    assert reason.startswith("Forbidden")


async def test_a_subscribe_before_connection_init_closes_with_4401(live_url: str) -> None:
    async with live_client(live_url) as client:
        await client.subscribe("w", DASHBOARD_CHANGED, {"id": "1"})
        assert (await client.closed())[0] == 4401


async def test_the_upgrade_requests_headers_authenticate_too(
    editor: Caller, live: LiveUpdates, live_url: str
) -> None:
    board = await create_dashboard(editor)
    async with live_client(live_url, headers=editor.headers) as client:
        await client.init({})
        await client.watch("w", board["id"], live)
        await update(editor, board, name="seen")
        assert (await client.next_event("w"))["dashboard"]["name"] == "seen"


async def test_a_page_of_another_origin_may_connect(editor: Caller, live_url: str) -> None:
    headers = {"Origin": "https://dashboards.elsewhere.example"}
    async with live_client(live_url, headers=headers) as client:
        await client.init(editor.headers)


async def test_the_tokens_expiry_closes_the_connection_with_4403(
    tenant: str, live: LiveUpdates, live_url: str, http: Any
) -> None:
    owner = Caller(http, tenant, user="olga", scopes=(EDIT_SCOPE,))
    board = await create_dashboard(owner)
    short_lived = Caller(http, tenant, user="olga", scopes=(EDIT_SCOPE,), ttl=2)
    async with subscribed_client(live_url, short_lived) as client:
        await client.watch("w", board["id"], live)
        watching = len(live.hub)
        code, reason = await client.closed(seconds=6)
    assert (code, reason) == (4403, "Forbidden: the token has expired")
    await until(lambda: len(live.hub) < watching, "the subscription to end with the connection")


# --- the protocol --------------------------------------------------------------------------


async def test_queries_and_mutations_over_the_socket_are_refused(
    editor: Caller, live_url: str
) -> None:
    async with subscribed_client(live_url, editor) as client:
        await client.subscribe("q", "query Q { viewer { userId } }")
        message = await client.receive()
        assert message["type"] == "error"
        assert message["id"] == "q"
        assert message["payload"][0]["extensions"]["code"] == "SUBSCRIPTIONS_ONLY"
        await client.subscribe(
            "m", 'mutation M { createCollection(input: {name: "x"}) { userErrors { code } } }'
        )
        message = await client.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "SUBSCRIPTIONS_ONLY"
        # The connection stays usable.
        await client.send({"type": "ping"})
        assert (await client.receive())["type"] == "pong"


async def test_the_legacy_graphql_ws_protocol_is_not_served(live_url: str) -> None:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    async with connect(live_url, subprotocols=[Subprotocol("graphql-ws")]) as ws:
        client = LiveClient(ws)
        code, _ = await client.closed()
    assert code == 4406


async def test_subscription_documents_meet_the_query_limits(editor: Caller, live_url: str) -> None:
    board = await create_dashboard(editor)
    aliases = " ".join(f"a{i}: version" for i in range(40))
    async with subscribed_client(live_url, editor) as client:
        await client.subscribe(
            "w",
            f"subscription W($id: ID!) {{ dashboardChanged(id: $id) {{ {aliases} }} }}",
            {"id": board["id"]},
        )
        message = await client.receive()
    assert message["type"] == "error", message
    assert "alias" in message["payload"][0]["message"].lower()
    # Past GRAPHQL_MAX_TOKENS the document does not parse: the protocol closes with 4400.
    fields = " ".join(["version"] * 2100)
    async with subscribed_client(live_url, editor) as client:
        await client.subscribe(
            "w",
            f"subscription W($id: ID!) {{ dashboardChanged(id: $id) {{ {fields} }} }}",
            {"id": board["id"]},
        )
        code, reason = await client.closed()
    assert code == 4400
    assert "more than 2000 tokens" in reason


async def test_a_subscription_sent_by_http_is_a_client_error(editor: Caller) -> None:
    board = await create_dashboard(editor)
    response = await editor.post_graphql(DASHBOARD_CHANGED, {"id": board["id"]})
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert "WebSocket" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def _tenant_id(live: LiveUpdates, caller: Caller) -> int:
    return await live.services.tenants.id_for(caller.tenant)


async def test_an_unavailable_database_is_said_so_not_masked(
    editor: Caller, live_url: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = await create_dashboard(editor)

    async def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionRefusedError("the database is down")

    async with subscribed_client(live_url, editor) as client:
        monkeypatch.setattr(Loaders, "dashboard", refused)
        await client.subscribe("w", DASHBOARD_CHANGED, {"id": board["id"]})
        message = await client.receive()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert "down" not in message["payload"][0]["message"]

    # At connection_init (the tenant's look-up): closed with 1013, try again later.
    monkeypatch.setattr(services.tenants, "id_for", refused)
    code, reason = await _closed_at_init(live_url, editor.headers)
    assert code == 1013
    assert reason.startswith("Try again later")
