"""schema.graphql is the contract front ends generate code from: it must match the code."""

from __future__ import annotations

from app.graphql.schema import build_schema, schema
from app.settings import Settings
from tests.conftest import REPO


def test_schema_file_matches_the_code() -> None:
    exported = (REPO / "schema.graphql").read_text()
    assert schema.as_str() + "\n" == exported, "schema.graphql is stale: run `make schema`"


def test_served_schema_is_the_exported_one(settings: Settings) -> None:
    assert build_schema(settings).as_str() == schema.as_str()


def test_fixed_names_exist() -> None:
    sdl = schema.as_str()
    for name in [
        "dashboard(id: ID!): Dashboard",
        "dashboards(",
        "dashboardWidgets(",
        "node(",
        "createDashboard(input: CreateDashboardInput!)",
        "setDashboardWidgetPlacements(input: SetDashboardWidgetPlacementsInput!)",
        "type Dashboard implements Node",
        "type DashboardWidget implements Node",
    ]:
        assert name in sdl, name
