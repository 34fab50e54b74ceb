"""duplicateDashboard through GraphQL: a deep copy of fields, pages and cards, with private
card widgets copied and library widgets shared; who may duplicate; a set-based copy."""

from __future__ import annotations

from typing import Any

from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget, place_widgets

DUPLICATE = """
mutation Duplicate($input: DuplicateDashboardInput!) {
  duplicateDashboard(input: $input) {
    dashboard { id databaseId code name version ownerId isDefault }
    userErrors { field message code }
  }
}
"""

FULL = """
query Full($id: ID!) {
  dashboard(id: $id) {
    id databaseId code name description isActive isDefault roleIds ownerId version parameters
    collection { id }
    shares { subjectId }
    pages {
      name position
      cards {
        id name cardType config layout { x y w h }
        dashboardWidget { id databaseId }
      }
    }
  }
}
"""

CREATE_COLLECTION = """
mutation CreateCollection($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { code } }
}
"""

ADD_PAGE = """
mutation AddPage($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) { page { position } userErrors { field code } }
}
"""

ADD_CARD = """
mutation AddCard($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { card { id } userErrors { field message code } }
}
"""

UPDATE_CARD = """
mutation UpdateCard($input: UpdateDashboardCardInput!) {
  updateDashboardCard(input: $input) { card { id config } userErrors { field code } }
}
"""

SHARE = """
mutation Share($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { share { id } userErrors { field code } }
}
"""

DELETE_DASHBOARD = """
mutation Delete($input: DeleteDashboardInput!) {
  deleteDashboard(input: $input) { deletedId userErrors { code } }
}
"""

WIDGET = "query Widget($id: ID!) { dashboardWidget(id: $id) { databaseId config } }"

LIBRARY = "{ dashboardWidgets { totalCount nodes { databaseId } } }"

COUNT = "{ dashboards { totalCount } }"

PARAMETERS = {
    "region": {"type": "string", "options": ["north", "south"], "default": "north"},
    "since": {"type": "date"},
}


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def duplicate(caller: Caller, dashboard_id: str, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(DUPLICATE, {"input": {"id": dashboard_id, **fields}})
    payload: dict[str, Any] = data["duplicateDashboard"]
    return payload


async def dashboard_count(caller: Caller) -> int:
    count: int = (await caller.graphql(COUNT))["dashboards"]["totalCount"]
    return count


async def full(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    dashboard: dict[str, Any] = (await caller.graphql(FULL, {"id": dashboard_id}))["dashboard"]
    return dashboard


async def add_page(caller: Caller, dashboard_id: str, name: str) -> None:
    data = await caller.graphql(ADD_PAGE, {"input": {"dashboardId": dashboard_id, "name": name}})
    assert data["addDashboardPage"]["userErrors"] == []


async def add_card(
    caller: Caller,
    dashboard_id: str,
    card_type: str,
    config: dict[str, Any],
    layout: dict[str, int],
    page: int = 1,
) -> str:
    data = await caller.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": dashboard_id,
                "cardType": card_type,
                "config": config,
                "layout": layout,
                "page": page,
            }
        },
    )
    payload = data["addDashboardCard"]
    assert payload["userErrors"] == [], payload["userErrors"]
    card_id: str = payload["card"]["id"]
    return card_id


async def fill(caller: Caller, dashboard_id: str, pages: int, cards: int) -> None:
    """`pages` pages in all, and `cards` text cards spread over them, three to a row."""
    for number in range(2, pages + 1):
        await add_page(caller, dashboard_id, f"Page {number}")
    for index in range(cards):
        page, slot = index % pages + 1, index // pages
        layout = {"x": slot % 3 * 4, "y": slot // 3 * 2, "w": 4, "h": 2}
        await add_card(caller, dashboard_id, "TEXT", {"content": f"card {index}"}, layout, page)


def shape(dashboard: dict[str, Any]) -> list[tuple[str, int, list[tuple[Any, ...]]]]:
    """Pages and cards without ids: what a copy must reproduce."""
    return [
        (
            page["name"],
            page["position"],
            [(c["name"], c["cardType"], c["config"], c["layout"]) for c in page["cards"]],
        )
        for page in dashboard["pages"]
    ]


async def rich_source(editor: Caller) -> dict[str, Any]:
    """A dashboard with every field set, three pages, card widgets and library widgets."""
    folder = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "Folder"}})
    library = [await create_widget(editor, name=f"Library {i}") for i in range(2)]
    board = await create_dashboard(
        editor,
        code="quarterly-review",
        name="Quarterly Review",
        description="Numbers that matter",
        isActive=False,
        isDefault=True,
        roleIds=[7, 3],
        collectionId=folder["createCollection"]["collection"]["id"],
        parameters=PARAMETERS,
    )
    # library widgets first: setting placements replaces every card
    await place_widgets(
        editor,
        board["id"],
        [w["id"] for w in library],
        [{"x": 0, "y": 0, "w": 6, "h": 2}, {"x": 6, "y": 0, "w": 6, "h": 2}],
    )
    await add_page(editor, board["id"], "Details")
    await add_page(editor, board["id"], "Appendix")
    source = await full(editor, board["id"])
    second_library_card = source["pages"][0]["cards"][1]["id"]
    moved = await editor.graphql(
        UPDATE_CARD,
        {"input": {"dashboardId": board["id"], "cardId": second_library_card, "page": 3}},
    )
    assert moved["updateDashboardCard"]["userErrors"] == []
    await add_card(
        editor,
        board["id"],
        "BAR_CHART",
        {"title": "Revenue", "x_axis": "month", "y_axis": ["net", "gross"]},
        {"x": 0, "y": 2, "w": 8, "h": 4},
    )
    await add_card(
        editor,
        board["id"],
        "KPI_CARD",
        {"metric": "mrr", "format": "currency"},
        {"x": 0, "y": 0, "w": 3, "h": 2},
        2,
    )
    await add_card(
        editor, board["id"], "TEXT", {"content": "notes"}, {"x": 3, "y": 5, "w": 9, "h": 1}, 2
    )
    await add_card(
        editor, board["id"], "TABLE", {"page_size": 10}, {"x": 0, "y": 2, "w": 12, "h": 6}, 3
    )
    share = await editor.graphql(
        SHARE,
        {
            "input": {
                "dashboardId": board["id"],
                "subjectType": "USER",
                "subjectId": "carol",
                "accessLevel": "VIEWER",
            }
        },
    )
    assert share["shareDashboard"]["userErrors"] == []
    return {"board": board, "library": library}


# --- what is copied -----------------------------------------------------------------------


async def test_duplicate_copies_fields_pages_and_cards(editor: Caller) -> None:
    # given a dashboard of alice's, and bob, another editor with role 3
    given = await rich_source(editor)
    source = await full(editor, given["board"]["id"])
    bob = editor.peer(roles=(3,))

    # when bob duplicates it
    payload = await duplicate(bob, source["id"])

    # then
    assert payload["userErrors"] == []
    made = payload["dashboard"]
    assert (made["name"], made["code"], made["version"], made["ownerId"], made["isDefault"]) == (
        "Copy of Quarterly Review",
        "copy-of-quarterly-revie",  # derived codes keep 7 characters free for a suffix
        1,
        "bob",
        False,
    )
    copy = await full(bob, made["id"])
    assert copy["databaseId"] != source["databaseId"]
    assert copy["description"] == "Numbers that matter"
    assert copy["isActive"] is False
    assert copy["roleIds"] == [3, 7]
    assert copy["parameters"] == PARAMETERS
    assert copy["collection"] == source["collection"]
    assert copy["shares"] == []
    assert source["shares"] == [{"subjectId": "carol"}]
    assert shape(copy) == shape(source)
    assert [p["name"] for p in copy["pages"]] == ["Page 1", "Details", "Appendix"]
    assert sum(len(p["cards"]) for p in copy["pages"]) == 6

    # and the source is untouched
    after = await full(editor, source["id"])
    assert after == source
    assert after["isDefault"] is True


async def test_card_widgets_are_copied_and_library_widgets_shared(editor: Caller) -> None:
    # given
    given = await rich_source(editor)
    library_ids = {w["databaseId"] for w in given["library"]}
    source = await full(editor, given["board"]["id"])

    # when
    copy = await full(editor, (await duplicate(editor, source["id"]))["dashboard"]["id"])

    # then cards have new ids; card widgets are new, library widgets the same
    source_cards = [c for p in source["pages"] for c in p["cards"]]
    copy_cards = [c for p in copy["pages"] for c in p["cards"]]
    assert not {c["id"] for c in source_cards} & {c["id"] for c in copy_cards}
    for original, copied in zip(source_cards, copy_cards, strict=True):
        widget_id = original["dashboardWidget"]["databaseId"]
        if widget_id in library_ids:
            assert copied["dashboardWidget"]["databaseId"] == widget_id
        else:
            assert copied["dashboardWidget"]["databaseId"] != widget_id
    shared = [
        c["dashboardWidget"]["databaseId"]
        for c in copy_cards
        if c["dashboardWidget"]["databaseId"] in library_ids
    ]
    assert sorted(shared) == sorted(library_ids)
    # and the copied card widgets stay out of the library
    listing = (await editor.graphql(LIBRARY))["dashboardWidgets"]
    assert {n["databaseId"] for n in listing["nodes"]} == library_ids


async def test_editing_a_copied_card_leaves_the_original_alone(editor: Caller) -> None:
    # given
    board = await create_dashboard(editor)
    config = {"title": "Revenue", "x_axis": "month"}
    await add_card(editor, board["id"], "BAR_CHART", config, {"x": 0, "y": 0, "w": 6, "h": 3})
    copy_id = (await duplicate(editor, board["id"]))["dashboard"]["id"]
    copied_card = (await full(editor, copy_id))["pages"][0]["cards"][0]

    # when the copy's card changes
    changed = await editor.graphql(
        UPDATE_CARD,
        {
            "input": {
                "dashboardId": copy_id,
                "cardId": copied_card["id"],
                "config": {"x_axis": "week"},
            }
        },
    )

    # then
    assert changed["updateDashboardCard"]["userErrors"] == []
    original = (await full(editor, board["id"]))["pages"][0]["cards"][0]
    assert original["config"] == config
    assert (await full(editor, copy_id))["pages"][0]["cards"][0]["config"] == {"x_axis": "week"}


async def test_deleting_the_source_leaves_the_copy_whole(editor: Caller) -> None:
    given = await rich_source(editor)
    source_id = given["board"]["id"]
    copy_id = (await duplicate(editor, source_id))["dashboard"]["id"]
    before = await full(editor, copy_id)

    deleted = await editor.graphql(DELETE_DASHBOARD, {"input": {"id": source_id}})

    assert deleted["deleteDashboard"]["userErrors"] == []
    assert await full(editor, copy_id) == before
    for page in before["pages"]:
        for card in page["cards"]:
            found = await editor.graphql(WIDGET, {"id": card["dashboardWidget"]["id"]})
            assert found["dashboardWidget"] is not None


async def test_a_dashboard_without_cards_copies_its_pages(editor: Caller) -> None:
    board = await create_dashboard(editor, name="Empty")
    await add_page(editor, board["id"], "Second")

    payload = await duplicate(editor, board["id"])

    copy = await full(editor, payload["dashboard"]["id"])
    assert [(p["name"], p["position"], p["cards"]) for p in copy["pages"]] == [
        ("Page 1", 1, []),
        ("Second", 2, []),
    ]


# --- names and codes ----------------------------------------------------------------------


async def test_the_name_argument_is_respected_and_codes_stay_unique(editor: Caller) -> None:
    board = await create_dashboard(editor, name="Ops")

    named = await duplicate(editor, board["id"], name="  Ops: EMEA 2025!  ")
    again = await duplicate(editor, board["id"], name="Ops: EMEA 2025!")
    default = await duplicate(editor, board["id"])

    assert named["userErrors"] == []
    assert (named["dashboard"]["name"], named["dashboard"]["code"]) == (
        "Ops: EMEA 2025!",
        "ops-emea-2025",
    )
    assert again["dashboard"]["name"] == "Ops: EMEA 2025!"
    assert again["dashboard"]["code"].startswith("ops-emea-2025-")
    assert again["dashboard"]["code"] != named["dashboard"]["code"]
    assert default["dashboard"]["name"] == "Copy of Ops"
    assert default["dashboard"]["code"] == "copy-of-ops"


async def test_an_invalid_name_is_refused(editor: Caller) -> None:
    board = await create_dashboard(editor)

    blank = await duplicate(editor, board["id"], name="  ")
    too_long = await duplicate(editor, board["id"], name="n" * 51)

    assert problems(blank) == [(("name",), "REQUIRED")]
    assert problems(too_long) == [(("name",), "TOO_LONG")]
    assert await dashboard_count(editor) == 1


async def test_a_long_default_name_is_cut_to_fit(editor: Caller) -> None:
    board = await create_dashboard(editor, name="n" * 50)

    payload = await duplicate(editor, board["id"])

    assert payload["userErrors"] == []
    assert payload["dashboard"]["name"] == ("Copy of " + "n" * 50)[:50]


# --- who may duplicate --------------------------------------------------------------------


async def test_a_caller_who_cannot_see_the_source_gets_not_found(editor: Caller) -> None:
    hidden = await create_dashboard(editor, roleIds=[42])
    bob = editor.peer()

    payload = await duplicate(bob, hidden["id"])

    assert problems(payload) == [(("id",), "NOT_FOUND")]
    assert payload["dashboard"] is None
    assert await dashboard_count(bob) == 0
    assert await dashboard_count(editor) == 1


async def test_unknown_ids_and_other_tenants_are_not_found(
    editor: Caller, outsider: Caller
) -> None:
    board = await create_dashboard(editor)

    for caller, dashboard_id in [
        (outsider, board["id"]),
        (outsider, str(board["databaseId"])),
        (editor, "999999999"),
        (editor, "not-an-id"),
    ]:
        payload = await duplicate(caller, dashboard_id)
        assert problems(payload) == [(("id",), "NOT_FOUND")], dashboard_id
    assert await dashboard_count(outsider) == 0


async def test_a_reader_may_not_duplicate(editor: Caller, reader: Caller) -> None:
    board = await create_dashboard(editor)

    payload = await duplicate(reader, board["id"])

    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert await dashboard_count(editor) == 1


# --- a set-based copy ---------------------------------------------------------------------


async def test_the_copy_costs_the_same_statements_whatever_its_size(
    editor: Caller, count_statements: Any
) -> None:
    # given a small dashboard (1 page, 2 cards) and a large one (3 pages, 30 cards)
    small = await create_dashboard(editor, name="Small")
    await fill(editor, small["id"], pages=1, cards=2)
    large = await create_dashboard(editor, name="Large")
    await fill(editor, large["id"], pages=3, cards=30)

    # when each is duplicated
    with count_statements() as small_counter:
        small_copy = await duplicate(editor, small["id"])
    with count_statements() as large_counter:
        large_copy = await duplicate(editor, large["id"])

    # then both copies are whole
    assert small_copy["userErrors"] == large_copy["userErrors"] == []
    assert shape(await full(editor, small_copy["dashboard"]["id"])) == shape(
        await full(editor, small["id"])
    )
    large_shape = shape(await full(editor, large_copy["dashboard"]["id"]))
    assert large_shape == shape(await full(editor, large["id"]))
    assert [len(cards) for _, _, cards in large_shape] == [10, 10, 10]
    # and cost the same number of statements
    assert small_counter.count == large_counter.count, (
        small_counter.statements,
        large_counter.statements,
    )
