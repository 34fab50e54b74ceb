"""No N+1: the number of SQL statements a query runs does not grow with what it returns."""

from __future__ import annotations

from typing import Any

from tests.conftest import Caller, new_tenant
from tests.helpers import SET_PLACEMENTS, create_dashboard, create_widget, place_widgets

NESTED = """
{ dashboards(first: 50) { edges { node { code
    placements { position { x } dashboardWidget { name widgetType } } } } } }
"""


async def _fill(caller: Caller, dashboards: int, placements_each: int) -> None:
    widgets = [await create_widget(caller, name=f"w{i}") for i in range(placements_each)]
    for _ in range(dashboards):
        board = await create_dashboard(caller)
        await place_widgets(caller, board["id"], [w["id"] for w in widgets])


async def _statements(caller: Caller, count_statements: Any, query: str) -> tuple[int, Any]:
    await caller.graphql(query)  # warm: the tenant id is cached after the first request
    with count_statements() as counter:
        data = await caller.graphql(query)
    return counter.count, data


async def test_nested_listing_runs_the_same_statements_for_1_or_50_dashboards(
    editor: Caller, count_statements: Any
) -> None:
    # given one tenant with 1 dashboard of 1 placement, another with 50 of 20 each
    small = editor
    large = Caller(editor.http, new_tenant(), user="alice", scopes=("dashboard.edit",))
    await _fill(small, dashboards=1, placements_each=1)
    await _fill(large, dashboards=50, placements_each=20)

    # when
    small_count, small_data = await _statements(small, count_statements, NESTED)
    large_count, large_data = await _statements(large, count_statements, NESTED)

    # then
    assert len(small_data["dashboards"]["edges"]) == 1
    assert len(large_data["dashboards"]["edges"]) == 50
    assert all(len(e["node"]["placements"]) == 20 for e in large_data["dashboards"]["edges"])
    assert small_count == large_count == 3  # dashboards, their placements, their widgets


async def test_total_count_costs_one_statement_and_only_when_asked(
    editor: Caller, count_statements: Any
) -> None:
    await _fill(editor, dashboards=3, placements_each=0)

    without, _ = await _statements(editor, count_statements, "{ dashboards { edges { cursor } } }")
    with_total, data = await _statements(
        editor, count_statements, "{ dashboards { totalCount edges { cursor } } }"
    )

    assert data["dashboards"]["totalCount"] == 3
    assert (without, with_total) == (1, 2)


async def test_single_dashboard_read_is_batched_too(editor: Caller, count_statements: Any) -> None:
    widgets = [await create_widget(editor, name=f"w{i}") for i in range(30)]
    board = await create_dashboard(editor)
    await editor.graphql(
        SET_PLACEMENTS,
        {
            "input": {
                "dashboardId": board["id"],
                "placements": [{"dashboardWidgetId": w["id"]} for w in widgets],
            }
        },
    )
    query = '{ dashboard(id: "ID") { placements { dashboardWidget { name } } } }'.replace(
        "ID", board["id"]
    )

    count, data = await _statements(editor, count_statements, query)

    assert len(data["dashboard"]["placements"]) == 30
    assert count == 3
