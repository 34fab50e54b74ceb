"""Query fields that read tile data: a dashboard page rendered, or one widget's data. They are
fields of Query, not of Dashboard, so that a list of dashboards never renders each of them."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from app.domain import render
from app.graphql.context import Info
from app.graphql.errors import PublicQueryError, query_result
from app.graphql.ids import database_id_of
from app.graphql.types.rendering import DashboardRendering, RenderedCard

_PARAMETERS = strawberry.argument(
    description='Parameter values by name, e.g. {"region": ["EU"]}; the declared defaults '
    "fill in the others. A value that does not fit its declaration fails only the cards "
    "that use it; a name that is not declared is an error."
)


def _values(parameters: JSON | None) -> dict[str, Any]:
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise PublicQueryError("'parameters' must be a JSON object of values by name")
    return parameters


@strawberry.type
class RenderQueries:
    @strawberry.field(
        description="One page of a dashboard with every card's data, computed with the "
        "parameters given; null if the caller cannot see the dashboard. An unknown page or "
        "an undeclared parameter is an error."
    )
    async def dashboard_rendering(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The dashboard's id.")],
        page: Annotated[
            int | None, strawberry.argument(description="The page's number; 1 is the first.")
        ] = 1,
        parameters: Annotated[JSON | None, _PARAMETERS] = None,
    ) -> DashboardRendering | None:
        values = _values(parameters)
        dashboard_id = database_id_of(id, "Dashboard")
        if dashboard_id is None:
            return None
        rendering = await query_result(
            render.render_dashboard(
                info.context.request,
                dashboard_id,
                page=1 if page is None else page,
                parameters=values,
            ),
            unseen={"dashboard"},
        )
        if rendering is None:
            return None
        info.context.loaders.prime_dashboard(rendering.dashboard)
        return DashboardRendering.from_domain(rendering)

    @strawberry.field(
        description="One widget's data. With dashboardId, the dashboard's parameter "
        "declarations apply; without, each value given declares a parameter of its JSON type. "
        "Null if the caller cannot see the widget (a card's own widget is seen with its "
        "dashboard) or the dashboard."
    )
    async def widget_data(
        self,
        info: Info,
        id: strawberry.ID,
        parameters: Annotated[
            JSON | None,
            strawberry.argument(
                description='Parameter values by name, e.g. {"region": "EU"}, for the '
                "widget's :name placeholders and parameter filters."
            ),
        ] = None,
        dashboard_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="A dashboard (the caller sees) whose parameter declarations, "
                "defaults and filters apply."
            ),
        ] = None,
    ) -> RenderedCard | None:
        values = _values(parameters)
        widget_id = database_id_of(id, "DashboardWidget")
        board_id = None if dashboard_id is None else database_id_of(dashboard_id, "Dashboard")
        if widget_id is None or (dashboard_id is not None and board_id is None):
            return None
        card = await query_result(
            render.render_widget(
                info.context.request, widget_id, parameters=values, dashboard_id=board_id
            ),
            unseen={"widget", "dashboard"},
        )
        return RenderedCard.from_domain(card, None) if card else None
