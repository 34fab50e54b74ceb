"""The demo data `make run` creates in development."""

from __future__ import annotations

import httpx

from app.demo import DEMO_TENANT, seed_demo
from app.domain.render import render_dashboard
from app.services import Services
from app.settings import Settings
from tests.conftest import Caller
from tests.helpers import context_for

DEMO = """{ dashboards { totalCount edges { node { databaseId code name isDefault
  placements { position { w } dashboardWidget { name widgetType } } } } } }"""


async def test_demo_data_is_created_once_and_renders_real_data(
    database_url: str, settings: Settings, http: httpx.AsyncClient, services: Services
) -> None:
    # given the demo data, created twice
    created = await seed_demo(database_url, settings)
    again = await seed_demo(database_url, settings)

    # when a member of the demo tenant lists and renders its dashboards
    data = await Caller(http, DEMO_TENANT, scopes=()).graphql(DEMO)
    boards = {b["node"]["code"]: b["node"] for b in data["dashboards"]["edges"]}
    ctx = await context_for(services, DEMO_TENANT)
    renders = [
        await render_dashboard(ctx, board["databaseId"], parameters={}) for board in boards.values()
    ]

    # then it was created once: the default overview and a dashboard from a template
    assert (created, again) == (True, False)
    assert data["dashboards"]["totalCount"] == 2
    overview = boards["sales-overview"]
    assert overview["isDefault"] is True
    assert len(overview["placements"]) == 4
    # and every card of both has rows and no error
    for rendering in renders:
        assert rendering.cards
        for card in rendering.cards:
            assert card.error is None, (card.title, card.error)
            assert card.data is not None, card.title
            assert card.data["row_count"] > 0, card.title
    by_region = next(c for c in renders[0].cards if c.title == "Revenue by region")
    assert {row["region"] for row in by_region.data["rows"]} == {"EU", "US", "APAC", "LATAM"}


async def test_seed_004_clients_can_place_the_demo_widgets_by_kind(
    database_url: str, settings: Settings, http: httpx.AsyncClient
) -> None:
    # given the demo data (created by the test above, or now)
    await seed_demo(database_url, settings)
    editor = Caller(http, DEMO_TENANT, user="exec", scopes=("dashboard.edit",))

    # when a seed-004 client makes a dashboard of two demo widgets and reads it
    created = await editor.request(
        "POST",
        "/api/dashboards",
        json={
            "name": "Executive Summary",
            "type": "executive",
            "widgets": [
                {
                    "id": "widget_1",
                    "type": "revenue_by_region",
                    "title": "Revenue",
                    "size": "large",
                },
                {"id": "widget_2", "type": "active_customers", "title": "Active", "size": "small"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    read = await editor.request("GET", f"/api/dashboards/{created.json()['id']}")

    # then both render with their own parameter defaults: no dashboard declares them
    assert read.status_code == 200, read.text
    widgets = read.json()["widgets"]
    assert [w["error"] for w in widgets] == [None, None]
    assert all(w["data"]["series"] for w in widgets)
