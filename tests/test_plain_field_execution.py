"""The plain-field execution context answers exactly as graphql-core's standard executor:
differential tests over generated queries, on a schema built to hit every branch (values the
fast path may answer and values it must hand back, errors included) and on the service's own
schema against real data."""

from __future__ import annotations

import enum
import os
from typing import Any
from unittest.mock import ANY

import pytest
import strawberry
from graphql import (
    ExecutionResult,
    IntValueNode,
    OperationDefinitionNode,
    StringValueNode,
    parse,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.context import GraphQLContext
from app.graphql.execution import (
    MEMO_SHAPES,
    GlobalIdPlan,
    LeafPlan,
    ObjectPlan,
    PlainFieldExecutionContext,
)
from app.graphql.execution import plans_for as plans
from app.graphql.schema import build_schema
from app.services import Services
from app.settings import Settings
from tests.conftest import REPO, Caller
from tests.helpers import context_for, create_dashboard, create_widget, place_widgets

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))


@strawberry.enum
class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


@strawberry.type
class Corner:
    x: int
    y: int | None
    label: str


@strawberry.type
class Thing(relay.Node):
    id: relay.NodeID[int]
    name: str
    count: int
    ratio: float
    on: bool
    shade: Shade
    tags: list[str]
    maybe_tags: list[str] | None
    blob: JSON
    note: str | None
    corner: Corner
    maybe_corner: Corner | None
    # Values the fast path must hand to the standard path, which reports them.
    broken_name: str
    too_big: int
    not_a_list: list[int]
    bad_corner: Corner
    # Things shared by executions, as the version cache's cards are, carry a memo.
    plain_memo: strawberry.Private[dict[Any, Any] | None] = None

    @strawberry.field
    def computed(self) -> str:
        return self.name.upper()


def _thing(index: int) -> Thing:
    return Thing(
        id=index,
        name=f"thing {index}",
        count=index * 3,
        ratio=index / 7,
        on=index % 2 == 0,
        shade=Shade.DARK if index % 2 else Shade.LIGHT,
        tags=["a", f"t{index}"],
        maybe_tags=None if index % 2 else ["m"],
        blob={"k": [index, None, "v"]},
        note=None if index % 3 else "noted",
        corner=Corner(x=index, y=None if index % 2 else index, label="c"),
        maybe_corner=None if index % 2 else Corner(x=1, y=2, label="m"),
        broken_name=None,  # type: ignore[arg-type]
        too_big=2**40,
        not_a_list="nope",  # type: ignore[arg-type]
        bad_corner=Corner(x=None, y=1, label="bad"),  # type: ignore[arg-type]
    )


def _shared_thing(index: int) -> Thing:
    thing = _thing(index)
    thing.plain_memo = {}
    return thing


SHARED_THINGS = [_shared_thing(i) for i in range(3)]


@strawberry.type
class Probe:
    @strawberry.field
    def thing(self) -> Thing:
        return _thing(1)

    @strawberry.field
    def things(self) -> list[Thing]:
        return [_thing(i) for i in range(4)]

    @strawberry.field
    def maybe_thing(self) -> Thing | None:
        return _thing(2)

    @strawberry.field
    def shared_things(self) -> list[Thing]:
        return list(SHARED_THINGS)

    # Lists the fast path must build as the standard path completes them, errors included.
    @strawberry.field
    def things_with_gap(self) -> list[Thing | None]:
        return [_thing(0), None, _thing(3)]

    @strawberry.field
    def things_with_null(self) -> list[Thing]:
        return [_thing(0), None]  # type: ignore[list-item]

    @strawberry.field
    def things_with_stranger(self) -> list[Thing]:
        return [_thing(0), Corner(x=1, y=2, label="s")]  # type: ignore[list-item]


def _probe_schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    fast = strawberry.Schema(query=Probe, execution_context_class=PlainFieldExecutionContext)
    standard = strawberry.Schema(query=Probe)
    return fast, standard


PROBE_FAST, PROBE_STANDARD = _probe_schemas()


def _comparable(result: ExecutionResult | Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = [(error.message, error.path) for error in result.errors or []]
    return result.data, sorted(errors, key=repr)


def test_the_probe_schema_has_every_kind_of_plan() -> None:
    thing = plans(PROBE_FAST._schema.type_map["Thing"])  # type: ignore[arg-type]
    kinds = {name: type(plan) for name, plan in thing.items()}
    assert kinds["id"] is GlobalIdPlan
    assert kinds["corner"] is ObjectPlan
    assert kinds["tags"] is LeafPlan
    assert kinds["shade"] is LeafPlan
    assert "computed" not in kinds  # a resolver of its own: the standard path


def test_errors_are_the_standard_executors() -> None:
    query = """{ things { id name brokenName } maybeThing { tooBig notAList badCorner { x y } }
                thing { corner { x y label } maybeCorner { x } tags maybeTags blob shade } }"""
    fast, standard = PROBE_FAST.execute_sync(query), PROBE_STANDARD.execute_sync(query)
    assert fast.errors, "the probe must produce errors for this comparison to mean anything"
    assert _comparable(fast) == _comparable(standard)


@pytest.mark.parametrize(
    "query",
    [
        "{ thingsWithGap { id name corner { x } } }",
        "{ thingsWithNull { id shade } }",
        "{ thingsWithStranger { name } }",
    ],
)
def test_lists_with_nulls_and_strangers_answer_as_the_standard_executor(query: str) -> None:
    fast, standard = PROBE_FAST.execute_sync(query), PROBE_STANDARD.execute_sync(query)
    assert _comparable(fast) == _comparable(standard)
    if "Gap" in query:
        assert fast.data == {
            "thingsWithGap": [
                {"id": ANY, "name": "thing 0", "corner": {"x": 0}},
                None,
                {"id": ANY, "name": "thing 3", "corner": {"x": 3}},
            ]
        }
    else:
        assert fast.errors, "the probe must produce an error for this comparison to mean anything"


def test_plain_list_items_are_built_without_completing_each_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    completed: list[str] = []
    standard = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counted(self: Any, return_type: Any, *args: Any) -> Any:
        completed.append(return_type.name)
        return standard(self, return_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counted)
    query = "{ things { id name corner { x } } }"
    fast = PROBE_FAST.execute_sync(query)
    fast_completed, completed[:] = list(completed), []
    assert _comparable(fast) == _comparable(PROBE_STANDARD.execute_sync(query))
    assert fast_completed == []
    assert completed.count("Thing") == 4  # the standard executor, item by item


def test_what_a_selection_built_from_a_shared_object_is_kept_and_answers_the_same() -> None:
    for thing in SHARED_THINGS:
        thing.plain_memo = {}
    queries_in_turn = [
        "{ sharedThings { id name corner { x y } } }",
        "{ sharedThings { n: name id corner { y } } }",
        "{ sharedThings { id name corner { x y } } }",  # the first again: kept
        "{ sharedThings { ... on Thing { id name corner { x y } } } }",  # the same shape
        "{ sharedThings { shade } }",
        "{ sharedThings { tags } }",
        "{ sharedThings { count } }",  # a fifth shape: answered, not kept
    ]
    for query in queries_in_turn:
        fast, standard = PROBE_FAST.execute_sync(query), PROBE_STANDARD.execute_sync(query)
        assert fast.errors is None
        assert _comparable(fast) == _comparable(standard), query
    memo = SHARED_THINGS[0].plain_memo
    assert memo is not None
    assert len(memo) == MEMO_SHAPES
    assert {"count"} not in [set(kept) for kept in memo.values()]


def test_plain_selections_are_built_without_the_per_field_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the root field, which has a resolver of its own, goes through graphql-core's
    execute_field: every card-like selection under it is built in one call per item."""
    calls: list[str] = []
    standard = StrawberryGraphQLCoreExecutionContext.execute_field

    def counted(self: Any, parent_type: Any, *args: Any) -> Any:
        calls.append(parent_type.name)
        return standard(self, parent_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counted)
    query = "{ things { __typename id name tags shade corner { x y } maybeCorner { label } } }"
    fast = PROBE_FAST.execute_sync(query)
    fast_calls, calls[:] = list(calls), []
    plain = PROBE_STANDARD.execute_sync(query)
    assert _comparable(fast) == _comparable(plain)
    assert fast.data is not None
    assert len(fast.data["things"]) == 4
    assert fast_calls == ["Probe"]
    assert len(calls) > 30  # the standard executor, field by field, for contrast


@settings(
    max_examples=max(EXAMPLES, 50),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(query=queries(PROBE_STANDARD.as_str()))
def test_generated_queries_answer_as_the_standard_executor(query: str) -> None:
    fast, standard = PROBE_FAST.execute_sync(query), PROBE_STANDARD.execute_sync(query)
    assert _comparable(fast) == _comparable(standard), query


@pytest.fixture(scope="module")
def service_schemas(settings: Settings) -> tuple[strawberry.Schema, strawberry.Schema]:
    fast = build_schema(settings)
    assert issubclass(fast.execution_context_class, PlainFieldExecutionContext)
    standard = build_schema(settings)
    standard.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return fast, standard


async def _seed(editor: Caller) -> dict[str, Any]:
    dashboard = await create_dashboard(editor, tags=["x", "y"], visibility="TEAM")
    widgets = [
        await create_widget(editor, name=f"w{i}", config={"i": i, "n": None}) for i in range(4)
    ]
    await place_widgets(
        editor,
        dashboard["id"],
        [w["id"] for w in widgets],
        [{"x": i * 3, "y": 0, "w": 3, "h": 2} for i in range(3)] + [None],
    )
    await editor.graphql(
        """mutation($input: AddDashboardCardInput!) { addDashboardCard(input: $input) {
             userErrors { code } } }""",
        {
            "input": {
                "dashboardId": dashboard["id"],
                "cardType": "TABLE",
                "layout": {"x": 0, "y": 4, "w": 6, "h": 3},
                "config": {"columns": ["a"]},
                "name": "A table",
            }
        },
    )
    return {"dashboard": dashboard, "widgets": widgets}


async def _both(
    schemas: tuple[strawberry.Schema, strawberry.Schema],
    services: Services,
    tenant: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    operation_name: str | None = None,
) -> tuple[Any, Any]:
    ctx = await context_for(services, tenant, scopes=("dashboard.edit",))
    results = []
    for schema in schemas:
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=GraphQLContext(ctx),
            operation_name=operation_name,
        )
        results.append(_comparable(result))
    return results[0], results[1]


def _example_document() -> tuple[str, list[str]]:
    """All example operations in one document, and the names of its queries."""
    folder = REPO / "examples" / "operations"
    text = "\n".join(path.read_text() for path in sorted(folder.glob("*.graphql")))
    names = [
        definition.name.value
        for definition in parse(text).definitions
        if isinstance(definition, OperationDefinitionNode)
        and definition.operation.value == "query"
        and definition.name is not None
    ]
    return text, names


async def test_the_example_queries_answer_as_the_standard_executor(
    service_schemas: tuple[strawberry.Schema, strawberry.Schema],
    services: Services,
    editor: Caller,
) -> None:
    seeded = await _seed(editor)
    variables = {
        "id": seeded["dashboard"]["id"],
        "userId": "alice",
        "first": 50,
    }
    document, names = _example_document()
    answered = 0
    for name in names:
        fast, standard = await _both(
            service_schemas, services, editor.tenant, document, variables, operation_name=name
        )
        assert fast == standard, name
        answered += fast[0] is not None and not fast[1]
    # The comparison means something only if the queries answered with data.
    assert answered >= len(names) - 3, (answered, names)


async def test_generated_queries_on_the_service_answer_as_the_standard_executor(
    service_schemas: tuple[strawberry.Schema, strawberry.Schema],
    services: Services,
    editor: Caller,
) -> None:
    seeded = await _seed(editor)
    ids = [seeded["dashboard"]["id"], *(w["id"] for w in seeded["widgets"])]
    # Cursors the lists gave out (and one word), so that `after` is mostly valid.
    first_edges = await editor.graphql(
        """{ dashboards(first: 1) { edges { cursor } }
             dashboardWidgets(first: 1) { edges { cursor } } }"""
    )
    strings = ["w", *(c["edges"][0]["cursor"] for c in first_edges.values())]
    strategy = queries(
        service_schemas[1].as_str(),
        fields=["dashboard", "dashboards", "dashboardWidget", "dashboardWidgets", "node"],
        custom_scalars={
            "ID": st.sampled_from(ids).map(lambda i: StringValueNode(value=i)),
            # Page sizes and versions a front end would send, so that most queries answer
            # with data; arbitrary integers mostly test the arguments' validation.
            "Int": st.integers(0, 60).map(lambda n: IntValueNode(value=str(n))),
            "String": st.sampled_from(strings).map(lambda s: StringValueNode(value=s)),
        },
    )
    examples: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(query=strategy)
    def collect(query: str) -> None:
        examples.append(query)

    collect()
    with_data = 0
    for query in examples:
        fast, standard = await _both(service_schemas, services, editor.tenant, query)
        assert fast == standard, query
        with_data += bool(fast[0]) and not fast[1]
    assert len(examples) >= min(EXAMPLES, 20)
    assert with_data >= len(examples) // 2, (with_data, len(examples))
