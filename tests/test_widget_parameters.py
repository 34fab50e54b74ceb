"""A widget may declare the parameters it uses; a dashboard that declares the same name
overrides it, and a dashboard that does not still renders the widget with its defaults."""

from __future__ import annotations

import pytest

from app.auth import EDIT_SCOPE
from app.domain.placements import PlacementDraft, set_placements
from app.domain.records import Position
from app.domain.render import render_dashboard
from app.domain.widgets import WidgetDraft, WidgetType, create_widget
from app.errors import DomainError, ErrorCode
from app.services import Services
from tests.conftest import Caller
from tests.helpers import context_for, create_dashboard
from tests.tile_data import seed_sales

SOURCE = {
    "sql": "SELECT count(*) AS orders FROM sales WHERE units >= :min_units",
    "parameters": {"min_units": {"type": "integer", "default": 3}},
}


async def _placed(editor: Caller, services: Services, parameters: dict[str, object]) -> int:
    await seed_sales(services, editor.tenant)
    ctx = await context_for(services, editor.tenant, scopes=(EDIT_SCOPE,))
    widget = await create_widget(
        ctx, WidgetDraft("Big orders", WidgetType.KPI_CARD, data_source=SOURCE)
    )
    board = await create_dashboard(editor, parameters=parameters)
    await set_placements(
        ctx, board["databaseId"], [PlacementDraft(widget.id, Position(0, 0, 3, 2))]
    )
    return int(board["databaseId"])


async def test_a_widget_renders_with_its_own_default(editor: Caller, services: Services) -> None:
    board_id = await _placed(editor, services, {})

    rendering = await render_dashboard(
        await context_for(services, editor.tenant), board_id, parameters={}
    )

    # units >= 3 in tests/tile_data.SALES_ROWS: 3, 5, 4
    assert [c.data["rows"] for c in rendering.cards] == [[{"orders": 3}]]
    assert rendering.parameters == {}


async def test_the_dashboards_declaration_wins(editor: Caller, services: Services) -> None:
    board_id = await _placed(editor, services, {"min_units": {"type": "integer", "default": 5}})
    ctx = await context_for(services, editor.tenant)

    by_default = await render_dashboard(ctx, board_id, parameters={})
    by_request = await render_dashboard(ctx, board_id, parameters={"min_units": "1"})

    assert by_default.cards[0].data["rows"] == [{"orders": 1}]
    assert by_request.cards[0].data["rows"] == [{"orders": 6}]


async def test_a_widgets_own_parameter_cannot_be_set_through_the_dashboard(
    editor: Caller, services: Services
) -> None:
    board_id = await _placed(editor, services, {})
    ctx = await context_for(services, editor.tenant)

    with pytest.raises(DomainError) as refused:
        await render_dashboard(ctx, board_id, parameters={"min_units": "1"})

    assert refused.value.code is ErrorCode.INVALID


async def test_a_bad_widget_declaration_is_refused(editor: Caller, services: Services) -> None:
    ctx = await context_for(services, editor.tenant, scopes=(EDIT_SCOPE,))
    bad = {"sql": "SELECT :n AS n", "parameters": {"n": {"type": "integer", "default": "x"}}}

    with pytest.raises(DomainError) as refused:
        await create_widget(ctx, WidgetDraft("Bad", WidgetType.KPI_CARD, data_source=bad))

    assert refused.value.problems[0].field == ("data_source", "parameters", "n", "default")
