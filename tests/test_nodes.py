"""`node(id)` resolves every Node type, and only for callers who see its dashboard."""

from __future__ import annotations

from tests.conftest import Caller
from tests.helpers import create_dashboard

NODE = """query($id: ID!) { node(id: $id) { id __typename } }"""

ADD_CARD = """mutation($input: AddDashboardCardInput!) {
  addDashboardCard(input: $input) { card { id page { id } } userErrors { code } } }"""
SHARE = """mutation($input: ShareDashboardInput!) {
  shareDashboard(input: $input) { share { id } userErrors { code } } }"""
COLLECTION = """mutation { createCollection(input: {name: "Folder"}) { collection { id } } }"""


async def test_every_node_type_resolves_for_who_sees_it_only(
    editor: Caller, reader: Caller, outsider: Caller
) -> None:
    # given a role-restricted dashboard with a card and a grant, and a collection
    board = await create_dashboard(editor, roleIds=[9])
    card = (
        await editor.graphql(
            ADD_CARD,
            {
                "input": {
                    "dashboardId": board["id"],
                    "cardType": "TEXT",
                    "layout": {"x": 0, "y": 0, "w": 2, "h": 2},
                }
            },
        )
    )["addDashboardCard"]["card"]
    share = (
        await editor.graphql(
            SHARE,
            {
                "input": {
                    "dashboardId": board["id"],
                    "subjectType": "USER",
                    "subjectId": "zoe",
                    "accessLevel": "VIEWER",
                }
            },
        )
    )["shareDashboard"]["share"]
    folder = (await editor.graphql(COLLECTION))["createCollection"]["collection"]
    ids = {
        "Dashboard": board["id"],
        "DashboardCard": card["id"],
        "DashboardPage": card["page"]["id"],
        "ShareGrant": share["id"],
        "Collection": folder["id"],
    }

    for type_name, node_id in ids.items():
        # when / then: the owner resolves each
        seen = (await editor.graphql(NODE, {"id": node_id}))["node"]
        assert seen == {"id": node_id, "__typename": type_name}
        # a member without the role does not, except the tenant-wide collection
        hidden = (await reader.graphql(NODE, {"id": node_id}))["node"]
        assert (hidden is not None) == (type_name == "Collection"), type_name
        # another tenant never does
        assert (await outsider.graphql(NODE, {"id": node_id}))["node"] is None, type_name
