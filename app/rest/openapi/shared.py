"""Routes several dialects share, told apart by what the request looks like
(app/rest/shared.py): their bodies and answers are `oneOf` the dialects' own."""

from __future__ import annotations

from app.rest.analytics.bodies import OWN_MEMBERS
from app.rest.openapi._build import (
    DATABASE_ID,
    ETAG,
    IF_MATCH,
    IF_NONE_MATCH,
    INTEGER,
    LOCATION,
    STRING,
    Dialect,
    Operation,
    Schema,
    array,
    closed,
    empty_response,
    json_response,
    path,
    query,
    ref,
)
from app.rest.openapi.analytics import KEY

# The error body is the dialect's that answered: Error (seed 000), NamedError (seed 002) or
# AnalyticsError (seed 004); all three have `error` and `code`.
DIALECT = Dialect("shared by several dialects", "Error")
op = DIALECT.operation
BASE = "/api/dashboards"
ONE = BASE + "/{dashboard_id}"

SCHEMAS: dict[str, Schema] = {
    "SharedDashboardCreate": {
        "description": "A top-level `data` member is seed 000's envelope; a body with any of "
        f"{', '.join(sorted(OWN_MEMBERS))} is seed 004's; any other body is seed 002's.",
        "oneOf": [
            ref("ClarusDashboardCreate"),
            {
                "allOf": [ref("AnalyticsDashboardCreate")],
                "anyOf": [{"required": [member]} for member in sorted(OWN_MEMBERS)],
            },
            ref("PlatformDashboardCreate"),
        ],
    },
    "SharedDashboardCreated": {
        "oneOf": [
            closed({"id": INTEGER}),
            ref("AnalyticsCreated"),
            ref("PlatformDashboard"),
        ]
    },
    "PlatformDashboardList": closed(
        {
            "dashboards": array(ref("PlatformDashboardSummary")),
            "total": INTEGER,
            "limit": INTEGER,
            "offset": INTEGER,
            "value": array(ref("AnalyticsSummary")),
            "count": INTEGER,
        }
    ),
}

_PAGING = {"type": "integer", "minimum": 0, "maximum": 100}
_SKIP = {"type": "integer", "minimum": 0, "maximum": 1_000_000}
ANY_ID = path(
    "dashboard_id",
    {"anyOf": [DATABASE_ID, KEY]},
    "`12` (seed 002) or `dashboard_12` (seed 004): the shape picks the dialect.",
)

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", BASE): op(
        "Create a dashboard (seeds 000, 002 and 004)",
        {
            "201": json_response(
                'Seed 000: `{"id": 12}`; seed 004: `{"id": "dashboard_12", …}`; seed 002: the '
                "full dashboard.",
                ref("SharedDashboardCreated"),
                ETAG | LOCATION,
            )
        },
        404,
        409,
        body="SharedDashboardCreate",
        description="The body's shape picks the dialect. Seed 004's unknown widget types "
        "are 400 INVALID_WIDGET_TYPE, its taken names 409 DUPLICATE_DASHBOARD.",
    ),
    ("GET", BASE): op(
        "List dashboards (seeds 002 and 004)",
        {
            "200": json_response(
                "Any `$` option: seed 004's OData list. Without one: seed 002's list, with "
                "seed 004's `value` and `count` for the same page.",
                {"oneOf": [ref("PlatformDashboardList"), ref("AnalyticsList")]},
            )
        },
        parameters=[
            query("collection_id", {"type": "integer", "minimum": 0}, "Seed 002: in it."),
            query("q", STRING, "Seed 002: names containing this."),
            query("limit", _PAGING, "Seed 002: at most (20)."),
            query("offset", _SKIP, "Seed 002: skip."),
            query("$filter", STRING, "Seed 004: an OData filter (400 INVALID_FILTER)."),
            query("$top", _PAGING, "Seed 004: at most (20)."),
            query("$skip", _SKIP, "Seed 004: skip."),
        ],
    ),
    ("GET", ONE): op(
        "Read a dashboard (seeds 002 and 004)",
        {
            "200": json_response(
                "Seed 002: the full configuration; seed 004: every tile with its data.",
                {"oneOf": [ref("PlatformDashboard"), ref("AnalyticsDashboard")]},
                ETAG,
            ),
            "304": empty_response("Seed 002: the dashboard is at a version If-None-Match named."),
        },
        404,
        parameters=[ANY_ID, IF_NONE_MATCH],
    ),
    ("DELETE", ONE): op(
        "Delete a dashboard (seeds 002 and 004)",
        {
            "200": json_response("Seed 004: deleted.", ref("AnalyticsDeleted")),
            "204": empty_response("Seed 002: deleted."),
        },
        404,
        409,
        parameters=[ANY_ID, IF_MATCH],
    ),
}
