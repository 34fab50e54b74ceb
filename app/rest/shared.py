"""Routes that several dialects share, told apart by what the request looks like.

POST /api/dashboards, by the body's shape: a top-level `data` member is seed 000's JSON:API
envelope (→ 201 `{"id": n}`); otherwise any of `widgets`, `type` or `refreshInterval` makes it
seed 004's analytics body (→ 201 `{"id": "dashboard_12", "name", "type", "createdAt"}`); any
other body is seed 002's (`{"name", "collection_id?", "parameters?"}` → 201, the dashboard).

GET /api/dashboards, by the query: any `$` option (`$filter`, `$skip`, `$top`) asks for seed
004's OData list (`{"value", "count"}`); without one the list is seed 002's (`collection_id`,
`q`, `limit`, `offset` → `{"dashboards", "total", "limit", "offset"}`) with seed 004's `value`
and `count` added for the same page.

GET and DELETE of one dashboard are told apart by the id's shape in the route tables
(app/rest/analytics/routes.py)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.context import RequestContext
from app.rest import clarus
from app.rest.analytics import listing as analytics_listing
from app.rest.analytics import routes as analytics
from app.rest.analytics.bodies import OWN_MEMBERS as ANALYTICS_MEMBERS
from app.rest.endpoint import rest_endpoint
from app.rest.platform import dashboards as platform_dashboards
from app.rest.platform import routes as platform
from app.rest.responses import ORJSONResponse


async def create_dashboard(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and "data" in body:
        return await clarus.create_dashboard_endpoint(request)
    if isinstance(body, dict) and ANALYTICS_MEMBERS & body.keys():
        return await analytics.create_dashboard(request)
    return await platform.create_dashboard(request)


async def _seed_002_list(request: Request, ctx: RequestContext) -> Response:
    body, records = await platform_dashboards.list_page(request, ctx)
    return ORJSONResponse(await analytics_listing.with_odata_members(ctx, body, records))


_seed_002_list_endpoint = rest_endpoint(_seed_002_list, platform.STYLE)


async def list_dashboards(request: Request) -> Response:
    if analytics_listing.wants_odata(request):
        return await analytics.list_dashboards(request)
    return await _seed_002_list_endpoint(request)


routes = [
    Route("/api/dashboards", create_dashboard, methods=["POST"]),
    Route("/api/dashboards", list_dashboards, methods=["GET"]),
]
