"""The route table of the seed-002 dialect. Collections, templates and from-template come
before /{dashboard_id}, which would take their names for an id."""

from __future__ import annotations

from starlette.routing import Route

from app.rest.endpoint import rest_endpoint
from app.rest.platform import content, dashboards, revisions, sharing, tiles
from app.rest.responses import ErrorStyle

STYLE = ErrorStyle(named_errors=True)
BASE = "/api/dashboards"
ONE = BASE + "/{dashboard_id}"


def _route(path: str, handler: object, method: str) -> Route:
    return Route(path, rest_endpoint(handler, STYLE), methods=[method])  # type: ignore[arg-type]


# POST /api/dashboards is shared with seeds 000 and 004 and dispatched by body shape, GET
# /api/dashboards with seed 004 by its query (app/rest/shared.py).
create_dashboard = rest_endpoint(dashboards.create_dashboard, STYLE)

routes = [
    _route(BASE + "/collections", sharing.list_collections, "GET"),
    _route(BASE + "/collections", sharing.create_collection, "POST"),
    _route(BASE + "/collections/{collection_id}", sharing.update_collection, "PATCH"),
    _route(BASE + "/collections/{collection_id}", sharing.delete_collection, "DELETE"),
    _route(BASE + "/templates", tiles.list_templates, "GET"),
    _route(BASE + "/from-template", tiles.create_from_template, "POST"),
    _route(ONE, dashboards.get_dashboard, "GET"),
    _route(ONE, dashboards.update_dashboard, "PATCH"),
    _route(ONE, dashboards.delete_dashboard, "DELETE"),
    _route(ONE + "/duplicate", dashboards.duplicate, "POST"),
    _route(ONE + "/render", tiles.render_dashboard, "GET"),
    _route(ONE + "/public", tiles.publish, "POST"),
    _route(ONE + "/public", tiles.revoke, "DELETE"),
    _route(ONE + "/cards", content.add_card, "POST"),
    _route(ONE + "/cards/{card_id}", content.update_card, "PATCH"),
    _route(ONE + "/cards/{card_id}", content.remove_card, "DELETE"),
    _route(ONE + "/cards/{card_id}/duplicate", content.duplicate_card, "POST"),
    _route(ONE + "/layout", content.update_layout, "PATCH"),
    _route(ONE + "/pages", content.add_page, "POST"),
    _route(ONE + "/pages/{page_number}", content.update_page, "PATCH"),
    _route(ONE + "/pages/{page_number}", content.delete_page, "DELETE"),
    _route(ONE + "/shares", sharing.list_shares, "GET"),
    _route(ONE + "/shares", sharing.add_share, "POST"),
    _route(ONE + "/shares/{share_id}", sharing.revoke_share, "DELETE"),
    _route(ONE + "/revisions", revisions.list_revisions, "GET"),
    _route(ONE + "/revisions/diff", revisions.diff_revisions, "GET"),
    _route(ONE + "/revisions/{version}", revisions.get_revision, "GET"),
    _route(ONE + "/revisions/{version}/restore", revisions.restore, "POST"),
]
