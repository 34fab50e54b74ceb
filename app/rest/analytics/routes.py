"""The route table of the seed-004 dialect. POST and GET of /api/dashboards are shared with
seeds 000 and 002 and dispatched in app/rest/shared.py; GET and DELETE of one dashboard are
shared with seed 002 by the id's shape: only `dashboard_12` ids match here, plain ones go on to
seed 002's routes. PUT is this dialect's alone and takes both shapes."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.rest.analytics import dashboards, listing, users
from app.rest.analytics.errors import analytics_endpoint
from app.rest.analytics.ids import DashboardKeyConvertor

ONE = "/api/dashboards/{dashboard_id}"
ONE_BY_KEY = "/api/dashboards/{dashboard_id:" + DashboardKeyConvertor.name + "}"
USER = "/api/users/{user_id}/dashboards"

# Dispatched by app/rest/shared.py.
create_dashboard = analytics_endpoint(dashboards.create_dashboard)
list_dashboards = analytics_endpoint(listing.list_dashboards)

routes: list[BaseRoute] = [
    Route(ONE_BY_KEY, analytics_endpoint(dashboards.get_dashboard), methods=["GET"]),
    Route(ONE_BY_KEY, analytics_endpoint(dashboards.delete_dashboard), methods=["DELETE"]),
    Route(ONE, analytics_endpoint(dashboards.update_dashboard), methods=["PUT"]),
    Route(USER, analytics_endpoint(users.list_user_dashboards), methods=["GET"]),
    Route(USER + "/{dashboard_id}", analytics_endpoint(users.assign), methods=["PUT"]),
    Route(USER + "/{dashboard_id}", analytics_endpoint(users.unassign), methods=["DELETE"]),
]
