"""The list of dashboards for seed-004 clients: OData `$filter`, `$skip` and `$top` →
`{"value": [...], "count": total}`. Without `$` options the list is seed 002's, to which this
dialect's members are added, so that both kinds of client read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import true
from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain.analytics_listing import FILTER_FIELDS, ListedDashboard, list_dashboards_where
from app.domain.odata_filter import ODataFilterError, parse_filter
from app.domain.placements import count_cards
from app.domain.records import DashboardRecord
from app.rest.analytics.errors import filter_error_answer
from app.rest.analytics.views import summary_json
from app.rest.parsing import query_int
from app.rest.responses import ORJSONResponse, RequestError

OPTIONS = ("$filter", "$skip", "$top")
TOP_DEFAULT, TOP_MAX, SKIP_MAX = 20, 100, 1_000_000


def wants_odata(request: Request) -> bool:
    return any(key.startswith("$") for key in request.query_params)


async def list_dashboards(request: Request, ctx: RequestContext) -> Response:
    unsupported = sorted(k for k in request.query_params if k.startswith("$") and k not in OPTIONS)
    if unsupported:
        raise RequestError(
            400,
            "INVALID_QUERY",
            f"{unsupported[0][:40]} is not supported; use {', '.join(OPTIONS)}",
            field=unsupported[0][:40],
        )
    top = query_int(request, "$top", TOP_DEFAULT, TOP_MAX)
    skip = query_int(request, "$skip", 0, SKIP_MAX)
    text = request.query_params.get("$filter")
    try:
        condition = true() if text is None else parse_filter(text, FILTER_FIELDS)
    except ODataFilterError as error:
        return filter_error_answer(error)
    items, total = await list_dashboards_where(ctx, condition, offset=skip, limit=top)
    return ORJSONResponse({"value": [summary_json(item) for item in items], "count": total})


async def with_odata_members(
    ctx: RequestContext, body: dict[str, Any], records: list[DashboardRecord]
) -> dict[str, Any]:
    """Seed 002's list body with `value` (the same dashboards as seed 004 shows them) and
    `count` (its `total`) added."""
    counts = await count_cards(ctx, [r.id for r in records])
    value = [summary_json(ListedDashboard(r, counts.get(r.id, 0))) for r in records]
    return body | {"value": value, "count": body["total"]}
