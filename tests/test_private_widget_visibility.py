"""A card's private widget (its config and data source, SQL included) is seen only by callers
who see the card's dashboard; library widgets are seen by every member of the tenant."""

from __future__ import annotations

from typing import Any

from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget

WIDGET = """
query Widget($id: ID!, $global: ID!) {
  dashboardWidget(id: $id) { databaseId config dataSource }
  node(id: $global) { id }
  widgetData(id: $id) { title }
}
"""


async def _card_widget(owner: Caller, dashboard_id: int) -> dict[str, Any]:
    response = await owner.request(
        "POST",
        f"/api/dashboards/{dashboard_id}/cards",
        json={
            "card_type": "kpi_card",
            "config": {"metric": "secret_metric"},
            "layout": {"x": 0, "y": 0, "w": 3, "h": 2},
            "data_source": {"sql": "SELECT 42 AS secret_metric"},
        },
    )
    assert response.status_code == 201, response.text
    widget: dict[str, Any] = (
        await owner.graphql(
            "query($id: ID!) { dashboardWidget(id: $id) { id databaseId config dataSource } }",
            {"id": str(response.json()["widget_id"])},
        )
    )["dashboardWidget"]
    return widget


async def test_a_cards_widget_is_hidden_with_its_dashboard(editor: Caller) -> None:
    # given a dashboard only role 7 sees, with a card whose widget holds SQL
    board = await create_dashboard(editor, roleIds=[7])
    widget = await _card_widget(editor, board["databaseId"])
    outsider_of_audience = editor.peer(user="rita", scopes=(), roles=(5,))
    member_of_audience = editor.peer(user="sam", scopes=(), roles=(7,))
    variables = {"id": str(widget["databaseId"]), "global": widget["id"]}

    # when a member outside the audience and one inside it ask for the widget
    hidden = await outsider_of_audience.graphql(WIDGET, variables)
    shown = await member_of_audience.graphql(WIDGET, variables)

    # then only the one who sees the dashboard gets its config, SQL and data
    assert hidden == {"dashboardWidget": None, "node": None, "widgetData": None}
    assert shown["dashboardWidget"]["dataSource"] == {"sql": "SELECT 42 AS secret_metric"}
    assert shown["node"] == {"id": widget["id"]}
    assert shown["widgetData"] is not None


async def test_library_widgets_are_seen_by_every_member(editor: Caller) -> None:
    widget = await create_widget(editor, "Shared", "TEXT")
    reader = editor.peer(user="rita", scopes=(), roles=(5,))

    data = await reader.graphql(WIDGET, {"id": str(widget["databaseId"]), "global": widget["id"]})

    assert data["dashboardWidget"]["databaseId"] == widget["databaseId"]
    assert data["node"] == {"id": widget["id"]}
