"""Seed 003's routes under /api/v1/bi/dashboards. Ids are JSON strings (accepted back in
paths); errors are plain `Error`s with fields spelled as the body spells them."""

from __future__ import annotations

from app.rest.bi import bodies
from app.rest.openapi._build import (
    INTEGER,
    LOCATION,
    OBJECT,
    STRING,
    TIMESTAMP,
    Dialect,
    Operation,
    Schema,
    array,
    closed,
    empty_response,
    enum,
    json_response,
    nullable,
    path,
    query,
    ref,
)
from app.rest.openapi._models import model_components

DIALECT = Dialect("seed 003: BI dashboards", "Error")
op = DIALECT.operation
BASE = "/api/v1/bi/dashboards"
ONE = BASE + "/{dashboard_id}"
WIDGET = ONE + "/widgets/{widget_id}"

STRING_ID: Schema = {"type": "string", "pattern": "^[0-9]+$"}
VISIBILITY = enum("private", "team", "public")
DASHBOARD_ID = path("dashboard_id", STRING_ID, "The dashboard's id.")
WIDGET_ID = path("widget_id", STRING_ID, "The widget's id.")

_SUMMARY: dict[str, Schema] = {
    "id": STRING_ID,
    "name": STRING,
    "description": nullable(STRING),
    "tenant_id": STRING,
    "created_by": STRING,
    "visibility": VISIBILITY,
    "tags": array(STRING),
    "filters": array(ref("BiFilter")),
    "widget_count": INTEGER,
    "created_at": TIMESTAMP,
}

RESPONSES: dict[str, Schema] = {
    "BiDashboardSummary": closed(_SUMMARY),
    "BiDashboard": closed({**_SUMMARY, "updated_at": TIMESTAMP, "widgets": array(ref("BiWidget"))}),
    "BiFilter": closed({"field": STRING, "operator": STRING, "values": array({})}),
    "BiWidget": closed(
        {
            "id": STRING_ID,
            "name": STRING,
            "widget_type": STRING,
            "position": nullable(
                closed({"x": INTEGER, "y": INTEGER, "width": INTEGER, "height": INTEGER})
            ),
            "data_source": nullable(OBJECT),
            "config": OBJECT,
        }
    ),
    "BiSharing": closed(
        {
            "id": STRING_ID,
            "visibility": VISIBILITY,
            "shared_with": array(
                closed(
                    {
                        "subject_type": enum("user", "group"),
                        "subject_id": STRING,
                        "permissions": enum("view", "edit"),
                    }
                )
            ),
            "public_url": nullable(STRING),
        }
    ),
}

BODIES: dict[str, Schema] = model_components(
    {
        "BiDashboardCreate": bodies.DashboardCreate,
        "BiDashboardUpdate": bodies.DashboardUpdate,
        "BiWidgetCreate": bodies.WidgetCreate,
        "BiWidgetUpdate": bodies.WidgetUpdate,
        "BiShare": bodies.ShareBody,
    },
    "Bi",
)

DASHBOARD = json_response("The dashboard with every widget.", ref("BiDashboard"))
WIDGET_ANSWER = json_response("The widget.", ref("BiWidget"))
DELETED = {"204": empty_response("Deleted.")}
OWNER_ONLY = "For the dashboard's owner (with dashboard.edit) and admins; others get 403."

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", BASE): op(
        "List dashboards",
        {
            "200": json_response(
                "One page of them.",
                closed(
                    {
                        "dashboards": array(ref("BiDashboardSummary")),
                        "total": INTEGER,
                        "limit": INTEGER,
                        "offset": INTEGER,
                    }
                ),
            )
        },
        parameters=[
            query("visibility", VISIBILITY, "Only dashboards of this visibility."),
            query("tag", STRING, "Only dashboards with this tag."),
            query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "At most (20)."),
            query("offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000}, "Skip."),
        ],
    ),
    ("POST", BASE): op(
        "Create a dashboard",
        {"201": json_response("The dashboard.", ref("BiDashboardSummary"), LOCATION)},
        409,
        body="BiDashboardCreate",
        description="Each filter becomes the dashboard parameter named after its field.",
    ),
    ("GET", ONE): op("Read a dashboard", {"200": DASHBOARD}, 404, parameters=[DASHBOARD_ID]),
    ("PUT", ONE): op(
        "Update a dashboard: only the fields sent",
        {"200": DASHBOARD},
        404,
        409,
        body="BiDashboardUpdate",
        parameters=[DASHBOARD_ID],
        description=OWNER_ONLY + " `filters` replaces every filter.",
    ),
    ("DELETE", ONE): op(
        "Delete a dashboard", DELETED, 404, 409, parameters=[DASHBOARD_ID], description=OWNER_ONLY
    ),
    ("POST", ONE + "/widgets"): op(
        "Add a widget",
        {"201": WIDGET_ANSWER},
        404,
        409,
        body="BiWidgetCreate",
        parameters=[DASHBOARD_ID],
    ),
    ("PUT", WIDGET): op(
        "Change a widget: only the fields sent",
        {"200": WIDGET_ANSWER},
        404,
        409,
        body="BiWidgetUpdate",
        parameters=[DASHBOARD_ID, WIDGET_ID],
    ),
    ("DELETE", WIDGET): op(
        "Remove a widget", DELETED, 404, 409, parameters=[DASHBOARD_ID, WIDGET_ID]
    ),
    ("POST", ONE + "/share"): op(
        "Set a dashboard's visibility and grants, in one transaction",
        {"200": json_response("Every grant and the public URL.", ref("BiSharing"))},
        404,
        409,
        body="BiShare",
        parameters=[DASHBOARD_ID],
        description="`public` publishes the dashboard's public link, another visibility "
        "revokes it. `shared_with` entries starting `team-` or `group:` are groups.",
    ),
}
