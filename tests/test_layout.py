"""updateDashboardLayout (app/domain/cards.py, update_layout): many cards move at once, in one
transaction that holds the dashboard's row lock. Cards not named keep their place, nothing is
deleted, and a layout in which two cards of a page overlap, a card leaves the grid or an id is
unknown or repeated is refused and moves nothing. setDashboardWidgetPlacements checks
overlaps the same way (app/domain/grid.py)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from tests.conftest import Caller
from tests.helpers import SET_PLACEMENTS, create_dashboard, create_widget

ADD_CARD = """
mutation Add($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) {
    card { id databaseId layout { x y w h } }
    userErrors { field message code }
  }
}
"""

ADD_PAGE = """
mutation AddPage($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) { page { position } userErrors { field message code } }
}
"""

UPDATE_LAYOUT = """
mutation Layout($input: UpdateDashboardLayoutInput!) {
  updateDashboardLayout(input: $input) {
    dashboard { version cards { databaseId layout { x y w h } page { position } } }
    userErrors { field message code }
  }
}
"""

CARDS = """
query Cards($id: ID!) {
  dashboard(id: $id) {
    version
    cards { databaseId name layout { x y w h } page { position } }
    placements { position { x y w h } }
  }
}
"""

# Four 3x2 cards side by side on the first row: x = 0, 3, 6, 9.
ROW = [{"x": x, "y": 0, "w": 3, "h": 2} for x in (0, 3, 6, 9)]


async def add_card(
    caller: Caller, dashboard_id: str, layout: dict[str, int], page: int | None = None
) -> dict[str, Any]:
    data = await caller.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": dashboard_id,
                "cardType": "KPI_CARD",
                "layout": layout,
                "page": page,
            }
        },
    )
    payload = data["addDashboardCard"]
    assert payload["userErrors"] == [], payload["userErrors"]
    card: dict[str, Any] = payload["card"]
    return card


async def board_with_cards(
    caller: Caller, layouts: list[dict[str, int]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    board = await create_dashboard(caller)
    cards = [await add_card(caller, board["id"], layout) for layout in layouts]
    return board, cards


async def state(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    dashboard: dict[str, Any] = (await caller.graphql(CARDS, {"id": dashboard_id}))["dashboard"]
    return dashboard


def layouts(dashboard: dict[str, Any]) -> dict[int, dict[str, int]]:
    return {c["databaseId"]: c["layout"] for c in dashboard["cards"]}


def move(card: dict[str, Any], x: int, y: int, w: int = 3, h: int = 2) -> dict[str, Any]:
    return {"cardId": card["id"], "x": x, "y": y, "w": w, "h": h}


async def update_layout(
    caller: Caller, dashboard_id: str, moves: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        UPDATE_LAYOUT, {"input": {"dashboardId": dashboard_id, "cards": moves, **extra}}
    )
    payload: dict[str, Any] = data["updateDashboardLayout"]
    return payload


def errors(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_several_cards_move_at_once_and_the_others_keep_their_place(editor: Caller) -> None:
    # given four cards in a row
    board, cards = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    # when the first two move down, into each other's columns
    payload = await update_layout(
        editor, board["id"], [move(cards[0], 3, 2, w=3, h=4), move(cards[1], 0, 2, w=3, h=1)]
    )

    # then both moved, the others did not, nothing was deleted, and the version went up once
    assert payload["userErrors"] == []
    expected = layouts(before) | {
        cards[0]["databaseId"]: {"x": 3, "y": 2, "w": 3, "h": 4},
        cards[1]["databaseId"]: {"x": 0, "y": 2, "w": 3, "h": 1},
    }
    after = await state(editor, board["id"])
    assert layouts(after) == expected
    assert [c["name"] for c in after["cards"]] == [c["name"] for c in before["cards"]]
    assert after["version"] == before["version"] + 1
    assert layouts(payload["dashboard"]) == expected
    assert payload["dashboard"]["version"] == after["version"]


async def test_overlapping_an_unmoved_card_is_refused_and_moves_nothing(editor: Caller) -> None:
    # given four cards in a row
    board, cards = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    # when card 0 moves to a free spot but card 1 onto the unmoved card 3
    payload = await update_layout(editor, board["id"], [move(cards[0], 0, 5), move(cards[1], 9, 1)])

    # then
    assert payload["dashboard"] is None
    assert errors(payload) == [(["cards", "1"], "CARD_POSITION_CONFLICT")]
    assert f"card {cards[3]['databaseId']}" in payload["userErrors"][0]["message"]
    assert await state(editor, board["id"]) == before


async def test_overlapping_each_other_is_refused_too(editor: Caller) -> None:
    board, cards = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    # cards 0 and 2 move to free rows, but onto each other
    payload = await update_layout(
        editor, board["id"], [move(cards[0], 0, 4, w=4), move(cards[2], 3, 5, w=4)]
    )

    assert [code for _, code in errors(payload)] == ["CARD_POSITION_CONFLICT"]
    assert payload["userErrors"][0]["field"] in (["cards", "0"], ["cards", "1"])
    assert await state(editor, board["id"]) == before


async def test_two_cards_swap_places_in_one_call(editor: Caller) -> None:
    # given cards of different sizes side by side
    board, cards = await board_with_cards(
        editor, [{"x": 0, "y": 0, "w": 4, "h": 3}, {"x": 4, "y": 0, "w": 8, "h": 3}]
    )

    # when each moves into the other's place (neither would fit while the other is there)
    payload = await update_layout(
        editor, board["id"], [move(cards[0], 8, 0, w=4, h=3), move(cards[1], 0, 0, w=8, h=3)]
    )

    # then
    assert payload["userErrors"] == []
    assert layouts(await state(editor, board["id"])) == {
        cards[0]["databaseId"]: {"x": 8, "y": 0, "w": 4, "h": 3},
        cards[1]["databaseId"]: {"x": 0, "y": 0, "w": 8, "h": 3},
    }


async def test_cards_only_collide_with_cards_of_their_own_page(editor: Caller) -> None:
    # given a card on page 1 and one on page 2, both at the top left
    board, cards = await board_with_cards(editor, [ROW[0], ROW[1]])
    added = await editor.graphql(ADD_PAGE, {"input": {"dashboardId": board["id"], "name": "Two"}})
    assert added["addDashboardPage"]["userErrors"] == []
    other_page = await add_card(editor, board["id"], {"x": 6, "y": 0, "w": 6, "h": 6}, page=2)

    # when page 1's second card moves under page 2's card
    payload = await update_layout(editor, board["id"], [move(cards[1], 6, 2)])

    # then it may; and page 2's card stays on page 2
    assert payload["userErrors"] == []
    after = await state(editor, board["id"])
    pages = {c["databaseId"]: c["page"]["position"] for c in after["cards"]}
    assert pages == {
        cards[0]["databaseId"]: 1,
        cards[1]["databaseId"]: 1,
        other_page["databaseId"]: 2,
    }
    assert layouts(after)[cards[1]["databaseId"]] == {"x": 6, "y": 2, "w": 3, "h": 2}


@pytest.mark.parametrize(
    ("position", "field"),
    [
        ({"x": 10, "y": 0, "w": 3, "h": 1}, "w"),  # x + w = 13 > 12
        ({"x": 0, "y": 0, "w": 13, "h": 1}, "w"),
        ({"x": 12, "y": 0, "w": 1, "h": 1}, "x"),
        ({"x": -1, "y": 0, "w": 1, "h": 1}, "x"),
        ({"x": 0, "y": -1, "w": 1, "h": 1}, "y"),
        ({"x": 0, "y": 0, "w": 0, "h": 1}, "w"),
        ({"x": 0, "y": 0, "w": 1, "h": 0}, "h"),
    ],
)
async def test_a_card_off_the_grid_is_invalid_at_its_index(
    editor: Caller, position: dict[str, int], field: str
) -> None:
    board, cards = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    # the second item is the bad one; the first alone would be fine
    payload = await update_layout(
        editor, board["id"], [move(cards[0], 0, 8), {"cardId": cards[1]["id"], **position}]
    )

    assert errors(payload) == [(["cards", "1", field], "INVALID")]
    assert await state(editor, board["id"]) == before


async def test_every_off_grid_card_is_reported_at_once(editor: Caller) -> None:
    board, cards = await board_with_cards(editor, ROW)

    payload = await update_layout(
        editor,
        board["id"],
        [move(cards[0], 11, 0, w=2), move(cards[1], 0, 9), move(cards[2], 0, 0, w=0, h=0)],
    )

    assert errors(payload) == [
        (["cards", "0", "w"], "INVALID"),
        (["cards", "2", "w"], "INVALID"),
        (["cards", "2", "h"], "INVALID"),
    ]


async def test_an_unknown_card_is_not_found_at_its_index(editor: Caller) -> None:
    # given two dashboards with cards
    board, cards = await board_with_cards(editor, ROW)
    _, elsewhere = await board_with_cards(editor, [ROW[0]])
    before = await state(editor, board["id"])

    for unknown in ("987654321", elsewhere[0]["id"], board["id"]):
        # when the second item names a card that is not on this dashboard
        payload = await update_layout(
            editor,
            board["id"],
            [move(cards[0], 0, 8), {"cardId": unknown, "x": 0, "y": 10, "w": 1, "h": 1}],
        )

        # then
        assert errors(payload) == [(["cards", "1", "cardId"], "NOT_FOUND")], unknown
    assert await state(editor, board["id"]) == before


async def test_a_card_named_twice_is_a_duplicate(editor: Caller) -> None:
    board, cards = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    payload = await update_layout(
        editor,
        board["id"],
        [move(cards[0], 0, 4), move(cards[1], 3, 4), move(cards[0], 6, 4)],
    )

    assert errors(payload) == [(["cards", "2", "cardId"], "DUPLICATE_IN_INPUT")]
    assert await state(editor, board["id"]) == before


async def test_an_unknown_dashboard_is_not_found_at_dashboard_id(editor: Caller) -> None:
    payload = await update_layout(editor, "987654321", [])

    assert errors(payload) == [(["dashboardId"], "NOT_FOUND")]


async def test_the_version_goes_up_once_per_call(editor: Caller) -> None:
    board, cards = await board_with_cards(editor, ROW)
    start = (await state(editor, board["id"]))["version"]

    # every card moves in the first call, one in the second
    first = await update_layout(
        editor, board["id"], [move(card, x, 3) for card, x in zip(cards, (9, 6, 3, 0), strict=True)]
    )
    second = await update_layout(editor, board["id"], [move(cards[0], 9, 8)])

    assert first["userErrors"] == second["userErrors"] == []
    assert first["dashboard"]["version"] == start + 1
    assert second["dashboard"]["version"] == start + 2
    assert (await state(editor, board["id"]))["version"] == start + 2


async def test_an_empty_layout_changes_nothing(editor: Caller) -> None:
    board, _ = await board_with_cards(editor, ROW)
    before = await state(editor, board["id"])

    payload = await update_layout(editor, board["id"], [])

    assert payload["userErrors"] == []
    assert await state(editor, board["id"]) == before


def _arrangement(caller_index: int, rng: random.Random) -> list[dict[str, int]]:
    """Six non-overlapping 4x2 slots (three per row), shuffled, on rows of their own so that
    every caller's arrangement is distinguishable."""
    slots = [
        {"x": (slot % 3) * 4, "y": 20 * caller_index + (slot // 3) * 2, "w": 4, "h": 2}
        for slot in range(6)
    ]
    rng.shuffle(slots)
    return slots


async def test_concurrent_layout_updates_end_as_exactly_one_callers_layout(
    editor: Caller,
) -> None:
    # given six cards, and twelve callers each with their own arrangement of all six
    board, cards = await board_with_cards(
        editor, [{"x": (i % 3) * 4, "y": (i // 3) * 2, "w": 4, "h": 2} for i in range(6)]
    )
    start = (await state(editor, board["id"]))["version"]
    rng = random.Random(12)
    arrangements = [_arrangement(i, rng) for i in range(12)]

    # when all twelve update the layout at once, each naming the cards in its own order
    requests = []
    for slots in arrangements:
        moves = [{"cardId": c["id"], **slot} for c, slot in zip(cards, slots, strict=True)]
        rng.shuffle(moves)
        requests.append(update_layout(editor, board["id"], moves))
    results = await asyncio.gather(*requests)

    # then each call succeeded or failed cleanly, the final layout is exactly one caller's
    # (never a mix), and the version counts the successes
    successes = [r for r in results if r["userErrors"] == []]
    for r in results:
        assert r["userErrors"] == [] or r["dashboard"] is None
    assert len(successes) == len(arrangements)  # they queue on the row lock; none fails
    after = await state(editor, board["id"])
    final = [layouts(after)[c["databaseId"]] for c in cards]
    assert sum(final == slots for slots in arrangements) == 1
    assert after["version"] == start + len(successes)
    assert len(after["cards"]) == 6


async def test_concurrent_layout_updates_at_one_expected_version_let_exactly_one_win(
    editor: Caller,
) -> None:
    board, cards = await board_with_cards(
        editor, [{"x": (i % 3) * 4, "y": (i // 3) * 2, "w": 4, "h": 2} for i in range(6)]
    )
    start = (await state(editor, board["id"]))["version"]
    rng = random.Random(21)
    arrangements = [_arrangement(i, rng) for i in range(12)]

    results = await asyncio.gather(
        *(
            update_layout(
                editor,
                board["id"],
                [{"cardId": c["id"], **slot} for c, slot in zip(cards, slots, strict=True)],
                expectedVersion=start,
            )
            for slots in arrangements
        )
    )

    winners = [i for i, r in enumerate(results) if r["userErrors"] == []]
    assert len(winners) == 1
    assert all(
        [code for _, code in errors(r)] == ["VERSION_CONFLICT"]
        for i, r in enumerate(results)
        if i != winners[0]
    )
    after = await state(editor, board["id"])
    assert [layouts(after)[c["databaseId"]] for c in cards] == arrangements[winners[0]]
    assert after["version"] == start + 1


async def test_placements_that_overlap_each_other_are_a_position_conflict(editor: Caller) -> None:
    # given a dashboard with one placed widget
    board = await create_dashboard(editor)
    widgets = [await create_widget(editor, name=f"w{i}") for i in range(3)]
    first = await editor.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [
                    {
                        "dashboardWidgetId": widgets[0]["id"],
                        "position": {"x": 0, "y": 0, "w": 2, "h": 2},
                    }
                ],
            }
        },
    )
    assert first["setDashboardWidgetPlacements"]["userErrors"] == []
    before = await state(editor, board["id"])

    # when a new list places the second and third widget on overlapping squares
    data = await editor.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [
                    {
                        "dashboardWidgetId": widgets[0]["id"],
                        "position": {"x": 8, "y": 0, "w": 2, "h": 2},
                    },
                    {
                        "dashboardWidgetId": widgets[1]["id"],
                        "position": {"x": 0, "y": 0, "w": 4, "h": 4},
                    },
                    {
                        "dashboardWidgetId": widgets[2]["id"],
                        "position": {"x": 3, "y": 3, "w": 2, "h": 2},
                    },
                ],
            }
        },
    )

    # then
    payload = data["setDashboardWidgetPlacements"]
    assert payload["dashboard"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["CARD_POSITION_CONFLICT"]
    assert payload["userErrors"][0]["field"] in (
        ["placements", "1", "position"],
        ["placements", "2", "position"],
    )
    assert await state(editor, board["id"]) == before
