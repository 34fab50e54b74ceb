"""Dashboards of the seed-004 dialect: create with tiles, read with every tile's data,
replace the definition and tiles, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import dashboards
from app.domain.analytics_layouts import LayoutChanges, create_dashboard_with_tiles, replace_layout
from app.domain.contents import DashboardContents, load_contents
from app.domain.render import RenderedCard, render_dashboard
from app.domain.validation import UNSET
from app.rest.analytics.bodies import DashboardCreate, DashboardUpdate
from app.rest.analytics.ids import dashboard_key, path_dashboard_id
from app.rest.analytics.views import created_json, dashboard_json, updated_json
from app.rest.parsing import json_body
from app.rest.platform.versions import etag, expected_version
from app.rest.responses import ORJSONResponse


async def create_dashboard(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, DashboardCreate)
    record = await create_dashboard_with_tiles(
        ctx,
        dashboards.DashboardDraft(
            code=None,
            name=body.name,
            description=body.description,
            type=body.type,
            refresh_interval=body.refresh_interval,
        ),
        [widget.draft() for widget in body.widgets],
    )
    return ORJSONResponse(
        created_json(record),
        status_code=201,
        headers={
            "Location": f"/api/dashboards/{dashboard_key(record.id)}",
            "ETag": etag(record.version),
        },
    )


async def get_dashboard(request: Request, ctx: RequestContext) -> Response:
    contents = await load_contents(ctx, path_dashboard_id(request))
    cards = await _rendered_cards(ctx, contents)
    return ORJSONResponse(
        dashboard_json(contents, cards), headers={"ETag": etag(contents.dashboard.version)}
    )


async def _rendered_cards(
    ctx: RequestContext, contents: DashboardContents
) -> dict[int, RenderedCard]:
    """Every tile rendered with the parameters' defaults, by card id: the pages that hold
    tiles one after the other (each renders its own cards concurrently)."""
    holding = {p.page_id for p in contents.placements}
    cards: dict[int, RenderedCard] = {}
    for page in contents.pages:
        if page.id in holding:
            rendering = await render_dashboard(
                ctx, contents.dashboard.id, page=page.position, parameters={}
            )
            cards.update(
                (card.card_id, card) for card in rendering.cards if card.card_id is not None
            )
    return cards


async def update_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_dashboard_id(request)
    body = await json_body(request, DashboardUpdate)
    widgets = body.sent("widgets")
    record = await replace_layout(
        ctx,
        dashboard_id,
        LayoutChanges(
            name=body.sent("name"),
            description=body.sent("description"),
            refresh_interval=body.sent("refresh_interval"),
            tiles=UNSET if widgets is UNSET else [widget.draft() for widget in widgets],
        ),
        expected_version=expected_version(request),
    )
    return ORJSONResponse(updated_json(record), headers={"ETag": etag(record.version)})


async def delete_dashboard(request: Request, ctx: RequestContext) -> Response:
    await dashboards.delete_dashboard(
        ctx, path_dashboard_id(request), expected_version=expected_version(request)
    )
    return ORJSONResponse({"success": True, "message": "Dashboard deleted"})
