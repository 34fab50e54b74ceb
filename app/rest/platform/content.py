"""Cards (with their data sources), layout and pages of one dashboard."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import cards, pages
from app.rest.parsing import json_body, path_id, path_number
from app.rest.platform.bodies import CardCreate, CardPatch, LayoutBody, PageCreate, PagePatch
from app.rest.platform.versions import expected_version
from app.rest.platform.views import card_json, card_result, page_json
from app.rest.responses import ORJSONResponse


def _ids(request: Request) -> tuple[int, int]:
    return (path_id(request, "dashboard_id", "dashboard"), path_id(request, "card_id", "card"))


async def add_card(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, CardCreate)
    card = await cards.add_card(
        ctx,
        dashboard_id,
        cards.CardDraft(
            card_type=body.card_type,
            config=body.config,
            layout=body.layout.position(),
            page=body.page,
            name=body.name,
            data_source=body.data_source,
        ),
        expected_version=expected_version(request),
    )
    return ORJSONResponse(card_json(card.placement, card.widget), status_code=201)


async def update_card(request: Request, ctx: RequestContext) -> Response:
    dashboard_id, card_id = _ids(request)
    body = await json_body(request, CardPatch)
    layout = body.sent("layout")
    card = await cards.update_card(
        ctx,
        dashboard_id,
        card_id,
        cards.CardChanges(
            config=body.sent("config"),
            layout=layout.position() if layout else layout,
            page=body.sent("page"),
            name=body.sent("name"),
            data_source=body.sent("data_source"),
        ),
        expected_version=expected_version(request),
    )
    return ORJSONResponse(card_result(card))


async def remove_card(request: Request, ctx: RequestContext) -> Response:
    await cards.remove_card(ctx, *_ids(request), expected_version=expected_version(request))
    return Response(status_code=204)


async def duplicate_card(request: Request, ctx: RequestContext) -> Response:
    card = await cards.duplicate_card(
        ctx, *_ids(request), expected_version=expected_version(request)
    )
    return ORJSONResponse(card_json(card.placement, card.widget), status_code=201)


async def update_layout(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, LayoutBody)
    placed = await cards.update_layout(
        ctx,
        dashboard_id,
        [cards.CardMove(item.card_id, item.position()) for item in body.root],
        expected_version=expected_version(request),
    )
    return ORJSONResponse(
        {
            "cards": [
                {
                    "card_id": p.id,
                    "page_id": p.page_id,
                    "layout": p.position.as_json() if p.position else None,
                }
                for p in placed
            ]
        }
    )


async def add_page(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, PageCreate)
    page = await pages.add_page(
        ctx, dashboard_id, body.name, body.position, expected_version=expected_version(request)
    )
    return ORJSONResponse(page_json(page), status_code=201)


async def update_page(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    number = path_number(request, "page_number", "page")
    body = await json_body(request, PagePatch)
    page = await pages.update_page(
        ctx,
        dashboard_id,
        number,
        name=body.sent("name"),
        position=body.sent("position"),
        expected_version=expected_version(request),
    )
    return ORJSONResponse(page_json(page))


async def delete_page(request: Request, ctx: RequestContext) -> Response:
    await pages.delete_page(
        ctx,
        path_id(request, "dashboard_id", "dashboard"),
        path_number(request, "page_number", "page"),
        expected_version=expected_version(request),
    )
    return Response(status_code=204)
