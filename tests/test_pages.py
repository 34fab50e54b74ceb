"""Dashboard pages (tabs) through GraphQL: the first page, adding, renaming, moving and
removing pages, gapless positions, versions, access and tenancy."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget, place_widgets

ADD_PAGE = """
mutation AddPage($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) {
    page { id databaseId name position cards { databaseId } }
    userErrors { field message code }
  }
}
"""

UPDATE_PAGE = """
mutation UpdatePage($input: UpdateDashboardPageInput!) {
  updateDashboardPage(input: $input) {
    page { id databaseId name position }
    userErrors { field message code }
  }
}
"""

REMOVE_PAGE = """
mutation RemovePage($input: RemoveDashboardPageInput!) {
  removeDashboardPage(input: $input) { deletedId userErrors { field message code } }
}
"""

PAGES = """
query Pages($id: ID!) {
  dashboard(id: $id) {
    version
    pages {
      id databaseId name position
      cards { databaseId dashboardWidget { id databaseId } }
    }
    cards { databaseId }
  }
}
"""

ADD_CARD = """
mutation AddCard($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) {
    card { id databaseId dashboardWidget { id databaseId } page { position } }
    userErrors { field message code }
  }
}
"""

MOVE_CARD = """
mutation MoveCard($input: UpdateDashboardCardInput!) {
  updateDashboardCard(input: $input) {
    card { databaseId page { position } }
    userErrors { field message code }
  }
}
"""

CARDS_WITH_WIDGETS = """
query Cards($id: ID!) {
  dashboard(id: $id) { cards { id dashboardWidget { databaseId } } }
}
"""

WIDGET = "query Widget($id: ID!) { dashboardWidget(id: $id) { databaseId } }"

NODE = "query Node($id: ID!) { node(id: $id) { id ... on DashboardPage { name position } } }"


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def pages_of(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    data = await caller.graphql(PAGES, {"id": dashboard_id})
    dashboard: dict[str, Any] = data["dashboard"]
    return dashboard


async def page_names(caller: Caller, dashboard_id: str) -> list[str]:
    """The page names in order, after checking positions run 1..n without gaps."""
    pages = (await pages_of(caller, dashboard_id))["pages"]
    assert [p["position"] for p in pages] == list(range(1, len(pages) + 1))
    return [p["name"] for p in pages]


async def version_of(caller: Caller, dashboard_id: str) -> int:
    version: int = (await pages_of(caller, dashboard_id))["version"]
    return version


async def add_page(caller: Caller, dashboard_id: str, name: str, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(
        ADD_PAGE, {"input": {"dashboardId": dashboard_id, "name": name, **fields}}
    )
    payload: dict[str, Any] = data["addDashboardPage"]
    return payload


async def update_page(
    caller: Caller, dashboard_id: str, page: int, **fields: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        UPDATE_PAGE, {"input": {"dashboardId": dashboard_id, "page": page, **fields}}
    )
    payload: dict[str, Any] = data["updateDashboardPage"]
    return payload


async def remove_page(
    caller: Caller, dashboard_id: str, page: int, **fields: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        REMOVE_PAGE, {"input": {"dashboardId": dashboard_id, "page": page, **fields}}
    )
    payload: dict[str, Any] = data["removeDashboardPage"]
    return payload


async def board_with_pages(caller: Caller, *names: str) -> dict[str, Any]:
    """A dashboard whose pages are "Page 1" followed by `names`."""
    board = await create_dashboard(caller)
    for name in names:
        payload = await add_page(caller, board["id"], name)
        assert payload["userErrors"] == [], payload["userErrors"]
    return board


async def add_card(caller: Caller, dashboard_id: str, page: int, x: int = 0) -> dict[str, Any]:
    data = await caller.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": dashboard_id,
                "cardType": "TEXT",
                "config": {"content": "hello"},
                "layout": {"x": x, "y": 0, "w": 2, "h": 2},
                "page": page,
            }
        },
    )
    payload = data["addDashboardCard"]
    assert payload["userErrors"] == [], payload["userErrors"]
    card: dict[str, Any] = payload["card"]
    return card


# --- the first page -----------------------------------------------------------------------


async def test_a_new_dashboard_has_exactly_one_page(editor: Caller) -> None:
    board = await create_dashboard(editor)

    dashboard = await pages_of(editor, board["id"])

    assert [(p["name"], p["position"], p["cards"]) for p in dashboard["pages"]] == [
        ("Page 1", 1, [])
    ]
    assert dashboard["version"] == 1


# --- add ----------------------------------------------------------------------------------


async def test_add_appends_by_default(editor: Caller) -> None:
    board = await create_dashboard(editor)

    second = await add_page(editor, board["id"], "Second")
    third = await add_page(editor, board["id"], "  Third  ")

    assert second["userErrors"] == []
    assert (second["page"]["name"], second["page"]["position"]) == ("Second", 2)
    assert second["page"]["cards"] == []
    assert (third["page"]["name"], third["page"]["position"]) == ("Third", 3)
    assert await page_names(editor, board["id"]) == ["Page 1", "Second", "Third"]
    assert await version_of(editor, board["id"]) == 3


async def test_add_at_a_position_shifts_the_pages_from_there(editor: Caller) -> None:
    board = await board_with_pages(editor, "B", "C")

    first = await add_page(editor, board["id"], "Front", position=1)
    middle = await add_page(editor, board["id"], "Middle", position=3)
    last = await add_page(editor, board["id"], "Back", position=6)

    assert first["page"]["position"] == 1
    assert middle["page"]["position"] == 3
    assert last["page"]["position"] == 6
    assert await page_names(editor, board["id"]) == ["Front", "Page 1", "Middle", "B", "C", "Back"]


async def test_add_at_an_invalid_position_is_refused_and_changes_nothing(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")  # two pages: 1..3 are valid for a new one

    for position in (0, -1, 4, 100):
        payload = await add_page(editor, board["id"], "Nope", position=position)

        assert payload["page"] is None
        assert problems(payload) == [(("position",), "INVALID")], position
    assert await page_names(editor, board["id"]) == ["Page 1", "Two"]
    assert await version_of(editor, board["id"]) == 2


async def test_add_with_a_blank_or_long_name_is_refused(editor: Caller) -> None:
    board = await create_dashboard(editor)

    blank = await add_page(editor, board["id"], "  ")
    too_long = await add_page(editor, board["id"], "n" * 101)
    longest = await add_page(editor, board["id"], "n" * 100)

    assert problems(blank) == [(("name",), "REQUIRED")]
    assert problems(too_long) == [(("name",), "TOO_LONG")]
    assert longest["userErrors"] == []
    assert len(await page_names(editor, board["id"])) == 2


# --- update -------------------------------------------------------------------------------


async def test_update_renames_a_page(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")

    payload = await update_page(editor, board["id"], 2, name="Renamed")

    assert payload["userErrors"] == []
    assert (payload["page"]["name"], payload["page"]["position"]) == ("Renamed", 2)
    assert await page_names(editor, board["id"]) == ["Page 1", "Renamed"]
    assert await version_of(editor, board["id"]) == 3


async def test_update_moves_a_page_forwards_and_backwards(editor: Caller) -> None:
    # given A B C D E
    board = await create_dashboard(editor)
    await update_page(editor, board["id"], 1, name="A")
    for name in "BCDE":
        await add_page(editor, board["id"], name)
    ids = {p["name"]: p["id"] for p in (await pages_of(editor, board["id"]))["pages"]}

    # when B moves to 4
    later = await update_page(editor, board["id"], 2, position=4)

    # then
    assert later["userErrors"] == []
    assert (later["page"]["id"], later["page"]["position"]) == (ids["B"], 4)
    assert await page_names(editor, board["id"]) == ["A", "C", "D", "B", "E"]

    # when E moves to the front
    earlier = await update_page(editor, board["id"], 5, position=1)

    # then
    assert (earlier["page"]["id"], earlier["page"]["position"]) == (ids["E"], 1)
    assert await page_names(editor, board["id"]) == ["E", "A", "C", "D", "B"]

    # when the first moves to the end, renamed on the way
    both = await update_page(editor, board["id"], 1, position=5, name="Last")

    # then the pages keep their ids
    assert (both["page"]["name"], both["page"]["position"]) == ("Last", 5)
    pages = (await pages_of(editor, board["id"]))["pages"]
    assert [p["name"] for p in pages] == ["A", "C", "D", "B", "Last"]
    assert [p["id"] for p in pages] == [ids["A"], ids["C"], ids["D"], ids["B"], ids["E"]]


async def test_update_without_a_change_keeps_the_version(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")

    payload = await update_page(editor, board["id"], 2, name="Two", position=2)

    assert payload["userErrors"] == []
    assert payload["page"]["name"] == "Two"
    assert await version_of(editor, board["id"]) == 2


async def test_update_to_an_invalid_position_is_refused_and_changes_nothing(
    editor: Caller,
) -> None:
    board = await board_with_pages(editor, "Two", "Three")

    for position in (0, -1, 4, 5):
        payload = await update_page(editor, board["id"], 1, position=position, name="Moved")

        assert payload["page"] is None
        assert problems(payload) == [(("position",), "INVALID")], position
    null = await update_page(editor, board["id"], 1, position=None)
    assert problems(null) == [(("position",), "REQUIRED")]
    assert await page_names(editor, board["id"]) == ["Page 1", "Two", "Three"]
    assert await version_of(editor, board["id"]) == 3


async def test_unknown_page_numbers_are_not_found(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")

    for number in (0, 3, 99):
        updated = await update_page(editor, board["id"], number, name="x")
        removed = await remove_page(editor, board["id"], number)

        assert problems(updated) == [(("page",), "NOT_FOUND")], number
        assert problems(removed) == [(("page",), "NOT_FOUND")], number
        assert removed["deletedId"] is None
    assert await page_names(editor, board["id"]) == ["Page 1", "Two"]
    assert await version_of(editor, board["id"]) == 2


# --- remove -------------------------------------------------------------------------------


async def test_remove_deletes_the_page_and_closes_the_gap(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two", "Three", "Four")
    two = (await pages_of(editor, board["id"]))["pages"][1]

    payload = await remove_page(editor, board["id"], 2)

    assert payload == {"deletedId": two["id"], "userErrors": []}
    assert await page_names(editor, board["id"]) == ["Page 1", "Three", "Four"]
    assert await version_of(editor, board["id"]) == 5


async def test_remove_takes_the_cards_and_their_widgets_but_not_library_widgets(
    editor: Caller,
) -> None:
    # given a library widget, placed on the dashboard and moved to page 2
    library = await create_widget(editor, name="Library chart")
    board = await create_dashboard(editor)
    await place_widgets(editor, board["id"], [library["id"]], [{"x": 6, "y": 0, "w": 2, "h": 2}])
    await add_page(editor, board["id"], "Two")
    placed = (await editor.graphql(CARDS_WITH_WIDGETS, {"id": board["id"]}))["dashboard"]["cards"]
    assert [c["dashboardWidget"]["databaseId"] for c in placed] == [library["databaseId"]]
    moved = await editor.graphql(
        MOVE_CARD, {"input": {"dashboardId": board["id"], "cardId": placed[0]["id"], "page": 2}}
    )
    assert moved["updateDashboardCard"]["card"]["page"]["position"] == 2
    # and cards on both pages
    doomed = [
        await add_card(editor, board["id"], 2, x=0),
        await add_card(editor, board["id"], 2, x=2),
    ]
    kept = await add_card(editor, board["id"], 1)
    version = await version_of(editor, board["id"])

    # when page 2 goes
    payload = await remove_page(editor, board["id"], 2)

    # then its cards and their private widgets went with it
    assert payload["userErrors"] == []
    dashboard = await pages_of(editor, board["id"])
    assert [p["name"] for p in dashboard["pages"]] == ["Page 1"]
    assert [c["databaseId"] for c in dashboard["cards"]] == [kept["databaseId"]]
    for card in doomed:
        gone = await editor.graphql(WIDGET, {"id": card["dashboardWidget"]["id"]})
        assert gone["dashboardWidget"] is None
    # but the library widget and the other page's card widget stay
    library_now = await editor.graphql(WIDGET, {"id": library["id"]})
    assert library_now["dashboardWidget"] == {"databaseId": library["databaseId"]}
    kept_widget = await editor.graphql(WIDGET, {"id": kept["dashboardWidget"]["id"]})
    assert kept_widget["dashboardWidget"] is not None
    assert dashboard["version"] == version + 1


async def test_the_last_page_cannot_be_removed(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")
    await remove_page(editor, board["id"], 1)

    payload = await remove_page(editor, board["id"], 1)

    assert problems(payload) == [(("page",), "INVALID")]
    assert payload["deletedId"] is None
    assert await page_names(editor, board["id"]) == ["Two"]
    assert await version_of(editor, board["id"]) == 3


# --- invariants over many changes ---------------------------------------------------------


async def test_positions_stay_gapless_and_each_change_bumps_the_version_by_one(
    editor: Caller,
) -> None:
    # given a model of the pages, and a seeded mix of adds, moves and removes
    rng = random.Random(20240611)
    board = await create_dashboard(editor)
    model = ["Page 1"]
    version = 1

    for step in range(30):
        operation = rng.choice(["add", "add_at", "move", "remove"])
        name = f"p{step}"
        # when
        if operation == "add":
            payload = await add_page(editor, board["id"], name)
            model.append(name)
        elif operation == "add_at":
            position = rng.randint(1, len(model) + 1)
            payload = await add_page(editor, board["id"], name, position=position)
            model.insert(position - 1, name)
        elif operation == "move" and len(model) > 1:
            source = rng.randint(1, len(model))
            target = rng.choice([p for p in range(1, len(model) + 1) if p != source])
            payload = await update_page(editor, board["id"], source, position=target)
            model.insert(target - 1, model.pop(source - 1))
        elif operation == "remove" and len(model) > 1:
            number = rng.randint(1, len(model))
            payload = await remove_page(editor, board["id"], number)
            model.pop(number - 1)
        else:
            continue
        version += 1

        # then the pages match the model, numbered 1..n, and the version rose by one
        assert payload["userErrors"] == [], (step, operation, payload)
        assert await page_names(editor, board["id"]) == model, (step, operation)
        assert await version_of(editor, board["id"]) == version, (step, operation)


async def test_concurrent_adds_number_the_pages_without_gaps(editor: Caller) -> None:
    board = await create_dashboard(editor)

    results = await asyncio.gather(
        *(add_page(editor, board["id"], f"p{i}", position=1 if i % 2 else None) for i in range(12))
    )

    assert all(r["userErrors"] == [] for r in results)
    names = await page_names(editor, board["id"])
    assert sorted(names) == sorted(["Page 1", *(f"p{i}" for i in range(12))])
    assert await version_of(editor, board["id"]) == 13


# --- versions, access, tenancy ------------------------------------------------------------


async def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")  # version 2
    before = await pages_of(editor, board["id"])

    added = await add_page(editor, board["id"], "Three", expectedVersion=1)
    updated = await update_page(editor, board["id"], 2, name="x", expectedVersion=1)
    removed = await remove_page(editor, board["id"], 2, expectedVersion=1)

    for payload in (added, updated, removed):
        assert problems(payload) == [(("expectedVersion",), "VERSION_CONFLICT")]
    assert await pages_of(editor, board["id"]) == before

    current = await add_page(editor, board["id"], "Three", expectedVersion=2)
    assert current["userErrors"] == []
    assert await version_of(editor, board["id"]) == 3


async def test_a_reader_may_not_change_pages(editor: Caller, reader: Caller) -> None:
    board = await board_with_pages(editor, "Two")
    before = await pages_of(editor, board["id"])
    assert await page_names(reader, board["id"]) == ["Page 1", "Two"]  # it can see them

    added = await add_page(reader, board["id"], "Three")
    updated = await update_page(reader, board["id"], 2, name="x")
    removed = await remove_page(reader, board["id"], 2)

    for payload in (added, updated, removed):
        assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert await pages_of(editor, board["id"]) == before


async def test_another_tenants_dashboard_is_not_found(editor: Caller, outsider: Caller) -> None:
    board = await board_with_pages(editor, "Two")
    before = await pages_of(editor, board["id"])

    for dashboard_id in (board["id"], str(board["databaseId"])):
        added = await add_page(outsider, dashboard_id, "Three")
        updated = await update_page(outsider, dashboard_id, 2, name="x")
        removed = await remove_page(outsider, dashboard_id, 2)

        for payload in (added, updated, removed):
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await pages_of(editor, board["id"]) == before


async def test_a_page_resolves_through_node(editor: Caller) -> None:
    board = await board_with_pages(editor, "Two")
    page = (await pages_of(editor, board["id"]))["pages"][1]

    data = await editor.graphql(NODE, {"id": page["id"]})

    assert data["node"] == {"id": page["id"], "name": "Two", "position": 2}
