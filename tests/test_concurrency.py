"""Concurrent writes against real PostgreSQL: the default is exactly one, and replace-all
placements end as exactly one caller's list."""

from __future__ import annotations

import asyncio
import random

from tests.conftest import Caller
from tests.helpers import (
    CREATE_DASHBOARD,
    DASHBOARD,
    SET_PLACEMENTS,
    create_dashboard,
    create_widget,
)

DEFAULTS = "{ dashboards(first: 100) { edges { node { databaseId isDefault } } } }"


async def test_twenty_concurrent_default_creates_leave_exactly_one_default(editor: Caller) -> None:
    # when
    results = await asyncio.gather(
        *(
            editor.graphql(
                CREATE_DASHBOARD, {"input": {"code": f"d{i}", "name": f"D{i}", "isDefault": True}}
            )
            for i in range(20)
        )
    )

    # then every create succeeded, and exactly one of them is the default
    created = {r["createDashboard"]["dashboard"]["databaseId"] for r in results}
    assert all(r["createDashboard"]["userErrors"] == [] for r in results)
    assert len(created) == 20
    listing = await editor.graphql(DEFAULTS)
    defaults = [
        e["node"]["databaseId"] for e in listing["dashboards"]["edges"] if e["node"]["isDefault"]
    ]
    assert len(defaults) == 1
    assert defaults[0] in created


async def test_concurrent_default_switches_leave_exactly_one_default(editor: Caller) -> None:
    boards = [await create_dashboard(editor, isDefault=(i == 0)) for i in range(10)]
    update = """mutation($input: UpdateDashboardInput!) {
      updateDashboard(input: $input) { userErrors { code } } }"""

    results = await asyncio.gather(
        *(
            editor.graphql(update, {"input": {"id": b["id"], "isDefault": True, "name": "x"}})
            for b in boards
        )
    )

    assert all(r["updateDashboard"]["userErrors"] == [] for r in results)
    listing = await editor.graphql(DEFAULTS)
    assert sum(e["node"]["isDefault"] for e in listing["dashboards"]["edges"]) == 1


async def test_concurrent_placement_replacements_end_as_one_callers_list(editor: Caller) -> None:
    # given a dashboard and a pool of widgets
    dashboard = await create_dashboard(editor)
    widgets = [await create_widget(editor, name=f"w{i}") for i in range(12)]
    rng = random.Random(7)
    lists = [rng.sample(widgets, k=rng.randint(1, 12)) for _ in range(16)]

    # when sixteen callers replace the placements at once
    results = await asyncio.gather(
        *(
            editor.graphql(
                SET_PLACEMENTS,
                {
                    "input": {
                        "dashboardId": dashboard["id"],
                        "placements": [
                            {
                                "dashboardWidgetId": w["id"],
                                "position": {"x": i, "y": 0, "w": 1, "h": 1},
                            }
                            for i, w in enumerate(chosen)
                        ],
                    }
                },
            )
            for chosen in lists
        )
    )

    # then each call saw a consistent list, and the final one is exactly one caller's list
    assert all(r["setDashboardWidgetPlacements"]["userErrors"] == [] for r in results)
    final = (await editor.graphql(DASHBOARD, {"id": dashboard["id"]}))["dashboard"]
    final_ids = [p["dashboardWidget"]["databaseId"] for p in final["placements"]]
    candidates = [[w["databaseId"] for w in chosen] for chosen in lists]
    assert final_ids in candidates
    assert [p["position"]["x"] for p in final["placements"]] == list(range(len(final_ids)))
    # the writes serialised: every one of them bumped the version once
    assert final["version"] == 1 + len(lists)
    versions = sorted(r["setDashboardWidgetPlacements"]["dashboard"]["version"] for r in results)
    assert versions == list(range(2, 2 + len(lists)))
