"""A card's type can change; its config (kept or new) must fit the new type's schema."""

from __future__ import annotations

import pytest

from app.auth import EDIT_SCOPE
from app.context import RequestContext
from app.domain.cards import CardChanges, CardDraft, add_card, update_card
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.records import Position
from app.errors import DomainError, ErrorCode
from app.services import Services
from tests.conftest import new_tenant
from tests.helpers import context_for


async def _card(services: Services) -> tuple[RequestContext, int, int]:
    ctx = await context_for(services, new_tenant(), scopes=(EDIT_SCOPE,))
    board = await create_dashboard(ctx, DashboardDraft(code=None, name="Types"))
    card = await add_card(
        ctx,
        board.id,
        CardDraft("bar_chart", {"x_axis": "region", "y_axis": ["a", "b"]}, Position(0, 0, 4, 3)),
    )
    return ctx, board.id, card.placement.id


async def test_a_card_changes_type_with_a_config_that_fits(services: Services) -> None:
    ctx, board_id, card_id = await _card(services)

    changed = await update_card(
        ctx,
        board_id,
        card_id,
        CardChanges(card_type="scatter_plot", config={"x_axis": "units", "y_axis": "revenue"}),
    )

    assert changed.widget.widget_type == "scatter_plot"
    assert changed.widget.config == {"x_axis": "units", "y_axis": "revenue"}


async def test_a_kept_config_that_breaks_the_new_type_is_refused(services: Services) -> None:
    ctx, board_id, card_id = await _card(services)

    # a bar chart's list of y axes is not a scatter plot's single y axis
    with pytest.raises(DomainError) as refused:
        await update_card(ctx, board_id, card_id, CardChanges(card_type="scatter_plot"))

    assert refused.value.code is ErrorCode.INVALID_CARD_CONFIG
    assert refused.value.problems[0].field == ("config", "y_axis")


async def test_an_unknown_type_is_refused(services: Services) -> None:
    ctx, board_id, card_id = await _card(services)

    with pytest.raises(DomainError) as refused:
        await update_card(ctx, board_id, card_id, CardChanges(card_type="sparkline"))

    assert (refused.value.code, refused.value.problems[0].field) == (
        ErrorCode.INVALID,
        ("card_type",),
    )
