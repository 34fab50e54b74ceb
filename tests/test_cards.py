"""Dashboard cards through GraphQL: adding every card type, config and grid checks,
overlaps, pages, partial updates, removal, duplication, private widgets, versions, access."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget, place_widgets

CARD_FIELDS = """
  id databaseId name cardType config layout { x y w h }
  page { position name }
  dashboardWidget { id databaseId name widgetType config }
"""

ADD_CARD = f"""
mutation AddCard($input: AddDashboardCardInput!) {{
  addDashboardCard(input: $input) {{
    card {{ {CARD_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_CARD = f"""
mutation UpdateCard($input: UpdateDashboardCardInput!) {{
  updateDashboardCard(input: $input) {{
    card {{ {CARD_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

REMOVE_CARD = """
mutation RemoveCard($input: DashboardCardRefInput!) {
  removeDashboardCard(input: $input) { deletedId userErrors { field message code } }
}
"""

DUPLICATE_CARD = f"""
mutation DuplicateCard($input: DashboardCardRefInput!) {{
  duplicateDashboardCard(input: $input) {{
    card {{ {CARD_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

ADD_PAGE = """
mutation AddPage($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) { page { position } userErrors { code } }
}
"""

BOARD = f"""
query Board($id: ID!) {{
  dashboard(id: $id) {{
    version
    pages {{ position cards {{ {CARD_FIELDS} }} }}
    cards {{ {CARD_FIELDS} }}
  }}
}}
"""

WIDGET = """
query Widget($id: ID!) { dashboardWidget(id: $id) { id databaseId name widgetType config } }
"""

LIBRARY = "{ dashboardWidgets { totalCount nodes { databaseId } } }"

NODE = "query Node($id: ID!) { node(id: $id) { id ... on DashboardCard { name } } }"

VALID_CONFIGS: dict[str, dict[str, Any]] = {
    "BAR_CHART": {
        "title": "Revenue by month",
        "x_axis": "month",
        "y_axis": ["revenue", "cost"],
        "orientation": "horizontal",
        "stacked": True,
        "show_legend": False,
    },
    "LINE_CHART": {"x_axis": "day", "y_axis": "visits", "smooth": True},
    "PIE_CHART": {"label": "region", "value": "sales", "donut": True, "color_scheme": "warm"},
    "AREA_CHART": {"x_axis": "week", "y_axis": ["a", "b"], "stacked": False},
    "SCATTER_PLOT": {"x_axis": "height", "y_axis": "weight", "size": "age"},
    "KPI_CARD": {"metric": "mrr", "format": "currency", "target": 1000.5, "trend": "up"},
    "TABLE": {"columns": ["name", "total"], "page_size": 25, "subtitle": "Top customers"},
    "HEATMAP": {"x_axis": "hour", "y_axis": "weekday", "value": "load"},
    "TEXT": {"content": "# Notes\nSome *markdown*.", "front_end_only": {"pinned": True}},
}

DEFAULT_NAMES = {
    "BAR_CHART": "Revenue by month",
    "LINE_CHART": "Line chart",
    "PIE_CHART": "Pie chart",
    "AREA_CHART": "Area chart",
    "SCATTER_PLOT": "Scatter plot",
    "KPI_CARD": "Kpi card",
    "TABLE": "Table",
    "HEATMAP": "Heatmap",
    "TEXT": "Text",
}

SPOT = {"x": 0, "y": 0, "w": 4, "h": 3}


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def try_add(
    caller: Caller,
    dashboard_id: str,
    card_type: str = "TEXT",
    layout: dict[str, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    fields.setdefault("config", {"content": "hello"})
    data = await caller.graphql(
        ADD_CARD,
        {
            "input": {
                "dashboardId": dashboard_id,
                "cardType": card_type,
                "layout": layout or SPOT,
                **fields,
            }
        },
    )
    payload: dict[str, Any] = data["addDashboardCard"]
    return payload


async def add_card(
    caller: Caller,
    dashboard_id: str,
    card_type: str = "TEXT",
    layout: dict[str, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    payload = await try_add(caller, dashboard_id, card_type, layout, **fields)
    assert payload["userErrors"] == [], payload["userErrors"]
    card: dict[str, Any] = payload["card"]
    return card


async def update_card(
    caller: Caller, dashboard_id: str, card_id: str, **fields: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        UPDATE_CARD, {"input": {"dashboardId": dashboard_id, "cardId": card_id, **fields}}
    )
    payload: dict[str, Any] = data["updateDashboardCard"]
    return payload


async def remove_card(caller: Caller, dashboard_id: str, card_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        REMOVE_CARD, {"input": {"dashboardId": dashboard_id, "cardId": card_id}}
    )
    payload: dict[str, Any] = data["removeDashboardCard"]
    return payload


async def duplicate_card(caller: Caller, dashboard_id: str, card_id: str) -> dict[str, Any]:
    data = await caller.graphql(
        DUPLICATE_CARD, {"input": {"dashboardId": dashboard_id, "cardId": card_id}}
    )
    payload: dict[str, Any] = data["duplicateDashboardCard"]
    return payload


async def board_of(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    dashboard: dict[str, Any] = (await caller.graphql(BOARD, {"id": dashboard_id}))["dashboard"]
    return dashboard


async def widget(caller: Caller, widget_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await caller.graphql(WIDGET, {"id": widget_id}))[
        "dashboardWidget"
    ]
    return found


async def add_pages(caller: Caller, dashboard_id: str, count: int) -> None:
    for index in range(count):
        data = await caller.graphql(
            ADD_PAGE, {"input": {"dashboardId": dashboard_id, "name": f"Extra {index}"}}
        )
        assert data["addDashboardPage"]["userErrors"] == []


# --- add ----------------------------------------------------------------------------------


@pytest.mark.parametrize("card_type", list(VALID_CONFIGS))
async def test_add_a_card_of_every_type(editor: Caller, card_type: str) -> None:
    # given
    board = await create_dashboard(editor)
    config = VALID_CONFIGS[card_type]

    # when
    payload = await try_add(
        editor, board["id"], card_type, {"x": 2, "y": 1, "w": 6, "h": 4}, config=config
    )

    # then
    assert payload["userErrors"] == []
    card = payload["card"]
    assert card["cardType"] == card_type
    assert card["config"] == config
    assert card["name"] == DEFAULT_NAMES[card_type]
    assert card["layout"] == {"x": 2, "y": 1, "w": 6, "h": 4}
    assert card["page"] == {"position": 1, "name": "Page 1"}
    assert card["dashboardWidget"]["widgetType"] == card_type
    assert card["dashboardWidget"]["config"] == config
    assert card["dashboardWidget"]["name"] == card["name"]
    assert await widget(editor, card["dashboardWidget"]["id"]) == card["dashboardWidget"]
    assert (await board_of(editor, board["id"]))["cards"] == [card]


async def test_the_name_defaults_to_the_title_else_the_type(editor: Caller) -> None:
    board = await create_dashboard(editor)

    titled = await add_card(editor, board["id"], "KPI_CARD", config={"title": "  MRR  "})
    blank_title = await add_card(
        editor, board["id"], "KPI_CARD", {"x": 4, "y": 0, "w": 4, "h": 3}, config={"title": " "}
    )
    untitled = await add_card(
        editor, board["id"], "PIE_CHART", {"x": 8, "y": 0, "w": 4, "h": 3}, config={}
    )
    named = await add_card(
        editor,
        board["id"],
        "KPI_CARD",
        {"x": 0, "y": 3, "w": 4, "h": 3},
        config={"title": "Ignored"},
        name="Chosen",
    )

    long_title = await add_card(
        editor, board["id"], "TEXT", {"x": 4, "y": 3, "w": 4, "h": 3}, config={"title": "t" * 150}
    )
    blank_name = await try_add(
        editor, board["id"], "TEXT", {"x": 8, "y": 3, "w": 4, "h": 3}, name="  "
    )

    assert titled["name"] == "MRR"
    assert long_title["name"] == "t" * 100
    assert problems(blank_name) == [(("name",), "REQUIRED")]
    assert blank_title["name"] == "Kpi card"
    assert untitled["name"] == "Pie chart"
    assert named["name"] == "Chosen"
    assert named["config"] == {"title": "Ignored"}


async def test_config_defaults_to_an_empty_object(editor: Caller) -> None:
    board = await create_dashboard(editor)

    data = await editor.graphql(
        ADD_CARD, {"input": {"dashboardId": board["id"], "cardType": "HEATMAP", "layout": SPOT}}
    )

    card = data["addDashboardCard"]["card"]
    assert (card["config"], card["name"]) == ({}, "Heatmap")


@pytest.mark.parametrize(
    ("card_type", "config", "field"),
    [
        ("BAR_CHART", {"x_axis": 5}, ["config", "x_axis"]),
        ("BAR_CHART", {"orientation": "diagonal"}, ["config", "orientation"]),
        ("BAR_CHART", {"y_axis": []}, ["config", "y_axis"]),
        ("LINE_CHART", {"smooth": "yes"}, ["config", "smooth"]),
        ("PIE_CHART", {"label": ""}, ["config", "label"]),
        ("SCATTER_PLOT", {"size": ["a"]}, ["config", "size"]),
        ("KPI_CARD", {"format": "x"}, ["config", "format"]),
        ("KPI_CARD", {"target": "high"}, ["config", "target"]),
        ("TABLE", {"page_size": 0}, ["config", "page_size"]),
        ("TABLE", {"page_size": 2.5}, ["config", "page_size"]),
        ("TABLE", {"columns": ["ok", 3]}, ["config", "columns", "1"]),
        ("HEATMAP", {"title": "t" * 201}, ["config", "title"]),
        ("TEXT", {"content": 7}, ["config", "content"]),
        ("AREA_CHART", {"show_legend": 1}, ["config", "show_legend"]),
    ],
)
async def test_an_invalid_config_is_refused_with_its_path(
    editor: Caller, card_type: str, config: dict[str, Any], field: list[str]
) -> None:
    board = await create_dashboard(editor)

    payload = await try_add(editor, board["id"], card_type, config=config)

    assert payload["card"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (field, "INVALID_CARD_CONFIG")
    ]
    dashboard = await board_of(editor, board["id"])
    assert (dashboard["cards"], dashboard["version"]) == ([], 1)


async def test_every_config_problem_is_reported(editor: Caller) -> None:
    board = await create_dashboard(editor)

    payload = await try_add(
        editor, board["id"], "BAR_CHART", config={"x_axis": 5, "stacked": "no", "extra": 1}
    )

    assert problems(payload) == [
        (("config", "stacked"), "INVALID_CARD_CONFIG"),
        (("config", "x_axis"), "INVALID_CARD_CONFIG"),
    ]


async def test_a_config_that_is_not_an_object_is_invalid(editor: Caller) -> None:
    board = await create_dashboard(editor)

    payload = await try_add(editor, board["id"], "TEXT", config=["not", "an", "object"])

    assert problems(payload) == [(("config",), "INVALID")]


@pytest.mark.parametrize(
    ("layout", "field"),
    [
        ({"x": 10, "y": 0, "w": 3, "h": 1}, ["layout", "w"]),
        ({"x": 0, "y": 0, "w": 13, "h": 1}, ["layout", "w"]),
        ({"x": 0, "y": 0, "w": 0, "h": 1}, ["layout", "w"]),
        ({"x": -1, "y": 0, "w": 2, "h": 1}, ["layout", "x"]),
        ({"x": 12, "y": 0, "w": 1, "h": 1}, ["layout", "x"]),
        ({"x": 0, "y": -1, "w": 2, "h": 1}, ["layout", "y"]),
        ({"x": 0, "y": 0, "w": 2, "h": 0}, ["layout", "h"]),
    ],
)
async def test_a_layout_off_the_grid_is_invalid(
    editor: Caller, layout: dict[str, int], field: list[str]
) -> None:
    board = await create_dashboard(editor)

    payload = await try_add(editor, board["id"], "TEXT", layout)

    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID")]
    assert (await board_of(editor, board["id"]))["cards"] == []


async def test_a_layout_that_fills_the_row_exactly_is_fine(editor: Caller) -> None:
    board = await create_dashboard(editor)

    card = await add_card(editor, board["id"], "TEXT", {"x": 8, "y": 0, "w": 4, "h": 1})

    assert card["layout"] == {"x": 8, "y": 0, "w": 4, "h": 1}


async def test_overlapping_a_card_on_the_same_page_is_a_conflict(editor: Caller) -> None:
    # given a card at x 0..3, y 0..2
    board = await create_dashboard(editor)
    first = await add_card(editor, board["id"], "TEXT", SPOT)

    # when another would cover part of it
    payload = await try_add(editor, board["id"], "TEXT", {"x": 3, "y": 2, "w": 2, "h": 2})

    # then
    assert problems(payload) == [(("layout",), "CARD_POSITION_CONFLICT")]
    dashboard = await board_of(editor, board["id"])
    assert [c["id"] for c in dashboard["cards"]] == [first["id"]]
    assert dashboard["version"] == 2

    # and touching edges is fine
    right = await add_card(editor, board["id"], "TEXT", {"x": 4, "y": 0, "w": 2, "h": 3})
    below = await add_card(editor, board["id"], "TEXT", {"x": 0, "y": 3, "w": 4, "h": 1})
    assert right["layout"]["x"] == 4
    assert below["layout"]["y"] == 3


async def test_the_same_spot_on_another_page_is_fine(editor: Caller) -> None:
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    first = await add_card(editor, board["id"], "TEXT", SPOT)

    second = await add_card(editor, board["id"], "TEXT", SPOT, page=2)

    assert first["page"]["position"] == 1
    assert second["page"]["position"] == 2
    assert second["layout"] == first["layout"]


async def test_the_page_number_chooses_the_page(editor: Caller) -> None:
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 2)

    on_three = await add_card(editor, board["id"], "TEXT", page=3)
    on_first = await add_card(editor, board["id"], "TEXT", page=None)

    assert on_three["page"] == {"position": 3, "name": "Extra 1"}
    assert on_first["page"]["position"] == 1
    dashboard = await board_of(editor, board["id"])
    assert [[c["id"] for c in p["cards"]] for p in dashboard["pages"]] == [
        [on_first["id"]],
        [],
        [on_three["id"]],
    ]


async def test_an_unknown_page_is_an_unknown_reference(editor: Caller) -> None:
    board = await create_dashboard(editor)

    for page in (0, 2, -1):
        payload = await try_add(editor, board["id"], "TEXT", page=page)

        assert problems(payload) == [(("page",), "UNKNOWN_REFERENCE")], page
    dashboard = await board_of(editor, board["id"])
    assert (dashboard["cards"], dashboard["version"]) == ([], 1)


async def test_card_widgets_stay_out_of_the_widget_library(editor: Caller) -> None:
    # given one library widget and one card
    library = await create_widget(editor, name="In the library")
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT")

    # when
    listing = (await editor.graphql(LIBRARY))["dashboardWidgets"]

    # then the card's widget is readable by id, but not listed
    assert listing == {"totalCount": 1, "nodes": [{"databaseId": library["databaseId"]}]}
    assert await widget(editor, card["dashboardWidget"]["id"]) is not None


async def test_cards_show_under_their_pages_and_on_the_dashboard(editor: Caller) -> None:
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    a = await add_card(editor, board["id"], "TEXT", SPOT)
    b = await add_card(editor, board["id"], "KPI_CARD", SPOT, page=2, config={"metric": "m"})
    c = await add_card(editor, board["id"], "TABLE", {"x": 4, "y": 0, "w": 4, "h": 3}, config={})

    dashboard = await board_of(editor, board["id"])

    assert dashboard["cards"] == [a, b, c]
    assert [p["cards"] for p in dashboard["pages"]] == [[a, c], [b]]


async def test_concurrent_adds_at_one_spot_leave_exactly_one_card(editor: Caller) -> None:
    board = await create_dashboard(editor)

    results = await asyncio.gather(*(try_add(editor, board["id"], "TEXT", SPOT) for _ in range(10)))

    outcomes = [problems(r) for r in results]
    assert outcomes.count([]) == 1
    assert all(o == [(("layout",), "CARD_POSITION_CONFLICT")] for o in outcomes if o)
    dashboard = await board_of(editor, board["id"])
    assert len(dashboard["cards"]) == 1
    assert dashboard["version"] == 2
    assert (await editor.graphql(LIBRARY))["dashboardWidgets"]["totalCount"] == 0


# --- update -------------------------------------------------------------------------------


async def test_update_changes_only_what_is_sent(editor: Caller) -> None:
    # given
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    card = await add_card(
        editor, board["id"], "BAR_CHART", SPOT, config={"title": "T", "x_axis": "month"}
    )

    # when the config changes
    configured = await update_card(editor, board["id"], card["id"], config={"x_axis": "day"})

    # then only the config changed
    assert configured["userErrors"] == []
    after_config = configured["card"]
    assert after_config["config"] == {"x_axis": "day"}
    assert after_config["dashboardWidget"]["config"] == {"x_axis": "day"}
    assert (after_config["name"], after_config["layout"]) == ("T", SPOT)
    assert after_config["page"]["position"] == 1

    # when the layout changes
    moved = (
        await update_card(editor, board["id"], card["id"], layout={"x": 6, "y": 2, "w": 6, "h": 2})
    )["card"]
    assert moved["layout"] == {"x": 6, "y": 2, "w": 6, "h": 2}
    assert (moved["config"], moved["name"], moved["page"]["position"]) == (
        {"x_axis": "day"},
        "T",
        1,
    )

    # when the page changes
    paged = (await update_card(editor, board["id"], card["id"], page=2))["card"]
    assert paged["page"]["position"] == 2
    assert (paged["layout"], paged["config"], paged["name"]) == (
        moved["layout"],
        {"x_axis": "day"},
        "T",
    )

    # when the name changes
    named = (await update_card(editor, board["id"], card["id"], name="  Renamed "))["card"]
    assert named["name"] == "Renamed"
    assert named["dashboardWidget"]["name"] == "Renamed"
    assert (named["layout"], named["config"], named["page"]["position"]) == (
        moved["layout"],
        {"x_axis": "day"},
        2,
    )

    # then the card kept its id and widget, and every change counted once
    assert named["id"] == card["id"]
    assert named["dashboardWidget"]["id"] == card["dashboardWidget"]["id"]
    dashboard = await board_of(editor, board["id"])
    assert [p["cards"] for p in dashboard["pages"]] == [[], [named]]
    assert dashboard["version"] == 7  # create, page, add, 4 updates


async def test_update_of_everything_at_once(editor: Caller) -> None:
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    card = await add_card(editor, board["id"], "TEXT", SPOT)

    payload = await update_card(
        editor,
        board["id"],
        card["id"],
        config={"content": "new"},
        layout={"x": 1, "y": 1, "w": 1, "h": 1},
        page=2,
        name="All",
    )

    assert payload["userErrors"] == []
    updated = payload["card"]
    assert (updated["config"], updated["layout"], updated["page"]["position"], updated["name"]) == (
        {"content": "new"},
        {"x": 1, "y": 1, "w": 1, "h": 1},
        2,
        "All",
    )
    assert (await board_of(editor, board["id"]))["version"] == 4


async def test_update_without_changes_keeps_the_version(editor: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT)

    payload = await update_card(editor, board["id"], card["id"])

    assert payload["userErrors"] == []
    assert payload["card"] == card
    assert (await board_of(editor, board["id"]))["version"] == 2


async def test_moving_onto_another_card_is_a_conflict_and_changes_nothing(
    editor: Caller,
) -> None:
    # given two cards on page 1, one on page 2
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    a = await add_card(editor, board["id"], "TEXT", SPOT)
    b = await add_card(editor, board["id"], "TEXT", {"x": 6, "y": 0, "w": 4, "h": 3})
    c = await add_card(editor, board["id"], "TEXT", {"x": 6, "y": 0, "w": 2, "h": 2}, page=2)
    before = await board_of(editor, board["id"])

    # when b is moved onto a, or (keeping its layout) onto c's page, with other changes too
    onto_a = await update_card(
        editor, board["id"], b["id"], layout={"x": 2, "y": 1, "w": 4, "h": 3}, name="Moved"
    )
    onto_c = await update_card(editor, board["id"], b["id"], page=2, config={"content": "x"})

    # then
    assert problems(onto_a) == [(("layout",), "CARD_POSITION_CONFLICT")]
    assert problems(onto_c) == [(("layout",), "CARD_POSITION_CONFLICT")]
    assert onto_a["card"] is None
    assert await board_of(editor, board["id"]) == before

    # while moving within its own spot, or onto the other page's free space, is fine
    shifted = await update_card(
        editor, board["id"], b["id"], layout={"x": 5, "y": 0, "w": 4, "h": 3}
    )
    assert shifted["userErrors"] == []
    elsewhere = await update_card(
        editor, board["id"], a["id"], page=2, layout={"x": 0, "y": 0, "w": 6, "h": 2}
    )
    assert elsewhere["userErrors"] == []
    assert [
        [x["id"] for x in p["cards"]] for p in (await board_of(editor, board["id"]))["pages"]
    ] == [
        [b["id"]],
        [a["id"], c["id"]],
    ]


async def test_update_with_an_invalid_config_or_layout_changes_nothing(editor: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "KPI_CARD", SPOT, config={"metric": "m"})
    before = await board_of(editor, board["id"])

    bad_config = await update_card(
        editor, board["id"], card["id"], config={"format": "x"}, name="Other"
    )
    bad_layout = await update_card(
        editor, board["id"], card["id"], layout={"x": 11, "y": 0, "w": 2, "h": 1}
    )
    null_layout = await update_card(editor, board["id"], card["id"], layout=None)
    unknown_page = await update_card(editor, board["id"], card["id"], page=2)

    assert problems(bad_config) == [(("config", "format"), "INVALID_CARD_CONFIG")]
    assert problems(bad_layout) == [(("layout", "w"), "INVALID")]
    assert problems(null_layout) == [(("layout",), "REQUIRED")]
    assert problems(unknown_page) == [(("page",), "UNKNOWN_REFERENCE")]
    assert await board_of(editor, board["id"]) == before


# --- remove -------------------------------------------------------------------------------


async def test_remove_deletes_the_card_and_its_widget(editor: Caller) -> None:
    board = await create_dashboard(editor)
    gone = await add_card(editor, board["id"], "TEXT", SPOT)
    kept = await add_card(editor, board["id"], "TEXT", {"x": 4, "y": 0, "w": 4, "h": 3})

    payload = await remove_card(editor, board["id"], gone["id"])

    assert payload == {"deletedId": gone["id"], "userErrors": []}
    dashboard = await board_of(editor, board["id"])
    assert dashboard["cards"] == [kept]
    assert dashboard["version"] == 4
    assert await widget(editor, gone["dashboardWidget"]["id"]) is None
    assert await widget(editor, kept["dashboardWidget"]["id"]) is not None
    again = await remove_card(editor, board["id"], gone["id"])
    assert problems(again) == [(("cardId",), "NOT_FOUND")]


async def test_removing_a_library_widgets_card_keeps_the_widget(editor: Caller) -> None:
    library = await create_widget(editor, name="Shared")
    board = await create_dashboard(editor)
    await place_widgets(editor, board["id"], [library["id"]], [SPOT])
    card = (await board_of(editor, board["id"]))["cards"][0]

    payload = await remove_card(editor, board["id"], card["id"])

    assert payload["userErrors"] == []
    assert await widget(editor, library["id"]) is not None
    assert (await editor.graphql(LIBRARY))["dashboardWidgets"]["totalCount"] == 1


# --- duplicate ----------------------------------------------------------------------------


async def test_duplicate_makes_a_copy_with_its_own_widget_below_the_page(editor: Caller) -> None:
    # given cards on page 1 reaching down to row 7, and a taller one on page 2
    board = await create_dashboard(editor)
    await add_pages(editor, board["id"], 1)
    config = {"title": "Sales", "x_axis": "month", "y_axis": ["a", "b"]}
    source = await add_card(
        editor, board["id"], "BAR_CHART", {"x": 2, "y": 0, "w": 3, "h": 2}, config=config
    )
    await add_card(editor, board["id"], "TEXT", {"x": 6, "y": 4, "w": 2, "h": 3})
    await add_card(editor, board["id"], "TEXT", {"x": 0, "y": 20, "w": 2, "h": 3}, page=2)

    # when
    payload = await duplicate_card(editor, board["id"], source["id"])

    # then the copy sits below every card of its page, in the source's column
    assert payload["userErrors"] == []
    copy = payload["card"]
    assert copy["id"] != source["id"]
    assert copy["layout"] == {"x": 2, "y": 7, "w": 3, "h": 2}
    assert copy["page"]["position"] == 1
    assert (copy["cardType"], copy["name"], copy["config"]) == ("BAR_CHART", "Sales", config)
    # with a widget of its own
    assert copy["dashboardWidget"]["id"] != source["dashboardWidget"]["id"]
    assert (await board_of(editor, board["id"]))["version"] == 6

    # when the copy's config changes, the original keeps its own
    await update_card(editor, board["id"], copy["id"], config={"x_axis": "week"})
    original = await widget(editor, source["dashboardWidget"]["id"])
    assert original is not None
    assert original["config"] == config

    # and removing the original leaves the copy's widget
    await remove_card(editor, board["id"], source["id"])
    assert await widget(editor, copy["dashboardWidget"]["id"]) is not None
    assert (await editor.graphql(LIBRARY))["dashboardWidgets"]["totalCount"] == 0


async def test_duplicate_on_an_empty_rest_of_page_goes_right_below(editor: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", {"x": 5, "y": 3, "w": 2, "h": 4})

    copy = (await duplicate_card(editor, board["id"], card["id"]))["card"]
    second = (await duplicate_card(editor, board["id"], card["id"]))["card"]

    assert copy["layout"] == {"x": 5, "y": 7, "w": 2, "h": 4}
    assert second["layout"] == {"x": 5, "y": 11, "w": 2, "h": 4}


# --- versions, access, ids ----------------------------------------------------------------


async def test_every_card_change_bumps_the_version_by_one(editor: Caller) -> None:
    board = await create_dashboard(editor)
    versions = [(await board_of(editor, board["id"]))["version"]]

    card = await add_card(editor, board["id"], "TEXT", SPOT)
    versions.append((await board_of(editor, board["id"]))["version"])
    await update_card(editor, board["id"], card["id"], name="x")
    versions.append((await board_of(editor, board["id"]))["version"])
    copy = (await duplicate_card(editor, board["id"], card["id"]))["card"]
    versions.append((await board_of(editor, board["id"]))["version"])
    await remove_card(editor, board["id"], copy["id"])
    versions.append((await board_of(editor, board["id"]))["version"])

    assert versions == [1, 2, 3, 4, 5]


async def test_a_stale_expected_version_is_a_conflict(editor: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT)  # version 2
    before = await board_of(editor, board["id"])
    ref = {"dashboardId": board["id"], "cardId": card["id"], "expectedVersion": 1}

    added = await try_add(
        editor, board["id"], "TEXT", {"x": 6, "y": 0, "w": 1, "h": 1}, expectedVersion=1
    )
    updated = await editor.graphql(UPDATE_CARD, {"input": {**ref, "name": "x"}})
    removed = await editor.graphql(REMOVE_CARD, {"input": ref})
    duplicated = await editor.graphql(DUPLICATE_CARD, {"input": ref})

    for payload in (
        added,
        updated["updateDashboardCard"],
        removed["removeDashboardCard"],
        duplicated["duplicateDashboardCard"],
    ):
        assert problems(payload) == [(("expectedVersion",), "VERSION_CONFLICT")]
    assert await board_of(editor, board["id"]) == before
    current = await try_add(
        editor, board["id"], "TEXT", {"x": 6, "y": 0, "w": 1, "h": 1}, expectedVersion=2
    )
    assert current["userErrors"] == []


async def test_a_reader_may_not_change_cards(editor: Caller, reader: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT)
    before = await board_of(editor, board["id"])
    assert (await board_of(reader, board["id"]))["cards"] == before["cards"]  # it can see them

    added = await try_add(reader, board["id"], "TEXT", {"x": 6, "y": 0, "w": 1, "h": 1})
    updated = await update_card(reader, board["id"], card["id"], name="x")
    removed = await remove_card(reader, board["id"], card["id"])
    duplicated = await duplicate_card(reader, board["id"], card["id"])

    for payload in (added, updated, removed, duplicated):
        assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert await board_of(editor, board["id"]) == before


async def test_another_tenants_dashboard_is_not_found(editor: Caller, outsider: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT)
    before = await board_of(editor, board["id"])

    added = await try_add(outsider, board["id"], "TEXT", {"x": 6, "y": 0, "w": 1, "h": 1})
    updated = await update_card(outsider, board["id"], card["id"], name="x")
    removed = await remove_card(outsider, board["id"], card["id"])
    duplicated = await duplicate_card(outsider, board["id"], card["id"])

    for payload in (added, updated, removed, duplicated):
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await board_of(editor, board["id"]) == before


async def test_ids_of_the_wrong_type_or_another_dashboard_are_not_found(editor: Caller) -> None:
    # given a card on one dashboard and a card on another
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT)
    other = await create_dashboard(editor)
    foreign = await add_card(editor, other["id"], "TEXT", SPOT)
    before = await board_of(editor, board["id"])

    for card_id in (board["id"], card["dashboardWidget"]["id"], foreign["id"], "not-an-id"):
        # when
        updated = await update_card(editor, board["id"], card_id, name="x")
        removed = await remove_card(editor, board["id"], card_id)
        duplicated = await duplicate_card(editor, board["id"], card_id)

        # then
        for payload in (updated, removed, duplicated):
            assert problems(payload) == [(("cardId",), "NOT_FOUND")], card_id

    # and a card id where the dashboard's should be
    wrong_board = await try_add(editor, card["id"], "TEXT", {"x": 6, "y": 0, "w": 1, "h": 1})
    assert problems(wrong_board) == [(("dashboardId",), "NOT_FOUND")]
    assert await board_of(editor, board["id"]) == before
    assert len((await board_of(editor, other["id"]))["cards"]) == 1


async def test_a_card_resolves_through_node(editor: Caller) -> None:
    board = await create_dashboard(editor)
    card = await add_card(editor, board["id"], "TEXT", SPOT, name="Noded")

    data = await editor.graphql(NODE, {"id": card["id"]})

    assert data["node"] == {"id": card["id"], "name": "Noded"}
