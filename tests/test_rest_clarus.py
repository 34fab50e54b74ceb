"""The Clarus REST dialect: seed 000 (POST /api/dashboards) and seed 001
(PUT /api/dashboards/{id}/widgets), read back through GraphQL."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.services import Services
from db.models import placements
from tests.conftest import Caller
from tests.helpers import DASHBOARD_COUNT, create_dashboard, create_widget

# The request body of seed 000, exactly as the seed shows it.
SEED_000_BODY: dict[str, Any] = {
    "data": {
        "type": "dashboards",
        "attributes": {
            "code": "warehouse-ops",
            "name": "Warehouse Operations",
            "description": "Day-to-day operational view",
            "is_active": True,
            "is_default": True,
            "role_ids": [1, 4],
        },
    }
}

BOARD = """
query Board($id: ID!) {
  dashboard(id: $id) {
    databaseId code name description isActive isDefault roleIds version
    placements { dashboardWidget { databaseId } position { x y w h } }
  }
}
"""


def dashboard_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "dashboards", "attributes": attributes}}


def placements_body(*placements: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"type": "dashboards", "attributes": {"placements": list(placements)}}}


def placement(widget_id: int, x: int = 0, y: int = 0, w: int = 2, h: int = 2) -> dict[str, Any]:
    return {"dashboard_widget_id": widget_id, "position": {"x": x, "y": y, "w": w, "h": h}}


async def post_dashboard(caller: Caller, body: Any, **kwargs: Any) -> httpx.Response:
    return await caller.request("POST", "/api/dashboards", json=body, **kwargs)


async def put_widgets(caller: Caller, dashboard_id: int | str, body: Any) -> httpx.Response:
    return await caller.request("PUT", f"/api/dashboards/{dashboard_id}/widgets", json=body)


async def read_board(caller: Caller, dashboard_id: int) -> dict[str, Any]:
    data = await caller.graphql(BOARD, {"id": str(dashboard_id)})
    board: dict[str, Any] = data["dashboard"]
    assert board is not None
    return board


async def dashboard_count(caller: Caller) -> int:
    data = await caller.graphql(DASHBOARD_COUNT)
    count: int = data["dashboards"]["totalCount"]
    return count


def assert_error(
    response: httpx.Response, status: int, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """A JSON error: `error` a non-empty string, `code` a string, and `field` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("error"), str), body
    assert body["error"], body
    assert isinstance(body.get("code"), str), body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


# --- seed 000: POST /api/dashboards ----------------------------------------------------------


async def test_seed_000_example_creates_the_dashboard(editor: Caller) -> None:
    # when
    response = await post_dashboard(editor, SEED_000_BODY)

    # then
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id"}
    assert isinstance(body["id"], int)
    assert not isinstance(body["id"], bool)
    assert body["id"] >= 1
    assert response.headers["location"] == f"/api/dashboards/{body['id']}"

    board = await read_board(editor, body["id"])
    assert board == {
        "databaseId": body["id"],
        "code": "warehouse-ops",
        "name": "Warehouse Operations",
        "description": "Day-to-day operational view",
        "isActive": True,
        "isDefault": True,
        "roleIds": [1, 4],
        "version": 1,
        "placements": [],
    }


async def test_optional_attributes_take_their_defaults(editor: Caller) -> None:
    response = await post_dashboard(editor, dashboard_body(code="minimal", name="Minimal"))

    assert response.status_code == 201, response.text
    board = await read_board(editor, response.json()["id"])
    assert board["code"] == "minimal"
    assert board["name"] == "Minimal"
    assert board["description"] is None
    assert board["isActive"] is True
    assert board["isDefault"] is False
    assert board["roleIds"] == []


async def test_a_new_default_clears_the_previous_one(editor: Caller) -> None:
    first = await post_dashboard(editor, dashboard_body(code="one", name="One", is_default=True))
    second = await post_dashboard(editor, dashboard_body(code="two", name="Two", is_default=True))

    assert (await read_board(editor, first.json()["id"]))["isDefault"] is False
    assert (await read_board(editor, second.json()["id"]))["isDefault"] is True


async def test_vnd_api_json_content_type_is_accepted(editor: Caller) -> None:
    response = await editor.request(
        "POST",
        "/api/dashboards",
        json=dashboard_body(code="vnd", name="Vnd"),
        headers={"Content-Type": "application/vnd.api+json"},
    )

    assert response.status_code == 201, response.text


async def test_ids_are_integers_that_increase(editor: Caller) -> None:
    first = await post_dashboard(editor, dashboard_body(code="a", name="A"))
    second = await post_dashboard(editor, dashboard_body(code="b", name="B"))

    assert second.json()["id"] > first.json()["id"]


@pytest.mark.parametrize(
    ("attributes", "code", "field"),
    [
        pytest.param({"code": "c" * 31}, "TOO_LONG", "data.attributes.code", id="code-31"),
        pytest.param({"name": "n" * 51}, "TOO_LONG", "data.attributes.name", id="name-51"),
        pytest.param(
            {"description": "d" * 256}, "TOO_LONG", "data.attributes.description", id="desc-256"
        ),
        pytest.param({"code": "   "}, "REQUIRED", "data.attributes.code", id="blank-code"),
        pytest.param({"name": ""}, "REQUIRED", "data.attributes.name", id="empty-name"),
        pytest.param({"code": "two words"}, "INVALID", "data.attributes.code", id="code-space"),
        pytest.param({"role_ids": [0]}, "INVALID", "data.attributes.role_ids[0]", id="role-0"),
        pytest.param(
            {"role_ids": [1, 2**31]}, "INVALID", "data.attributes.role_ids[1]", id="role-huge"
        ),
        pytest.param({"code": 42}, None, "data.attributes.code", id="code-number"),
        pytest.param({"is_active": "yes"}, None, "data.attributes.is_active", id="active-str"),
        pytest.param({"is_default": 1}, None, "data.attributes.is_default", id="default-int"),
        pytest.param({"role_ids": ["1"]}, None, "data.attributes.role_ids[0]", id="role-str"),
        pytest.param({"role_ids": [True]}, None, "data.attributes.role_ids[0]", id="role-bool"),
        pytest.param({"role_ids": 1}, None, "data.attributes.role_ids", id="roles-not-list"),
        pytest.param({"role_ids": [1.5]}, None, "data.attributes.role_ids[0]", id="role-float"),
        pytest.param({"description": 7}, None, "data.attributes.description", id="desc-number"),
        pytest.param({"is_defualt": True}, None, "data.attributes.is_defualt", id="typo"),
    ],
)
async def test_invalid_attributes_are_refused_with_422_and_nothing_is_written(
    editor: Caller, attributes: dict[str, Any], code: str | None, field: str
) -> None:
    # given
    body = copy.deepcopy(SEED_000_BODY)
    body["data"]["attributes"].update(attributes)

    # when
    response = await post_dashboard(editor, body)

    # then
    assert_error(response, 422, code, field)
    assert await dashboard_count(editor) == 0


@pytest.mark.parametrize("missing", ["code", "name"])
async def test_missing_required_attribute_is_422(editor: Caller, missing: str) -> None:
    body = copy.deepcopy(SEED_000_BODY)
    del body["data"]["attributes"][missing]

    response = await post_dashboard(editor, body)

    assert_error(response, 422, field=f"data.attributes.{missing}")
    assert await dashboard_count(editor) == 0


async def test_limits_are_inclusive(editor: Caller) -> None:
    response = await post_dashboard(
        editor, dashboard_body(code="c" * 30, name="n" * 50, description="d" * 255)
    )

    assert response.status_code == 201, response.text
    board = await read_board(editor, response.json()["id"])
    assert (len(board["code"]), len(board["name"]), len(board["description"])) == (30, 50, 255)


async def test_every_problem_is_listed_in_details(editor: Caller) -> None:
    response = await post_dashboard(
        editor, dashboard_body(code="c" * 31, name="n" * 51, description="d" * 256)
    )

    body = assert_error(response, 422, "TOO_LONG", "data.attributes.code")
    assert {(d["field"], d["code"]) for d in body["details"]} == {
        ("data.attributes.code", "TOO_LONG"),
        ("data.attributes.name", "TOO_LONG"),
        ("data.attributes.description", "TOO_LONG"),
    }


async def test_duplicate_code_in_the_tenant_is_409_and_changes_nothing(editor: Caller) -> None:
    # given a default dashboard with the code
    first = await post_dashboard(editor, SEED_000_BODY)
    assert first.status_code == 201, first.text

    # when the same code is posted again, also asking to become the default
    response = await post_dashboard(editor, SEED_000_BODY)

    # then
    assert_error(response, 409, "ALREADY_EXISTS", "data.attributes.code")
    assert await dashboard_count(editor) == 1
    board = await read_board(editor, first.json()["id"])
    assert board["isDefault"] is True
    assert board["version"] == 1


async def test_the_same_code_in_another_tenant_is_fine(editor: Caller, outsider: Caller) -> None:
    assert (await post_dashboard(editor, SEED_000_BODY)).status_code == 201

    response = await post_dashboard(outsider, SEED_000_BODY)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"data": {"type": "dashboards",', id="truncated"),
        pytest.param(b"{'data': 1}", id="single-quotes"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
    ],
)
async def test_malformed_json_is_400(editor: Caller, raw: bytes) -> None:
    response = await editor.request(
        "POST", "/api/dashboards", content=raw, headers={"Content-Type": "application/json"}
    )

    assert_error(response, 400, "MALFORMED_JSON")
    assert await dashboard_count(editor) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param([SEED_000_BODY], None, id="array"),
        pytest.param("dashboards", None, id="string"),
        pytest.param(None, None, id="null"),
        pytest.param(42, None, id="number"),
        # Without `data` the body is read as seed 002's plain create, which needs a name.
        pytest.param({}, "name", id="no-data"),
        pytest.param({"data": {"type": "dashboards"}}, "data.attributes", id="no-attributes"),
        pytest.param({"data": []}, "data", id="data-array"),
        pytest.param(
            {"data": {"type": "dashboards", "attributes": None}},
            "data.attributes",
            id="attributes-null",
        ),
        pytest.param(
            {"data": {"type": "widgets", "attributes": SEED_000_BODY["data"]["attributes"]}},
            "data.type",
            id="wrong-type",
        ),
        pytest.param(
            {"data": {"attributes": SEED_000_BODY["data"]["attributes"]}},
            "data.type",
            id="no-type",
        ),
        pytest.param({**SEED_000_BODY, "meta": {}}, "meta", id="unknown-top-level"),
    ],
)
async def test_wrong_envelope_is_422(editor: Caller, body: Any, field: str | None) -> None:
    # sent as raw JSON: httpx would send no body at all for `json=None`
    response = await editor.request(
        "POST",
        "/api/dashboards",
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )

    error = assert_error(response, 422)
    if field is not None:
        assert error["field"] == field, error
    assert await dashboard_count(editor) == 0


async def test_text_plain_is_415(editor: Caller) -> None:
    response = await editor.request(
        "POST",
        "/api/dashboards",
        content=json.dumps(SEED_000_BODY).encode(),
        headers={"Content-Type": "text/plain"},
    )

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert await dashboard_count(editor) == 0


async def test_body_above_one_mebibyte_is_413(editor: Caller) -> None:
    body = dashboard_body(code="big", name="Big", description="d" * (1024 * 1024))

    response = await post_dashboard(editor, body)

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert await dashboard_count(editor) == 0


async def test_streamed_body_above_one_mebibyte_is_413(editor: Caller) -> None:
    # A chunked body has no Content-Length: the limit must still apply while it streams.
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"data": {"type": "dashboards", "attributes": {"code": "big", "name": "B", '
        yield b'"description": "'
        for _ in range(17):
            yield b"d" * 65536
        yield b'"}}}'

    response = await editor.request(
        "POST", "/api/dashboards", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert await dashboard_count(editor) == 0


async def test_body_of_exactly_one_mebibyte_is_read(editor: Caller) -> None:
    prefix = b'{"data": {"type": "dashboards", "attributes": {"code": "c", "name": "N", '
    prefix += b'"description": "'
    suffix = b'"}}}'
    raw = prefix + b"d" * (1024 * 1024 - len(prefix) - len(suffix)) + suffix
    assert len(raw) == 1024 * 1024

    response = await editor.request(
        "POST", "/api/dashboards", content=raw, headers={"Content-Type": "application/json"}
    )

    # read and validated (the description is far too long), not refused for its size
    assert_error(response, 422, "TOO_LONG", "data.attributes.description")


async def test_a_reader_may_not_create(reader: Caller, editor: Caller) -> None:
    response = await post_dashboard(reader, SEED_000_BODY)

    assert_error(response, 403, "FORBIDDEN")
    assert await dashboard_count(editor) == 0


async def test_without_a_token_is_401(http: httpx.AsyncClient, editor: Caller) -> None:
    response = await http.post(
        "/api/dashboards", json=SEED_000_BODY, headers={"X-Clarus-Subdomain": editor.tenant}
    )

    assert_error(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await dashboard_count(editor) == 0


@pytest.mark.parametrize("attribute", ["code", "name", "description"])
async def test_text_with_a_nul_character_is_refused_not_500(editor: Caller, attribute: str) -> None:
    # PostgreSQL text cannot hold U+0000: the API must refuse it as bad input, not crash.
    attributes = {"code": "nul", "name": "Nul", attribute: "a\u0000b"}

    response = await post_dashboard(editor, dashboard_body(**attributes))

    assert_error(response, 422, field=f"data.attributes.{attribute}")
    assert await dashboard_count(editor) == 0


# --- seed 001: PUT /api/dashboards/{id}/widgets ----------------------------------------------


@pytest.fixture
async def board_id(editor: Caller) -> int:
    response = await post_dashboard(editor, SEED_000_BODY)
    assert response.status_code == 201, response.text
    dashboard_id: int = response.json()["id"]
    return dashboard_id


@pytest.fixture
async def widget_ids(editor: Caller) -> list[int]:
    return [
        (await create_widget(editor, name=f"W{i}", widget_type="KPI_CARD"))["databaseId"]
        for i in range(3)
    ]


def read_back(items: list[dict[str, Any]]) -> list[tuple[int, dict[str, int] | None]]:
    """GraphQL placements as (widget id, position) pairs, in order."""
    return [(p["dashboardWidget"]["databaseId"], p["position"]) for p in items]


async def test_seed_001_example_sets_the_placements(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    # given the seed's example body, with widget ids of this tenant
    first, second = widget_ids[1], widget_ids[0]
    body = {
        "data": {
            "type": "dashboards",
            "attributes": {
                "placements": [
                    {"dashboard_widget_id": first, "position": {"x": 0, "y": 0, "w": 2, "h": 2}},
                    {"dashboard_widget_id": second, "position": {"x": 2, "y": 0, "w": 4, "h": 2}},
                ]
            },
        }
    }

    # when
    response = await put_widgets(editor, board_id, body)

    # then
    assert response.status_code == 204, response.text
    assert response.content == b""
    board = await read_board(editor, board_id)
    assert read_back(board["placements"]) == [
        (first, {"x": 0, "y": 0, "w": 2, "h": 2}),
        (second, {"x": 2, "y": 0, "w": 4, "h": 2}),
    ]


async def test_position_left_out_or_empty_reads_back_as_null(
    editor: Caller, services: Services, board_id: int, widget_ids: list[int]
) -> None:
    a, b, c = widget_ids
    body = placements_body(
        {"dashboard_widget_id": a},
        {"dashboard_widget_id": b, "position": {}},
        {"dashboard_widget_id": c, "position": None},
    )

    response = await put_widgets(editor, board_id, body)

    assert response.status_code == 204, response.text
    board = await read_board(editor, board_id)
    assert read_back(board["placements"]) == [(a, None), (b, None), (c, None)]
    async with services.db.reader() as conn:
        stored = (
            await conn.execute(
                select(placements.c.widget_id, placements.c.position)
                .where(placements.c.dashboard_id == board_id)
                .order_by(placements.c.ordinal)
            )
        ).all()
    assert [tuple(row) for row in stored] == [(a, {}), (b, {}), (c, {})]


async def test_duplicate_widget_is_422_and_keeps_the_previous_placements(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    # given
    a, b, _ = widget_ids
    before = placements_body(placement(a), placement(b, x=2))
    assert (await put_widgets(editor, board_id, before)).status_code == 204
    previous = await read_board(editor, board_id)

    # when
    response = await put_widgets(editor, board_id, placements_body(placement(b), placement(b)))

    # then
    assert_error(
        response, 422, "DUPLICATE_IN_INPUT", "data.attributes.placements[1].dashboard_widget_id"
    )
    assert await read_board(editor, board_id) == previous


async def test_unknown_widget_is_422_unknown_reference(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    response = await put_widgets(
        editor, board_id, placements_body(placement(widget_ids[0]), placement(2**62))
    )

    assert_error(
        response, 422, "UNKNOWN_REFERENCE", "data.attributes.placements[1].dashboard_widget_id"
    )
    assert (await read_board(editor, board_id))["placements"] == []


async def test_a_widget_of_another_tenant_is_an_unknown_reference(
    editor: Caller, outsider: Caller, board_id: int
) -> None:
    foreign = await create_widget(outsider)

    response = await put_widgets(
        editor, board_id, placements_body(placement(foreign["databaseId"]))
    )

    assert_error(
        response, 422, "UNKNOWN_REFERENCE", "data.attributes.placements[0].dashboard_widget_id"
    )


@pytest.mark.parametrize(
    ("position", "field"),
    [
        pytest.param({"x": -1, "y": 0, "w": 1, "h": 1}, "position.x", id="negative-x"),
        pytest.param({"x": 0, "y": -5, "w": 1, "h": 1}, "position.y", id="negative-y"),
        pytest.param({"x": 0, "y": 0, "w": 0, "h": 1}, "position.w", id="zero-w"),
        pytest.param({"x": 0, "y": 0, "w": 1, "h": 0}, "position.h", id="zero-h"),
        pytest.param({"x": 2**63, "y": 0, "w": 1, "h": 1}, "position.x", id="huge-x"),
        pytest.param({"x": 0, "y": 0, "w": 1}, "position.h", id="missing-h"),
        pytest.param({"x": "0", "y": 0, "w": 1, "h": 1}, "position.x", id="string-x"),
        pytest.param({"x": 0.5, "y": 0, "w": 1, "h": 1}, "position.x", id="float-x"),
        pytest.param({"x": 0, "y": 0, "w": 1, "h": 1, "z": 1}, "position.z", id="extra-key"),
    ],
)
async def test_bad_position_is_422_with_its_field(
    editor: Caller,
    board_id: int,
    widget_ids: list[int],
    position: dict[str, Any],
    field: str,
) -> None:
    body = placements_body(
        placement(widget_ids[0]), {"dashboard_widget_id": widget_ids[1], "position": position}
    )

    response = await put_widgets(editor, board_id, body)

    assert_error(response, 422, field=f"data.attributes.placements[1].{field}")
    board = await read_board(editor, board_id)
    assert board["placements"] == []
    assert board["version"] == 1


async def test_position_limits_are_inclusive(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    # the grid has 12 columns; rows go down to 10,000 and a card is at most 1,000 high
    largest = {"x": 0, "y": 10_000, "w": 12, "h": 1_000}
    smallest = {"x": 11, "y": 0, "w": 1, "h": 1}
    body = placements_body(
        {"dashboard_widget_id": widget_ids[0], "position": largest},
        {"dashboard_widget_id": widget_ids[1], "position": smallest},
    )

    response = await put_widgets(editor, board_id, body)

    assert response.status_code == 204, response.text
    board = await read_board(editor, board_id)
    assert read_back(board["placements"]) == [(widget_ids[0], largest), (widget_ids[1], smallest)]


@pytest.mark.parametrize(
    ("position", "field"),
    [
        pytest.param({"x": 12, "y": 0, "w": 1, "h": 1}, "position.x", id="x"),
        pytest.param({"x": 0, "y": 10_001, "w": 1, "h": 1}, "position.y", id="y"),
        pytest.param({"x": 0, "y": 0, "w": 13, "h": 1}, "position.w", id="w"),
        pytest.param({"x": 0, "y": 0, "w": 1, "h": 1_001}, "position.h", id="h"),
        pytest.param({"x": 6, "y": 0, "w": 7, "h": 1}, "position.w", id="beyond-12-columns"),
    ],
)
async def test_position_above_the_limits_is_422(
    editor: Caller, board_id: int, widget_ids: list[int], position: dict[str, int], field: str
) -> None:
    body = placements_body({"dashboard_widget_id": widget_ids[0], "position": position})

    response = await put_widgets(editor, board_id, body)

    assert_error(response, 422, "INVALID", f"data.attributes.placements[0].{field}")


async def test_more_than_1000_placements_is_422(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    body = placements_body(*({"dashboard_widget_id": widget_ids[0]} for _ in range(1_001)))

    response = await put_widgets(editor, board_id, body)

    assert_error(response, 422, "INVALID", "data.attributes.placements")
    assert (await read_board(editor, board_id))["version"] == 1


@pytest.mark.parametrize(
    "widget_id",
    [
        pytest.param(2**63, id="2**63"),
        pytest.param(2**64, id="2**64"),
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param("1", id="string"),
        pytest.param(None, id="null"),
        pytest.param(True, id="bool"),
    ],
)
async def test_bad_widget_id_is_422_not_500(editor: Caller, board_id: int, widget_id: Any) -> None:
    response = await put_widgets(
        editor, board_id, placements_body({"dashboard_widget_id": widget_id})
    )

    assert_error(response, 422, field="data.attributes.placements[0].dashboard_widget_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            {"data": {"type": "dashboards", "attributes": {}}},
            "data.attributes.placements",
            id="no-placements",
        ),
        pytest.param(
            {"data": {"type": "dashboards", "attributes": {"placements": None}}},
            "data.attributes.placements",
            id="null-placements",
        ),
        pytest.param(
            {"data": {"type": "dashboards", "attributes": {"placements": {}}}},
            "data.attributes.placements",
            id="object-placements",
        ),
        pytest.param(
            {"data": {"type": "dashboard_widgets", "attributes": {"placements": []}}},
            "data.type",
            id="wrong-type",
        ),
        pytest.param({"placements": []}, "data", id="no-envelope"),
        pytest.param([], None, id="array"),
    ],
)
async def test_wrong_placements_envelope_is_422(
    editor: Caller, board_id: int, body: Any, field: str | None
) -> None:
    response = await put_widgets(editor, board_id, body)

    error = assert_error(response, 422)
    if field is not None:
        assert error["field"] == field, error


async def test_malformed_placements_json_is_400(editor: Caller, board_id: int) -> None:
    response = await editor.request(
        "PUT",
        f"/api/dashboards/{board_id}/widgets",
        content=b'{"data": [',
        headers={"Content-Type": "application/json"},
    )

    assert_error(response, 400, "MALFORMED_JSON")


async def test_empty_list_clears_the_placements(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    assert (
        await put_widgets(editor, board_id, placements_body(placement(widget_ids[0])))
    ).status_code == 204

    response = await put_widgets(editor, board_id, placements_body())

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert (await read_board(editor, board_id))["placements"] == []


async def test_replacing_twice_leaves_exactly_the_second_list(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    a, b, c = widget_ids
    await put_widgets(editor, board_id, placements_body(placement(a), placement(b)))

    response = await put_widgets(
        editor, board_id, placements_body(placement(c, x=5, y=6, w=7, h=8), placement(a))
    )

    assert response.status_code == 204, response.text
    board = await read_board(editor, board_id)
    assert read_back(board["placements"]) == [
        (c, {"x": 5, "y": 6, "w": 7, "h": 8}),
        (a, {"x": 0, "y": 0, "w": 2, "h": 2}),
    ]


async def test_version_increments_by_one_per_successful_put(
    editor: Caller, board_id: int, widget_ids: list[int]
) -> None:
    a, b, _ = widget_ids
    assert (await read_board(editor, board_id))["version"] == 1
    steps = [
        (placements_body(placement(a)), 204, 2),
        (placements_body(placement(a), placement(a)), 422, 2),  # refused: no change
        (placements_body(placement(b)), 204, 3),
        (placements_body(placement(b)), 204, 4),  # the same list again still counts
        (placements_body(), 204, 5),
    ]

    for body, status, version in steps:
        response = await put_widgets(editor, board_id, body)
        assert response.status_code == status, response.text
        assert (await read_board(editor, board_id))["version"] == version


async def test_placements_on_a_dashboard_created_through_graphql(
    editor: Caller, widget_ids: list[int]
) -> None:
    dashboard = await create_dashboard(editor)

    response = await put_widgets(
        editor, dashboard["databaseId"], placements_body(placement(widget_ids[2]))
    )

    assert response.status_code == 204, response.text
    board = await read_board(editor, dashboard["databaseId"])
    assert read_back(board["placements"]) == [(widget_ids[2], {"x": 0, "y": 0, "w": 2, "h": 2})]


async def test_unknown_dashboard_is_404(editor: Caller, board_id: int) -> None:
    response = await put_widgets(editor, board_id + 1_000_000, placements_body())

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "path_id",
    [
        "abc",
        "99999999999999999999",
        "9223372036854775808",
        "0",
        "-1",
        "1.5",
        "1e3",
        "%20",
        "\uff11",
    ],
)
async def test_impossible_dashboard_id_in_path_is_404_json(editor: Caller, path_id: str) -> None:
    response = await put_widgets(editor, path_id, placements_body())

    assert_error(response, 404)


async def test_largest_bigint_dashboard_id_is_404(editor: Caller) -> None:
    response = await put_widgets(editor, str(2**63 - 1), placements_body())

    assert_error(response, 404, "NOT_FOUND")


async def test_dashboard_of_another_tenant_is_404_and_untouched(
    editor: Caller, outsider: Caller, board_id: int, widget_ids: list[int]
) -> None:
    await put_widgets(editor, board_id, placements_body(placement(widget_ids[0])))
    foreign_widget = await create_widget(outsider)

    response = await put_widgets(
        outsider, board_id, placements_body(placement(foreign_widget["databaseId"]))
    )

    assert_error(response, 404, "NOT_FOUND")
    board = await read_board(editor, board_id)
    assert read_back(board["placements"]) == [(widget_ids[0], {"x": 0, "y": 0, "w": 2, "h": 2})]
    assert board["version"] == 2


async def test_a_reader_may_not_set_placements(
    editor: Caller, reader: Caller, widget_ids: list[int]
) -> None:
    dashboard = await create_dashboard(editor)  # no role_ids: every member sees it

    response = await put_widgets(
        reader, dashboard["databaseId"], placements_body(placement(widget_ids[0]))
    )

    assert_error(response, 403, "FORBIDDEN")
    assert (await read_board(editor, dashboard["databaseId"]))["placements"] == []


async def test_put_with_text_plain_is_415(editor: Caller, board_id: int) -> None:
    response = await editor.request(
        "PUT",
        f"/api/dashboards/{board_id}/widgets",
        content=b'{"data": {"type": "dashboards", "attributes": {"placements": []}}}',
        headers={"Content-Type": "text/plain"},
    )

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert (await read_board(editor, board_id))["version"] == 1
