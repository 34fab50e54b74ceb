"""The BI dialect of seed 003 under /api/v1/bi/dashboards: dashboards (create, list by
visibility and tag, read, update and delete for the owner and admins), filters as dashboard
parameters, sharing with visibility and public links, and who may do what. Widgets and the
rendering of filters are in test_rest_bi_widgets.py."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.context import RequestContext
from app.domain.records import DashboardRecord
from app.rest.bi import dashboards as bi_dashboards
from tests.conftest import Caller

BASE = "/api/v1/bi/dashboards"
ERROR_KEYS = {"error", "code", "field", "details"}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
REGION_FILTER = {"field": "region", "operator": "in", "values": ["US", "EU", "APAC"]}
TEXT_WIDGET = {
    "name": "Notes",
    "widget_type": "text",
    "position": {"x": 0, "y": 0, "width": 1, "height": 1},
}
GRAPHQL_DASHBOARD = """
query One($id: ID!) {
  dashboard(id: $id) { name tags visibility parameters filters { field operator values } }
}
"""


# --- helpers ---------------------------------------------------------------------------------


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """A plain error of this dialect: the message in `error`, the `code`, the `field`."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) <= ERROR_KEYS, body
    assert isinstance(body["error"], str), body
    assert body["error"], body
    assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


async def new_dashboard(
    caller: Caller, name: str = "Q4 Revenue Dashboard", **fields: Any
) -> dict[str, Any]:
    response = await caller.request("POST", BASE, json={"name": name, **fields})
    assert response.status_code == 201, response.text
    dashboard: dict[str, Any] = response.json()
    return dashboard


async def read(caller: Caller, dashboard_id: str) -> dict[str, Any]:
    response = await caller.request("GET", f"{BASE}/{dashboard_id}")
    assert response.status_code == 200, response.text
    dashboard: dict[str, Any] = response.json()
    return dashboard


async def listed(caller: Caller, query: str = "") -> dict[str, Any]:
    response = await caller.request("GET", f"{BASE}{query}")
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def names(page: dict[str, Any]) -> list[str]:
    return [d["name"] for d in page["dashboards"]]


def by_field(filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(filters, key=lambda f: str(f["field"]))


async def share(caller: Caller, dashboard_id: str, **body: Any) -> httpx.Response:
    return await caller.request("POST", f"{BASE}/{dashboard_id}/share", json=body)


# --- create ----------------------------------------------------------------------------------


async def test_a_dashboard_is_created_with_the_seeds_fields(editor: Caller) -> None:
    # when
    response = await editor.request(
        "POST",
        BASE,
        json={
            "name": "Q4 Revenue Dashboard",
            "description": "Quarterly revenue analysis across regions",
            "visibility": "private",
            "tags": ["revenue", "quarterly"],
            "filters": [REGION_FILTER],
        },
    )

    # then
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].isdigit()
    assert TIMESTAMP.fullmatch(body["created_at"]), body
    assert response.headers["location"] == f"{BASE}/{body['id']}"
    assert body == {
        "id": body["id"],
        "name": "Q4 Revenue Dashboard",
        "description": "Quarterly revenue analysis across regions",
        "tenant_id": editor.tenant,
        "created_by": "alice",
        "visibility": "private",
        "tags": ["revenue", "quarterly"],
        "filters": [REGION_FILTER],
        "widget_count": 0,
        "created_at": body["created_at"],
    }


async def test_a_name_alone_makes_a_team_dashboard_without_tags_or_filters(
    editor: Caller,
) -> None:
    # when
    body = await new_dashboard(editor, "Bare")

    # then
    assert (body["visibility"], body["tags"], body["filters"], body["description"]) == (
        "team",
        [],
        [],
        None,
    )


async def test_filters_are_the_dashboards_parameters_in_graphql(editor: Caller) -> None:
    # given
    filters: list[dict[str, Any]] = [
        REGION_FILTER,
        {"field": "units", "operator": "gte", "values": [3]},
        {"field": "revenue", "operator": "between", "values": [10, 99.5]},
        {"field": "order_date", "operator": "lt", "values": ["2026-02-01"]},
        {"field": "is_online", "operator": "eq", "values": [True]},
    ]
    created = await new_dashboard(editor, tags=["revenue"], visibility="public", filters=filters)

    # when
    data = await editor.graphql(GRAPHQL_DASHBOARD, {"id": created["id"]})

    # then
    dashboard = data["dashboard"]
    assert dashboard["name"] == "Q4 Revenue Dashboard"
    assert dashboard["parameters"] == {
        "region": {
            "type": "string",
            "multiple": True,
            "default": ["US", "EU", "APAC"],
            "field": "region",
            "operator": "in",
        },
        "units": {
            "type": "integer",
            "multiple": False,
            "default": 3,
            "field": "units",
            "operator": "gte",
        },
        "revenue": {
            "type": "number",
            "multiple": True,
            "default": [10, 99.5],
            "field": "revenue",
            "operator": "between",
        },
        "order_date": {
            "type": "date",
            "multiple": False,
            "default": "2026-02-01",
            "field": "order_date",
            "operator": "lt",
        },
        "is_online": {
            "type": "boolean",
            "multiple": False,
            "default": True,
            "field": "is_online",
            "operator": "eq",
        },
    }
    assert (dashboard["tags"], dashboard["visibility"]) == (["revenue"], "PUBLIC")
    in_graphql = [{**f, "operator": f["operator"].lower()} for f in dashboard["filters"]]
    assert by_field(in_graphql) == by_field(filters)
    assert by_field((await read(editor, created["id"]))["filters"]) == by_field(filters)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "INVALID", "name"),
        ({"name": "  "}, "REQUIRED", "name"),
        ({"name": "x" * 51}, "TOO_LONG", "name"),
        ({"name": "A", "visibility": "secret"}, "INVALID", "visibility"),
        ({"name": "A", "tags": ["t" * 51]}, "TOO_LONG", "tags[0]"),
        ({"name": "A", "tags": "revenue"}, "INVALID", "tags"),
        ({"name": "A", "owner": "me"}, "INVALID", "owner"),
        (
            {"name": "A", "filters": [{"field": "region", "operator": "like", "values": ["E"]}]},
            "INVALID",
            "filters[0].operator",
        ),
        (
            {"name": "A", "filters": [{"field": "region", "operator": "eq", "values": ["E", "U"]}]},
            "INVALID",
            "filters[0].values",
        ),
        (
            {"name": "A", "filters": [{"field": "units", "operator": "between", "values": [1]}]},
            "INVALID",
            "filters[0].values",
        ),
        (
            {"name": "A", "filters": [{"field": "region", "operator": "in", "values": []}]},
            "INVALID",
            "filters[0].values",
        ),
        (
            {"name": "A", "filters": [{"field": "units", "operator": "in", "values": [1, "2"]}]},
            "INVALID",
            "filters[0].values",
        ),
        (
            {"name": "A", "filters": [{"field": "units", "operator": "eq", "values": [None]}]},
            "INVALID",
            "filters[0].values",
        ),
        (
            {
                "name": "A",
                "filters": [{"field": "region", "operator": "eq", "values": ["x" * 1001]}],
            },
            "INVALID",
            "filters[0].values",
        ),
        (
            {
                "name": "A",
                "filters": [{"field": "region; drop", "operator": "eq", "values": ["E"]}],
            },
            "INVALID",
            "filters[0].field",
        ),
        (
            {
                "name": "A",
                "filters": [
                    {"field": "region", "operator": "eq", "values": ["EU"]},
                    {"field": "region", "operator": "neq", "values": ["US"]},
                ],
            },
            "DUPLICATE_IN_INPUT",
            "filters[1].field",
        ),
    ],
)
async def test_a_bad_dashboard_is_refused_where_it_is_wrong(
    editor: Caller, body: dict[str, Any], code: str, field: str
) -> None:
    # when
    response = await editor.request("POST", BASE, json=body)

    # then
    assert_error(response, 422, code, field)
    assert (await listed(editor))["total"] == 0


async def test_creating_needs_dashboard_edit(reader: Caller) -> None:
    response = await reader.request("POST", BASE, json={"name": "Mine"})

    assert_error(response, 403, "FORBIDDEN")


async def test_a_body_that_is_not_json_is_a_bad_request(editor: Caller) -> None:
    response = await editor.request(
        "POST", BASE, content=b"{", headers={"content-type": "application/json"}
    )

    assert_error(response, 400, "MALFORMED_JSON")


# --- list ------------------------------------------------------------------------------------


async def test_the_list_filters_by_visibility_and_tag_and_pages(editor: Caller) -> None:
    # given
    await new_dashboard(editor, "Revenue", visibility="team", tags=["revenue", "q4"])
    await new_dashboard(editor, "Costs", visibility="private", tags=["costs"])
    await new_dashboard(editor, "Margins", visibility="public", tags=["revenue"])

    # when
    everything = await listed(editor)
    revenue = await listed(editor, "?tag=revenue")
    private = await listed(editor, "?visibility=private")
    public_revenue = await listed(editor, "?visibility=public&tag=revenue")
    second = await listed(editor, "?limit=1&offset=1")

    # then
    assert names(everything) == ["Revenue", "Costs", "Margins"]
    assert (everything["total"], everything["limit"], everything["offset"]) == (3, 20, 0)
    assert names(revenue) == ["Revenue", "Margins"]
    assert names(private) == ["Costs"]
    assert names(public_revenue) == ["Margins"]
    assert names(second) == ["Costs"]
    assert (second["total"], second["limit"], second["offset"]) == (3, 1, 1)
    first = everything["dashboards"][0]
    assert first == {
        "id": first["id"],
        "name": "Revenue",
        "description": None,
        "tenant_id": editor.tenant,
        "created_by": "alice",
        "visibility": "team",
        "tags": ["revenue", "q4"],
        "filters": [],
        "widget_count": 0,
        "created_at": first["created_at"],
    }


async def test_the_list_counts_each_dashboards_widgets(editor: Caller) -> None:
    # given
    one = await new_dashboard(editor, "One")
    await new_dashboard(editor, "None")
    for x in (0, 6):
        response = await editor.request(
            "POST",
            f"{BASE}/{one['id']}/widgets",
            json={
                "name": f"Tile {x}",
                "widget_type": "text",
                "position": {"x": x, "y": 0, "width": 6, "height": 2},
            },
        )
        assert response.status_code == 201, response.text

    # when
    page = await listed(editor)

    # then
    assert [(d["name"], d["widget_count"]) for d in page["dashboards"]] == [("One", 2), ("None", 0)]


async def test_the_list_reads_in_as_many_statements_for_one_dashboard_as_for_many(
    editor: Caller, count_statements: Any
) -> None:
    # given
    async def statements_to_list() -> int:
        with count_statements() as counter:
            await listed(editor)
        return int(counter.count)

    first = await new_dashboard(editor, "First")
    await editor.request("POST", f"{BASE}/{first['id']}/widgets", json=TEXT_WIDGET)
    for_one = await statements_to_list()

    # when
    for index in range(4):
        more = await new_dashboard(editor, f"More {index}")
        await editor.request("POST", f"{BASE}/{more['id']}/widgets", json=TEXT_WIDGET)
    for_five = await statements_to_list()

    # then
    assert for_five == for_one


async def test_the_list_shows_only_what_the_caller_sees(editor: Caller, reader: Caller) -> None:
    # given
    await new_dashboard(editor, "Team board")
    await new_dashboard(editor, "Alice's own", visibility="private")

    # when
    seen = await listed(reader)

    # then
    assert names(seen) == ["Team board"]
    assert seen["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=101", "limit"),
        ("?limit=0", "limit"),
        ("?limit=ten", "limit"),
        ("?offset=-1", "offset"),
        ("?visibility=secret", "visibility"),
    ],
)
async def test_a_bad_list_query_is_a_bad_request(editor: Caller, query: str, field: str) -> None:
    response = await editor.request("GET", f"{BASE}{query}")

    assert_error(response, 400, "INVALID_QUERY", field)


# --- read ------------------------------------------------------------------------------------


async def test_a_dashboard_is_read_with_its_widgets_and_configuration(editor: Caller) -> None:
    # given
    created = await new_dashboard(editor, tags=["revenue"], filters=[REGION_FILTER])
    response = await editor.request(
        "POST",
        f"{BASE}/{created['id']}/widgets",
        json={
            "name": "Revenue by Region",
            "widget_type": "bar_chart",
            "position": {"x": 0, "y": 0, "width": 6, "height": 4},
            "data_source": {"sql": "SELECT region FROM sales", "cache_ttl_seconds": 300},
            "config": {"x_axis": "region", "show_legend": True},
        },
    )
    assert response.status_code == 201, response.text
    widget_id = response.json()["id"]

    # when
    body = await read(editor, created["id"])

    # then
    assert TIMESTAMP.fullmatch(body["updated_at"]), body
    assert body == {
        **created,
        "widget_count": 1,
        "updated_at": body["updated_at"],
        "widgets": [
            {
                "id": widget_id,
                "name": "Revenue by Region",
                "widget_type": "bar_chart",
                "position": {"x": 0, "y": 0, "width": 6, "height": 4},
                "data_source": {"sql": "SELECT region FROM sales", "cache_ttl_seconds": 300},
                "config": {"x_axis": "region", "show_legend": True},
            }
        ],
    }


@pytest.mark.parametrize("dashboard_id", ["dash-abc123", "0", "99999999999999999999", "1.5"])
async def test_an_id_that_names_no_dashboard_is_not_found(
    editor: Caller, dashboard_id: str
) -> None:
    response = await editor.request("GET", f"{BASE}/{dashboard_id}")

    assert_error(response, 404, "NOT_FOUND")


async def test_a_private_dashboard_is_seen_by_its_owner_admins_and_grantees_only(
    editor: Caller, admin: Caller, reader: Caller
) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")
    colleague = editor.peer(user="bob")
    grantee = editor.peer(user="carol", scopes=())
    team_member = editor.peer(user="dave", scopes=(), groups=("team-analytics",))
    assert (await share(editor, created["id"], shared_with=["carol", "team-analytics"])).is_success

    # when
    seen_by = {
        name: (await caller.request("GET", f"{BASE}/{created['id']}")).status_code
        for name, caller in [
            ("owner", editor),
            ("admin", admin),
            ("grantee", grantee),
            ("group member", team_member),
            ("reader", reader),
            ("editor", colleague),
        ]
    }

    # then
    assert seen_by == {
        "owner": 200,
        "admin": 200,
        "grantee": 200,
        "group member": 200,
        "reader": 404,
        "editor": 404,
    }


# --- update ----------------------------------------------------------------------------------


async def test_the_owner_updates_name_description_visibility_tags_and_filters(
    editor: Caller,
) -> None:
    # given
    created = await new_dashboard(editor, tags=["old"], filters=[REGION_FILTER])
    new_filters = [{"field": "product", "operator": "neq", "values": ["Gizmo"]}]

    # when
    response = await editor.request(
        "PUT",
        f"{BASE}/{created['id']}",
        json={
            "name": "Q1 Revenue",
            "description": "First quarter",
            "visibility": "private",
            "tags": ["revenue", "q1"],
            "filters": new_filters,
        },
    )

    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        **created,
        "name": "Q1 Revenue",
        "description": "First quarter",
        "visibility": "private",
        "tags": ["revenue", "q1"],
        "filters": new_filters,
        "updated_at": body["updated_at"],
        "widgets": [],
    }
    assert await read(editor, created["id"]) == body


async def test_an_update_changes_only_what_it_sends(editor: Caller) -> None:
    # given
    created = await new_dashboard(
        editor, description="Kept", tags=["kept"], visibility="public", filters=[REGION_FILTER]
    )

    # when
    response = await editor.request("PUT", f"{BASE}/{created['id']}", json={"name": "Renamed"})

    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in created} == {**created, "name": "Renamed"}


async def test_replacing_filters_keeps_parameters_that_are_not_filters(editor: Caller) -> None:
    # given a parameter declared through seed 002, which the SQL of cards may bind
    created = await new_dashboard(editor, filters=[REGION_FILTER])
    patched = await editor.request(
        "PATCH",
        f"/api/dashboards/{created['id']}",
        json={
            "parameters": {
                "year": 2026,
                "region": {"type": "string", "field": "region", "default": "EU"},
            }
        },
    )
    assert patched.status_code == 200, patched.text

    # when
    response = await editor.request(
        "PUT",
        f"{BASE}/{created['id']}",
        json={"filters": [{"field": "units", "operator": "gt", "values": [1]}]},
    )

    # then
    assert response.status_code == 200, response.text
    assert response.json()["filters"] == [{"field": "units", "operator": "gt", "values": [1]}]
    data = await editor.graphql(GRAPHQL_DASHBOARD, {"id": created["id"]})
    assert data["dashboard"]["parameters"] == {
        "year": 2026,
        "units": {
            "type": "integer",
            "multiple": False,
            "default": 1,
            "field": "units",
            "operator": "gt",
        },
    }


async def test_filters_replace_the_parameters_as_a_concurrent_write_left_them(
    editor: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given another client declares a parameter between this update's read and its write
    created = await new_dashboard(editor, filters=[REGION_FILTER])
    read_current = bi_dashboards._current
    interleaved: list[int] = []

    async def current_then_another_write(ctx: RequestContext, dashboard_id: int) -> DashboardRecord:
        record = await read_current(ctx, dashboard_id)
        if not interleaved:
            interleaved.append(dashboard_id)
            other = await editor.request(
                "PATCH",
                f"/api/dashboards/{dashboard_id}",
                json={"parameters": {**record.parameters, "year": 2026}},
            )
            assert other.status_code == 200, other.text
        return record

    monkeypatch.setattr(bi_dashboards, "_current", current_then_another_write)

    # when
    response = await editor.request(
        "PUT",
        f"{BASE}/{created['id']}",
        json={"filters": [{"field": "units", "operator": "gt", "values": [1]}]},
    )

    # then neither write is lost
    assert response.status_code == 200, response.text
    data = await editor.graphql(GRAPHQL_DASHBOARD, {"id": created["id"]})
    assert set(data["dashboard"]["parameters"]) == {"year", "units"}


async def test_an_admin_updates_any_dashboard(editor: Caller, admin: Caller) -> None:
    created = await new_dashboard(editor, visibility="private")

    response = await admin.request("PUT", f"{BASE}/{created['id']}", json={"tags": ["audited"]})

    assert response.status_code == 200, response.text
    assert response.json()["tags"] == ["audited"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": None}, "REQUIRED", "name"),
        ({"visibility": None}, "INVALID", "visibility"),
        ({"visibility": "everyone"}, "INVALID", "visibility"),
        ({"tags": [""]}, "REQUIRED", "tags[0]"),
        (
            {"filters": [{"field": "units", "operator": "gt", "values": [1, 2]}]},
            "INVALID",
            "filters[0].values",
        ),
        ({"widgets": []}, "INVALID", "widgets"),
    ],
)
async def test_a_bad_update_is_refused_and_changes_nothing(
    editor: Caller, body: dict[str, Any], code: str, field: str
) -> None:
    # given
    created = await new_dashboard(editor)

    # when
    response = await editor.request("PUT", f"{BASE}/{created['id']}", json=body)

    # then
    assert_error(response, 422, code, field)
    assert {k: v for k, v in (await read(editor, created["id"])).items() if k in created} == created


# --- delete ----------------------------------------------------------------------------------


async def test_the_owner_deletes_a_dashboard(editor: Caller) -> None:
    # given
    created = await new_dashboard(editor)

    # when
    response = await editor.request("DELETE", f"{BASE}/{created['id']}")

    # then
    assert response.status_code == 204, response.text
    assert_error(await editor.request("GET", f"{BASE}/{created['id']}"), 404, "NOT_FOUND")
    assert_error(await editor.request("DELETE", f"{BASE}/{created['id']}"), 404, "NOT_FOUND")


async def test_an_admin_deletes_any_dashboard(editor: Caller, admin: Caller) -> None:
    created = await new_dashboard(editor, visibility="private")

    response = await admin.request("DELETE", f"{BASE}/{created['id']}")

    assert response.status_code == 204, response.text
    assert (await listed(editor))["total"] == 0


# --- share ---------------------------------------------------------------------------------


async def test_sharing_grants_users_and_groups_and_sets_visibility(editor: Caller) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")

    # when
    response = await share(
        editor,
        created["id"],
        visibility="team",
        shared_with=["user-789", "team-analytics", "group:finance"],
        permissions="view",
    )

    # then
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": created["id"],
        "visibility": "team",
        "shared_with": [
            {"subject_type": "user", "subject_id": "user-789", "permissions": "view"},
            {"subject_type": "group", "subject_id": "team-analytics", "permissions": "view"},
            {"subject_type": "group", "subject_id": "finance", "permissions": "view"},
        ],
        "public_url": None,
    }
    assert (await read(editor, created["id"]))["visibility"] == "team"


async def test_sharing_again_updates_the_grant(editor: Caller) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")
    assert (await share(editor, created["id"], shared_with=["carol"])).is_success
    carol = editor.peer(user="carol", scopes=())

    # when
    response = await share(editor, created["id"], shared_with=["carol"], permissions="edit")

    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["visibility"] == "private"
    assert body["shared_with"] == [
        {"subject_type": "user", "subject_id": "carol", "permissions": "edit"}
    ]
    # an editor grant lets carol change the dashboard's widgets without dashboard.edit
    added = await carol.request("POST", f"{BASE}/{created['id']}/widgets", json=TEXT_WIDGET)
    assert added.status_code == 201, added.text


async def test_public_visibility_publishes_a_link_and_leaving_it_revokes_it(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")

    # when
    published = await share(editor, created["id"], visibility="public")
    again = await share(editor, created["id"], visibility="public")

    # then
    assert published.status_code == 200, published.text
    url = published.json()["public_url"]
    assert re.fullmatch(r"/api/public/dashboards/[A-Za-z0-9_-]{20,64}/render", url), url
    assert again.json()["public_url"] == url
    assert (await http.get(url)).status_code == 200
    assert (await read(editor, created["id"]))["visibility"] == "public"

    # when
    withdrawn = await share(editor, created["id"], visibility="team")

    # then
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["public_url"] is None
    assert (await http.get(url)).status_code == 404


async def test_an_update_away_from_public_revokes_the_public_link(
    editor: Caller, http: httpx.AsyncClient
) -> None:
    # given
    created = await new_dashboard(editor)
    url = (await share(editor, created["id"], visibility="public")).json()["public_url"]

    # when
    response = await editor.request(
        "PUT", f"{BASE}/{created['id']}", json={"visibility": "private"}
    )

    # then
    assert response.status_code == 200, response.text
    assert (await http.get(url)).status_code == 404


async def test_an_admin_shares_any_dashboard(editor: Caller, admin: Caller) -> None:
    created = await new_dashboard(editor, visibility="private")

    response = await share(admin, created["id"], shared_with=["erin"], permissions="edit")

    assert response.status_code == 200, response.text
    assert response.json()["shared_with"] == [
        {"subject_type": "user", "subject_id": "erin", "permissions": "edit"}
    ]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "REQUIRED", "shared_with"),
        ({"shared_with": []}, "REQUIRED", "shared_with"),
        ({"shared_with": ["ok", "  "]}, "REQUIRED", "shared_with[1]"),
        ({"shared_with": ["group:"]}, "REQUIRED", "shared_with[0]"),
        ({"shared_with": [""]}, "INVALID", "shared_with[0]"),
        ({"shared_with": ["u" * 256]}, "INVALID", "shared_with[0]"),
        ({"shared_with": ["carol"], "permissions": "admin"}, "INVALID", "permissions"),
        ({"visibility": "world"}, "INVALID", "visibility"),
    ],
)
async def test_a_bad_share_is_refused_and_grants_nothing(
    editor: Caller, body: dict[str, Any], code: str, field: str
) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")

    # when
    response = await share(editor, created["id"], **body)

    # then
    assert_error(response, 422, code, field)
    grants = await editor.request("GET", f"/api/dashboards/{created['id']}/shares")
    assert grants.json() == {"shares": []}


# --- owner or admin only; tenancy and tokens on every route ----------------------------------

OWNER_ONLY = [
    ("PUT", "", {"name": "Taken over"}),
    ("DELETE", "", None),
    ("POST", "/share", {"visibility": "private"}),
    ("POST", "/share", {"shared_with": ["bob"], "permissions": "edit"}),
    ("PUT", "", {"filters": [{"field": "region", "operator": "eq", "values": ["EU"]}]}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), OWNER_ONLY)
@pytest.mark.parametrize("who", ["another editor", "a reader"])
async def test_only_the_owner_or_an_admin_updates_deletes_and_shares(
    editor: Caller, method: str, suffix: str, body: dict[str, Any] | None, who: str
) -> None:
    # given a team dashboard the other member sees
    created = await new_dashboard(editor)
    other = editor.peer(user="bob") if who == "another editor" else editor.peer(scopes=())

    # when
    response = await other.request(method, f"{BASE}/{created['id']}{suffix}", json=body)

    # then
    assert_error(response, 403, "FORBIDDEN")
    after = await read(editor, created["id"])
    assert (after["name"], after["visibility"], after["filters"]) == (created["name"], "team", [])
    grants = await editor.request("GET", f"/api/dashboards/{created['id']}/shares")
    assert grants.json() == {"shares": []}


ROUTES = [
    ("GET", "", None),
    ("PUT", "", {"name": "Other"}),
    ("DELETE", "", None),
    ("POST", "/share", {"visibility": "public"}),
    ("POST", "/widgets", TEXT_WIDGET),
]


@pytest.mark.parametrize(("method", "suffix", "body"), ROUTES)
async def test_another_tenant_finds_no_dashboard(
    editor: Caller, outsider: Caller, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    # given
    created = await new_dashboard(editor)

    # when
    response = await outsider.request(method, f"{BASE}/{created['id']}{suffix}", json=body)

    # then
    assert_error(response, 404, "NOT_FOUND")
    assert (await listed(outsider))["total"] == 0
    after = await read(editor, created["id"])
    assert (after["name"], after["visibility"], after["widgets"]) == (created["name"], "team", [])


@pytest.mark.parametrize(("method", "suffix", "body"), ROUTES)
async def test_a_private_dashboard_is_not_found_by_a_member_without_a_grant(
    editor: Caller, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    # given
    created = await new_dashboard(editor, visibility="private")
    colleague = editor.peer(user="bob")

    # when
    response = await colleague.request(method, f"{BASE}/{created['id']}{suffix}", json=body)

    # then
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "suffix", "body"), [*ROUTES, ("GET", None, None), ("POST", None, {"name": "A"})]
)
@pytest.mark.parametrize("token", ["none", "expired"])
async def test_every_route_needs_a_valid_token(
    editor: Caller,
    http: httpx.AsyncClient,
    method: str,
    suffix: str | None,
    body: dict[str, Any] | None,
    token: str,
) -> None:
    # given (no suffix: the list's own URL)
    created = await new_dashboard(editor)
    url = BASE if suffix is None else f"{BASE}/{created['id']}{suffix}"
    headers = {"X-Clarus-Subdomain": editor.tenant}
    if token == "expired":
        headers = Caller(http, editor.tenant, ttl=-100).headers

    # when
    response = await http.request(method, url, json=body, headers=headers)

    # then
    assert_error(response, 401, "UNAUTHENTICATED")
