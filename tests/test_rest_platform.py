"""The dashboard-editing REST dialect of seed 002: collections, dashboards (list, full read
with ETag, create, update with If-Match, delete, duplicate) and shares. Cards, layout,
pages, access on every route and bad input are in test_rest_platform_content.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.services import Services
from db.models import dashboard_widgets, pages, placements, share_grants
from tests.conftest import Caller

ERROR_KEYS = {"error", "message", "code", "field", "details", "current_version"}
SUMMARY_KEYS = {
    "id",
    "code",
    "name",
    "description",
    "collection_id",
    "is_active",
    "is_default",
    "role_ids",
    "owner_id",
    "version",
    "created_at",
    "updated_at",
}
BAR = {"x_axis": "month", "y_axis": "revenue", "title": "Revenue"}


# --- helpers ---------------------------------------------------------------------------------


def assert_error(
    response: httpx.Response,
    status: int,
    error: str,
    *,
    code: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """An error of this dialect: `error` the snake name, a non-empty `message`, a `code`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert set(body) <= ERROR_KEYS, body
    assert body["error"] == error, body
    assert isinstance(body["message"], str), body
    assert body["message"], body
    assert isinstance(body["code"], str), body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


async def new_board(caller: Caller, name: str = "Sales overview", **fields: Any) -> dict[str, Any]:
    response = await caller.request("POST", "/api/dashboards", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    board: dict[str, Any] = response.json()
    return board


async def read(caller: Caller, board_id: int) -> dict[str, Any]:
    """The full dashboard, checking that its ETag names its version."""
    response = await caller.request("GET", f"/api/dashboards/{board_id}")
    assert response.status_code == 200, response.text
    board: dict[str, Any] = response.json()
    assert response.headers["etag"] == f'"v{board["version"]}"'
    return board


async def add_card(
    caller: Caller,
    board_id: int,
    x: int = 0,
    y: int = 0,
    w: int = 4,
    h: int = 3,
    *,
    card_type: str = "bar_chart",
    config: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    response = await caller.request(
        "POST",
        f"/api/dashboards/{board_id}/cards",
        json={
            "card_type": card_type,
            "config": BAR if config is None else config,
            "layout": {"x": x, "y": y, "w": w, "h": h},
            **fields,
        },
    )
    assert response.status_code == 201, response.text
    card: dict[str, Any] = response.json()
    return card


async def add_page(caller: Caller, board_id: int, name: str, **fields: Any) -> dict[str, Any]:
    response = await caller.request(
        "POST", f"/api/dashboards/{board_id}/pages", json={"name": name, **fields}
    )
    assert response.status_code == 201, response.text
    page: dict[str, Any] = response.json()
    return page


async def share(
    caller: Caller, board_id: int, subject_id: str, level: str = "viewer", subject: str = "user"
) -> httpx.Response:
    return await caller.request(
        "POST",
        f"/api/dashboards/{board_id}/shares",
        json={"subject_type": subject, "subject_id": subject_id, "access_level": level},
    )


async def new_collection(caller: Caller, name: str, **fields: Any) -> dict[str, Any]:
    response = await caller.request(
        "POST", "/api/dashboards/collections", json={"name": name, **fields}
    )
    assert response.status_code == 201, response.text
    collection: dict[str, Any] = response.json()
    return collection


async def collections_of(caller: Caller) -> list[dict[str, Any]]:
    response = await caller.request("GET", "/api/dashboards/collections")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["collections"]
    return items


def cards_of(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [card for page in board["pages"] for card in page["cards"]]


# --- collections -----------------------------------------------------------------------------


async def test_collections_are_created_listed_renamed_and_moved(editor: Caller) -> None:
    # when
    root = await new_collection(editor, "Finance", description="Money")
    child = await new_collection(editor, "Quarterly", parent_id=root["id"])

    # then
    assert set(root) == {"id", "name", "description", "parent_id", "created_at", "updated_at"}
    assert (root["name"], root["description"], root["parent_id"]) == ("Finance", "Money", None)
    assert child["parent_id"] == root["id"]
    assert await collections_of(editor) == [root, child]

    # when renamed, then moved to the top
    renamed = await editor.request(
        "PATCH", f"/api/dashboards/collections/{child['id']}", json={"name": "Q-reports"}
    )
    moved = await editor.request(
        "PATCH", f"/api/dashboards/collections/{child['id']}", json={"parent_id": None}
    )

    # then
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Q-reports"
    assert renamed.json()["parent_id"] == root["id"]
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] is None
    listed = {c["id"]: c for c in await collections_of(editor)}
    assert (listed[child["id"]]["name"], listed[child["id"]]["parent_id"]) == ("Q-reports", None)
    assert listed[root["id"]] == root


async def test_moving_a_collection_under_its_descendant_is_422(editor: Caller) -> None:
    top = await new_collection(editor, "Top")
    middle = await new_collection(editor, "Middle", parent_id=top["id"])
    bottom = await new_collection(editor, "Bottom", parent_id=middle["id"])
    before = await collections_of(editor)

    for target in (bottom["id"], top["id"]):
        response = await editor.request(
            "PATCH", f"/api/dashboards/collections/{top['id']}", json={"parent_id": target}
        )
        assert_error(response, 422, "invalid", code="INVALID", field="parent_id")

    assert await collections_of(editor) == before


async def test_collection_errors(editor: Caller, outsider: Caller) -> None:
    foreign = await new_collection(outsider, "Theirs")
    mine = await new_collection(editor, "Mine")
    before = await collections_of(editor)
    base = "/api/dashboards/collections"

    assert_error(
        await editor.request("POST", base, json={"name": "x", "parent_id": foreign["id"]}),
        422,
        "unknown_reference",
        field="parent_id",
    )
    assert_error(
        await editor.request("POST", base, json={"name": "  "}), 422, "required", field="name"
    )
    assert_error(
        await editor.request("POST", base, json={"name": "n" * 101}), 422, "too_long", field="name"
    )
    assert_error(
        await editor.request("POST", base, json={"name": "Mine"}),
        409,
        "already_exists",
        field="name",
    )
    assert_error(
        await editor.request("PATCH", f"{base}/{foreign['id']}", json={"name": "stolen"}),
        404,
        "collection_not_found",
    )
    assert_error(
        await editor.request("PATCH", f"{base}/{mine['id']}", json={"parent_id": foreign["id"]}),
        422,
        "unknown_reference",
        field="parent_id",
    )
    assert_error(
        await editor.request("DELETE", f"{base}/{foreign['id']}"), 404, "collection_not_found"
    )
    assert_error(await editor.request("DELETE", f"{base}/abc"), 404, "collection_not_found")
    assert await collections_of(editor) == before
    assert await collections_of(outsider) == [foreign]


async def test_deleting_a_collection_needs_it_empty(editor: Caller) -> None:
    # given a collection holding a dashboard, and one holding a collection
    holder = await new_collection(editor, "Holder")
    board = await new_board(editor, collection_id=holder["id"])
    parent = await new_collection(editor, "Parent")
    child = await new_collection(editor, "Child", parent_id=parent["id"])

    # when / then
    for full in (holder, parent):
        response = await editor.request("DELETE", f"/api/dashboards/collections/{full['id']}")
        assert_error(response, 409, "collection_not_empty", code="NOT_EMPTY")
    assert {c["id"] for c in await collections_of(editor)} == {
        holder["id"],
        parent["id"],
        child["id"],
    }
    assert (await read(editor, board["id"]))["collection_id"] == holder["id"]

    # when emptied
    for gone in (child, parent):
        response = await editor.request("DELETE", f"/api/dashboards/collections/{gone['id']}")
        assert response.status_code == 204, response.text
        assert response.content == b""

    assert [c["id"] for c in await collections_of(editor)] == [holder["id"]]


async def test_collections_of_another_tenant_are_invisible(
    editor: Caller, outsider: Caller
) -> None:
    theirs = await new_collection(outsider, "Secret")
    await new_board(outsider, collection_id=theirs["id"])

    assert await collections_of(editor) == []
    listed = await editor.request("GET", f"/api/dashboards?collection_id={theirs['id']}")
    assert listed.json()["total"] == 0
    response = await editor.request(
        "POST", "/api/dashboards", json={"name": "x", "collection_id": theirs["id"]}
    )
    assert_error(response, 422, "unknown_reference", field="collection_id")


# --- dashboards: create, read, list ----------------------------------------------------------


async def test_create_returns_the_full_dashboard_with_a_derived_code(editor: Caller) -> None:
    folder = await new_collection(editor, "Folder")

    response = await editor.request(
        "POST",
        "/api/dashboards",
        json={
            "name": "Q4 Revenue!",
            "collection_id": folder["id"],
            "parameters": {"region": {"type": "string", "default": "EU"}},
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == SUMMARY_KEYS | {"parameters", "pages", "shares", "public_link"}
    assert body["public_link"] is None
    assert body["code"] == "q4-revenue"
    assert body["name"] == "Q4 Revenue!"
    assert body["collection_id"] == folder["id"]
    assert body["parameters"] == {"region": {"type": "string", "default": "EU"}}
    assert body["owner_id"] == "alice"
    assert body["version"] == 1
    assert (body["is_active"], body["is_default"], body["role_ids"]) == (True, False, [])
    assert [(p["name"], p["position"], p["cards"]) for p in body["pages"]] == [("Page 1", 1, [])]
    assert body["shares"] == []
    assert response.headers["location"] == f"/api/dashboards/{body['id']}"
    assert response.headers["etag"] == '"v1"'
    assert await read(editor, body["id"]) == body


async def test_a_taken_derived_code_gets_a_suffix(editor: Caller) -> None:
    first = await new_board(editor, "Ops")
    second = await new_board(editor, "Ops")

    assert first["code"] == "ops"
    assert second["code"].startswith("ops-")
    assert second["id"] != first["id"]


async def test_an_explicit_code_that_is_taken_is_409_and_creates_nothing(editor: Caller) -> None:
    await new_board(editor, "First", code="ops")

    response = await editor.request(
        "POST", "/api/dashboards", json={"name": "Second", "code": "ops"}
    )

    assert_error(response, 409, "already_exists", code="ALREADY_EXISTS", field="code")
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 1


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({}, "invalid", "name"),
        ({"name": ""}, "required", "name"),
        ({"name": "n" * 51}, "too_long", "name"),
        ({"name": "x", "collection_id": 999999999}, "unknown_reference", "collection_id"),
        ({"name": "x", "parameters": None}, "invalid", "parameters"),
        ({"name": "x", "parameters": {"k": "v" * 70_000}}, "too_long", "parameters"),
        ({"name": "x", "role_ids": [0]}, "invalid", "role_ids[0]"),
    ],
)
async def test_invalid_creates_are_422_and_create_nothing(
    editor: Caller, body: dict[str, Any], error: str, field: str
) -> None:
    response = await editor.request("POST", "/api/dashboards", json=body)

    assert_error(response, 422, error, field=field)
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 0


async def test_the_seed_000_body_on_the_same_route_still_creates(editor: Caller) -> None:
    body = {"data": {"type": "dashboards", "attributes": {"code": "wh", "name": "Warehouse"}}}

    response = await editor.request("POST", "/api/dashboards", json=body)

    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id"}
    board = await read(editor, response.json()["id"])
    assert (board["code"], board["name"]) == ("wh", "Warehouse")


async def test_get_returns_the_full_config(editor: Caller) -> None:
    # given a dashboard with two pages, cards on both and a share grant
    board = await new_board(editor, parameters={"year": 2024})
    first = await add_card(editor, board["id"])
    second_page = await add_page(editor, board["id"], "Details")
    second = await add_card(
        editor, board["id"], 0, 0, 12, 2, card_type="text", config={"content": "Hi"}, page=2
    )
    grant = (await share(editor, board["id"], "bob")).json()

    # when
    full = await read(editor, board["id"])

    # then
    assert full["parameters"] == {"year": 2024}
    assert full["version"] == 5
    assert [(p["name"], p["position"]) for p in full["pages"]] == [("Page 1", 1), ("Details", 2)]
    assert full["pages"][1]["id"] == second_page["id"]
    assert full["pages"][0]["cards"] == [first]
    assert full["pages"][1]["cards"] == [second]
    assert first == {
        "card_id": first["card_id"],
        "card_type": "bar_chart",
        "name": "Revenue",
        "config": BAR,
        "layout": {"x": 0, "y": 0, "w": 4, "h": 3},
        "widget_id": first["widget_id"],
        "data_source": None,
    }
    assert full["shares"] == [grant]


async def test_if_none_match_with_the_current_tag_is_304(editor: Caller) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"

    fresh = await editor.request("GET", url, headers={"If-None-Match": '"v1"'})
    stale = await editor.request("GET", url, headers={"If-None-Match": '"v0", "v7"'})

    assert fresh.status_code == 304
    assert fresh.content == b""
    assert fresh.headers["etag"] == '"v1"'
    assert stale.status_code == 200
    assert stale.json()["id"] == board["id"]


async def test_unknown_dashboard_ids_are_404(editor: Caller) -> None:
    for raw in ("999999999", "0", "-1", "abc", "9" * 30):
        response = await editor.request("GET", f"/api/dashboards/{raw}")
        assert_error(response, 404, "dashboard_not_found", code="NOT_FOUND")


async def test_list_filters_by_collection_and_search(editor: Caller) -> None:
    folder = await new_collection(editor, "Folder")
    a = await new_board(editor, "Revenue", collection_id=folder["id"])
    b = await new_board(editor, "Costs", description="Includes REVENUE leakage")
    c = await new_board(editor, "Headcount", collection_id=folder["id"])

    async def ids(query: str) -> tuple[list[int], int]:
        response = await editor.request("GET", f"/api/dashboards{query}")
        assert response.status_code == 200, response.text
        body = response.json()
        # seed 004's members ride along: the same page as `value`, `count` equal to `total`
        assert set(body) == {"dashboards", "total", "limit", "offset", "value", "count"}
        assert [v["id"] for v in body["value"]] == [
            f"dashboard_{d['id']}" for d in body["dashboards"]
        ]
        assert body["count"] == body["total"]
        return [d["id"] for d in body["dashboards"]], body["total"]

    assert await ids("") == ([a["id"], b["id"], c["id"]], 3)
    assert await ids(f"?collection_id={folder['id']}") == ([a["id"], c["id"]], 2)
    assert await ids("?q=revenue") == ([a["id"], b["id"]], 2)
    assert await ids(f"?q=revenue&collection_id={folder['id']}") == ([a["id"]], 1)
    assert await ids("?q=100%25") == ([], 0)
    response = await editor.request("GET", "/api/dashboards")
    assert set(response.json()["dashboards"][0]) == SUMMARY_KEYS


async def test_list_pages_with_limit_and_offset(editor: Caller) -> None:
    made = [(await new_board(editor, f"Board {n}"))["id"] for n in range(23)]

    default = (await editor.request("GET", "/api/dashboards")).json()
    second = (await editor.request("GET", "/api/dashboards?limit=5&offset=20")).json()
    beyond = (await editor.request("GET", "/api/dashboards?offset=40")).json()
    most = (await editor.request("GET", "/api/dashboards?limit=100")).json()

    assert (default["limit"], default["offset"], default["total"]) == (20, 0, 23)
    assert [d["id"] for d in default["dashboards"]] == made[:20]
    assert [d["id"] for d in second["dashboards"]] == made[20:]
    assert (second["limit"], second["offset"], second["total"]) == (5, 20, 23)
    assert (beyond["dashboards"], beyond["total"]) == ([], 23)
    assert len(most["dashboards"]) == 23


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=2.5", "limit"),
        ("offset=x", "offset"),
        ("offset=-3", "offset"),
        ("limit=99999999999999999999", "limit"),
        ("collection_id=abc", "collection_id"),
    ],
)
async def test_bad_list_queries_are_400(editor: Caller, query: str, field: str) -> None:
    response = await editor.request("GET", f"/api/dashboards?{query}")

    assert_error(response, 400, "invalid_query", code="INVALID_QUERY", field=field)


async def test_a_limit_over_100_is_400_even_with_leading_zeros(editor: Caller) -> None:
    """BUG: _query_int compares only the first 10 characters with the maximum, so a limit
    written with leading zeros passes the check and the list returns more than 100."""
    response = await editor.request("GET", "/api/dashboards?limit=00000000000500")

    assert_error(response, 400, "invalid_query", field="limit")


@pytest.mark.parametrize(
    "query",
    [
        "collection_id=99999999999999999999",
        "offset=000000000099999999999999999999",
    ],
)
async def test_out_of_range_list_queries_are_400_not_500(editor: Caller, query: str) -> None:
    """BUG: a number beyond the bigint range passes _query_int's 10-character check and
    reaches PostgreSQL, which refuses it: a 500."""
    response = await editor.request("GET", f"/api/dashboards?{query}")

    assert_error(response, 400, "invalid_query")


async def test_the_list_shows_only_what_the_caller_may_see(editor: Caller, reader: Caller) -> None:
    open_board = await new_board(editor, "Open")
    await new_board(editor, "Restricted", role_ids=[42])
    allowed = reader.peer(user="rita", scopes=(), roles=(42,))

    seen = (await reader.request("GET", "/api/dashboards")).json()
    seen_with_role = (await allowed.request("GET", "/api/dashboards")).json()

    assert ([d["id"] for d in seen["dashboards"]], seen["total"]) == ([open_board["id"]], 1)
    assert seen_with_role["total"] == 2


# --- dashboards: update, delete, duplicate ---------------------------------------------------


async def test_patch_updates_fields_and_answers_a_new_etag(editor: Caller) -> None:
    board = await new_board(editor)

    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}",
        json={
            "name": "Renamed",
            "description": "Now with a description",
            "parameters": {"region": "EU"},
            "default_audience": [3, 1, 3],
        },
        headers={"If-Match": '"v1"'},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == SUMMARY_KEYS | {"parameters"}
    assert body["version"] == 2
    assert response.headers["etag"] == '"v2"'
    assert (body["name"], body["description"]) == ("Renamed", "Now with a description")
    assert (body["parameters"], body["role_ids"]) == ({"region": "EU"}, [1, 3])
    full = await read(editor, board["id"])
    assert {k: full[k] for k in body} == body
    assert full["code"] == board["code"]


async def test_default_audience_decides_who_sees_the_dashboard(
    editor: Caller, reader: Caller
) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"

    restricted = await editor.request("PATCH", url, json={"default_audience": [7]})
    assert restricted.json()["role_ids"] == [7]
    assert_error(await reader.request("GET", url), 404, "dashboard_not_found")
    assert (
        await reader.peer(user="rita", scopes=(), roles=(7,)).request("GET", url)
    ).status_code == 200

    everyone = await editor.request("PATCH", url, json={"default_audience": []})
    assert everyone.json()["role_ids"] == []
    assert (await reader.request("GET", url)).status_code == 200


async def test_an_inactive_dashboard_is_hidden_from_readers(editor: Caller, reader: Caller) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"

    response = await editor.request("PATCH", url, json={"is_active": False})

    assert response.status_code == 200, response.text
    assert_error(await reader.request("GET", url), 404, "dashboard_not_found")
    assert (await reader.request("GET", "/api/dashboards")).json()["total"] == 0
    assert (await editor.request("GET", url)).status_code == 200


async def test_a_stale_if_match_is_409_and_changes_nothing(editor: Caller) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"
    assert (await editor.request("PATCH", url, json={"name": "Second"})).status_code == 200
    before = await read(editor, board["id"])

    for method, path, body in [
        ("PATCH", url, {"name": "Lost update"}),
        ("DELETE", url, None),
        ("POST", f"{url}/cards", {"card_type": "text", "layout": {"x": 0, "y": 0, "w": 1, "h": 1}}),
        ("POST", f"{url}/pages", {"name": "Lost"}),
        (
            "POST",
            f"{url}/shares",
            {"subject_type": "user", "subject_id": "x", "access_level": "viewer"},
        ),
    ]:
        response = await editor.request(method, path, json=body, headers={"If-Match": '"v1"'})
        error = assert_error(response, 409, "version_conflict", code="VERSION_CONFLICT")
        assert error["current_version"] == 2

    assert await read(editor, board["id"]) == before


@pytest.mark.parametrize("tag", ["v1", "1", '"1"', '"vx"', "garbage", '"v1'])
async def test_a_malformed_if_match_is_400(editor: Caller, tag: str) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH", f"/api/dashboards/{board['id']}", json={"name": "New"}, headers={"If-Match": tag}
    )

    assert_error(response, 400, "invalid_if_match", code="INVALID_IF_MATCH")
    assert await read(editor, board["id"]) == before


async def test_if_match_star_always_matches(editor: Caller) -> None:
    board = await new_board(editor)

    response = await editor.request(
        "PATCH", f"/api/dashboards/{board['id']}", json={"name": "New"}, headers={"If-Match": "*"}
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({"name": "n" * 51}, "too_long", "name"),
        ({"name": " "}, "required", "name"),
        ({"name": None}, "required", "name"),
        ({"description": "d" * 256}, "too_long", "description"),
        ({"parameters": None}, "invalid", "parameters"),
        ({"default_audience": [0]}, "invalid", "default_audience[0]"),
        ({"default_audience": ["1"]}, "invalid", "default_audience[0]"),
        ({"default_audience": 1}, "invalid", "default_audience"),
        ({"name": 5}, "invalid", "name"),
        ({"parameters": []}, "invalid", "parameters"),
        ({"layout": []}, "invalid", "layout"),
        ({"collection_id": 999999999}, "unknown_reference", "collection_id"),
    ],
)
async def test_invalid_patches_are_422_and_change_nothing(
    editor: Caller, body: dict[str, Any], error: str, field: str
) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])

    response = await editor.request("PATCH", f"/api/dashboards/{board['id']}", json=body)

    assert_error(response, 422, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_delete_removes_the_dashboard_with_its_content(
    editor: Caller, services: Services
) -> None:
    board = await new_board(editor)
    await add_card(editor, board["id"])
    await add_page(editor, board["id"], "Two")
    await add_card(editor, board["id"], page=2)
    assert (await share(editor, board["id"], "bob")).status_code == 201
    widget_ids = [c["widget_id"] for c in cards_of(await read(editor, board["id"]))]

    response = await editor.request("DELETE", f"/api/dashboards/{board['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(
        await editor.request("GET", f"/api/dashboards/{board['id']}"), 404, "dashboard_not_found"
    )
    assert_error(
        await editor.request("DELETE", f"/api/dashboards/{board['id']}"), 404, "dashboard_not_found"
    )
    async with services.db.engine.connect() as conn:
        for table in (pages, placements, share_grants):
            count = await conn.scalar(
                select(func.count()).select_from(table).where(table.c.dashboard_id == board["id"])
            )
            assert count == 0, table.name
        widgets = await conn.scalar(
            select(func.count())
            .select_from(dashboard_widgets)
            .where(dashboard_widgets.c.id.in_(widget_ids))
        )
        assert widgets == 0


async def test_duplicate_copies_pages_and_cards(editor: Caller) -> None:
    # given
    board = await new_board(editor, "Source", parameters={"a": 1})
    await add_card(editor, board["id"], 0, 0, 6, 2)
    await add_page(editor, board["id"], "Second")
    await add_card(
        editor, board["id"], 2, 1, 3, 3, card_type="kpi_card", config={"metric": "m"}, page=2
    )
    assert (await share(editor, board["id"], "bob")).status_code == 201
    source = await read(editor, board["id"])

    # when
    response = await editor.request("POST", f"/api/dashboards/{board['id']}/duplicate")

    # then
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id"}
    assert response.headers["location"] == f"/api/dashboards/{response.json()['id']}"
    copy = await read(editor, response.json()["id"])
    assert copy["id"] != source["id"]
    assert copy["name"] == "Copy of Source"
    assert copy["parameters"] == {"a": 1}
    assert copy["shares"] == []

    def shape(full: dict[str, Any]) -> list[Any]:
        return [
            (
                p["name"],
                p["position"],
                [(c["card_type"], c["name"], c["config"], c["layout"]) for c in p["cards"]],
            )
            for p in full["pages"]
        ]

    assert shape(copy) == shape(source)
    assert not {c["card_id"] for c in cards_of(copy)} & {c["card_id"] for c in cards_of(source)}
    assert not {c["widget_id"] for c in cards_of(copy)} & {c["widget_id"] for c in cards_of(source)}
    assert await read(editor, board["id"]) == source


async def test_duplicate_takes_an_optional_name(editor: Caller) -> None:
    board = await new_board(editor)

    named = await editor.request(
        "POST", f"/api/dashboards/{board['id']}/duplicate", json={"name": "Mine"}
    )
    missing = await editor.request("POST", "/api/dashboards/999999999/duplicate")
    blank = await editor.request(
        "POST", f"/api/dashboards/{board['id']}/duplicate", json={"name": ""}
    )

    assert named.status_code == 201, named.text
    assert (await read(editor, named.json()["id"]))["name"] == "Mine"
    assert_error(missing, 404, "dashboard_not_found")
    assert_error(blank, 422, "required", field="name")


# --- shares ----------------------------------------------------------------------------------


async def test_shares_are_added_upserted_listed_and_revoked(editor: Caller) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}/shares"

    first = await share(editor, board["id"], "bob", "viewer")
    again = await share(editor, board["id"], "bob", "editor")
    group = await share(editor, board["id"], "analysts", "commenter", subject="group")

    assert first.status_code == 201, first.text
    grant = first.json()
    assert set(grant) == {
        "share_id",
        "subject_type",
        "subject_id",
        "access_level",
        "granted_by",
        "created_at",
        "updated_at",
    }
    assert (grant["subject_type"], grant["subject_id"], grant["access_level"]) == (
        "user",
        "bob",
        "viewer",
    )
    assert grant["granted_by"] == "alice"
    assert again.status_code == 200, again.text
    assert again.json()["share_id"] == grant["share_id"]
    assert again.json()["access_level"] == "editor"
    assert group.status_code == 201, group.text

    listed = await editor.request("GET", url)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"shares": [again.json(), group.json()]}

    revoked = await editor.request("DELETE", f"{url}/{grant['share_id']}")
    assert revoked.status_code == 204, revoked.text
    assert (await editor.request("GET", url)).json() == {"shares": [group.json()]}
    assert_error(
        await editor.request("DELETE", f"{url}/{grant['share_id']}"), 404, "share_not_found"
    )
    assert_error(await editor.request("DELETE", f"{url}/0"), 404, "share_not_found")


async def test_a_share_of_another_dashboard_cannot_be_revoked_here(editor: Caller) -> None:
    one = await new_board(editor, "One")
    other = await new_board(editor, "Other")
    grant = (await share(editor, other["id"], "bob")).json()
    before = await read(editor, other["id"])

    response = await editor.request(
        "DELETE", f"/api/dashboards/{one['id']}/shares/{grant['share_id']}"
    )

    assert_error(response, 404, "share_not_found")
    assert await read(editor, other["id"]) == before


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        (
            {"subject_type": "role", "subject_id": "x", "access_level": "viewer"},
            "invalid",
            "subject_type",
        ),
        (
            {"subject_type": "user", "subject_id": "x", "access_level": "owner"},
            "invalid",
            "access_level",
        ),
        (
            {"subject_type": "user", "subject_id": " ", "access_level": "viewer"},
            "required",
            "subject_id",
        ),
        (
            {"subject_type": "user", "subject_id": "x" * 256, "access_level": "viewer"},
            "too_long",
            "subject_id",
        ),
        (
            {"subject_type": "user", "subject_id": 5, "access_level": "viewer"},
            "invalid",
            "subject_id",
        ),
        ({"subject_type": "user", "access_level": "viewer"}, "invalid", "subject_id"),
    ],
)
async def test_invalid_shares_are_422_and_change_nothing(
    editor: Caller, body: dict[str, Any], error: str, field: str
) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])

    response = await editor.request("POST", f"/api/dashboards/{board['id']}/shares", json=body)

    assert_error(response, 422, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_a_viewer_grantee_can_read_but_not_write(editor: Caller) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"
    await editor.request("PATCH", url, json={"default_audience": [99]})
    bob = editor.peer(user="bob", scopes=())
    assert_error(await bob.request("GET", url), 404, "dashboard_not_found")

    assert (await share(editor, board["id"], "bob", "viewer")).status_code == 201
    before = await read(editor, board["id"])

    assert (await bob.request("GET", url)).json()["id"] == board["id"]
    assert (await bob.request("GET", f"{url}/shares")).status_code == 200
    listed = (await bob.request("GET", "/api/dashboards")).json()
    assert [d["id"] for d in listed["dashboards"]] == [board["id"]]
    response = await bob.request("PATCH", url, json={"name": "Mine now"})
    assert_error(response, 403, "permission_denied", code="FORBIDDEN")
    assert_error(await bob.request("DELETE", url), 403, "permission_denied")
    assert await read(editor, board["id"]) == before


async def test_a_group_editor_grant_lets_a_reader_edit(editor: Caller) -> None:
    board = await new_board(editor, role_ids=[99])
    url = f"/api/dashboards/{board['id']}"
    assert (await share(editor, board["id"], "analysts", "editor", "group")).status_code == 201
    member = editor.peer(user="gina", scopes=(), groups=("analysts",))

    response = await member.request("PATCH", url, json={"name": "By the group"})

    assert response.status_code == 200, response.text
    assert (await read(editor, board["id"]))["name"] == "By the group"


async def test_only_the_owner_or_a_manager_may_delete_or_share(
    editor: Caller, admin: Caller
) -> None:
    board = await new_board(editor)
    url = f"/api/dashboards/{board['id']}"
    colleague = editor.peer(user="bob")  # dashboard.edit, not the owner, no grant
    before = await read(editor, board["id"])

    # an editor-scope colleague may change content but not delete or share
    assert_error(await colleague.request("DELETE", url), 403, "permission_denied")
    assert_error(await share(colleague, board["id"], "carol"), 403, "permission_denied")
    assert await read(editor, board["id"]) == before
    assert (await colleague.request("PATCH", url, json={"name": "Shared work"})).status_code == 200

    # the owner may delete
    assert (await editor.request("DELETE", url)).status_code == 204
    # and an admin may delete someone else's
    other = await new_board(editor, "Other")
    assert (await admin.request("DELETE", f"/api/dashboards/{other['id']}")).status_code == 204


async def test_a_weak_etag_in_if_none_match_is_not_modified(editor: Caller) -> None:
    created = await editor.request("POST", "/api/dashboards", json={"name": "Weak"})
    dashboard_id = created.json()["id"]
    tag = created.headers["etag"]

    response = await editor.request(
        "GET", f"/api/dashboards/{dashboard_id}", headers={"If-None-Match": f"W/{tag}"}
    )

    assert response.status_code == 304
    assert response.headers["etag"] == tag


async def test_sending_the_same_grant_again_is_200_and_keeps_the_version(editor: Caller) -> None:
    created = await editor.request("POST", "/api/dashboards", json={"name": "Shared"})
    dashboard_id = created.json()["id"]
    grant = {"subject_type": "user", "subject_id": "zoe", "access_level": "viewer"}
    first = await editor.request("POST", f"/api/dashboards/{dashboard_id}/shares", json=grant)
    version = (await editor.request("GET", f"/api/dashboards/{dashboard_id}")).json()["version"]

    again = await editor.request("POST", f"/api/dashboards/{dashboard_id}/shares", json=grant)

    after = (await editor.request("GET", f"/api/dashboards/{dashboard_id}")).json()
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["share_id"] == first.json()["share_id"]
    assert after["version"] == version
    assert len(after["shares"]) == 1
