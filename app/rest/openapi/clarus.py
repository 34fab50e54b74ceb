"""Seeds 000 and 001: JSON:API envelopes `{"data": {"type": "dashboards", "attributes":
{...}}}` and integer ids. POST /api/dashboards is shared (app/rest/openapi/shared.py)."""

from __future__ import annotations

from app.rest import clarus
from app.rest.openapi._build import (
    DATABASE_ID,
    Dialect,
    Operation,
    Schema,
    empty_response,
    path,
)
from app.rest.openapi._models import model_components

DIALECT = Dialect("seeds 000-001: Clarus", "Error")

SCHEMAS: dict[str, Schema] = model_components(
    {
        "ClarusDashboardCreate": clarus.Envelope[clarus.DashboardAttributes],
        "ClarusPlacements": clarus.Envelope[clarus.PlacementsAttributes],
    },
    "Clarus",
)

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("PUT", "/api/dashboards/{dashboard_id}/widgets"): DIALECT.operation(
        "Set dashboard widget placements",
        {"204": empty_response("Every placement replaced, in one transaction.")},
        404,
        409,
        body="ClarusPlacements",
        parameters=[path("dashboard_id", DATABASE_ID, "The dashboard's id.")],
        description="A widget may appear once; a placement without `position` gets a default slot.",
    ),
}
