"""A dashboard's cards, pages and grants kept per version (app/graphql/version_cache.py): a
second read runs none of their statements and answers the same; any change to them, or to a
card's widget, is read at once; only callers who see the dashboard ever get them."""

from __future__ import annotations

from typing import Any

from app.graphql.version_cache import VersionCache
from tests.conftest import Caller
from tests.helpers import UPDATE_WIDGET, create_dashboard, create_widget, place_widgets

BOARD = """
query B($id: ID!) { dashboard(id: $id) {
    version
    cards { id name config layout { x y } dashboardWidget { name } }
    pages { name cards { name } }
    shares { subjectId accessLevel }
} }
"""

UPDATE_CARD = """
mutation U($input: UpdateDashboardCardInput!) {
  updateDashboardCard(input: $input) { userErrors { field message code } }
}
"""

UPDATE_PAGE = """
mutation P($input: UpdateDashboardPageInput!) {
  updateDashboardPage(input: $input) { userErrors { field message code } }
}
"""

SHARE = """
mutation S($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { userErrors { field message code } }
}
"""


async def _board_with_cards(caller: Caller, **fields: Any) -> tuple[str, list[dict[str, Any]]]:
    dashboard = await create_dashboard(caller, **fields)
    widgets = [await create_widget(caller, name=f"w{i}") for i in range(3)]
    await place_widgets(caller, dashboard["id"], [w["id"] for w in widgets])
    return dashboard["id"], widgets


async def _read(caller: Caller, dashboard_id: str, count_statements: Any) -> tuple[int, Any]:
    with count_statements() as counter:
        data = await caller.graphql(BOARD, {"id": dashboard_id})
    return counter.count, data["dashboard"]


async def test_a_second_read_takes_cards_pages_and_grants_from_the_cache(
    editor: Caller, count_statements: Any
) -> None:
    # given a dashboard whose content one request has read
    dashboard_id, _ = await _board_with_cards(editor)
    await _share(editor, dashboard_id, "bob")
    first_count, first = await _read(editor, dashboard_id, count_statements)

    # when it is read again at the same version
    again_count, again = await _read(editor, dashboard_id, count_statements)

    # then the answer is the same, without the statements for cards, pages and grants
    assert again == first
    assert len(first["cards"]) == 3
    assert first["shares"] == [{"subjectId": "bob", "accessLevel": "VIEWER"}]
    assert again_count == first_count - 3


async def test_a_changed_card_is_read_at_once(editor: Caller, count_statements: Any) -> None:
    dashboard_id, _ = await _board_with_cards(editor)
    _, before = await _read(editor, dashboard_id, count_statements)
    card_id = before["cards"][1]["id"]

    data = await editor.graphql(
        UPDATE_CARD,
        {"input": {"dashboardId": dashboard_id, "cardId": card_id, "name": "Renamed"}},
    )
    assert data["updateDashboardCard"]["userErrors"] == []

    _, after = await _read(editor, dashboard_id, count_statements)
    assert after["version"] > before["version"]
    assert [c["name"] for c in after["cards"]] == ["w0", "Renamed", "w2"]
    assert [c["name"] for c in after["pages"][0]["cards"]] == ["w0", "Renamed", "w2"]


async def test_a_changed_page_or_grant_is_read_at_once(
    editor: Caller, count_statements: Any
) -> None:
    dashboard_id, _ = await _board_with_cards(editor)
    _, before = await _read(editor, dashboard_id, count_statements)

    data = await editor.graphql(
        UPDATE_PAGE, {"input": {"dashboardId": dashboard_id, "page": 1, "name": "Overview"}}
    )
    assert data["updateDashboardPage"]["userErrors"] == []
    await _share(editor, dashboard_id, "carol")

    _, after = await _read(editor, dashboard_id, count_statements)
    assert after["version"] == before["version"] + 2
    assert [p["name"] for p in after["pages"]] == ["Overview"]
    assert [p["cards"] for p in after["pages"]] == [p["cards"] for p in before["pages"]]
    assert after["shares"] == [{"subjectId": "carol", "accessLevel": "VIEWER"}]


async def _share(caller: Caller, dashboard_id: str, user: str) -> None:
    data = await caller.graphql(
        SHARE,
        {
            "input": {
                "dashboardId": dashboard_id,
                "subjectType": "USER",
                "subjectId": user,
                "accessLevel": "VIEWER",
            }
        },
    )
    assert data["shareDashboard"]["userErrors"] == []


async def test_a_changed_widget_is_read_at_once_on_every_dashboard_placing_it(
    editor: Caller, count_statements: Any
) -> None:
    # given two dashboards placing the same library widget, both read (and so cached)
    widget = await create_widget(editor, name="Shared")
    boards = [(await create_dashboard(editor))["id"] for _ in range(2)]
    for board in boards:
        await place_widgets(editor, board, [widget["id"]])
        await _read(editor, board, count_statements)

    # when the widget changes
    data = await editor.graphql(
        UPDATE_WIDGET, {"input": {"id": widget["id"], "name": "Shared, renamed"}}
    )
    assert data["updateDashboardWidget"]["userErrors"] == []

    # then both dashboards show it
    for board in boards:
        _, after = await _read(editor, board, count_statements)
        assert after["cards"][0]["dashboardWidget"]["name"] == "Shared, renamed"


async def test_a_caller_who_cannot_see_the_dashboard_gets_nothing_from_the_cache(
    editor: Caller, reader: Caller, count_statements: Any
) -> None:
    dashboard_id, _ = await _board_with_cards(editor, visibility="PRIVATE")
    _, cached = await _read(editor, dashboard_id, count_statements)
    assert len(cached["cards"]) == 3

    data = await reader.graphql(BOARD, {"id": dashboard_id})

    assert data["dashboard"] is None


def test_the_cache_holds_at_most_its_bound_least_recently_used_out_first() -> None:
    cache = VersionCache(5)
    cache.put(("cards", 1, 1, 1), ["a", "b"])
    cache.put(("cards", 1, 2, 1), ["c", "d"])
    assert cache.get(("cards", 1, 1, 1)) == ["a", "b"]  # now the most recently used

    cache.put(("pages", 1, 1, 1), ["e", "f"])  # 6 > 5: the least recently used goes

    assert cache.get(("cards", 1, 2, 1)) is None
    assert cache.get(("cards", 1, 1, 1)) == ["a", "b"]
    assert cache.get(("pages", 1, 1, 1)) == ["e", "f"]
    assert cache.held == 4


def test_an_entry_larger_than_the_bound_is_not_kept() -> None:
    cache = VersionCache(2)
    cache.put(("cards", 1, 1, 1), ["a", "b", "c"])
    assert cache.get(("cards", 1, 1, 1)) is None
    assert cache.held == 0


def test_a_bound_of_zero_keeps_nothing() -> None:
    cache = VersionCache(0)
    cache.put(("cards", 1, 1, 1), ["a"])
    assert cache.get(("cards", 1, 1, 1)) is None


async def test_different_selections_of_the_shared_cards_each_answer_what_they_select(
    editor: Caller,
) -> None:
    dashboard_id, _ = await _board_with_cards(editor)
    by_name = """query N($id: ID!) { dashboard(id: $id) { cards { name } } }"""
    by_alias = """query A($id: ID!) { dashboard(id: $id) {
        cards { label: name databaseId dashboardWidget { name } } } }"""

    answers = [
        await editor.graphql(query, {"id": dashboard_id})
        for query in (by_name, by_alias, by_name, by_alias)
    ]

    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    assert [c["name"] for c in answers[0]["dashboard"]["cards"]] == ["w0", "w1", "w2"]
    cards = answers[1]["dashboard"]["cards"]
    assert [(c["label"], c["dashboardWidget"]["name"]) for c in cards] == [
        ("w0", "w0"),
        ("w1", "w1"),
        ("w2", "w2"),
    ]


async def test_a_restored_revision_is_read_at_once(editor: Caller, count_statements: Any) -> None:
    # given a dashboard read (so cached) after a card was moved and its page renamed
    dashboard_id, _ = await _board_with_cards(editor)
    _, original = await _read(editor, dashboard_id, count_statements)
    card_id = original["cards"][0]["id"]
    moved = {
        "dashboardId": dashboard_id,
        "cardId": card_id,
        "layout": {"x": 6, "y": 9, "w": 2, "h": 2},
    }
    data = await editor.graphql(UPDATE_CARD, {"input": moved})
    assert data["updateDashboardCard"]["userErrors"] == []
    data = await editor.graphql(
        UPDATE_PAGE, {"input": {"dashboardId": dashboard_id, "page": 1, "name": "Renamed"}}
    )
    assert data["updateDashboardPage"]["userErrors"] == []
    _, changed = await _read(editor, dashboard_id, count_statements)
    assert changed["cards"][0]["layout"] == {"x": 6, "y": 9}
    assert changed["pages"][0]["name"] == "Renamed"

    # when the revision before both changes is restored
    data = await editor.graphql(
        """mutation R($input: RestoreDashboardRevisionInput!) {
             restoreDashboardRevision(input: $input) { userErrors { field message code } } }""",
        {
            "input": {
                "dashboardId": dashboard_id,
                "version": original["version"],
                "expectedVersion": changed["version"],
            }
        },
    )
    assert data["restoreDashboardRevision"]["userErrors"] == []

    # then the next read shows the restored cards and pages, not the cached ones
    _, restored = await _read(editor, dashboard_id, count_statements)
    assert restored["version"] > changed["version"]
    assert restored["cards"] == original["cards"]
    assert restored["pages"] == original["pages"]


async def test_a_dashboard_without_cards_or_grants_is_kept_too(
    editor: Caller, count_statements: Any
) -> None:
    # given a dashboard with no cards and no grants, read once
    dashboard = await create_dashboard(editor)
    first_count, first = await _read(editor, dashboard["id"], count_statements)

    # when it is read again
    again_count, again = await _read(editor, dashboard["id"], count_statements)

    # then its empty lists came from the cache as well: no statement for them
    assert (first["cards"], first["shares"]) == ([], [])
    assert again == first
    assert again_count == first_count - 3
