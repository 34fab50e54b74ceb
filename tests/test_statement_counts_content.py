"""No N+1 for a dashboard's content: listing dashboards with their pages, cards, widgets,
shares and collection runs one statement per kind of thing, however many there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth import EDIT_SCOPE
from app.services import Services
from db.models import dashboard_widgets, placements, share_grants, tenants
from db.models import pages as page_table
from tests.conftest import Caller, new_tenant
from tests.helpers import create_dashboard

CONTENT = """
{ dashboards(first: 50) { edges { node {
    pages { cards { name layout { x } } }
    cards { cardType }
    shares { subjectId }
    collection { name }
} } } }
"""

# dashboards, pages, cards with their widgets (one join), shares, collections
EXPECTED_STATEMENTS = 5
# Once the dashboards' cards, pages and grants are in the process's version cache
# (app/graphql/version_cache.py), their statements are not run.
EXPECTED_STATEMENTS_CACHED = 2

CREATE_COLLECTION = """
mutation C($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { field message code } }
}
"""

ADD_PAGE = """
mutation P($input: AddDashboardPageInput!) {
  addDashboardPage(input: $input) { userErrors { field message code } }
}
"""

ADD_CARD = """
mutation A($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { userErrors { field message code } }
}
"""

SHARE = """
mutation S($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { userErrors { field message code } }
}
"""

CARD_TYPES = ("BAR_CHART", "LINE_CHART", "KPI_CARD", "TABLE", "TEXT")


async def _ok(caller: Caller, document: str, field: str, values: dict[str, Any]) -> dict[str, Any]:
    data = await caller.graphql(document, {"input": values})
    payload: dict[str, Any] = data[field]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def _collection(caller: Caller, name: str) -> str:
    payload = await _ok(caller, CREATE_COLLECTION, "createCollection", {"name": name})
    collection_id: str = payload["collection"]["id"]
    return collection_id


async def _fill(caller: Caller, collection_id: str, *, pages: int, cards: int, shares: int) -> None:
    """A dashboard in the collection with `pages` pages, `cards` cards spread over them (a
    3-wide card per slot, four per row) and `shares` grants."""
    board = await create_dashboard(caller, collectionId=collection_id)
    for number in range(2, pages + 1):
        await _ok(
            caller, ADD_PAGE, "addDashboardPage", {"dashboardId": board["id"], "name": f"P{number}"}
        )
    for index in range(cards):
        page, slot = index % pages + 1, index // pages
        await _ok(
            caller,
            ADD_CARD,
            "addDashboardCard",
            {
                "dashboardId": board["id"],
                "cardType": CARD_TYPES[index % len(CARD_TYPES)],
                "layout": {"x": (slot % 4) * 3, "y": (slot // 4) * 2, "w": 3, "h": 2},
                "page": page,
                "name": f"card {index}",
            },
        )
    for index in range(shares):
        await _ok(
            caller,
            SHARE,
            "shareDashboard",
            {
                "dashboardId": board["id"],
                "subjectType": "GROUP" if index % 2 else "USER",
                "subjectId": f"subject-{index}",
                "accessLevel": ("VIEWER", "COMMENTER", "EDITOR")[index % 3],
            },
        )


async def _bulk_fill(
    services: Services, caller: Caller, folders: list[str], *, pages: int, cards: int, shares: int
) -> None:
    """Like _fill for many dashboards at once: the dashboards through the API (which gives
    each its first page), their other pages, cards and grants written straight to the
    database in a few statements, which keeps the set-up quick."""
    boards = [
        await create_dashboard(caller, collectionId=folders[i % len(folders)]) for i in range(50)
    ]
    async with services.db.engine.begin() as conn:
        tenant_id = await conn.scalar(select(tenants.c.id).where(tenants.c.name == caller.tenant))
        board_ids = [b["databaseId"] for b in boards]
        await conn.execute(
            page_table.insert(),
            [
                {"tenant_id": tenant_id, "dashboard_id": b, "name": f"P{n}", "position": n}
                for b in board_ids
                for n in range(2, pages + 1)
            ],
        )
        page_ids = {
            (row.dashboard_id, row.position): row.id
            for row in await conn.execute(
                select(page_table.c.id, page_table.c.dashboard_id, page_table.c.position).where(
                    page_table.c.tenant_id == tenant_id
                )
            )
        }
        slots = [(b, index) for b in board_ids for index in range(cards)]
        widget_ids = (
            await conn.scalars(
                dashboard_widgets.insert().returning(
                    dashboard_widgets.c.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "tenant_id": tenant_id,
                        "name": f"card {index}",
                        "widget_type": CARD_TYPES[index % len(CARD_TYPES)].lower(),
                        "config": {},
                        "owner_id": caller.user,
                        "in_library": False,
                    }
                    for _, index in slots
                ],
            )
        ).all()
        await conn.execute(
            placements.insert(),
            [
                {
                    "tenant_id": tenant_id,
                    "dashboard_id": b,
                    "page_id": page_ids[(b, index % pages + 1)],
                    "widget_id": widget_id,
                    "position": {
                        "x": (index // pages % 4) * 3,
                        "y": (index // pages // 4) * 2,
                        "w": 3,
                        "h": 2,
                    },
                    "ordinal": index,
                }
                for (b, index), widget_id in zip(slots, widget_ids, strict=True)
            ],
        )
        await conn.execute(
            share_grants.insert(),
            [
                {
                    "tenant_id": tenant_id,
                    "dashboard_id": b,
                    "subject_type": "group" if index % 2 else "user",
                    "subject_id": f"subject-{index}",
                    "access_level": ("viewer", "commenter", "editor")[index % 3],
                    "granted_by": caller.user,
                }
                for b in board_ids
                for index in range(shares)
            ],
        )


async def _statements(
    caller: Caller, count_statements: Any
) -> tuple[tuple[int, int], dict[str, Any]]:
    """The statements of the first listing (the tenant's id already known from the set-up's
    requests; the cards not yet read) and of the same listing again."""
    with count_statements() as first:
        await caller.graphql(CONTENT)
    with count_statements() as again:
        data = await caller.graphql(CONTENT)
    return (first.count, again.count), data


async def test_listing_content_runs_the_same_statements_for_1_or_50_dashboards(
    editor: Caller, services: Services, count_statements: Any
) -> None:
    # given one tenant with one dashboard (1 page, 1 card, 1 share) in a collection, and
    # another with 50 dashboards of 3 pages, 20 cards and 5 grants each, in 5 collections
    small = editor
    large = Caller(editor.http, new_tenant(), user="alice", scopes=(EDIT_SCOPE,))
    await _fill(small, await _collection(small, "Only"), pages=1, cards=1, shares=1)
    folders = [await _collection(large, f"Folder {i}") for i in range(5)]
    await _bulk_fill(services, large, folders, pages=3, cards=20, shares=5)

    # when
    small_count, small_data = await _statements(small, count_statements)
    large_count, large_data = await _statements(large, count_statements)

    # then the answers hold everything, and cost the same
    [only] = [e["node"] for e in small_data["dashboards"]["edges"]]
    assert only["pages"] == [{"cards": [{"name": "card 0", "layout": {"x": 0}}]}]
    assert only["cards"] == [{"cardType": "BAR_CHART"}]
    assert only["shares"] == [{"subjectId": "subject-0"}]
    assert only["collection"] == {"name": "Only"}
    nodes = [e["node"] for e in large_data["dashboards"]["edges"]]
    assert len(nodes) == 50
    for node in nodes:
        assert [len(p["cards"]) for p in node["pages"]] == [7, 7, 6]
        assert len(node["cards"]) == 20
        assert [s["subjectId"] for s in node["shares"]] == [f"subject-{i}" for i in range(5)]
        assert node["collection"]["name"].startswith("Folder ")
    assert {n["collection"]["name"] for n in nodes} == {f"Folder {i}" for i in range(5)}
    expected = (EXPECTED_STATEMENTS, EXPECTED_STATEMENTS_CACHED)
    assert small_count == large_count == expected
