"""Seed 002's routes under /api/dashboards: collections, templates, dashboards, cards,
layout, pages, shares, rendering and public links. Errors are NamedError. GET/DELETE of one
dashboard and POST/GET of the list are shared with other dialects (app/rest/openapi/shared.py)."""

from __future__ import annotations

from app.rest.openapi._build import (
    DATABASE_ID,
    ETAG,
    IF_MATCH,
    INTEGER,
    LOCATION,
    Dialect,
    Operation,
    array,
    closed,
    empty_response,
    json_response,
    path,
    query,
    ref,
)

DIALECT = Dialect("seed 002: dashboards", "NamedError")
op = DIALECT.operation
BASE = "/api/dashboards"
ONE = BASE + "/{dashboard_id}"

DASHBOARD_ID = path("dashboard_id", DATABASE_ID, "The dashboard's id.")
COLLECTION_ID = path("collection_id", DATABASE_ID, "The collection's id.")
CARD_ID = path("card_id", DATABASE_ID, "The card's id.")
PAGE_NUMBER = path(
    "page_number", {"type": "integer", "minimum": 1, "maximum": 100_000}, "The page's number."
)
PAGE_QUERY = query(
    "page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "The page to render (1)."
)
RENDER_DESCRIPTION = (
    "Every card of one page with its data, computed with the dashboard's parameters. "
    "Parameter values are query keys `param.<name>=<value>` (repeat the key for a list); one "
    "card's failure fills its `error` and never fails the others."
)

DELETED = {"204": empty_response("Deleted.")}
CARD = json_response("The card.", ref("PlatformCard"))
PAGE = json_response("The page.", ref("PlatformPage"))
LINK = ref("PlatformPublicLink")
SHARE = ref("PlatformShare")
COLLECTION = json_response("The collection.", ref("PlatformCollection"))

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", BASE + "/collections"): op(
        "List collections",
        {
            "200": json_response(
                "All of them.", closed({"collections": array(ref("PlatformCollection"))})
            )
        },
    ),
    ("POST", BASE + "/collections"): op(
        "Create a collection", {"201": COLLECTION}, 404, 409, body="PlatformCollectionCreate"
    ),
    ("PATCH", BASE + "/collections/{collection_id}"): op(
        "Rename or move a collection",
        {"200": COLLECTION},
        404,
        409,
        body="PlatformCollectionPatch",
        parameters=[COLLECTION_ID],
    ),
    ("DELETE", BASE + "/collections/{collection_id}"): op(
        "Delete an empty collection", DELETED, 404, 409, parameters=[COLLECTION_ID]
    ),
    ("GET", BASE + "/templates"): op(
        "List the built-in templates",
        {
            "200": json_response(
                "All of them.", closed({"templates": array(ref("PlatformTemplate"))})
            )
        },
    ),
    ("POST", BASE + "/from-template"): op(
        "Create a dashboard from a template and a dataset",
        {"201": json_response("The new dashboard.", ref("PlatformDashboard"), ETAG | LOCATION)},
        404,
        409,
        body="PlatformFromTemplate",
    ),
    ("PATCH", ONE): op(
        "Update a dashboard's fields",
        {"200": json_response("The dashboard's fields.", ref("PlatformDashboardFields"), ETAG)},
        404,
        409,
        body="PlatformDashboardPatch",
        parameters=[DASHBOARD_ID, IF_MATCH],
        description="`default_audience`: the role ids that see it, [] for every member.",
    ),
    ("POST", ONE + "/duplicate"): op(
        "Duplicate a dashboard with its pages and cards",
        {"201": json_response("The copy's id.", closed({"id": INTEGER}), LOCATION)},
        404,
        409,
        body="PlatformDuplicate",
        body_required=False,
        parameters=[DASHBOARD_ID],
    ),
    ("GET", ONE + "/render"): op(
        "Render a dashboard page",
        {"200": json_response("The page's cards with their data.", ref("PlatformRendering"))},
        404,
        422,
        parameters=[DASHBOARD_ID, PAGE_QUERY],
        description=RENDER_DESCRIPTION,
    ),
    ("POST", ONE + "/public"): op(
        "Publish a dashboard's public link",
        {
            "201": json_response("The new link.", LINK),
            "200": json_response("The link the dashboard already had.", LINK),
        },
        404,
        409,
        parameters=[DASHBOARD_ID, IF_MATCH],
    ),
    ("DELETE", ONE + "/public"): op(
        "Revoke a dashboard's public link", DELETED, 404, 409, parameters=[DASHBOARD_ID, IF_MATCH]
    ),
    ("POST", ONE + "/cards"): op(
        "Add a card",
        {"201": CARD},
        404,
        409,
        body="PlatformCardCreate",
        parameters=[DASHBOARD_ID, IF_MATCH],
        description="`data_source` is where the card's data comes from (docs/tile-data.md).",
    ),
    ("PATCH", ONE + "/cards/{card_id}"): op(
        "Change a card: only the fields sent",
        {"200": CARD},
        404,
        409,
        body="PlatformCardPatch",
        parameters=[DASHBOARD_ID, CARD_ID, IF_MATCH],
    ),
    ("DELETE", ONE + "/cards/{card_id}"): op(
        "Remove a card", DELETED, 404, 409, parameters=[DASHBOARD_ID, CARD_ID, IF_MATCH]
    ),
    ("POST", ONE + "/cards/{card_id}/duplicate"): op(
        "Duplicate a card on the same dashboard",
        {"201": CARD},
        404,
        409,
        422,
        parameters=[DASHBOARD_ID, CARD_ID, IF_MATCH],
    ),
    ("PATCH", ONE + "/layout"): op(
        "Move cards, all or none",
        {"200": json_response("Every card's place.", ref("PlatformPlacedCards"))},
        404,
        409,
        body="PlatformLayoutUpdate",
        parameters=[DASHBOARD_ID, IF_MATCH],
    ),
    ("POST", ONE + "/pages"): op(
        "Add a page",
        {"201": PAGE},
        404,
        409,
        body="PlatformPageCreate",
        parameters=[DASHBOARD_ID, IF_MATCH],
    ),
    ("PATCH", ONE + "/pages/{page_number}"): op(
        "Rename or move a page",
        {"200": PAGE},
        404,
        409,
        body="PlatformPagePatch",
        parameters=[DASHBOARD_ID, PAGE_NUMBER, IF_MATCH],
    ),
    ("DELETE", ONE + "/pages/{page_number}"): op(
        "Delete a page and its cards",
        DELETED,
        404,
        409,
        422,
        parameters=[DASHBOARD_ID, PAGE_NUMBER, IF_MATCH],
    ),
    ("GET", ONE + "/shares"): op(
        "List a dashboard's share grants",
        {"200": json_response("The grants.", closed({"shares": array(SHARE)}))},
        404,
        parameters=[DASHBOARD_ID],
    ),
    ("POST", ONE + "/shares"): op(
        "Share a dashboard with a user or group",
        {
            "201": json_response("The new grant.", SHARE),
            "200": json_response("The subject already had a grant: it is updated.", SHARE),
        },
        404,
        409,
        body="PlatformShareCreate",
        parameters=[DASHBOARD_ID, IF_MATCH],
    ),
    ("DELETE", ONE + "/shares/{share_id}"): op(
        "Revoke a share grant",
        DELETED,
        404,
        409,
        parameters=[DASHBOARD_ID, path("share_id", DATABASE_ID, "The grant's id."), IF_MATCH],
    ),
}
