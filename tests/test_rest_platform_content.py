"""Seed 002's content routes of one dashboard (cards, layout, pages), then access and bad
input across every route of the dialect. Every refused write is checked to leave the
dashboard as it was (read back in full)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import Caller
from tests.test_rest_platform import (
    BAR,
    add_card,
    add_page,
    assert_error,
    cards_of,
    collections_of,
    new_board,
    new_collection,
    read,
    share,
)


def layout_of(board: dict[str, Any]) -> dict[int, dict[str, int]]:
    return {c["card_id"]: c["layout"] for c in cards_of(board)}


def box(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"x": x, "y": y, "w": w, "h": h}


# --- cards -----------------------------------------------------------------------------------


async def test_a_card_is_added_with_its_type_config_and_layout(editor: Caller) -> None:
    board = await new_board(editor)

    response = await editor.request(
        "POST",
        f"/api/dashboards/{board['id']}/cards",
        json={"card_type": "line_chart", "config": {"x_axis": "day"}, "layout": box(2, 1, 5, 4)},
        headers={"If-Match": '"v1"'},
    )

    assert response.status_code == 201, response.text
    card = response.json()
    assert set(card) == {
        "card_id",
        "card_type",
        "name",
        "config",
        "layout",
        "widget_id",
        "data_source",
    }
    assert card["data_source"] is None
    assert isinstance(card["card_id"], int)
    assert (card["card_type"], card["name"]) == ("line_chart", "Line chart")
    assert (card["config"], card["layout"]) == ({"x_axis": "day"}, box(2, 1, 5, 4))
    full = await read(editor, board["id"])
    assert full["version"] == 2
    assert full["pages"][0]["cards"] == [card]


async def test_a_card_goes_on_the_page_named(editor: Caller) -> None:
    board = await new_board(editor)
    await add_page(editor, board["id"], "Second")

    first = await add_card(editor, board["id"], 0, 0, 12, 4)
    second = await add_card(editor, board["id"], 0, 0, 12, 4, page=2, name="Same spot")

    full = await read(editor, board["id"])
    assert [[c["card_id"] for c in p["cards"]] for p in full["pages"]] == [
        [first["card_id"]],
        [second["card_id"]],
    ]
    assert second["name"] == "Same spot"


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"card_type": "gauge"}, 422, "invalid", "card_type"),
        ({"config": {"x_axis": 5}}, 422, "invalid_card_config", "config.x_axis"),
        ({"config": {"y_axis": []}}, 422, "invalid_card_config", "config.y_axis"),
        ({"config": {"orientation": "diagonal"}}, 422, "invalid_card_config", "config.orientation"),
        (
            {"card_type": "table", "config": {"page_size": 0}},
            422,
            "invalid_card_config",
            "config.page_size",
        ),
        ({"config": {"title": "t" * 201}}, 422, "invalid_card_config", "config.title"),
        ({"layout": box(0, 0, 13, 1)}, 422, "invalid", "layout.w"),
        ({"layout": box(10, 0, 4, 1)}, 422, "invalid", "layout.w"),
        ({"layout": box(-1, 0, 2, 1)}, 422, "invalid", "layout.x"),
        ({"layout": box(0, 0, 2, 0)}, 422, "invalid", "layout.h"),
        ({"page": 2}, 422, "unknown_reference", "page"),
        ({"page": 0}, 422, "unknown_reference", "page"),
        ({"name": " "}, 422, "required", "name"),
        ({"name": "n" * 101}, 422, "too_long", "name"),
        ({"layout": box(3, 2, 2, 2)}, 409, "card_position_conflict", "layout"),
        ({"layout": box(0, 0, 12, 1)}, 409, "card_position_conflict", "layout"),
    ],
)
async def test_refused_cards_change_nothing(
    editor: Caller, body: dict[str, Any], status: int, error: str, field: str
) -> None:
    # given a card at x 0-3, y 0-2
    board = await new_board(editor)
    await add_card(editor, board["id"], 0, 0, 4, 3)
    before = await read(editor, board["id"])

    response = await editor.request(
        "POST",
        f"/api/dashboards/{board['id']}/cards",
        json={"card_type": "bar_chart", "config": BAR, "layout": box(6, 0, 2, 2)} | body,
    )

    assert_error(response, status, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_cards_may_touch_without_overlapping(editor: Caller) -> None:
    board = await new_board(editor)
    await add_card(editor, board["id"], 0, 0, 4, 3)

    await add_card(editor, board["id"], 4, 0, 8, 3)
    await add_card(editor, board["id"], 0, 3, 12, 1)

    assert len(cards_of(await read(editor, board["id"]))) == 3


async def test_patch_changes_only_the_fields_sent(editor: Caller) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"], 0, 0, 4, 3)
    url = f"/api/dashboards/{board['id']}/cards/{card['card_id']}"

    renamed = await editor.request("PATCH", url, json={"name": "Renamed"})
    moved = await editor.request("PATCH", url, json={"layout": box(2, 1, 4, 3)})
    reconfigured = await editor.request(
        "PATCH", url, json={"config": {"x_axis": "week"}}, headers={"If-Match": '"v4"'}
    )

    for response in (renamed, moved, reconfigured):
        assert response.status_code == 200, response.text
    assert renamed.json() == card | {"name": "Renamed"}
    assert moved.json() == card | {"name": "Renamed", "layout": box(2, 1, 4, 3)}
    expected = card | {"name": "Renamed", "layout": box(2, 1, 4, 3), "config": {"x_axis": "week"}}
    assert reconfigured.json() == expected
    full = await read(editor, board["id"])
    assert full["version"] == 5
    assert cards_of(full) == [expected]


async def test_a_card_moves_to_another_page(editor: Caller) -> None:
    board = await new_board(editor)
    await add_page(editor, board["id"], "Second")
    card = await add_card(editor, board["id"], 0, 0, 4, 3)
    await add_card(editor, board["id"], 0, 0, 4, 3, page=2)
    url = f"/api/dashboards/{board['id']}/cards/{card['card_id']}"
    before = await read(editor, board["id"])

    clash = await editor.request("PATCH", url, json={"page": 2})
    assert_error(clash, 409, "card_position_conflict")
    assert await read(editor, board["id"]) == before

    moved = await editor.request("PATCH", url, json={"page": 2, "layout": box(4, 0, 4, 3)})
    assert moved.status_code == 200, moved.text
    full = await read(editor, board["id"])
    assert full["pages"][0]["cards"] == []
    assert len(full["pages"][1]["cards"]) == 2
    assert card["card_id"] in {c["card_id"] for c in full["pages"][1]["cards"]}


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"config": {"x_axis": ""}}, 422, "invalid_card_config", "config.x_axis"),
        ({"config": {"show_legend": "yes"}}, 422, "invalid_card_config", "config.show_legend"),
        ({"layout": box(4, 0, 4, 3)}, 409, "card_position_conflict", "layout"),
        ({"layout": box(11, 0, 2, 1)}, 422, "invalid", "layout.w"),
        ({"layout": None}, 422, "required", "layout"),
        ({"name": ""}, 422, "required", "name"),
        ({"page": 3}, 422, "unknown_reference", "page"),
        ({"card_type": "table"}, 422, "invalid", "card_type"),
        ({"name": "ok", "layout": box(5, 1, 1, 1)}, 409, "card_position_conflict", "layout"),
    ],
)
async def test_refused_card_patches_change_nothing(
    editor: Caller, body: dict[str, Any], status: int, error: str, field: str
) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"], 0, 0, 4, 3)
    await add_card(editor, board["id"], 4, 0, 4, 3)
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH", f"/api/dashboards/{board['id']}/cards/{card['card_id']}", json=body
    )

    assert_error(response, status, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_an_empty_card_patch_changes_nothing(editor: Caller) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"])
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH", f"/api/dashboards/{board['id']}/cards/{card['card_id']}", json={}
    )

    assert response.status_code == 200, response.text
    assert response.json() == card
    assert await read(editor, board["id"]) == before


async def test_delete_removes_the_card(editor: Caller) -> None:
    board = await new_board(editor)
    gone = await add_card(editor, board["id"], 0, 0, 4, 3)
    kept = await add_card(editor, board["id"], 4, 0, 4, 3)
    url = f"/api/dashboards/{board['id']}/cards/{gone['card_id']}"

    response = await editor.request("DELETE", url)

    assert response.status_code == 204, response.text
    assert response.content == b""
    full = await read(editor, board["id"])
    assert cards_of(full) == [kept]
    assert full["version"] == 4
    assert_error(await editor.request("DELETE", url), 404, "card_not_found")
    # its place is free again
    await add_card(editor, board["id"], 0, 0, 4, 3)


async def test_duplicate_card_places_a_copy_below(editor: Caller) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"], 2, 0, 4, 3, name="Original")
    await add_card(editor, board["id"], 6, 0, 6, 5)

    response = await editor.request(
        "POST", f"/api/dashboards/{board['id']}/cards/{card['card_id']}/duplicate"
    )

    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["card_id"] != card["card_id"]
    assert copy["widget_id"] != card["widget_id"]
    assert (copy["card_type"], copy["name"], copy["config"]) == ("bar_chart", "Original", BAR)
    assert copy["layout"] == box(2, 5, 4, 3)
    full = await read(editor, board["id"])
    assert cards_of(full)[-1] == copy
    assert len(cards_of(full)) == 3

    # the copy is its own card: changing it leaves the original alone
    await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/cards/{copy['card_id']}",
        json={"config": {"x_axis": "other"}},
    )
    assert cards_of(await read(editor, board["id"]))[0] == card


async def test_cards_of_another_dashboard_are_not_found(editor: Caller) -> None:
    board = await new_board(editor, "Mine")
    await add_card(editor, board["id"])
    other = await new_board(editor, "Other")
    foreign = await add_card(editor, other["id"])
    before, other_before = await read(editor, board["id"]), await read(editor, other["id"])
    base = f"/api/dashboards/{board['id']}/cards"

    for method, path, body in [
        ("PATCH", f"{base}/{foreign['card_id']}", {"name": "x"}),
        ("DELETE", f"{base}/{foreign['card_id']}", None),
        ("POST", f"{base}/{foreign['card_id']}/duplicate", None),
        ("PATCH", f"{base}/999999999", {"name": "x"}),
        ("DELETE", f"{base}/abc", None),
        ("POST", f"{base}/0/duplicate", None),
    ]:
        response = await editor.request(method, path, json=body)
        assert_error(response, 404, "card_not_found", code="NOT_FOUND")

    layout = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/layout",
        json=[{"card_id": foreign["card_id"], **box(6, 6, 1, 1)}],
    )
    assert_error(layout, 404, "card_not_found", field="[0].card_id")
    assert await read(editor, board["id"]) == before
    assert await read(editor, other["id"]) == other_before


# --- layout ----------------------------------------------------------------------------------


async def test_layout_moves_cards_at_once(editor: Caller) -> None:
    # given three cards in a row
    board = await new_board(editor)
    a = await add_card(editor, board["id"], 0, 0, 4, 2)
    b = await add_card(editor, board["id"], 4, 0, 4, 2)
    c = await add_card(editor, board["id"], 8, 0, 4, 2)

    # when a and b swap places (each move alone would overlap the other), c stays unnamed
    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/layout",
        json=[
            {"card_id": a["card_id"], **box(4, 0, 4, 2)},
            {"card_id": b["card_id"], **box(0, 0, 4, 2)},
        ],
        headers={"If-Match": '"v4"'},
    )

    # then
    assert response.status_code == 200, response.text
    page_id = (await read(editor, board["id"]))["pages"][0]["id"]
    assert response.json() == {
        "cards": [
            {"card_id": a["card_id"], "page_id": page_id, "layout": box(4, 0, 4, 2)},
            {"card_id": b["card_id"], "page_id": page_id, "layout": box(0, 0, 4, 2)},
            {"card_id": c["card_id"], "page_id": page_id, "layout": box(8, 0, 4, 2)},
        ]
    }
    full = await read(editor, board["id"])
    assert layout_of(full) == {
        a["card_id"]: box(4, 0, 4, 2),
        b["card_id"]: box(0, 0, 4, 2),
        c["card_id"]: box(8, 0, 4, 2),
    }
    assert full["version"] == 5


async def test_layout_overlap_with_an_unmoved_card_is_409_and_moves_nothing(
    editor: Caller,
) -> None:
    board = await new_board(editor)
    a = await add_card(editor, board["id"], 0, 0, 4, 2)
    b = await add_card(editor, board["id"], 4, 0, 4, 2)
    await add_card(editor, board["id"], 8, 0, 4, 2)
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/layout",
        json=[
            {"card_id": a["card_id"], **box(0, 5, 4, 2)},  # fine on its own
            {"card_id": b["card_id"], **box(7, 1, 2, 2)},  # onto the unmoved third card
        ],
    )

    assert_error(response, 409, "card_position_conflict", code="CARD_POSITION_CONFLICT")
    assert await read(editor, board["id"]) == before


async def test_layout_overlap_between_moved_cards_is_409(editor: Caller) -> None:
    board = await new_board(editor)
    a = await add_card(editor, board["id"], 0, 0, 4, 2)
    b = await add_card(editor, board["id"], 4, 0, 4, 2)
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/layout",
        json=[
            {"card_id": a["card_id"], **box(0, 4, 6, 2)},
            {"card_id": b["card_id"], **box(5, 5, 6, 2)},
        ],
    )

    assert_error(response, 409, "card_position_conflict")
    assert await read(editor, board["id"]) == before


async def test_layout_overlap_is_per_page(editor: Caller) -> None:
    board = await new_board(editor)
    await add_page(editor, board["id"], "Second")
    await add_card(editor, board["id"], 0, 0, 6, 6)
    other = await add_card(editor, board["id"], 6, 0, 6, 6, page=2)

    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}/layout",
        json=[{"card_id": other["card_id"], **box(0, 0, 6, 6)}],
    )

    assert response.status_code == 200, response.text
    assert layout_of(await read(editor, board["id"]))[other["card_id"]] == box(0, 0, 6, 6)


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({"card_id": 1, "x": 0, "y": 0, "w": 1, "h": 1}, "invalid", None),
        ({"cards": []}, "invalid", None),
        ([{"x": 0, "y": 0, "w": 1, "h": 1}], "invalid", "[0].card_id"),
        ("CARD", "invalid", "[0].w"),
        ("DUP", "duplicate_in_input", "[1].card_id"),
    ],
)
async def test_invalid_layouts_are_422_and_move_nothing(
    editor: Caller, body: Any, error: str, field: str | None
) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"])
    before = await read(editor, board["id"])
    if body == "CARD":
        body = [{"card_id": card["card_id"], **box(8, 0, 5, 1)}]
    elif body == "DUP":
        body = [{"card_id": card["card_id"], **box(0, 9, 1, 1)}] * 2

    response = await editor.request("PATCH", f"/api/dashboards/{board['id']}/layout", json=body)

    assert_error(response, 422, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_an_empty_layout_changes_nothing(editor: Caller) -> None:
    board = await new_board(editor)
    card = await add_card(editor, board["id"])
    before = await read(editor, board["id"])

    response = await editor.request("PATCH", f"/api/dashboards/{board['id']}/layout", json=[])

    assert response.status_code == 200, response.text
    assert [c["card_id"] for c in response.json()["cards"]] == [card["card_id"]]
    assert await read(editor, board["id"]) == before


# --- pages -----------------------------------------------------------------------------------


async def test_pages_are_added_at_the_end_or_at_a_position(editor: Caller) -> None:
    board = await new_board(editor)

    last = await editor.request(
        "POST", f"/api/dashboards/{board['id']}/pages", json={"name": "Last", "position": 2}
    )
    end = await add_page(editor, board["id"], "End")
    first = await add_page(editor, board["id"], "First", position=1)

    assert last.status_code == 201, last.text
    assert last.json() == {"id": last.json()["id"], "name": "Last", "position": 2}
    assert end["position"] == 3
    assert first["position"] == 1
    full = await read(editor, board["id"])
    assert [(p["name"], p["position"]) for p in full["pages"]] == [
        ("First", 1),
        ("Page 1", 2),
        ("Last", 3),
        ("End", 4),
    ]
    assert full["version"] == 4


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({"name": "x", "position": 0}, "invalid", "position"),
        ({"name": "x", "position": 3}, "invalid", "position"),
        ({"name": "x", "position": -1}, "invalid", "position"),
        ({"name": ""}, "required", "name"),
        ({"name": "n" * 101}, "too_long", "name"),
        ({"position": 1}, "invalid", "name"),
    ],
)
async def test_refused_pages_change_nothing(
    editor: Caller, body: dict[str, Any], error: str, field: str
) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])

    response = await editor.request("POST", f"/api/dashboards/{board['id']}/pages", json=body)

    assert_error(response, 422, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_a_page_is_renamed_and_moved(editor: Caller) -> None:
    board = await new_board(editor)
    await add_page(editor, board["id"], "Two")
    await add_page(editor, board["id"], "Three")
    card = await add_card(editor, board["id"], page=3)
    url = f"/api/dashboards/{board['id']}/pages"

    renamed = await editor.request("PATCH", f"{url}/3", json={"name": "Third"})
    moved = await editor.request("PATCH", f"{url}/3", json={"position": 1})
    back = await editor.request("PATCH", f"{url}/1", json={"position": 2, "name": "Middle"})

    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["position"]) == ("Third", 3)
    assert moved.status_code == 200, moved.text
    assert moved.json() == renamed.json() | {"position": 1}
    assert back.status_code == 200, back.text
    full = await read(editor, board["id"])
    assert [(p["name"], p["position"]) for p in full["pages"]] == [
        ("Page 1", 1),
        ("Middle", 2),
        ("Two", 3),
    ]
    assert full["pages"][1]["cards"] == [card]


@pytest.mark.parametrize(
    ("number", "body", "status", "error", "field"),
    [
        ("1", {"position": 3}, 422, "invalid", "position"),
        ("1", {"position": 0}, 422, "invalid", "position"),
        ("1", {"name": " "}, 422, "required", "name"),
        ("1", {"name": None}, 422, "required", "name"),
        ("0", {"name": "x"}, 404, "page_not_found", None),
        ("3", {"name": "x"}, 404, "page_not_found", None),
        ("999", {"name": "x"}, 404, "page_not_found", None),
        ("abc", {"name": "x"}, 404, "page_not_found", None),
        ("-1", {"name": "x"}, 404, "page_not_found", None),
    ],
)
async def test_refused_page_patches_change_nothing(
    editor: Caller, number: str, body: dict[str, Any], status: int, error: str, field: str | None
) -> None:
    board = await new_board(editor)
    await add_page(editor, board["id"], "Two")
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH", f"/api/dashboards/{board['id']}/pages/{number}", json=body
    )

    assert_error(response, status, error, field=field)
    assert await read(editor, board["id"]) == before


async def test_deleting_a_page_removes_its_cards(editor: Caller) -> None:
    board = await new_board(editor)
    kept = await add_card(editor, board["id"])
    await add_page(editor, board["id"], "Doomed")
    await add_page(editor, board["id"], "After")
    doomed = await add_card(editor, board["id"], page=2)
    after = await add_card(editor, board["id"], page=3)

    response = await editor.request("DELETE", f"/api/dashboards/{board['id']}/pages/2")

    assert response.status_code == 204, response.text
    full = await read(editor, board["id"])
    assert [(p["name"], p["position"]) for p in full["pages"]] == [("Page 1", 1), ("After", 2)]
    assert [p["cards"] for p in full["pages"]] == [[kept], [after]]
    assert_error(
        await editor.request("DELETE", f"/api/dashboards/{board['id']}/cards/{doomed['card_id']}"),
        404,
        "card_not_found",
    )


async def test_page_deletion_errors(editor: Caller) -> None:
    board = await new_board(editor)
    await add_card(editor, board["id"])
    before = await read(editor, board["id"])
    url = f"/api/dashboards/{board['id']}/pages"

    assert_error(await editor.request("DELETE", f"{url}/1"), 422, "invalid", field="page")
    for number in ("0", "2", "999", "x"):
        assert_error(await editor.request("DELETE", f"{url}/{number}"), 404, "page_not_found")
    assert await read(editor, board["id"]) == before


# --- access: tenants, readers, tokens --------------------------------------------------------


async def _content(editor: Caller) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    board = await new_board(editor)
    card = await add_card(editor, board["id"])
    grant = (await share(editor, board["id"], "bob")).json()
    return board, card, grant


def _routes(board_id: int, card_id: int, share_id: int) -> list[tuple[str, str, Any]]:
    """Every route on one dashboard, with a body that would be valid."""
    one = f"/api/dashboards/{board_id}"
    layout = {"x": 6, "y": 0, "w": 2, "h": 2}
    return [
        ("GET", one, None),
        ("PATCH", one, {"name": "x"}),
        ("DELETE", one, None),
        ("POST", f"{one}/duplicate", None),
        ("POST", f"{one}/cards", {"card_type": "text", "layout": layout}),
        ("PATCH", f"{one}/cards/{card_id}", {"name": "x"}),
        ("DELETE", f"{one}/cards/{card_id}", None),
        ("POST", f"{one}/cards/{card_id}/duplicate", None),
        ("PATCH", f"{one}/layout", [{"card_id": card_id, **layout}]),
        ("POST", f"{one}/pages", {"name": "x"}),
        ("PATCH", f"{one}/pages/1", {"name": "x"}),
        ("DELETE", f"{one}/pages/1", None),
        ("GET", f"{one}/shares", None),
        (
            "POST",
            f"{one}/shares",
            {"subject_type": "user", "subject_id": "x", "access_level": "editor"},
        ),
        ("DELETE", f"{one}/shares/{share_id}", None),
    ]


async def test_another_tenant_gets_404_on_every_dashboard_route(
    editor: Caller, outsider: Caller
) -> None:
    board, card, grant = await _content(editor)
    before = await read(editor, board["id"])

    for method, path, body in _routes(board["id"], card["card_id"], grant["share_id"]):
        response = await outsider.request(method, path, json=body)
        assert_error(response, 404, "dashboard_not_found")

    listed = (await outsider.request("GET", "/api/dashboards")).json()
    assert (listed["dashboards"], listed["total"]) == ([], 0)
    assert await read(editor, board["id"]) == before


async def test_a_reader_gets_403_on_every_write(editor: Caller, reader: Caller) -> None:
    board, card, grant = await _content(editor)
    await add_page(editor, board["id"], "Second")
    before = await read(editor, board["id"])
    folder = await new_collection(editor, "Folder")

    for method, path, body in _routes(board["id"], card["card_id"], grant["share_id"]):
        response = await reader.request(method, path, json=body)
        if method == "GET":
            assert response.status_code == 200, (path, response.text)
        else:
            assert_error(response, 403, "permission_denied", code="FORBIDDEN")

    for method, path, body in [
        ("POST", "/api/dashboards", {"name": "x"}),
        ("POST", "/api/dashboards/collections", {"name": "x"}),
        ("PATCH", f"/api/dashboards/collections/{folder['id']}", {"name": "x"}),
        ("DELETE", f"/api/dashboards/collections/{folder['id']}", None),
    ]:
        assert_error(await reader.request(method, path, json=body), 403, "permission_denied")

    assert await read(editor, board["id"]) == before
    assert await collections_of(reader) == [folder]
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 1


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "Basic YWxpY2U6c2VjcmV0"],
    ids=["none", "junk", "basic"],
)
async def test_every_route_needs_a_token(
    http: httpx.AsyncClient, editor: Caller, authorization: str | None
) -> None:
    board, card, grant = await _content(editor)
    before = await read(editor, board["id"])
    routes = [
        *_routes(board["id"], card["card_id"], grant["share_id"]),
        ("GET", "/api/dashboards", None),
        ("POST", "/api/dashboards", {"name": "x"}),
        ("GET", "/api/dashboards/collections", None),
        ("POST", "/api/dashboards/collections", {"name": "x"}),
        ("PATCH", "/api/dashboards/collections/1", {"name": "x"}),
        ("DELETE", "/api/dashboards/collections/1", None),
    ]
    headers = {"X-Clarus-Subdomain": editor.tenant}
    if authorization is not None:
        headers["Authorization"] = authorization

    for method, path, body in routes:
        response = await http.request(method, path, json=body, headers=headers)
        assert_error(response, 401, "unauthenticated", code="UNAUTHENTICATED")

    assert await read(editor, board["id"]) == before


# --- bad input -------------------------------------------------------------------------------


def _body_routes(board_id: int, card_id: int, collection_id: int) -> list[tuple[str, str]]:
    one = f"/api/dashboards/{board_id}"
    return [
        ("POST", "/api/dashboards"),
        ("PATCH", one),
        ("POST", f"{one}/duplicate"),
        ("POST", f"{one}/cards"),
        ("PATCH", f"{one}/cards/{card_id}"),
        ("PATCH", f"{one}/layout"),
        ("POST", f"{one}/pages"),
        ("PATCH", f"{one}/pages/1"),
        ("POST", f"{one}/shares"),
        ("POST", "/api/dashboards/collections"),
        ("PATCH", f"/api/dashboards/collections/{collection_id}"),
    ]


@pytest.mark.parametrize(
    "raw", [b"{", b"{'name': 'x'}", b'{"name": "x",}', b"nul", b"\xff\xfe", b""], ids=repr
)
async def test_malformed_json_is_400_everywhere(editor: Caller, raw: bytes) -> None:
    board, card, _ = await _content(editor)
    folder = await new_collection(editor, "Folder")
    before = await read(editor, board["id"])

    for method, path in _body_routes(board["id"], card["card_id"], folder["id"]):
        if path.endswith("/duplicate") and raw == b"":
            continue  # an empty body is "no options" there
        response = await editor.request(
            method, path, content=raw, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "malformed_json", code="MALFORMED_JSON")

    assert await read(editor, board["id"]) == before
    assert await collections_of(editor) == [folder]


async def test_unknown_fields_are_422_naming_the_field(editor: Caller) -> None:
    board, card, _ = await _content(editor)
    folder = await new_collection(editor, "Folder")
    before = await read(editor, board["id"])
    layout = {"x": 6, "y": 0, "w": 2, "h": 2}
    one = f"/api/dashboards/{board['id']}"
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/api/dashboards", {"name": "x", "colour": "red"}, "colour"),
        ("PATCH", one, {"titel": "x"}, "titel"),
        ("POST", f"{one}/duplicate", {"name": "x", "deep": True}, "deep"),
        ("POST", f"{one}/cards", {"card_type": "text", "layout": layout, "z": 1}, "z"),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {**layout, "d": 1}},
            "layout.d",
        ),
        ("PATCH", f"{one}/cards/{card['card_id']}", {"colour": "red"}, "colour"),
        ("PATCH", f"{one}/layout", [{"card_id": card["card_id"], **layout, "z": 1}], "[0].z"),
        ("POST", f"{one}/pages", {"name": "x", "icon": "star"}, "icon"),
        ("PATCH", f"{one}/pages/1", {"title": "x"}, "title"),
        (
            "POST",
            f"{one}/shares",
            {"subject_type": "user", "subject_id": "x", "access_level": "viewer", "ttl": 1},
            "ttl",
        ),
        ("POST", "/api/dashboards/collections", {"name": "x", "color": "red"}, "color"),
        ("PATCH", f"/api/dashboards/collections/{folder['id']}", {"nmae": "x"}, "nmae"),
    ]

    for method, path, body, field in cases:
        response = await editor.request(method, path, json=body)
        assert_error(response, 422, "invalid", code="INVALID", field=field)

    assert await read(editor, board["id"]) == before
    assert await collections_of(editor) == [folder]
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 1


async def test_wrong_types_are_422_never_500(editor: Caller) -> None:
    board, card, _ = await _content(editor)
    folder = await new_collection(editor, "Folder")
    before = await read(editor, board["id"])
    one = f"/api/dashboards/{board['id']}"
    card_url = f"{one}/cards/{card['card_id']}"
    huge = 10**30
    deep: Any = 1
    for _ in range(40):
        deep = [deep]
    cases: list[tuple[str, str, Any]] = [
        ("POST", "/api/dashboards", {"name": ["x"]}),
        ("POST", "/api/dashboards", {"name": "x", "collection_id": "1"}),
        ("POST", "/api/dashboards", {"name": "x", "collection_id": huge}),
        ("POST", "/api/dashboards", {"name": "x", "parameters": "p"}),
        ("POST", "/api/dashboards", {"name": "x", "role_ids": [huge]}),
        ("POST", "/api/dashboards", [{"name": "x"}]),
        ("POST", "/api/dashboards", "name"),
        ("POST", "/api/dashboards", None),
        ("PATCH", one, {"description": False}),
        ("PATCH", one, {"default_audience": [True]}),
        ("PATCH", one, {"parameters": deep}),
        ("PATCH", one, []),
        ("POST", f"{one}/duplicate", {"name": 1}),
        ("POST", f"{one}/cards", {"card_type": 1, "layout": {"x": 0, "y": 9, "w": 1, "h": 1}}),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {"x": "0", "y": 9, "w": 1, "h": 1}},
        ),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {"x": 0.0, "y": 9, "w": 1, "h": 1}},
        ),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {"x": huge, "y": 9, "w": 1, "h": 1}},
        ),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {"x": 0, "y": 9, "w": 1, "h": 1}, "page": huge},
        ),
        ("POST", f"{one}/cards", {"card_type": "text", "layout": [0, 9, 1, 1]}),
        (
            "POST",
            f"{one}/cards",
            {"card_type": "text", "layout": {"x": 0, "y": 9, "w": 1, "h": 1}, "config": []},
        ),
        ("POST", f"{one}/cards", {"card_type": "text", "config": {}}),
        ("PATCH", card_url, {"config": "x"}),
        ("PATCH", card_url, {"layout": {"x": 0, "y": 0}}),
        ("PATCH", card_url, {"page": "2"}),
        ("PATCH", card_url, {"page": huge}),
        ("PATCH", f"{one}/layout", {"card_id": card["card_id"], "x": 0, "y": 0, "w": 1, "h": 1}),
        ("PATCH", f"{one}/layout", [{"card_id": huge, "x": 0, "y": 0, "w": 1, "h": 1}]),
        (
            "PATCH",
            f"{one}/layout",
            [{"card_id": card["card_id"], "x": huge, "y": 0, "w": 1, "h": 1}],
        ),
        ("PATCH", f"{one}/layout", [1, 2]),
        ("POST", f"{one}/pages", {"name": 1}),
        ("POST", f"{one}/pages", {"name": "x", "position": "1"}),
        ("POST", f"{one}/pages", {"name": "x", "position": huge}),
        ("POST", f"{one}/pages", {"name": "x", "position": -huge}),
        ("PATCH", f"{one}/pages/1", {"position": huge}),
        ("PATCH", f"{one}/pages/1", {"position": None}),
        ("POST", f"{one}/shares", {"subject_type": "user", "subject_id": "x", "access_level": 1}),
        ("POST", "/api/dashboards/collections", {"name": "x", "parent_id": huge}),
        ("POST", "/api/dashboards/collections", {"name": "x", "parent_id": 0}),
        ("POST", "/api/dashboards/collections", {"name": "x", "description": 1}),
        ("PATCH", f"/api/dashboards/collections/{folder['id']}", {"name": 1}),
    ]

    for method, path, body in cases:
        response = await editor.request(
            method, path, content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (method, path, body, response.text)
        assert_error(response, 422, response.json()["error"])

    assert await read(editor, board["id"]) == before
    assert await collections_of(editor) == [folder]
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 1


async def test_nul_characters_are_refused_not_stored(editor: Caller) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])
    one = f"/api/dashboards/{board['id']}"

    for method, path, body in [
        ("POST", "/api/dashboards", {"name": "a\x00b"}),
        ("PATCH", one, {"description": "a\x00b"}),
        ("PATCH", one, {"parameters": {"k": "a\x00b"}}),
        ("POST", f"{one}/pages", {"name": "a\x00b"}),
        (
            "POST",
            f"{one}/shares",
            {"subject_type": "user", "subject_id": "a\x00", "access_level": "viewer"},
        ),
        ("POST", "/api/dashboards/collections", {"name": "a\x00b"}),
    ]:
        response = await editor.request(method, path, json=body)
        assert_error(response, 422, "invalid")

    search = await editor.request("GET", "/api/dashboards", params={"q": "a\x00"})
    assert search.status_code == 200, search.text
    assert await read(editor, board["id"]) == before


async def test_a_body_that_is_not_json_is_415(editor: Caller) -> None:
    board = await new_board(editor)
    before = await read(editor, board["id"])

    response = await editor.request(
        "PATCH",
        f"/api/dashboards/{board['id']}",
        content=b'{"name": "x"}',
        headers={"Content-Type": "text/plain"},
    )

    assert_error(response, 415, "unsupported_media_type", code="UNSUPPORTED_MEDIA_TYPE")
    assert await read(editor, board["id"]) == before
