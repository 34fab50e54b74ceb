"""Widgets of a seed-003 dashboard: each is a card (app/domain/cards.py) on the dashboard's
first page, its id the card's, `position {x, y, width, height}` its place on the 12-column
grid."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import cards
from app.rest.bi.bodies import WidgetCreate, WidgetUpdate
from app.rest.bi.field_names import renamed_fields, widget_field
from app.rest.bi.views import widget_json
from app.rest.parsing import json_body, path_id
from app.rest.responses import ORJSONResponse


def _ids(request: Request) -> tuple[int, int]:
    return (path_id(request, "dashboard_id", "dashboard"), path_id(request, "widget_id", "widget"))


async def add_widget(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, WidgetCreate)
    with renamed_fields(widget_field):
        card = await cards.add_card(
            ctx,
            dashboard_id,
            cards.CardDraft(
                card_type=body.widget_type,
                config=body.config,
                layout=body.position.position(),
                name=body.name,
                data_source=body.data_source,
            ),
        )
    return ORJSONResponse(widget_json(card.placement, card.widget), status_code=201)


async def update_widget(request: Request, ctx: RequestContext) -> Response:
    dashboard_id, widget_id = _ids(request)
    body = await json_body(request, WidgetUpdate)
    position = body.sent("position")
    with renamed_fields(widget_field):
        card = await cards.update_card(
            ctx,
            dashboard_id,
            widget_id,
            cards.CardChanges(
                config=body.sent("config"),
                layout=position.position() if position else position,
                name=body.sent("name"),
                data_source=body.sent("data_source"),
                card_type=body.sent("widget_type"),
            ),
        )
    return ORJSONResponse(widget_json(card.placement, card.widget))


async def delete_widget(request: Request, ctx: RequestContext) -> Response:
    await cards.remove_card(ctx, *_ids(request))
    return Response(status_code=204)
