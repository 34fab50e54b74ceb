"""Defects found in review, each pinned by the request that showed it: numbers JSON cannot
carry, cache keys that rounded values, dataset SQL ending in a comment, repeated column names,
racing dataset renames, an empty collection filter, a seed-003 share refused half-way, and
seed-004 tile ids that differed only by spaces."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.services import Services
from tests.conftest import Caller
from tests.test_rest_bi import BASE as BI
from tests.test_rest_platform import new_board
from tests.test_rest_render import add_data_card, card_of, rendered, rows_of, sales_dataset
from tests.tile_data import seed_sales

# --- parameters and cache keys -----------------------------------------------------------------


async def test_a_huge_number_parameter_renders_instead_of_failing(editor: Caller) -> None:
    # given a number parameter bound into a card
    board = await new_board(editor, parameters={"n": {"type": "number"}})
    card = await add_data_card(editor, board["id"], {"sql": "SELECT :n::text AS v"})

    # when it is set past 2^63, and past what a number may be
    big = await rendered(editor, board["id"], "?param.n=1e20")
    absurd = await rendered(editor, board["id"], "?param.n=1e5000")

    # then the first renders, its value shown exactly; the second fails only its card
    assert rows_of(big, card) == [{"v": "100000000000000000000"}]
    assert big["dashboard"]["parameters"] == {"n": 1e20}
    assert card_of(absurd, card)["error"]["code"] == "INVALID_PARAMETER"


async def test_numbers_that_differ_past_float_precision_do_not_share_a_cache_entry(
    editor: Caller,
) -> None:
    board = await new_board(editor, parameters={"x": {"type": "number"}})
    card = await add_data_card(
        editor, board["id"], {"sql": "SELECT :x::text AS v", "cache_ttl_seconds": 60}
    )

    first = await rendered(editor, board["id"], "?param.x=1.5")
    second = await rendered(editor, board["id"], "?param.x=1.50000000000000001")

    assert rows_of(first, card) == [{"v": "1.5"}]
    assert rows_of(second, card) == [{"v": "1.50000000000000001"}]
    assert card_of(second, card)["cached"] is False


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/dashboards", {"name": "x", "parameters": {"x": 100000000000000000000}}),
        ("POST", "/api/dashboards", {"name": "x", "parameters": {"y": -1e20}}),
        (
            "POST",
            BI,
            {"name": "x", "filters": [{"field": "x", "operator": "eq", "values": [1e308]}]},
        ),
    ],
)
async def test_numbers_json_cannot_carry_are_refused_before_anything_is_written(
    editor: Caller, method: str, path: str, body: dict[str, Any]
) -> None:
    response = await editor.request(method, path, json=body)
    listed = await editor.request("GET", "/api/dashboards")

    assert response.status_code == 422, response.text
    assert "2^63" in response.text
    assert listed.json()["total"] == 0


async def test_a_card_config_number_json_cannot_carry_is_refused(editor: Caller) -> None:
    board = await new_board(editor)

    response = await editor.request(
        "POST",
        f"/api/dashboards/{board['id']}/cards",
        json={
            "card_type": "text",
            "config": {"font": 1e20},
            "layout": {"x": 0, "y": 0, "w": 2, "h": 2},
        },
    )

    assert response.status_code == 422, response.text
    assert (await editor.request("GET", f"/api/dashboards/{board['id']}")).status_code == 200


# --- datasets ----------------------------------------------------------------------------------


async def test_dataset_sql_ending_in_a_comment_renders(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    created = await editor.request(
        "POST",
        "/api/datasets",
        json={"name": "commented", "source_kind": "sql", "source": "SELECT * FROM sales -- all"},
    )
    assert created.status_code == 201, created.text
    board = await new_board(editor)
    card = await add_data_card(
        editor,
        board["id"],
        {"dataset_id": created.json()["id"], "measures": [{"aggregate": "count"}]},
    )

    assert rows_of(await rendered(editor, board["id"]), card) == [{"count": 6}]


async def test_a_dataset_with_repeated_column_names_is_refused(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)

    response = await editor.request(
        "POST",
        "/api/datasets",
        json={
            "name": "twice",
            "source_kind": "sql",
            "source": "SELECT region AS a, product AS a FROM sales",
        },
    )

    assert response.status_code == 422, response.text
    assert response.json()["field"] == "source"
    assert "a appear more than once" in response.json()["message"]


async def test_a_filter_on_a_repeated_result_column_fails_that_card_clearly(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    board = await new_board(
        editor, parameters={"region": {"type": "string", "field": "region", "default": "EU"}}
    )
    joined = await add_data_card(
        editor,
        board["id"],
        {"sql": "SELECT s.region, t.region FROM sales s JOIN sales t USING (product)"},
    )
    plain = await add_data_card(editor, board["id"], {"sql": "SELECT region FROM sales"}, y=1)

    rendering = await rendered(editor, board["id"])

    assert card_of(rendering, joined)["error"]["code"] == "INVALID_DATA_SOURCE"
    assert "2 columns named 'region'" in card_of(rendering, joined)["error"]["message"]
    assert rows_of(rendering, plain) == [{"region": "EU"}, {"region": "EU"}]


async def test_racing_dataset_renames_to_one_name_refuse_one_cleanly(
    editor: Caller, services: Services
) -> None:
    first = await sales_dataset(editor, services, "first")
    second = (
        await editor.request(
            "POST",
            "/api/datasets",
            json={"name": "second", "source_kind": "table", "source": "sales"},
        )
    ).json()

    answers = await asyncio.gather(
        *(
            editor.request("PATCH", f"/api/datasets/{d['id']}", json={"name": "same"})
            for d in (first, second)
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 409]


# --- REST dialects -----------------------------------------------------------------------------


async def test_an_empty_collection_filter_lists_everything(editor: Caller) -> None:
    await new_board(editor, "One")
    await new_board(editor, "Two")

    response = await editor.request("GET", "/api/dashboards?collection_id=&q=&limit=20&offset=0")

    assert response.status_code == 200, response.text
    assert response.json()["total"] == 2


async def test_a_refused_seed_003_share_changes_nothing(editor: Caller) -> None:
    dashboard = (
        await editor.request("POST", BI, json={"name": "Shared", "visibility": "team"})
    ).json()

    response = await editor.request(
        "POST",
        f"{BI}/{dashboard['id']}/share",
        json={"visibility": "private", "shared_with": ["carol", "\u0000"], "permissions": "edit"},
    )
    after = (await editor.request("GET", f"{BI}/{dashboard['id']}")).json()
    grants = (await editor.request("GET", f"/api/dashboards/{dashboard['id']}/shares")).json()

    assert response.status_code == 422, response.text
    assert response.json()["field"] == "shared_with[1]"
    assert after["visibility"] == "team"
    assert grants == {"shares": []}


async def test_seed_004_tile_ids_differing_only_by_spaces_are_duplicates(
    editor: Caller, services: Services
) -> None:
    from app.auth import EDIT_SCOPE
    from app.domain.widgets import WidgetDraft, WidgetType, create_widget
    from tests.helpers import context_for

    ctx = await context_for(services, editor.tenant, scopes=(EDIT_SCOPE,))
    for kind in ("k1", "k2"):
        await create_widget(ctx, WidgetDraft(kind, WidgetType.TEXT, kind=kind))

    response = await editor.request(
        "POST",
        "/api/dashboards",
        json={"name": "DK", "widgets": [{"id": " a", "type": "k1"}, {"id": "a", "type": "k2"}]},
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "DUPLICATE_IN_INPUT"


async def test_a_seed_003_share_is_one_write(editor: Caller) -> None:
    # given a dashboard at some version
    dashboard = (await editor.request("POST", BI, json={"name": "Shared"})).json()
    before = (await editor.request("GET", f"/api/dashboards/{dashboard['id']}")).json()["version"]

    # when visibility, two grants and the link are set in one share
    response = await editor.request(
        "POST",
        f"{BI}/{dashboard['id']}/share",
        json={
            "visibility": "public",
            "shared_with": ["carol", "team-sales"],
            "permissions": "view",
        },
    )

    # then all of it applied, as one new version
    after = (await editor.request("GET", f"/api/dashboards/{dashboard['id']}")).json()
    assert response.status_code == 200, response.text
    assert response.json()["public_url"].startswith("/api/public/dashboards/")
    assert {(g["subject_type"], g["subject_id"]) for g in response.json()["shared_with"]} == {
        ("user", "carol"),
        ("group", "team-sales"),
    }
    assert after["version"] == before + 1
