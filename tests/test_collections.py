"""Collections (folders of dashboards) through GraphQL: create, read, rename, move, delete,
sibling names, cycles, access, tenancy, and dashboards filed in them."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Caller
from tests.helpers import CREATE_DASHBOARD, create_dashboard

CREATE_COLLECTION = """
mutation CreateCollection($input: CreateCollectionInput!) {
  createCollection(input: $input) {
    collection { id databaseId name description parent { id databaseId name } }
    userErrors { field message code }
  }
}
"""

UPDATE_COLLECTION = """
mutation UpdateCollection($input: UpdateCollectionInput!) {
  updateCollection(input: $input) {
    collection { id databaseId name description parent { id databaseId name } }
    userErrors { field message code }
  }
}
"""

DELETE_COLLECTION = """
mutation DeleteCollection($input: DeleteCollectionInput!) {
  deleteCollection(input: $input) { deletedId userErrors { field message code } }
}
"""

COLLECTIONS = "{ collections { id databaseId name description parent { id } } }"

COLLECTION = """
query One($id: ID!) {
  collection(id: $id) { id databaseId name description parent { id databaseId name } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) { id ... on Collection { databaseId name parent { id } } }
}
"""

DASHBOARD_COLLECTION = """
query Board($id: ID!) {
  dashboard(id: $id) { databaseId version collection { id databaseId name } }
}
"""

MOVE_DASHBOARD = """
mutation Move($input: UpdateDashboardInput!) {
  updateDashboard(input: $input) {
    dashboard { databaseId version collection { id name } }
    userErrors { field message code }
  }
}
"""

DASHBOARDS_IN = """
query In($collectionId: ID) {
  dashboards(collectionId: $collectionId) { totalCount nodes { databaseId } }
}
"""


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def create_collection(
    caller: Caller, name: str, parent_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    data = await caller.graphql(
        CREATE_COLLECTION, {"input": {"name": name, "parentId": parent_id, **fields}}
    )
    payload = data["createCollection"]
    assert payload["userErrors"] == [], payload["userErrors"]
    collection: dict[str, Any] = payload["collection"]
    return collection


async def update_collection(caller: Caller, **fields: Any) -> dict[str, Any]:
    data = await caller.graphql(UPDATE_COLLECTION, {"input": fields})
    payload: dict[str, Any] = data["updateCollection"]
    return payload


async def read_collection(caller: Caller, collection_id: str) -> dict[str, Any] | None:
    data = await caller.graphql(COLLECTION, {"id": collection_id})
    collection: dict[str, Any] | None = data["collection"]
    return collection


async def parent_of(caller: Caller, collection_id: str) -> str | None:
    collection = await read_collection(caller, collection_id)
    assert collection is not None
    return collection["parent"]["id"] if collection["parent"] else None


async def dashboards_in(caller: Caller, collection_id: str | None) -> list[int]:
    data = await caller.graphql(DASHBOARDS_IN, {"collectionId": collection_id})
    listing = data["dashboards"]
    ids = [n["databaseId"] for n in listing["nodes"]]
    assert listing["totalCount"] == len(ids)
    return ids


# --- create, list, read -------------------------------------------------------------------


async def test_create_at_the_top_and_nested(editor: Caller) -> None:
    # when
    top = await create_collection(editor, "Finance", description="Money matters")
    nested = await create_collection(editor, "Quarterly", parent_id=top["id"])

    # then
    assert top["name"] == "Finance"
    assert top["description"] == "Money matters"
    assert top["parent"] is None
    assert nested["parent"] == {"id": top["id"], "databaseId": top["databaseId"], "name": "Finance"}
    assert nested["description"] is None


async def test_nested_create_accepts_an_integer_parent_id(editor: Caller) -> None:
    top = await create_collection(editor, "Ops")

    nested = await create_collection(editor, "Daily", parent_id=str(top["databaseId"]))

    assert nested["parent"]["id"] == top["id"]


async def test_name_is_trimmed_and_checked(editor: Caller) -> None:
    trimmed = await create_collection(editor, "  Padded  ")
    blank = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "   "}})
    too_long = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "n" * 101}})
    longest = await create_collection(editor, "n" * 100)

    assert trimmed["name"] == "Padded"
    assert problems(blank["createCollection"]) == [(("name",), "REQUIRED")]
    assert problems(too_long["createCollection"]) == [(("name",), "TOO_LONG")]
    assert blank["createCollection"]["collection"] is None
    assert len(longest["name"]) == 100


async def test_collections_lists_the_tenants_collections_in_creation_order(
    editor: Caller, reader: Caller
) -> None:
    # given
    first = await create_collection(editor, "First")
    second = await create_collection(editor, "Second", parent_id=first["id"])
    third = await create_collection(editor, "Third")

    # when
    data = await reader.graphql(COLLECTIONS)

    # then every member sees them, parents included
    assert [(c["id"], c["name"], c["parent"]) for c in data["collections"]] == [
        (first["id"], "First", None),
        (second["id"], "Second", {"id": first["id"]}),
        (third["id"], "Third", None),
    ]


async def test_read_by_global_or_integer_id_and_through_node(editor: Caller) -> None:
    top = await create_collection(editor, "Top")
    child = await create_collection(editor, "Child", parent_id=top["id"])

    by_global = await read_collection(editor, child["id"])
    by_integer = await read_collection(editor, str(child["databaseId"]))
    node = (await editor.graphql(NODE, {"id": child["id"]}))["node"]

    assert by_global == {
        "id": child["id"],
        "databaseId": child["databaseId"],
        "name": "Child",
        "description": None,
        "parent": {"id": top["id"], "databaseId": top["databaseId"], "name": "Top"},
    }
    assert by_integer == by_global
    assert node == {
        "id": child["id"],
        "databaseId": child["databaseId"],
        "name": "Child",
        "parent": {"id": top["id"]},
    }


async def test_unknown_collection_ids_read_as_null(editor: Caller) -> None:
    board = await create_dashboard(editor)
    for unknown in ["999999999", "not-an-id", board["id"]]:
        assert await read_collection(editor, unknown) is None, unknown


# --- rename and move ----------------------------------------------------------------------


async def test_rename_changes_only_the_name(editor: Caller) -> None:
    top = await create_collection(editor, "Top")
    child = await create_collection(editor, "Old", parent_id=top["id"], description="kept")

    payload = await update_collection(editor, id=child["id"], name="New")

    assert payload["userErrors"] == []
    assert payload["collection"]["name"] == "New"
    assert payload["collection"]["description"] == "kept"
    assert payload["collection"]["parent"]["id"] == top["id"]
    assert (await read_collection(editor, child["id"]) or {})["name"] == "New"


async def test_move_under_another_collection_then_to_the_top(editor: Caller) -> None:
    # given
    a = await create_collection(editor, "A")
    b = await create_collection(editor, "B")

    # when moved under B
    moved = await update_collection(editor, id=a["id"], parentId=b["id"])

    # then
    assert moved["userErrors"] == []
    assert moved["collection"]["parent"]["id"] == b["id"]
    assert await parent_of(editor, a["id"]) == b["id"]

    # when moved to the top with an explicit null
    top = await update_collection(editor, id=a["id"], parentId=None)

    # then
    assert top["userErrors"] == []
    assert top["collection"]["parent"] is None
    assert await parent_of(editor, a["id"]) is None


async def test_leaving_out_parent_id_keeps_the_parent(editor: Caller) -> None:
    top = await create_collection(editor, "Top")
    child = await create_collection(editor, "Child", parent_id=top["id"])

    payload = await update_collection(editor, id=child["id"], description="now described")

    assert payload["userErrors"] == []
    assert payload["collection"]["parent"]["id"] == top["id"]
    assert payload["collection"]["description"] == "now described"


async def test_move_under_itself_or_a_descendant_is_refused_and_changes_nothing(
    editor: Caller,
) -> None:
    # given root > child > grandchild
    root = await create_collection(editor, "Root")
    child = await create_collection(editor, "Child", parent_id=root["id"])
    grandchild = await create_collection(editor, "Grandchild", parent_id=child["id"])
    before = await editor.graphql(COLLECTIONS)

    for target in (root, child, grandchild):
        # when root is moved under itself or below itself
        payload = await update_collection(editor, id=root["id"], parentId=target["id"])

        # then
        assert payload["collection"] is None, target["name"]
        assert problems(payload) == [(("parentId",), "INVALID")], target["name"]

    # and a middle node cannot go under its own child either
    payload = await update_collection(editor, id=child["id"], parentId=grandchild["id"])
    assert problems(payload) == [(("parentId",), "INVALID")]

    # nothing changed, not even a rename sent along with the bad move
    renamed = await update_collection(
        editor, id=child["id"], name="Renamed", parentId=grandchild["id"]
    )
    assert problems(renamed) == [(("parentId",), "INVALID")]
    assert await editor.graphql(COLLECTIONS) == before


async def test_sibling_names_are_unique_at_the_top_and_under_a_parent(editor: Caller) -> None:
    # given
    top = await create_collection(editor, "Reports")
    await create_collection(editor, "Monthly", parent_id=top["id"])

    # when
    at_top = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "Reports"}})
    under_parent = await editor.graphql(
        CREATE_COLLECTION, {"input": {"name": "Monthly", "parentId": top["id"]}}
    )

    # then
    assert problems(at_top["createCollection"]) == [(("name",), "ALREADY_EXISTS")]
    assert problems(under_parent["createCollection"]) == [(("name",), "ALREADY_EXISTS")]
    names = [c["name"] for c in (await editor.graphql(COLLECTIONS))["collections"]]
    assert sorted(names) == ["Monthly", "Reports"]


async def test_the_same_name_under_another_parent_is_fine(editor: Caller) -> None:
    sales = await create_collection(editor, "Sales")
    ops = await create_collection(editor, "Ops")

    first = await create_collection(editor, "Monthly", parent_id=sales["id"])
    second = await create_collection(editor, "Monthly", parent_id=ops["id"])
    at_top = await create_collection(editor, "Monthly")

    assert len({first["id"], second["id"], at_top["id"]}) == 3


async def test_same_names_in_other_tenants_do_not_clash(editor: Caller, outsider: Caller) -> None:
    await create_collection(editor, "Shared name")

    elsewhere = await create_collection(outsider, "Shared name")

    assert elsewhere["name"] == "Shared name"


async def test_rename_or_move_onto_a_taken_sibling_name_is_refused(editor: Caller) -> None:
    # given Top > {Alpha}, and a top-level Alpha and Beta
    top = await create_collection(editor, "Top")
    await create_collection(editor, "Alpha", parent_id=top["id"])
    alpha = await create_collection(editor, "Alpha")
    beta = await create_collection(editor, "Beta")

    # when
    renamed = await update_collection(editor, id=beta["id"], name="Alpha")
    moved = await update_collection(editor, id=alpha["id"], parentId=top["id"])

    # then
    assert problems(renamed) == [(("name",), "ALREADY_EXISTS")]
    assert problems(moved) == [(("name",), "ALREADY_EXISTS")]
    assert (await read_collection(editor, beta["id"]) or {})["name"] == "Beta"
    assert await parent_of(editor, alpha["id"]) is None


async def test_unknown_parent_is_an_unknown_reference(editor: Caller) -> None:
    existing = await create_collection(editor, "Existing")
    board = await create_dashboard(editor)

    for unknown in ["999999999", "not-an-id", board["id"]]:
        created = await editor.graphql(
            CREATE_COLLECTION, {"input": {"name": "Orphan", "parentId": unknown}}
        )
        moved = await update_collection(editor, id=existing["id"], parentId=unknown)

        assert problems(created["createCollection"]) == [(("parentId",), "UNKNOWN_REFERENCE")]
        assert problems(moved) == [(("parentId",), "UNKNOWN_REFERENCE")]
    assert [c["name"] for c in (await editor.graphql(COLLECTIONS))["collections"]] == ["Existing"]
    assert await parent_of(editor, existing["id"]) is None


async def test_updating_an_unknown_collection_is_not_found(editor: Caller) -> None:
    payload = await update_collection(editor, id="999999999", name="x")

    assert problems(payload) == [(("id",), "NOT_FOUND")]


# --- delete -------------------------------------------------------------------------------


async def test_delete_an_empty_collection(editor: Caller) -> None:
    # given
    keep = await create_collection(editor, "Keep")
    gone = await create_collection(editor, "Gone", parent_id=keep["id"])

    # when
    data = await editor.graphql(DELETE_COLLECTION, {"input": {"id": gone["id"]}})

    # then
    assert data["deleteCollection"] == {"deletedId": gone["id"], "userErrors": []}
    assert await read_collection(editor, gone["id"]) is None
    assert [c["id"] for c in (await editor.graphql(COLLECTIONS))["collections"]] == [keep["id"]]
    again = await editor.graphql(DELETE_COLLECTION, {"input": {"id": gone["id"]}})
    assert problems(again["deleteCollection"]) == [(("id",), "NOT_FOUND")]
    assert again["deleteCollection"]["deletedId"] is None


async def test_delete_is_refused_while_it_holds_a_child_collection(editor: Caller) -> None:
    parent = await create_collection(editor, "Parent")
    await create_collection(editor, "Child", parent_id=parent["id"])

    data = await editor.graphql(DELETE_COLLECTION, {"input": {"id": parent["id"]}})

    assert problems(data["deleteCollection"]) == [(("id",), "NOT_EMPTY")]
    assert data["deleteCollection"]["deletedId"] is None
    assert await read_collection(editor, parent["id"]) is not None


async def test_delete_is_refused_while_it_holds_a_dashboard(editor: Caller) -> None:
    folder = await create_collection(editor, "Folder")
    board = await create_dashboard(editor, collectionId=folder["id"])

    refused = await editor.graphql(DELETE_COLLECTION, {"input": {"id": folder["id"]}})

    assert problems(refused["deleteCollection"]) == [(("id",), "NOT_EMPTY")]
    assert await read_collection(editor, folder["id"]) is not None

    # once the dashboard has moved out, the collection can go
    await editor.graphql(MOVE_DASHBOARD, {"input": {"id": board["id"], "collectionId": None}})
    deleted = await editor.graphql(DELETE_COLLECTION, {"input": {"id": folder["id"]}})
    assert deleted["deleteCollection"]["userErrors"] == []


async def test_delete_is_refused_for_a_dashboard_the_caller_cannot_see(editor: Caller) -> None:
    # given alice files a dashboard only role 42 may see
    folder = await create_collection(editor, "Folder")
    hidden = await create_dashboard(editor, collectionId=folder["id"], roleIds=[42])
    bob = editor.peer()
    assert (await bob.graphql(DASHBOARD_COLLECTION, {"id": hidden["id"]}))["dashboard"] is None
    assert await dashboards_in(bob, folder["id"]) == []

    # when bob, an editor who cannot see it, deletes the collection
    data = await bob.graphql(DELETE_COLLECTION, {"input": {"id": folder["id"]}})

    # then
    assert problems(data["deleteCollection"]) == [(("id",), "NOT_EMPTY")]
    assert await read_collection(bob, folder["id"]) is not None
    still = await editor.graphql(DASHBOARD_COLLECTION, {"id": hidden["id"]})
    assert still["dashboard"]["collection"]["id"] == folder["id"]


# --- access and tenancy -------------------------------------------------------------------


async def test_a_reader_may_not_create_change_or_delete(editor: Caller, reader: Caller) -> None:
    # given
    folder = await create_collection(editor, "Folder")
    other = await create_collection(editor, "Other")

    # when
    created = await reader.graphql(CREATE_COLLECTION, {"input": {"name": "Mine"}})
    renamed = await update_collection(reader, id=folder["id"], name="Renamed")
    moved = await update_collection(reader, id=folder["id"], parentId=other["id"])
    deleted = await reader.graphql(DELETE_COLLECTION, {"input": {"id": folder["id"]}})

    # then
    assert problems(created["createCollection"]) == [(None, "FORBIDDEN")]
    assert problems(renamed) == [(None, "FORBIDDEN")]
    assert problems(moved) == [(None, "FORBIDDEN")]
    assert problems(deleted["deleteCollection"]) == [(None, "FORBIDDEN")]
    listing = await reader.graphql(COLLECTIONS)
    assert [(c["name"], c["parent"]) for c in listing["collections"]] == [
        ("Folder", None),
        ("Other", None),
    ]


async def test_another_tenants_collections_are_invisible(editor: Caller, outsider: Caller) -> None:
    # given
    theirs = await create_collection(outsider, "Theirs")
    mine = await create_collection(editor, "Mine")

    # when / then
    assert [c["id"] for c in (await editor.graphql(COLLECTIONS))["collections"]] == [mine["id"]]
    assert await read_collection(editor, theirs["id"]) is None
    assert await read_collection(editor, str(theirs["databaseId"])) is None
    assert (await editor.graphql(NODE, {"id": theirs["id"]}))["node"] is None


async def test_another_tenants_collections_are_unusable(editor: Caller, outsider: Caller) -> None:
    # given
    theirs = await create_collection(outsider, "Theirs")
    mine = await create_collection(editor, "Mine")
    board = await create_dashboard(editor)

    # when
    nested = await editor.graphql(
        CREATE_COLLECTION, {"input": {"name": "Inside", "parentId": theirs["id"]}}
    )
    moved = await update_collection(editor, id=mine["id"], parentId=theirs["id"])
    renamed = await update_collection(editor, id=theirs["id"], name="Hijacked")
    deleted = await editor.graphql(DELETE_COLLECTION, {"input": {"id": theirs["id"]}})
    filed = await editor.graphql(
        CREATE_DASHBOARD, {"input": {"name": "Filed", "collectionId": theirs["id"]}}
    )
    refiled = await editor.graphql(
        MOVE_DASHBOARD, {"input": {"id": board["id"], "collectionId": theirs["id"]}}
    )

    # then
    assert problems(nested["createCollection"]) == [(("parentId",), "UNKNOWN_REFERENCE")]
    assert problems(moved) == [(("parentId",), "UNKNOWN_REFERENCE")]
    assert problems(renamed) == [(("id",), "NOT_FOUND")]
    assert problems(deleted["deleteCollection"]) == [(("id",), "NOT_FOUND")]
    assert problems(filed["createDashboard"]) == [(("collectionId",), "UNKNOWN_REFERENCE")]
    assert problems(refiled["updateDashboard"]) == [(("collectionId",), "UNKNOWN_REFERENCE")]
    assert await read_collection(outsider, theirs["id"]) == {
        "id": theirs["id"],
        "databaseId": theirs["databaseId"],
        "name": "Theirs",
        "description": None,
        "parent": None,
    }
    assert (await editor.graphql(DASHBOARD_COLLECTION, {"id": board["id"]}))["dashboard"] == {
        "databaseId": board["databaseId"],
        "version": 1,
        "collection": None,
    }
    assert (await editor.graphql("{ dashboards { totalCount } }"))["dashboards"]["totalCount"] == 1


# --- dashboards in collections ------------------------------------------------------------


async def test_dashboards_are_filed_moved_and_taken_out_of_collections(editor: Caller) -> None:
    # given
    sales = await create_collection(editor, "Sales")
    ops = await create_collection(editor, "Ops")

    # when created in Sales
    board = await create_dashboard(editor, collectionId=sales["id"])
    loose = await create_dashboard(editor)

    # then
    read = (await editor.graphql(DASHBOARD_COLLECTION, {"id": board["id"]}))["dashboard"]
    assert read["collection"] == {
        "id": sales["id"],
        "databaseId": sales["databaseId"],
        "name": "Sales",
    }
    assert await dashboards_in(editor, sales["id"]) == [board["databaseId"]]
    assert await dashboards_in(editor, ops["id"]) == []

    # when moved to Ops
    moved = await editor.graphql(
        MOVE_DASHBOARD, {"input": {"id": board["id"], "collectionId": ops["id"]}}
    )

    # then
    payload = moved["updateDashboard"]
    assert payload["userErrors"] == []
    assert payload["dashboard"]["collection"] == {"id": ops["id"], "name": "Ops"}
    assert payload["dashboard"]["version"] == 2
    assert await dashboards_in(editor, sales["id"]) == []
    assert await dashboards_in(editor, ops["id"]) == [board["databaseId"]]

    # when taken out with null
    out = await editor.graphql(MOVE_DASHBOARD, {"input": {"id": board["id"], "collectionId": None}})

    # then
    assert out["updateDashboard"]["userErrors"] == []
    assert out["updateDashboard"]["dashboard"]["collection"] is None
    assert out["updateDashboard"]["dashboard"]["version"] == 3
    assert await dashboards_in(editor, ops["id"]) == []
    assert await dashboards_in(editor, None) == [board["databaseId"], loose["databaseId"]]


async def test_dashboards_filter_by_collection_takes_integer_ids_and_unknown_ids(
    editor: Caller,
) -> None:
    folder = await create_collection(editor, "Folder")
    inside = await create_dashboard(editor, collectionId=str(folder["databaseId"]))
    await create_dashboard(editor)

    assert await dashboards_in(editor, str(folder["databaseId"])) == [inside["databaseId"]]
    assert await dashboards_in(editor, folder["id"]) == [inside["databaseId"]]
    assert await dashboards_in(editor, "999999999") == []
    assert await dashboards_in(editor, "not-an-id") == []


async def test_leaving_collection_id_out_of_an_update_keeps_the_collection(
    editor: Caller,
) -> None:
    folder = await create_collection(editor, "Folder")
    board = await create_dashboard(editor, collectionId=folder["id"])

    data = await editor.graphql(MOVE_DASHBOARD, {"input": {"id": board["id"], "name": "Renamed"}})

    assert data["updateDashboard"]["dashboard"]["collection"]["id"] == folder["id"]


async def test_an_unknown_collection_for_a_dashboard_is_an_unknown_reference(
    editor: Caller,
) -> None:
    board = await create_dashboard(editor)

    created = await editor.graphql(
        CREATE_DASHBOARD, {"input": {"name": "x", "collectionId": "999999999"}}
    )
    updated = await editor.graphql(
        MOVE_DASHBOARD, {"input": {"id": board["id"], "collectionId": "999999999"}}
    )

    assert problems(created["createDashboard"]) == [(("collectionId",), "UNKNOWN_REFERENCE")]
    assert problems(updated["updateDashboard"]) == [(("collectionId",), "UNKNOWN_REFERENCE")]


# --- concurrency --------------------------------------------------------------------------


async def _ancestors(caller: Caller, collection_id: str) -> list[str]:
    """The chain of parents above a collection, nearest first; fails on a cycle."""
    listing = (await caller.graphql(COLLECTIONS))["collections"]
    parents = {c["id"]: c["parent"]["id"] if c["parent"] else None for c in listing}
    chain: list[str] = []
    current = parents[collection_id]
    while current is not None:
        assert current != collection_id, f"cycle through {current}"
        assert current not in chain, f"cycle through {current}"
        chain.append(current)
        current = parents[current]
    return chain


async def test_concurrent_opposite_moves_never_make_a_cycle(editor: Caller) -> None:
    # given ten pairs of top-level collections
    pairs = [
        (await create_collection(editor, f"A{i}"), await create_collection(editor, f"B{i}"))
        for i in range(10)
    ]

    # when, for every pair at once, A goes under B and B under A
    results = await asyncio.gather(
        *(
            update_collection(editor, id=x["id"], parentId=y["id"])
            for a, b in pairs
            for x, y in ((a, b), (b, a))
        )
    )

    # then exactly one of each pair succeeded, the other was refused as a cycle
    for index, (a, b) in enumerate(pairs):
        a_under_b, b_under_a = results[2 * index], results[2 * index + 1]
        outcomes = sorted([problems(a_under_b), problems(b_under_a)])
        assert outcomes == [[], [(("parentId",), "INVALID")]], outcomes
        winner, loser = (a, b) if a_under_b["userErrors"] == [] else (b, a)
        assert await _ancestors(editor, winner["id"]) == [loser["id"]]
        assert await _ancestors(editor, loser["id"]) == []
