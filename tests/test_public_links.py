"""Public links: `POST` / `DELETE /api/dashboards/{id}/public` and the render they open
without a token, `GET /api/public/dashboards/{slug}/render`. The slug opens that route and
nothing else, only public parameters may be set through it, revoking closes it at once, and
the full read shows the link only to callers who may manage the dashboard's sharing."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from app.services import Services
from tests.conftest import Caller
from tests.test_rest_platform import assert_error, new_board, read, share
from tests.test_rest_render import REVENUE_BY_REGION_SQL, add_data_card, card_of, rows_of
from tests.tile_data import seed_sales

LINK_KEYS = {"slug", "url", "created_at"}
PARAMETERS = {
    "region": {"type": "string", "public": True, "field": "region"},
    "min_units": {"type": "integer", "default": 0},
}
UNITS_SQL = "SELECT COUNT(*) AS orders FROM sales WHERE units >= :min_units"


async def publish(caller: Caller, board_id: int | str, **headers: str) -> httpx.Response:
    return await caller.request("POST", f"/api/dashboards/{board_id}/public", headers=headers)


async def revoke(caller: Caller, board_id: int | str) -> httpx.Response:
    return await caller.request("DELETE", f"/api/dashboards/{board_id}/public")


async def published(caller: Caller, board_id: int) -> dict[str, Any]:
    response = await publish(caller, board_id)
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link


async def public_render(http: httpx.AsyncClient, slug: str, query: str = "") -> httpx.Response:
    """No Authorization header, no tenant header: nothing but the slug."""
    return await http.get(f"/api/public/dashboards/{slug}/render{query}")


async def sales_board(caller: Caller, services: Services) -> tuple[dict[str, Any], list[Any]]:
    """A dashboard with a public and a private parameter and a card using each."""
    await seed_sales(services, caller.tenant)
    board = await new_board(caller, "Public sales", parameters=PARAMETERS)
    by_region = await add_data_card(caller, board["id"], {"sql": REVENUE_BY_REGION_SQL}, y=0)
    by_units = await add_data_card(caller, board["id"], {"sql": UNITS_SQL}, y=1)
    return board, [by_region, by_units]


# --- publishing -------------------------------------------------------------------------------


async def test_publishing_gives_a_slug_and_publishing_again_keeps_it(editor: Caller) -> None:
    board = await new_board(editor)

    first = await publish(editor, board["id"], **{"If-Match": '"v1"'})
    again = await publish(editor, board["id"])

    assert first.status_code == 201, first.text
    link = first.json()
    assert set(link) == LINK_KEYS
    assert len(link["slug"]) >= 32
    assert link["url"] == f"/api/public/dashboards/{link['slug']}/render"
    assert again.status_code == 200, again.text
    assert again.json() == link
    full = await read(editor, board["id"])
    assert full["public_link"] == link
    assert full["version"] == 2  # publishing is a change; publishing again is not


async def test_publishing_with_a_stale_version_changes_nothing(editor: Caller) -> None:
    board = await new_board(editor)

    response = await publish(editor, board["id"], **{"If-Match": '"v7"'})

    body = assert_error(response, 409, "version_conflict", code="VERSION_CONFLICT")
    assert body["current_version"] == 1
    assert (await read(editor, board["id"]))["public_link"] is None


async def test_revoking_closes_the_slug_at_once_and_republishing_makes_a_new_one(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor)
    link = await published(editor, board["id"])
    assert (await public_render(http, link["slug"])).status_code == 200

    revoked = await revoke(editor, board["id"])
    closed = await public_render(http, link["slug"])
    again = await revoke(editor, board["id"])
    republished = await published(editor, board["id"])

    assert revoked.status_code == 204, revoked.text
    assert_error(closed, 404, "dashboard_not_found", code="NOT_FOUND")
    assert closed.headers["cache-control"] == "no-store"
    assert_error(again, 404, "public_link_not_found", code="NOT_FOUND")
    assert republished["slug"] != link["slug"]
    assert (await public_render(http, republished["slug"])).status_code == 200
    assert (await public_render(http, link["slug"])).status_code == 404
    assert (await read(editor, board["id"]))["public_link"] == republished


async def test_deleting_the_dashboard_closes_its_link(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor)
    link = await published(editor, board["id"])

    deleted = await editor.request("DELETE", f"/api/dashboards/{board['id']}")

    assert deleted.status_code == 204, deleted.text
    assert_error(await public_render(http, link["slug"]), 404, "dashboard_not_found")


# --- the public render ------------------------------------------------------------------------


async def test_the_public_render_needs_no_token_and_shows_only_public_parameters(
    editor: Caller, http: httpx.AsyncClient, services: Services
) -> None:
    board, (by_region, by_units) = await sales_board(editor, services)
    link = await published(editor, board["id"])

    everything = await public_render(http, link["slug"])
    in_eu = await public_render(http, link["slug"], "?param.region=EU")

    for response in (everything, in_eu):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
    body = everything.json()
    # min_units is not public: neither settable nor shown
    assert body["dashboard"] == {
        "id": board["id"],
        "name": "Public sales",
        "parameters": {"region": None},
    }
    assert body["page"] == 1
    assert len(rows_of(body, by_region)) == 3
    assert rows_of(body, by_units) == [{"orders": 6}]  # min_units' default applies
    eu = in_eu.json()
    assert eu["dashboard"]["parameters"] == {"region": "EU"}
    assert rows_of(eu, by_region) == [{"region": "EU", "revenue": 200.5}]
    # the same as an editor sees it, but for the private parameter's value
    authenticated = await editor.request(
        "GET", f"/api/dashboards/{board['id']}/render?param.region=EU"
    )
    assert authenticated.json()["dashboard"]["parameters"] == {"region": "EU", "min_units": 0}
    assert card_of(authenticated.json(), by_region)["data"] == card_of(eu, by_region)["data"]


async def test_only_public_parameters_may_be_set_and_unknown_ones_look_the_same(
    editor: Caller, http: httpx.AsyncClient, services: Services
) -> None:
    board, _cards = await sales_board(editor, services)
    link = await published(editor, board["id"])

    private = await public_render(http, link["slug"], "?param.min_units=3")
    undeclared = await public_render(http, link["slug"], "?param.min_unitz=3")

    private_body = assert_error(private, 422, "invalid", code="INVALID", field="param.min_units")
    undeclared_body = assert_error(
        undeclared, 422, "invalid", code="INVALID", field="param.min_unitz"
    )
    assert private_body["message"].replace("min_units", "NAME") == (
        undeclared_body["message"].replace("min_unitz", "NAME")
    )
    assert "region" not in private_body["message"]  # the declared names do not leak
    assert private.headers["cache-control"] == "no-store"


async def test_the_public_render_takes_pages_like_the_authenticated_one(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor)
    link = await published(editor, board["id"])

    bad = await public_render(http, link["slug"], "?page=abc")
    missing = await public_render(http, link["slug"], "?page=2")

    assert_error(bad, 400, "invalid_query", code="INVALID_QUERY", field="page")
    assert_error(missing, 404, "page_not_found", code="NOT_FOUND")
    assert bad.headers["cache-control"] == "no-store"


async def test_an_authorization_header_changes_nothing_on_the_public_render(
    editor: Caller, outsider: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor, "Shared")
    link = await published(editor, board["id"])

    as_outsider = await outsider.request("GET", link["url"])
    with_junk = await http.get(link["url"], headers={"Authorization": "Bearer junk"})

    for response in (as_outsider, with_junk):
        assert response.status_code == 200, response.text
        assert response.json()["dashboard"]["name"] == "Shared"


@pytest.mark.parametrize(
    "slug",
    [
        secrets.token_urlsafe(24),
        "short",
        "x" * 65,
        "not a slug at all, with spaces ok",
        "a" * 32 + "%27--",
    ],
)
async def test_a_slug_that_was_never_given_out_is_not_found(
    http: httpx.AsyncClient, slug: str
) -> None:
    response = await public_render(http, slug)

    assert_error(response, 404, "dashboard_not_found", code="NOT_FOUND")


async def test_the_slug_opens_nothing_but_the_public_render(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor)
    slug = (await published(editor, board["id"]))["slug"]

    for path in (
        f"/api/dashboards/{slug}",
        f"/api/dashboards/{slug}/render",
        f"/api/dashboards/{slug}/cards",
        f"/api/dashboards/{slug}/shares",
    ):
        with_token = await editor.request("GET", path)
        without = await http.get(path)
        assert with_token.status_code in (404, 405), (path, with_token.text)
        assert without.status_code in (401, 404, 405), (path, without.text)
    for path in (f"/api/public/dashboards/{slug}", f"/api/public/dashboards/{slug}/cards"):
        assert (await http.get(path)).status_code == 404, path
    for method in ("POST", "PATCH", "DELETE"):
        response = await http.request(method, f"/api/public/dashboards/{slug}/render")
        assert response.status_code == 405, (method, response.text)
    assert (await http.get(f"/api/public/dashboards/{slug}/render")).status_code == 200


# --- who may publish, and who sees the link ---------------------------------------------------


async def test_another_tenant_can_neither_publish_nor_revoke(
    editor: Caller, outsider: Caller
) -> None:
    board = await new_board(editor)
    link = await published(editor, board["id"])

    for response in (
        await publish(outsider, board["id"]),
        await revoke(outsider, board["id"]),
        await outsider.request("GET", f"/api/dashboards/{board['id']}"),
    ):
        assert_error(response, 404, "dashboard_not_found", code="NOT_FOUND")
    assert (await read(editor, board["id"]))["public_link"] == link


async def test_publishing_needs_a_valid_token(editor: Caller, http: httpx.AsyncClient) -> None:
    board = await new_board(editor)
    expired = Caller(http, editor.tenant, user="alice", ttl=-100)
    url = f"/api/dashboards/{board['id']}/public"

    for response in (
        await http.post(url),
        await http.delete(url),
        await publish(expired, board["id"]),
        await revoke(expired, board["id"]),
    ):
        assert_error(response, 401, "unauthenticated", code="UNAUTHENTICATED")
    assert (await read(editor, board["id"]))["public_link"] is None


async def test_who_may_publish_and_revoke(editor: Caller, reader: Caller, admin: Caller) -> None:
    # given a dashboard every member sees, owned by the editor
    board = await new_board(editor)
    other_editor = editor.peer(user="bob")
    granted = editor.peer(user="gina", scopes=())
    assert (await share(editor, board["id"], "gina", "editor")).status_code == 201
    hidden = await new_board(editor, "Hidden", role_ids=[9])

    # a reader and an editor who neither own it nor hold an editor grant: forbidden
    for caller in (reader, other_editor):
        assert_error(await publish(caller, board["id"]), 403, "permission_denied")
        assert_error(await revoke(caller, board["id"]), 403, "permission_denied")
    # a dashboard the reader does not see: not found
    assert_error(await publish(reader, hidden["id"]), 404, "dashboard_not_found")
    # an editor grant (without any scope) and an admin may
    assert (await publish(granted, board["id"])).status_code == 201
    assert (await revoke(admin, board["id"])).status_code == 204
    assert (await publish(admin, board["id"])).status_code == 201
    assert (await revoke(granted, board["id"])).status_code == 204


async def test_the_full_read_shows_the_link_to_those_who_may_manage_it(
    editor: Caller, reader: Caller, admin: Caller
) -> None:
    board = await new_board(editor)
    other_editor = editor.peer(user="bob")
    granted = editor.peer(user="gina", scopes=())
    grouped = editor.peer(user="gus", scopes=(), groups=("ops",))
    viewer = editor.peer(user="vera", scopes=())
    assert (await share(editor, board["id"], "gina", "editor")).status_code == 201
    assert (await share(editor, board["id"], "ops", "editor", "group")).status_code == 201
    assert (await share(editor, board["id"], "vera", "viewer")).status_code == 201
    assert (await read(editor, board["id"]))["public_link"] is None

    link = await published(editor, board["id"])

    for caller in (editor, granted, grouped, admin):
        assert (await read(caller, board["id"]))["public_link"] == link, caller.user
    for caller in (reader, other_editor, viewer):
        assert (await read(caller, board["id"]))["public_link"] is None, caller.user
