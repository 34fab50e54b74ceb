"""The route table of the seed-003 dialect. Its errors are plain: `{"error": message,
"code", "field", "details"}`, with fields named as the request body spells them."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.rest.bi import dashboards, sharing, widgets
from app.rest.endpoint import Handler, rest_endpoint
from app.rest.responses import ErrorStyle

STYLE = ErrorStyle()
ONE = dashboards.BASE + "/{dashboard_id}"
WIDGET = ONE + "/widgets/{widget_id}"


def _route(path: str, handler: Handler, method: str) -> Route:
    return Route(path, rest_endpoint(handler, STYLE), methods=[method])


routes: list[BaseRoute] = [
    _route(dashboards.BASE, dashboards.list_dashboards, "GET"),
    _route(dashboards.BASE, dashboards.create_dashboard, "POST"),
    _route(ONE, dashboards.get_dashboard, "GET"),
    _route(ONE, dashboards.update_dashboard, "PUT"),
    _route(ONE, dashboards.delete_dashboard, "DELETE"),
    _route(ONE + "/widgets", widgets.add_widget, "POST"),
    _route(WIDGET, widgets.update_widget, "PUT"),
    _route(WIDGET, widgets.delete_widget, "DELETE"),
    _route(ONE + "/share", sharing.share_dashboard, "POST"),
]
