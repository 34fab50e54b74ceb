"""Routes that several dialects share. POST /api/dashboards takes seed 000's JSON:API
envelope (`{"data": {"type": "dashboards", "attributes": …}}` → 201 `{"id": n}`) and seed
002's plain body (`{"name", "collection_id?", "parameters?"}` → 201 with the dashboard): the
presence of a top-level `data` member tells them apart."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.rest import clarus
from app.rest.platform import routes as platform


async def create_dashboard(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and "data" in body:
        return await clarus.create_dashboard_endpoint(request)
    return await platform.create_dashboard(request)


routes = [Route("/api/dashboards", create_dashboard, methods=["POST"])]
