"""The demo data `make run` creates in development."""

from __future__ import annotations

import httpx

from app.demo import DEMO_TENANT, seed_demo
from app.settings import Settings
from tests.conftest import Caller

DEMO = """{ dashboards { totalCount edges { node { code isDefault
  placements { position { w } dashboardWidget { name widgetType } } } } } }"""


async def test_demo_data_is_created_once(
    database_url: str, settings: Settings, http: httpx.AsyncClient
) -> None:
    created = await seed_demo(database_url, settings)
    again = await seed_demo(database_url, settings)

    data = await Caller(http, DEMO_TENANT, scopes=()).graphql(DEMO)
    assert (created, again) == (True, False)
    assert data["dashboards"]["totalCount"] == 1
    board = data["dashboards"]["edges"][0]["node"]
    assert board["code"] == "sales-overview"
    assert board["isDefault"] is True
    assert len(board["placements"]) == 4
