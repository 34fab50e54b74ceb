"""The seed-004 list, `GET /api/dashboards?$filter=&$skip=&$top=` → `{value, count}`: OData
filters over known dashboards, paging with the total, rejection of bad input (including SQL
injection attempts), visibility, and the seed-002 list that answers without `$` options."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text

from app.services import Services
from tests.conftest import Caller
from tests.helpers import create_dashboard
from tests.test_rest_analytics import (
    BASE,
    TIMESTAMP,
    assert_error,
    create,
    database_id,
    library,
)

# name, type, widget count, refresh interval, description, created at
BOARDS = [
    ("Revenue overview", "executive", 3, 60, "Monthly revenue", "2026-01-10T09:00:00Z"),
    ("Sales pipeline", "sales", 1, None, None, "2026-02-10T09:00:00Z"),
    ("Costs", None, 0, 300, "O'Brien's 100% costs", "2026-03-10T09:00:00Z"),
    ("Revenue by region", "sales", 2, 60, None, "2026-04-10T09:00:00Z"),
]


async def seed_boards(caller: Caller, services: Services) -> dict[str, str]:
    """BOARDS in the caller's tenant, created at their dates; their ids by name."""
    await library(caller, "w1", "w2", "w3")
    keys = {}
    for name, kind, widgets, refresh, description, created_at in BOARDS:
        body: dict[str, Any] = {
            "name": name,
            "type": kind,
            "refreshInterval": refresh,
            "description": description,
            "widgets": [{"id": f"t{i}", "type": f"w{i}"} for i in range(1, widgets + 1)],
        }
        created = await create(caller, body)
        keys[name] = created["id"]
        async with services.db.engine.begin() as conn:
            await conn.execute(
                text("UPDATE dashboards SET created_at = :at WHERE id = :id"),
                {"at": datetime.fromisoformat(created_at), "id": database_id(created)},
            )
    return keys


async def odata(caller: Caller, **options: str) -> httpx.Response:
    query = urlencode({f"${name}": value for name, value in options.items()})
    return await caller.request("GET", f"{BASE}?{query}")


async def names(caller: Caller, filter_text: str) -> list[str]:
    response = await odata(caller, filter=filter_text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["value"]), body
    return [item["name"] for item in body["value"]]


# --- the answer ------------------------------------------------------------------------------


async def test_items_have_the_seeds_shape(editor: Caller, services: Services) -> None:
    keys = await seed_boards(editor, services)

    response = await odata(editor, filter="name eq 'Revenue overview'")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "value": [
            {
                "id": keys["Revenue overview"],
                "name": "Revenue overview",
                "type": "executive",
                "widgetCount": 3,
                "createdAt": "2026-01-10T09:00:00Z",
            }
        ],
        "count": 1,
    }


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ("name eq 'Costs'", ["Costs"]),
        ("name ne 'Costs'", ["Revenue overview", "Sales pipeline", "Revenue by region"]),
        ("contains(name, 'revenue')", ["Revenue overview", "Revenue by region"]),
        ("startswith(name, 'Sales')", ["Sales pipeline"]),
        ("endswith(name, 'region')", ["Revenue by region"]),
        ("contains(description, '100%')", ["Costs"]),
        ("contains(description, 'O''Brien')", ["Costs"]),
        ("widgetCount gt 1", ["Revenue overview", "Revenue by region"]),
        ("widgetCount eq 0", ["Costs"]),
        ("widgetCount le 1", ["Sales pipeline", "Costs"]),
        ("createdAt ge 2026-03-01", ["Costs", "Revenue by region"]),
        ("createdAt lt 2026-02-10T09:00:00Z", ["Revenue overview"]),
        ("createdAt gt 2026-02-10T10:00:00+01:00", ["Costs", "Revenue by region"]),
        ("type ne null", ["Revenue overview", "Sales pipeline", "Revenue by region"]),
        ("type eq null", ["Costs"]),
        ("type ne 'sales'", ["Revenue overview", "Costs"]),
        ("refreshInterval eq 60", ["Revenue overview", "Revenue by region"]),
        ("refreshInterval eq null", ["Sales pipeline"]),
        ("type eq 'sales' and widgetCount gt 1", ["Revenue by region"]),
        ("type eq 'executive' or name eq 'Costs'", ["Revenue overview", "Costs"]),
        ("not (type eq 'sales')", ["Revenue overview", "Costs"]),
        ("type eq 'sales' and not (widgetCount gt 1)", ["Sales pipeline"]),
        (
            "(name eq 'Costs' or type eq 'executive') and refreshInterval eq 60",
            ["Revenue overview"],
        ),
        (
            "name eq 'Costs' or type eq 'executive' and refreshInterval eq 60",
            ["Revenue overview", "Costs"],
        ),
        (
            "updatedAt ge 2026-01-01 and contains(name, 'E')",
            ["Revenue overview", "Sales pipeline", "Revenue by region"],
        ),
        ("name eq 'costs'", []),
    ],
)
async def test_filters_select_exactly_the_matching_dashboards(
    editor: Caller, services: Services, filter_text: str, expected: list[str]
) -> None:
    await seed_boards(editor, services)

    assert await names(editor, filter_text) == expected


async def test_skip_and_top_page_in_id_order_with_the_total_as_count(
    editor: Caller, services: Services
) -> None:
    keys = await seed_boards(editor, services)
    in_order = [keys[b[0]] for b in BOARDS]

    first = await odata(editor, top="2")
    second = await odata(editor, skip="2", top="2")
    past_the_end = await odata(editor, skip="10")
    filtered = await odata(editor, filter="type eq 'sales'", top="1")
    default = await odata(editor, skip="0")

    assert [i["id"] for i in first.json()["value"]] == in_order[:2]
    assert [i["id"] for i in second.json()["value"]] == in_order[2:]
    assert past_the_end.json() == {"value": [], "count": 4}
    assert first.json()["count"] == second.json()["count"] == 4
    assert [i["name"] for i in filtered.json()["value"]] == ["Sales pipeline"]
    assert filtered.json()["count"] == 2
    assert len(default.json()["value"]) == 4


async def test_top_defaults_to_twenty(editor: Caller) -> None:
    for index in range(21):
        await create(editor, {"name": f"Board {index}", "type": "bulk"})

    response = await odata(editor, filter="type eq 'bulk'")

    assert len(response.json()["value"]) == 20
    assert response.json()["count"] == 21


async def test_only_dashboards_the_caller_sees_are_listed_and_counted(
    editor: Caller, outsider: Caller
) -> None:
    await create(editor, {"name": "Team board", "type": "t"})
    await create_dashboard(editor, name="Alice's own", visibility="PRIVATE")
    await create(outsider, {"name": "Elsewhere", "type": "t"})
    bob = editor.peer(user="bob")

    seen_by_bob = await odata(bob, top="100")
    seen_by_alice = await odata(editor, top="100")

    assert [i["name"] for i in seen_by_bob.json()["value"]] == ["Team board"]
    assert seen_by_bob.json()["count"] == 1
    assert [i["name"] for i in seen_by_alice.json()["value"]] == ["Team board", "Alice's own"]


async def test_the_list_needs_a_valid_token(http: httpx.AsyncClient, tenant: str) -> None:
    anonymous = await http.get(f"{BASE}?$top=1")
    expired = await Caller(http, tenant, ttl=-100).request("GET", f"{BASE}?$top=1")

    assert anonymous.status_code == 401
    assert expired.status_code == 401
    assert expired.json()["code"] == "UNAUTHENTICATED"


# --- rejection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_text", "position", "words"),
    [
        ("colour eq 'red'", 0, "unknown field 'colour'"),
        ("name eq 'x' and widgetcount gt 1", 16, "did you mean 'widgetCount'"),
        ("name eq", 7, "expected a value"),
        ("name eq 'x' or", 14, "expected a field name"),
        ("(name eq 'x'", 12, "expected ')'"),
        ("name eq 'unterminated", 8, "unterminated"),
        ("name equals 'x'", 5, "expected an operator"),
        ("widgetCount eq 'three'", 15, "cannot compare widgetCount"),
        ("name gt 3", 8, "cannot compare name"),
        ("createdAt ge 'yesterday'", 13, "cannot compare createdAt"),
        ("createdAt ge 2026-13-45", 13, "invalid date"),
        ("contains(widgetCount, '1')", 9, "needs a text field"),
        ("Name Eq 'x'", 0, "unknown field 'Name'"),
        ("", 0, "empty"),
    ],
)
async def test_a_bad_filter_is_400_invalid_filter_with_where(
    editor: Caller, filter_text: str, position: int, words: str
) -> None:
    response = await odata(editor, filter=filter_text)

    body = assert_error(response, 400, "INVALID_FILTER", field="$filter")
    assert body["position"] == position, body
    assert words in body["message"], body


@pytest.mark.parametrize(
    "filter_text",
    [
        "name eq 'a'; drop table dashboards",
        "name eq 'a' -- comment",
        "name eq 'a' /* */",
        "name eq 'a' union select * from tenants",
        "1 eq 1",
        'name eq "x"',
        "name eq 'a\x00'",
    ],
)
async def test_sql_in_a_filter_is_refused_and_runs_nothing(
    editor: Caller, services: Services, filter_text: str
) -> None:
    await seed_boards(editor, services)

    response = await odata(editor, filter=filter_text)

    assert_error(response, 400, "INVALID_FILTER", field="$filter")
    assert len(await names(editor, "widgetCount ge 0")) == len(BOARDS)


async def test_a_quote_in_a_value_stays_inside_the_value(
    editor: Caller, services: Services
) -> None:
    await seed_boards(editor, services)

    injected = await names(editor, "name eq 'x'' or 1 eq 1 --'")
    quoted = await names(editor, "name eq 'Costs'' or ''a'' eq ''a'")

    assert injected == []
    assert quoted == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("$top=abc", "$top"),
        ("$top=101", "$top"),
        ("$top=-1", "$top"),
        ("$skip=-1", "$skip"),
        ("$skip=1.5", "$skip"),
        ("$skip=99999999999999999999999", "$skip"),
        ("$orderby=name", "$orderby"),
    ],
)
async def test_bad_paging_options_are_400(editor: Caller, query: str, field: str) -> None:
    response = await editor.request("GET", f"{BASE}?{query}")

    assert_error(response, 400, "INVALID_QUERY", field=field)


# --- without $ options: seed 002's list, with seed 004's members ------------------------------


async def test_without_options_the_seed_002_list_also_has_value_and_count(
    editor: Caller, services: Services
) -> None:
    keys = await seed_boards(editor, services)

    response = await editor.request("GET", f"{BASE}?limit=2&offset=1")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"dashboards", "total", "limit", "offset", "value", "count"}
    assert [d["name"] for d in body["dashboards"]] == ["Sales pipeline", "Costs"]
    assert [d["id"] for d in body["dashboards"]] == [
        database_id({"id": keys["Sales pipeline"]}),
        database_id({"id": keys["Costs"]}),
    ]
    assert (body["total"], body["limit"], body["offset"]) == (4, 2, 1)
    assert body["value"] == [
        {
            "id": keys["Sales pipeline"],
            "name": "Sales pipeline",
            "type": "sales",
            "widgetCount": 1,
            "createdAt": "2026-02-10T09:00:00Z",
        },
        {
            "id": keys["Costs"],
            "name": "Costs",
            "type": None,
            "widgetCount": 0,
            "createdAt": "2026-03-10T09:00:00Z",
        },
    ]
    assert body["count"] == 4
    assert all(TIMESTAMP.fullmatch(d["createdAt"]) for d in body["value"])


async def test_without_options_errors_stay_seed_002s(editor: Caller) -> None:
    response = await editor.request("GET", f"{BASE}?limit=abc")

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_query"
