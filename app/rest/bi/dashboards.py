"""Dashboards of the seed-003 dialect: list (by visibility and tag), create, read with every
widget, update and delete (both for the owner and admins)."""

from __future__ import annotations

from typing import get_args

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import dashboards, public_links
from app.domain.access import Action
from app.domain.contents import load_contents
from app.domain.placements import count_cards
from app.domain.records import DashboardRecord
from app.domain.validation import UNSET, is_set
from app.errors import DomainError, ErrorCode, not_found
from app.rest.bi.bodies import DashboardCreate, DashboardUpdate, Visibility
from app.rest.bi.field_names import renamed_fields
from app.rest.bi.filters import as_parameters, parameter_field, with_filters
from app.rest.bi.views import dashboard_summary, full_dashboard
from app.rest.parsing import json_body, path_id, query_int
from app.rest.responses import ORJSONResponse, RequestError

BASE = "/api/v1/bi/dashboards"
LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX = 20, 100, 1_000_000
# Replacing filters rewrites the parameters read just before: a write in between is retried.
FILTER_UPDATE_ATTEMPTS = 3


async def list_dashboards(request: Request, ctx: RequestContext) -> Response:
    limit = query_int(request, "limit", LIMIT_DEFAULT, LIMIT_MAX, minimum=1)
    offset = query_int(request, "offset", 0, OFFSET_MAX)
    filters = dashboards.DashboardFilter(
        visibility=_visibility_query(request), tag=request.query_params.get("tag") or None
    )
    records, total = await dashboards.list_dashboards_at(ctx, filters, offset=offset, limit=limit)
    counts = await count_cards(ctx, [r.id for r in records])
    return ORJSONResponse(
        {
            "dashboards": [
                dashboard_summary(r, ctx.tenant_name, counts.get(r.id, 0)) for r in records
            ],
            "total": total,
            "limit": limit,
            "offset": offset,
        }
    )


async def create_dashboard(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, DashboardCreate)
    parameters = as_parameters(body.filters)
    with renamed_fields(parameter_field(body.filters)):
        record = await dashboards.create_dashboard(
            ctx,
            dashboards.DashboardDraft(
                code=None,
                name=body.name,
                description=body.description,
                visibility=body.visibility,
                tags=body.tags,
                parameters=parameters,
            ),
        )
    return ORJSONResponse(
        dashboard_summary(record, ctx.tenant_name, 0),
        status_code=201,
        headers={"Location": f"{BASE}/{record.id}"},
    )


async def get_dashboard(request: Request, ctx: RequestContext) -> Response:
    contents = await load_contents(ctx, path_id(request, "dashboard_id", "dashboard"))
    return ORJSONResponse(full_dashboard(contents, ctx.tenant_name))


async def update_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, DashboardUpdate)
    await _update(ctx, dashboard_id, body)
    if is_set(body.sent("visibility")) and body.visibility != "public":
        # A dashboard that is no longer public keeps no public link.
        await public_links.revoke_public_link(ctx, dashboard_id)
    contents = await load_contents(ctx, dashboard_id)
    return ORJSONResponse(full_dashboard(contents, ctx.tenant_name))


async def delete_dashboard(request: Request, ctx: RequestContext) -> Response:
    await dashboards.delete_dashboard(ctx, path_id(request, "dashboard_id", "dashboard"))
    return Response(status_code=204)


async def _update(ctx: RequestContext, dashboard_id: int, body: DashboardUpdate) -> None:
    """The owner's (or an admin's) update. New filters replace the old ones in the
    parameters read just before, at that version: a concurrent write makes it try again."""
    for attempt in range(1, FILTER_UPDATE_ATTEMPTS + 1):
        parameters, version = UNSET, None
        if is_set(body.sent("filters")):
            current = await _current(ctx, dashboard_id)
            parameters, version = with_filters(current.parameters, body.filters), current.version
        try:
            with renamed_fields(parameter_field(body.filters)):
                await dashboards.update_dashboard(
                    ctx,
                    dashboard_id,
                    dashboards.DashboardChanges(
                        name=body.sent("name"),
                        description=body.sent("description"),
                        visibility=body.sent("visibility"),
                        tags=body.sent("tags"),
                        parameters=parameters,
                    ),
                    expected_version=version,
                    action=Action.MANAGE,
                )
            return
        except DomainError as error:
            if error.code is not ErrorCode.VERSION_CONFLICT or attempt == FILTER_UPDATE_ATTEMPTS:
                raise


async def _current(ctx: RequestContext, dashboard_id: int) -> DashboardRecord:
    async with ctx.db.reader() as conn:
        found = (await dashboards.get_dashboards(conn, ctx, [dashboard_id])).get(dashboard_id)
    if found is None:
        raise not_found("dashboard", dashboard_id, ("id",))
    return found


def _visibility_query(request: Request) -> str | None:
    value = request.query_params.get("visibility") or None
    allowed = get_args(Visibility)
    if value is not None and value not in allowed:
        raise RequestError(
            400,
            "INVALID_QUERY",
            f"visibility must be one of {', '.join(allowed)} (got {value[:40]!r})",
            field="visibility",
        )
    return value
