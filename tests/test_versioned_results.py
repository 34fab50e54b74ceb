"""A dashboard's answer to a selection set kept with its version (app/graphql/versioned_results.py):
a repeated query is answered without resolving the dashboard's fields again; what the version
does not cover (its collection, its public link, which depends on the caller) is resolved every
time; a failed read is not kept; other tenants and callers who do not see the dashboard get
nothing from it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.domain.dashboard_rows import AtVersion
from app.graphql import versioned_results
from app.graphql.types import dashboard as dashboard_types
from app.graphql.version_cache import VersionCache, read_at_version
from tests.conftest import Caller
from tests.helpers import UPDATE_WIDGET, create_dashboard, create_widget, place_widgets

PAGE_LOAD = """
query B($id: ID!) { dashboard(id: $id) {
    id version name updatedAt parameters
    pages { name cards { name layout { x y } dashboardWidget { name } } }
    shares { subjectId accessLevel }
} }
"""

WITH_COLLECTION = """
query C($id: ID!) { dashboard(id: $id) { version cards { name } collection { name } } }
"""

WITH_LINK = """
query L($id: ID!) { dashboard(id: $id) { version cards { name } publicLink { slug } } }
"""

PUBLISH = """
mutation P($input: PublishDashboardInput!) {
  publishDashboard(input: $input) { userErrors { message } }
}
"""

CREATE_COLLECTION = """
mutation C($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { message } }
}
"""

RENAME_COLLECTION = """
mutation R($input: UpdateCollectionInput!) {
  updateCollection(input: $input) { userErrors { message } }
}
"""


async def _board(caller: Caller, **fields: Any) -> str:
    dashboard_id, _ = await _board_and_widgets(caller, **fields)
    return dashboard_id


async def _board_and_widgets(caller: Caller, **fields: Any) -> tuple[str, list[dict[str, Any]]]:
    dashboard = await create_dashboard(caller, **fields)
    widgets = [await create_widget(caller, name=f"w{i}") for i in range(3)]
    await place_widgets(caller, dashboard["id"], [w["id"] for w in widgets])
    return str(dashboard["id"]), widgets


def _reads_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, resolving a dashboard's pages, cards or grants fails."""

    async def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("content read although the answer was kept")

    monkeypatch.setattr(dashboard_types, "read_at_version", failing)


async def test_a_repeated_query_is_answered_without_resolving_the_dashboard_again(
    editor: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a page load answered once
    dashboard_id = await _board(editor)
    first = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})
    assert len(first["dashboard"]["pages"][0]["cards"]) == 3

    # when it is asked again with the content resolvers broken
    _reads_fail(monkeypatch)
    again = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})

    # then the kept answer is given, the same
    assert again == first


async def test_a_new_version_is_answered_afresh(editor: Caller) -> None:
    dashboard_id, widgets = await _board_and_widgets(editor)
    before = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})

    renamed = await editor.graphql(UPDATE_WIDGET, {"input": {"id": widgets[1]["id"], "name": "B"}})
    assert renamed["updateDashboardWidget"]["userErrors"] == []
    after = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})

    assert after["dashboard"]["version"] > before["dashboard"]["version"]
    cards = after["dashboard"]["pages"][0]["cards"]
    assert [c["name"] for c in cards] == ["w0", "B", "w2"]
    assert [c["dashboardWidget"]["name"] for c in cards] == ["w0", "B", "w2"]


async def test_the_collection_is_resolved_every_time(editor: Caller) -> None:
    # given a dashboard in a collection, read once with the collection's name
    made = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "Sales"}})
    collection_id = made["createCollection"]["collection"]["id"]
    dashboard_id = await _board(editor, collectionId=collection_id)
    first = await editor.graphql(WITH_COLLECTION, {"id": dashboard_id})
    assert first["dashboard"]["collection"] == {"name": "Sales"}

    # when the collection is renamed, which does not change the dashboard's version
    renamed = await editor.graphql(
        RENAME_COLLECTION, {"input": {"id": collection_id, "name": "Revenue"}}
    )
    assert renamed["updateCollection"]["userErrors"] == []
    again = await editor.graphql(WITH_COLLECTION, {"id": dashboard_id})

    # then the new name is read
    assert again["dashboard"]["version"] == first["dashboard"]["version"]
    assert again["dashboard"]["collection"] == {"name": "Revenue"}


async def test_the_public_link_is_answered_for_each_caller(editor: Caller, reader: Caller) -> None:
    # given a public dashboard read by an editor, who is shown its link
    dashboard_id = await _board(editor)
    published = await editor.graphql(PUBLISH, {"input": {"dashboardId": dashboard_id}})
    assert published["publishDashboard"]["userErrors"] == []
    shown = await editor.graphql(WITH_LINK, {"id": dashboard_id})
    assert shown["dashboard"]["publicLink"]["slug"]

    # when a reader without dashboard.edit asks the same at the same version
    hidden = await reader.graphql(WITH_LINK, {"id": dashboard_id})

    # then the reader is not shown the link
    assert hidden["dashboard"]["version"] == shown["dashboard"]["version"]
    assert hidden["dashboard"]["publicLink"] is None
    assert hidden["dashboard"]["cards"] == shown["dashboard"]["cards"]


async def test_a_failed_read_is_not_kept(editor: Caller, monkeypatch: pytest.MonkeyPatch) -> None:
    dashboard_id = await _board(editor)
    with monkeypatch.context() as patched:
        _reads_fail(patched)
        failed = (await editor.post_graphql(PAGE_LOAD, {"id": dashboard_id})).json()
    assert failed["data"]["dashboard"] is None
    assert failed["errors"]

    answered = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})

    assert [c["name"] for c in answered["dashboard"]["pages"][0]["cards"]] == ["w0", "w1", "w2"]


async def test_callers_who_do_not_see_the_dashboard_get_nothing(
    editor: Caller, reader: Caller, outsider: Caller
) -> None:
    dashboard_id = await _board(editor, visibility="PRIVATE")
    kept = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})
    assert len(kept["dashboard"]["pages"][0]["cards"]) == 3

    for caller in (reader, outsider):
        answer = (await caller.post_graphql(PAGE_LOAD, {"id": dashboard_id})).json()
        assert answer["data"] in (None, {"dashboard": None}), caller


async def test_content_read_at_another_version_marks_the_dashboard() -> None:
    read_elsewhere: set[int] = set()

    async def newer() -> AtVersion[str]:
        return AtVersion(8, ["row"])

    converted = await read_at_version(
        VersionCache(10), ("cards", 1, 42), 7, newer, lambda read: list(read.items), read_elsewhere
    )

    assert converted == ["row"]
    assert read_elsewhere == {42}


def test_at_most_a_few_shapes_are_kept_per_version() -> None:
    kept = versioned_results.KeptResults()
    for shape in range(versioned_results.KEPT_SHAPES + 2):
        kept.keep(shape, {"n": shape})

    assert len(kept.by_shape) == versioned_results.KEPT_SHAPES
    assert len(kept) == 1  # one item of the version cache, whatever it holds


async def test_a_selection_that_directives_change_is_answered_for_its_variables(
    editor: Caller,
) -> None:
    # One document, whose selection under the dashboard depends on a variable.
    document = """
    query D($id: ID!, $withShares: Boolean!) { dashboard(id: $id) {
        cards { name }
        ... @include(if: $withShares) { shares { subjectId } }
    } }
    """
    dashboard_id = await _board(editor)

    answers = [
        await editor.graphql(document, {"id": dashboard_id, "withShares": with_shares})
        for with_shares in (True, False, True, False)
    ]

    assert [("shares" in a["dashboard"]) for a in answers] == [True, False, True, False]
    assert all(len(a["dashboard"]["cards"]) == 3 for a in answers)


async def test_reads_racing_writes_show_each_write_once_it_is_committed(editor: Caller) -> None:
    # given a dashboard read by two clients in a loop while a third renames its widgets
    dashboard_id, widgets = await _board_and_widgets(editor)
    writes = 12
    done = asyncio.Event()

    async def read_in_a_loop() -> int:
        reads = 0
        while not done.is_set():
            answer = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})
            assert len(answer["dashboard"]["pages"][0]["cards"]) == 3
            reads += 1
        return reads

    async def write_then_read() -> None:
        try:
            for i in range(writes):
                widget = widgets[i % 3]
                renamed = await editor.graphql(
                    UPDATE_WIDGET, {"input": {"id": widget["id"], "name": f"name {i}"}}
                )
                assert renamed["updateDashboardWidget"]["userErrors"] == []
                # then a read after the write commits shows it, whatever the others kept
                after = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})
                cards = after["dashboard"]["pages"][0]["cards"]
                assert cards[i % 3]["name"] == f"name {i}"
                assert cards[i % 3]["dashboardWidget"]["name"] == f"name {i}"
        finally:
            done.set()

    reads = await asyncio.gather(read_in_a_loop(), read_in_a_loop(), write_then_read())

    assert reads[0] > 0
    assert reads[1] > 0
    final = await editor.graphql(PAGE_LOAD, {"id": dashboard_id})
    names = [c["name"] for c in final["dashboard"]["pages"][0]["cards"]]
    assert names == [f"name {writes - 3}", f"name {writes - 2}", f"name {writes - 1}"]


async def test_shapes_kept_per_operation_are_bounded(
    editor: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document with directives keeps a shape per set of variables: no more than the bound.
    monkeypatch.setattr(versioned_results, "SHAPES_PER_OPERATION", 3)
    document = """
    query D($id: ID!, $n: Int!, $withGrants: Boolean!) {
      dashboard(id: $id) {
        cards { name }
        ... @include(if: $withGrants) { shares { subjectId } }
      }
      dashboards(first: $n) { totalCount }
    }
    """
    dashboard_id = await _board(editor)

    for n in range(1, 7):
        answer = await editor.graphql(document, {"id": dashboard_id, "n": n, "withGrants": True})
        assert "shares" in answer["dashboard"]

    tables = versioned_results._SHAPES_BY_OPERATION._tables.values()
    kept = [table for reference, table in tables if "$withGrants" in _body(reference())]
    assert [len(table) for table in kept] == [3]


def _body(operation: Any) -> str:
    return operation.loc.source.body if operation is not None and operation.loc else ""
