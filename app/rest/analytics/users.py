"""Dashboards assigned to users (seed 004): a user's list, assign (and make the default),
unassign."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain.assignments import assign_dashboard, unassign_dashboard, user_dashboards
from app.rest.analytics.bodies import AssignmentBody
from app.rest.analytics.ids import dashboard_key, path_dashboard_id
from app.rest.analytics.views import assigned_json
from app.rest.parsing import json_body
from app.rest.responses import ORJSONResponse, RequestError

# A longer run of digits could be past what JSON numbers carry exactly.
_JSON_SAFE_DIGITS = 15


def user_id_json(user_id: str) -> int | str:
    """The user id as the seed shows it: a number when it is one (`"123"` → 123), else the
    string itself."""
    canonical = user_id.isascii() and user_id.isdigit() and str(int(user_id[:20])) == user_id
    return int(user_id) if canonical and len(user_id) <= _JSON_SAFE_DIGITS else user_id


async def list_user_dashboards(request: Request, ctx: RequestContext) -> Response:
    user_id = request.path_params["user_id"]
    assigned = await user_dashboards(ctx, user_id)
    return ORJSONResponse(
        {"userId": user_id_json(user_id), "dashboards": [assigned_json(a) for a in assigned]}
    )


async def assign(request: Request, ctx: RequestContext) -> Response:
    user_id = request.path_params["user_id"]
    dashboard_id = path_dashboard_id(request)
    body = (await json_body(request, AssignmentBody)) if await request.body() else AssignmentBody()
    assigned = await assign_dashboard(ctx, user_id, dashboard_id, is_default=body.is_default)
    return ORJSONResponse(
        {
            "userId": user_id_json(user_id),
            "id": dashboard_key(assigned.dashboard.id),
            "isDefault": assigned.is_default,
        }
    )


async def unassign(request: Request, ctx: RequestContext) -> Response:
    user_id = request.path_params["user_id"]
    dashboard_id = path_dashboard_id(request)
    if not await unassign_dashboard(ctx, user_id, dashboard_id):
        raise RequestError(
            404,
            "NOT_FOUND",
            f"dashboard {dashboard_key(dashboard_id)} is not assigned to user {user_id[:255]}",
            resource="assignment",
        )
    return Response(status_code=204)
