"""Public links through GraphQL: publishing (once, however often asked), `Dashboard.publicLink`
and who sees it, revoking, who may do either, versions, tenancy, and a list of dashboards
reading every link in one statement."""

from __future__ import annotations

from typing import Any

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from tests.conftest import Caller
from tests.helpers import create_dashboard

LINK = "publicLink { slug path createdAt }"

PUBLISH = f"""
mutation Publish($input: PublishDashboardInput!) {{
  publishDashboard(input: $input) {{
    dashboard {{ databaseId version {LINK} }}
    {LINK}
    userErrors {{ field message code }}
  }}
}}
"""

REVOKE = f"""
mutation Revoke($input: RevokePublicLinkInput!) {{
  revokePublicLink(input: $input) {{
    dashboard {{ databaseId version {LINK} }}
    revoked
    userErrors {{ field message code }}
  }}
}}
"""

BOARD = f"query Board($id: ID!) {{ dashboard(id: $id) {{ version {LINK} }} }}"

LIST_LINKS = "{ dashboards(first: 20) { edges { node { databaseId publicLink { slug } } } } }"


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def publish(caller: Caller, dashboard_id: str, **more: Any) -> dict[str, Any]:
    data = await caller.graphql(PUBLISH, {"input": {"dashboardId": dashboard_id, **more}})
    payload: dict[str, Any] = data["publishDashboard"]
    return payload


async def revoke(caller: Caller, dashboard_id: str, **more: Any) -> dict[str, Any]:
    data = await caller.graphql(REVOKE, {"input": {"dashboardId": dashboard_id, **more}})
    payload: dict[str, Any] = data["revokePublicLink"]
    return payload


async def link_of(caller: Caller, dashboard_id: str) -> Any:
    data = await caller.graphql(BOARD, {"id": dashboard_id})
    return data["dashboard"]["publicLink"]


async def test_the_owner_publishes_a_dashboard(editor: Caller) -> None:
    # given
    board = await create_dashboard(editor)

    # when
    payload = await publish(editor, board["id"], expectedVersion=board["version"])

    # then
    assert payload["userErrors"] == []
    link = payload["publicLink"]
    slug = link["slug"]
    assert len(slug) == 32
    assert slug.replace("-", "").replace("_", "").isalnum()
    assert link["path"] == f"/api/public/dashboards/{slug}/render"
    assert payload["dashboard"]["databaseId"] == board["databaseId"]
    assert payload["dashboard"]["version"] == board["version"] + 1
    assert payload["dashboard"]["publicLink"] == link
    assert await link_of(editor, board["id"]) == link


async def test_publishing_twice_keeps_the_slug(editor: Caller) -> None:
    board = await create_dashboard(editor)
    first = await publish(editor, board["id"])

    second = await publish(editor, str(board["databaseId"]))

    assert second["userErrors"] == []
    assert second["publicLink"] == first["publicLink"]
    assert second["dashboard"]["version"] == first["dashboard"]["version"]


async def test_each_dashboard_gets_its_own_slug(editor: Caller) -> None:
    one, two = await create_dashboard(editor), await create_dashboard(editor)

    slugs = {(await publish(editor, b["id"]))["publicLink"]["slug"] for b in (one, two)}

    assert len(slugs) == 2


async def test_who_sees_the_link(editor: Caller, reader: Caller, admin: Caller) -> None:
    board = await create_dashboard(editor)
    link = (await publish(editor, board["id"]))["publicLink"]
    owner_without_edit = editor.peer(user="alice", scopes=())
    other_editor = editor.peer(user="bob", scopes=(EDIT_SCOPE,))

    # the reader sees the dashboard, not its link
    data = await reader.graphql(BOARD, {"id": board["id"]})
    assert data["dashboard"] is not None
    assert data["dashboard"]["publicLink"] is None
    # callers with dashboard.edit (admins included) and the owner do
    assert await link_of(other_editor, board["id"]) == link
    assert await link_of(admin, board["id"]) == link
    assert await link_of(owner_without_edit, board["id"]) == link


async def test_revoke_removes_the_link(editor: Caller) -> None:
    board = await create_dashboard(editor)
    published = await publish(editor, board["id"])

    payload = await revoke(editor, board["id"], expectedVersion=published["dashboard"]["version"])
    again = await revoke(editor, board["id"])

    assert payload["userErrors"] == []
    assert payload["revoked"] is True
    assert payload["dashboard"]["publicLink"] is None
    assert payload["dashboard"]["version"] == published["dashboard"]["version"] + 1
    assert await link_of(editor, board["id"]) is None
    # nothing left to revoke: no change, no version
    assert (again["revoked"], again["userErrors"]) == (False, [])
    assert again["dashboard"]["version"] == payload["dashboard"]["version"]
    # publishing again makes a new slug
    republished = await publish(editor, board["id"])
    assert republished["publicLink"]["slug"] != published["publicLink"]["slug"]


async def test_a_reader_who_sees_it_may_not_publish_or_revoke(
    editor: Caller, reader: Caller
) -> None:
    board = await create_dashboard(editor)
    unpublished = await create_dashboard(editor)
    await publish(editor, board["id"])

    refused = await publish(reader, unpublished["id"])
    not_revoked = await revoke(reader, board["id"])

    assert (refused["dashboard"], refused["publicLink"]) == (None, None)
    assert problems(refused) == [(None, "FORBIDDEN")]
    assert (not_revoked["dashboard"], not_revoked["revoked"]) == (None, False)
    assert problems(not_revoked) == [(None, "FORBIDDEN")]
    assert await link_of(editor, unpublished["id"]) is None
    assert await link_of(editor, board["id"]) is not None


async def test_an_editor_who_does_not_own_it_may_not_publish(editor: Caller) -> None:
    board = await create_dashboard(editor)
    other_editor = editor.peer(user="bob", scopes=(EDIT_SCOPE,))

    payload = await publish(other_editor, board["id"])

    assert problems(payload) == [(None, "FORBIDDEN")]


async def test_an_editor_grant_and_an_admin_may_publish(editor: Caller, admin: Caller) -> None:
    board = await create_dashboard(editor)
    granted = editor.peer(user="gina", scopes=())
    shared = await editor.graphql(
        "mutation S($input: ShareDashboardInput!) "
        "{ shareDashboard(input: $input) { userErrors { code } } }",
        {
            "input": {
                "dashboardId": board["id"],
                "subjectType": "USER",
                "subjectId": "gina",
                "accessLevel": "EDITOR",
            }
        },
    )
    assert shared["shareDashboard"]["userErrors"] == []

    by_grant = await publish(granted, board["id"])
    by_admin = await revoke(admin, board["id"])

    assert by_grant["userErrors"] == []
    assert len(by_grant["publicLink"]["slug"]) == 32
    # gina may publish but, without dashboard.edit and not the owner, is not shown the link
    assert by_grant["dashboard"]["publicLink"] is None
    assert (by_admin["revoked"], by_admin["userErrors"]) == (True, [])


async def test_another_tenant_gets_not_found(editor: Caller, outsider: Caller) -> None:
    board = await create_dashboard(editor)
    await publish(editor, board["id"])

    published = await publish(outsider, board["id"])
    revoked = await revoke(outsider, str(board["databaseId"]))

    assert problems(published) == [(("dashboardId",), "NOT_FOUND")]
    assert problems(revoked) == [(("dashboardId",), "NOT_FOUND")]
    assert await link_of(editor, board["id"]) is not None
    data = await outsider.graphql(BOARD, {"id": board["id"]})
    assert data["dashboard"] is None


async def test_an_id_that_names_no_dashboard_is_not_found(editor: Caller) -> None:
    payload = await publish(editor, "not an id")

    assert problems(payload) == [(("dashboardId",), "NOT_FOUND")]


async def test_a_stale_version_is_refused(editor: Caller) -> None:
    board = await create_dashboard(editor)
    stale = board["version"]
    await publish(editor, board["id"])

    revoked = await revoke(editor, board["id"], expectedVersion=stale)
    published = await publish(editor, board["id"], expectedVersion=stale)

    assert problems(revoked) == [(("expectedVersion",), "VERSION_CONFLICT")]
    assert revoked["revoked"] is False
    assert problems(published) == [(("expectedVersion",), "VERSION_CONFLICT")]
    assert await link_of(editor, board["id"]) is not None


async def _link_statements(caller: Caller, count_statements: Any) -> tuple[int, list[Any]]:
    await caller.graphql(LIST_LINKS)  # warm: the tenant id is cached after the first request
    with count_statements() as counter:
        data = await caller.graphql(LIST_LINKS)
    nodes = [e["node"] for e in data["dashboards"]["edges"]]
    return counter.count, nodes


async def test_listing_links_costs_the_same_for_1_or_10_dashboards(
    editor: Caller, count_statements: Any
) -> None:
    # given one tenant with 1 published dashboard, another with 10 (and one unpublished)
    small = editor
    large = Caller(editor.http, f"{editor.tenant}-x", user="alice", scopes=(ADMIN_SCOPE,))
    only = await create_dashboard(small)
    await publish(small, only["id"])
    boards = [await create_dashboard(large) for _ in range(11)]
    slugs = {}
    for board in boards[:10]:
        slugs[board["databaseId"]] = (await publish(large, board["id"]))["publicLink"]["slug"]

    # when
    small_count, small_nodes = await _link_statements(small, count_statements)
    large_count, large_nodes = await _link_statements(large, count_statements)

    # then: the dashboards and their links, one statement each
    assert len(small_nodes) == 1
    assert small_nodes[0]["publicLink"]["slug"]
    assert {n["databaseId"]: (n["publicLink"] or {}).get("slug") for n in large_nodes} == {
        **slugs,
        boards[10]["databaseId"]: None,
    }
    assert small_count == large_count == 2
