"""Version history in the seed-002 dialect (docs/version-history.md): a dashboard's
revisions, one as it was, the difference between two, and restoring one."""

from __future__ import annotations

from app.rest.openapi._build import (
    DATABASE_ID,
    ETAG,
    IF_MATCH,
    INTEGER,
    OBJECT,
    STRING,
    TIMESTAMP,
    Operation,
    Schema,
    array,
    closed,
    header,
    json_response,
    nullable,
    path,
    query,
    ref,
)
from app.rest.openapi.platform import DASHBOARD_ID, ONE, op

VERSION = path("version", DATABASE_ID, "The revision's version.")
VERSION_QUERY = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
REVISION_MESSAGE = header(
    "X-Revision-Message",
    {"type": "string", "maxLength": 500},
    "Kept with the revision the write records (any write to a dashboard takes it).",
)
_CHANGE = closed({"kind": STRING, "path": STRING})
_REVISION = {
    "version": INTEGER,
    "created_at": TIMESTAMP,
    "author": STRING,
    "message": nullable(STRING),
    "restored_from": nullable(INTEGER),
    "changes": array(_CHANGE),
}

SCHEMAS: dict[str, Schema] = {
    "PlatformRevision": closed(_REVISION),
    "PlatformRevisionWithState": closed(
        {
            **_REVISION,
            "snapshot": closed(
                {
                    "dashboard": OBJECT,
                    "pages": OBJECT,
                    "cards": OBJECT,
                    "card_widgets": OBJECT,
                    "grants": OBJECT,
                    "public_link": {"type": "boolean"},
                }
            ),
        }
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", ONE + "/revisions"): op(
        "List a dashboard's revisions, newest first",
        {
            "200": json_response(
                "A page of them; `next_before` gives the next page.",
                closed(
                    {
                        "revisions": array(ref("PlatformRevision")),
                        "total": INTEGER,
                        "limit": INTEGER,
                        "next_before": nullable(INTEGER),
                    }
                ),
            )
        },
        404,
        parameters=[
            DASHBOARD_ID,
            query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size (20)."),
            query("before", VERSION_QUERY, "Only revisions below this version."),
        ],
    ),
    ("GET", ONE + "/revisions/diff"): op(
        "Compare two revisions of a dashboard",
        {
            "200": json_response(
                "The changes, and the patch from the state at `from` to the state at `to`.",
                closed(
                    {
                        "from": INTEGER,
                        "to": INTEGER,
                        "changes": array(_CHANGE),
                        "patch": array({"type": "array"}),
                    }
                ),
            )
        },
        404,
        parameters=[
            DASHBOARD_ID,
            query("from", VERSION_QUERY, "One revision's version (required)."),
            query("to", VERSION_QUERY, "The other's; the newest revision when left out."),
        ],
    ),
    ("GET", ONE + "/revisions/{version}"): op(
        "Read a revision: the dashboard as it was",
        {"200": json_response("The revision and its state.", ref("PlatformRevisionWithState"))},
        404,
        parameters=[DASHBOARD_ID, VERSION],
    ),
    ("POST", ONE + "/revisions/{version}/restore"): op(
        "Restore a revision, as a new revision",
        {
            "200": json_response(
                "The dashboard as it is now (as GET /api/dashboards/{id} gives it).",
                ref("PlatformDashboard"),
                ETAG,
            )
        },
        403,
        404,
        409,
        422,
        parameters=[DASHBOARD_ID, VERSION, IF_MATCH, REVISION_MESSAGE],
        description="Writes back the revision's fields, pages, cards and grants in one "
        "transaction. Not restored: the default flag and the public link. Changing grants "
        "needs the rights to manage the dashboard (403). A card whose library widget was "
        "deleted since: 422 UNKNOWN_REFERENCE, and nothing changes.",
    ),
}
