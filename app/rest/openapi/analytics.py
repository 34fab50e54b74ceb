"""Seed 004's routes: dashboards as `dashboard_12`, tiles named by library widget kind, and
per-user assignments under /api/users. Errors are AnalyticsError with the seed's codes.
POST/GET /api/dashboards and GET/DELETE of one are shared (app/rest/openapi/shared.py)."""

from __future__ import annotations

from app.rest.analytics import bodies
from app.rest.openapi._build import (
    BOOLEAN,
    DATABASE_ID,
    ETAG,
    IF_MATCH,
    INTEGER,
    OBJECT,
    STRING,
    TIMESTAMP,
    Dialect,
    Operation,
    Schema,
    array,
    closed,
    empty_response,
    json_response,
    nullable,
    path,
    ref,
)
from app.rest.openapi._models import model_components
from app.rest.openapi.platform_schemas import CARD_ERROR

DIALECT = Dialect("seed 004: analytics dashboards", "AnalyticsError")
op = DIALECT.operation

KEY: Schema = {"type": "string", "pattern": "^dashboard_[0-9]+$"}
# `dashboard_12`, or the plain `12` the dialect accepts back too.
ANY_ID = path("dashboard_id", {"anyOf": [KEY, DATABASE_ID]}, "`dashboard_12` or `12`.")
USER_ID = path("user_id", STRING, "The user's id (a token's `sub`).")
USER = "/api/users/{user_id}/dashboards"

RESPONSES: dict[str, Schema] = {
    "AnalyticsCreated": closed(
        {"id": KEY, "name": STRING, "type": nullable(STRING), "createdAt": TIMESTAMP}
    ),
    "AnalyticsDashboard": closed(
        {
            "id": KEY,
            "name": STRING,
            "description": nullable(STRING),
            "type": nullable(STRING),
            "widgets": array(ref("AnalyticsTile")),
            "refreshInterval": nullable(INTEGER),
            "createdAt": TIMESTAMP,
            "updatedAt": TIMESTAMP,
        }
    ),
    "AnalyticsTile": closed(
        {
            "id": STRING,
            "type": STRING,
            "title": STRING,
            "size": nullable(STRING),
            "data": nullable(closed({"series": array(OBJECT)})),
            "error": nullable(CARD_ERROR),
        }
    ),
    "AnalyticsUpdated": closed({"id": KEY, "name": STRING, "updatedAt": TIMESTAMP}),
    "AnalyticsDeleted": closed({"success": {"const": True}, "message": STRING}),
    "AnalyticsList": closed({"value": array(ref("AnalyticsSummary")), "count": INTEGER}),
    "AnalyticsSummary": closed(
        {
            "id": KEY,
            "name": STRING,
            "type": nullable(STRING),
            "widgetCount": INTEGER,
            "createdAt": TIMESTAMP,
        }
    ),
    "AnalyticsUserDashboards": closed(
        {
            "userId": {"type": ["integer", "string"]},
            "dashboards": array(
                closed({"id": KEY, "name": STRING, "type": nullable(STRING), "isDefault": BOOLEAN})
            ),
        }
    ),
    "AnalyticsAssignment": closed(
        {"userId": {"type": ["integer", "string"]}, "id": KEY, "isDefault": BOOLEAN}
    ),
}

BODIES: dict[str, Schema] = model_components(
    {
        "AnalyticsDashboardCreate": bodies.DashboardCreate,
        "AnalyticsDashboardUpdate": bodies.DashboardUpdate,
        "AnalyticsAssign": bodies.AssignmentBody,
    },
    "Analytics",
)

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("PUT", "/api/dashboards/{dashboard_id}"): op(
        "Replace a dashboard's definition and tiles",
        {"200": json_response("The dashboard.", ref("AnalyticsUpdated"), ETAG)},
        404,
        409,
        body="AnalyticsDashboardUpdate",
        parameters=[ANY_ID, IF_MATCH],
        description="Fields and tiles change together or not at all. A widget `type` the "
        "tenant has no library widget of is 400 INVALID_WIDGET_TYPE.",
    ),
    ("GET", USER): op(
        "List the dashboards assigned to a user",
        {"200": json_response("The user's dashboards.", ref("AnalyticsUserDashboards"))},
        404,
        422,
        parameters=[USER_ID],
    ),
    ("PUT", USER + "/{dashboard_id}"): op(
        "Assign a dashboard to a user, or make it the user's default",
        {"200": json_response("The assignment.", ref("AnalyticsAssignment"))},
        404,
        409,
        422,
        body="AnalyticsAssign",
        body_required=False,
        parameters=[USER_ID, ANY_ID],
    ),
    ("DELETE", USER + "/{dashboard_id}"): op(
        "Unassign a dashboard from a user",
        {"204": empty_response("Unassigned.")},
        404,
        422,
        parameters=[USER_ID, ANY_ID],
    ),
}
