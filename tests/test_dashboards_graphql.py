"""Dashboards through GraphQL: create, read, update, delete, validation and uniqueness."""

from __future__ import annotations

from tests.conftest import Caller
from tests.helpers import (
    CREATE_DASHBOARD,
    DASHBOARD,
    DELETE_DASHBOARD,
    UPDATE_DASHBOARD,
    create_dashboard,
)


async def test_create_returns_the_dashboard_with_defaults(editor: Caller) -> None:
    # when
    dashboard = await create_dashboard(
        editor, code="warehouse-ops", name="Warehouse Operations", roleIds=[4, 1, 4]
    )

    # then
    assert dashboard["code"] == "warehouse-ops"
    assert dashboard["isActive"] is True
    assert dashboard["isDefault"] is False
    assert dashboard["roleIds"] == [1, 4]
    assert dashboard["ownerId"] == "alice"
    assert dashboard["version"] == 1
    assert dashboard["description"] is None


async def test_read_by_global_or_integer_id(editor: Caller) -> None:
    created = await create_dashboard(editor)

    by_global = await editor.graphql(DASHBOARD, {"id": created["id"]})
    by_integer = await editor.graphql(DASHBOARD, {"id": str(created["databaseId"])})

    assert by_global["dashboard"]["databaseId"] == created["databaseId"]
    assert by_integer == by_global


async def test_node_resolves_a_dashboard(editor: Caller) -> None:
    created = await create_dashboard(editor)

    data = await editor.graphql(
        "query($id: ID!) { node(id: $id) { id ... on Dashboard { code } } }", {"id": created["id"]}
    )

    assert data["node"] == {"id": created["id"], "code": created["code"]}


async def test_unknown_ids_read_as_null(editor: Caller) -> None:
    for unknown in ["999999999", "RGFzaGJvYXJkOjk5OTk5OTk=", "not-an-id", "99999999999999999999"]:
        data = await editor.graphql(DASHBOARD, {"id": unknown})
        assert data["dashboard"] is None, unknown


async def test_validation_limits_are_reported_per_field(editor: Caller) -> None:
    # when
    data = await editor.graphql(
        CREATE_DASHBOARD,
        {
            "input": {
                "code": "c" * 31,
                "name": "n" * 51,
                "description": "d" * 256,
                "roleIds": [0],
            }
        },
    )

    # then
    errors = data["createDashboard"]["userErrors"]
    assert data["createDashboard"]["dashboard"] is None
    assert {(tuple(e["field"]), e["code"]) for e in errors} == {
        (("code",), "TOO_LONG"),
        (("name",), "TOO_LONG"),
        (("description",), "TOO_LONG"),
        (("roleIds", "0"), "INVALID"),
    }


async def test_limits_are_inclusive(editor: Caller) -> None:
    dashboard = await create_dashboard(editor, code="c" * 30, name="n" * 50, description="d" * 255)
    assert len(dashboard["code"]) == 30


async def test_blank_required_fields_are_refused(editor: Caller) -> None:
    data = await editor.graphql(CREATE_DASHBOARD, {"input": {"code": "  ", "name": ""}})
    codes = {(tuple(e["field"]), e["code"]) for e in data["createDashboard"]["userErrors"]}
    assert codes == {(("code",), "REQUIRED"), (("name",), "REQUIRED")}


async def test_code_is_unique_within_a_tenant_only(editor: Caller, outsider: Caller) -> None:
    await create_dashboard(editor, code="sales")

    again = await editor.graphql(CREATE_DASHBOARD, {"input": {"code": "sales", "name": "x"}})
    elsewhere = await create_dashboard(outsider, code="sales")

    assert again["createDashboard"]["userErrors"] == [
        {
            "field": ["code"],
            "code": "ALREADY_EXISTS",
            "message": "a dashboard with code 'sales' already exists in this tenant",
        }
    ]
    assert elsewhere["code"] == "sales"


async def test_update_changes_only_given_fields_and_bumps_version(editor: Caller) -> None:
    created = await create_dashboard(editor, description="before", roleIds=[3])

    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": created["id"], "name": "Renamed"}}
    )

    updated = data["updateDashboard"]["dashboard"]
    assert updated["name"] == "Renamed"
    assert updated["description"] == "before"
    assert updated["roleIds"] == [3]
    assert updated["version"] == 2


async def test_update_without_changes_keeps_the_version(editor: Caller) -> None:
    created = await create_dashboard(editor, name="Same")

    data = await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": created["id"], "name": "Same"}})

    assert data["updateDashboard"]["dashboard"]["version"] == 1


async def test_update_to_a_taken_code_is_refused(editor: Caller) -> None:
    await create_dashboard(editor, code="taken")
    other = await create_dashboard(editor, code="free")

    data = await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": other["id"], "code": "taken"}})

    assert [e["code"] for e in data["updateDashboard"]["userErrors"]] == ["ALREADY_EXISTS"]
    still = await editor.graphql(DASHBOARD, {"id": other["id"]})
    assert still["dashboard"]["code"] == "free"


async def test_null_for_a_required_field_is_refused(editor: Caller) -> None:
    created = await create_dashboard(editor)

    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": created["id"], "name": None, "isActive": None}}
    )

    codes = {(tuple(e["field"]), e["code"]) for e in data["updateDashboard"]["userErrors"]}
    assert codes == {(("name",), "REQUIRED"), (("isActive",), "REQUIRED")}


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(editor: Caller) -> None:
    created = await create_dashboard(editor, name="v1")
    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": created["id"], "name": "v2"}})

    data = await editor.graphql(
        UPDATE_DASHBOARD, {"input": {"id": created["id"], "name": "v3", "expectedVersion": 1}}
    )

    assert [e["code"] for e in data["updateDashboard"]["userErrors"]] == ["VERSION_CONFLICT"]
    current = await editor.graphql(DASHBOARD, {"id": created["id"]})
    assert current["dashboard"]["name"] == "v2"


async def test_delete_removes_the_dashboard(editor: Caller) -> None:
    created = await create_dashboard(editor)

    data = await editor.graphql(DELETE_DASHBOARD, {"input": {"id": created["id"]}})

    assert data["deleteDashboard"] == {"deletedId": created["id"], "userErrors": []}
    assert (await editor.graphql(DASHBOARD, {"id": created["id"]}))["dashboard"] is None
    again = await editor.graphql(DELETE_DASHBOARD, {"input": {"id": created["id"]}})
    assert [e["code"] for e in again["deleteDashboard"]["userErrors"]] == ["NOT_FOUND"]


async def test_setting_a_default_clears_the_previous_one(editor: Caller) -> None:
    first = await create_dashboard(editor, isDefault=True)
    second = await create_dashboard(editor, isDefault=True)

    one = await editor.graphql(DASHBOARD, {"id": first["id"]})
    two = await editor.graphql(DASHBOARD, {"id": second["id"]})

    assert one["dashboard"]["isDefault"] is False
    assert one["dashboard"]["version"] == 2
    assert two["dashboard"]["isDefault"] is True

    third = await create_dashboard(editor)
    await editor.graphql(UPDATE_DASHBOARD, {"input": {"id": third["id"], "isDefault": True}})
    listing = await editor.graphql("{ dashboards { edges { node { databaseId isDefault } } } }")
    defaults = [
        e["node"]["databaseId"] for e in listing["dashboards"]["edges"] if e["node"]["isDefault"]
    ]
    assert defaults == [third["databaseId"]]
