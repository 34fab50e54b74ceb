"""Property-based fuzzing of every Query and Mutation field through POST /graphql.

hypothesis-graphql writes documents for one root field at a time (arguments, nested inputs,
any selection of output fields); a second test sends invalid ones. The fuzzer's tenant gets,
before each operation, a few dashboards, widgets, pages, cards, a collection, a dataset, a
share, a public link and an assignment, and `ID` arguments are drawn mostly from those real
ids, so documents reach past "not found". Every answer must be a GraphQL response whose data
has the shape the schema promises (tests/graphql_conformance.py): no 5xx, no masked
"Unexpected error", a code on every error of a non-200 answer. docs/fuzzing-graphql.md.

FUZZ_EXAMPLES sets the examples per operation (default 8, about a minute here); `make fuzz`
runs a longer pass. The seed is fixed (derandomized), so a run is repeatable."""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import graphql
import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.graphql.schema import schema as code_schema
from app.services import Services
from tests import fuzz_json_shapes, graphql_conformance
from tests.conftest import Caller, new_tenant
from tests.helpers import create_dashboard, create_widget, place_widgets
from tests.tile_data import seed_sales

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
NEGATIVE_EXAMPLES = max(2, EXAMPLES // 4)
SCHEMA = graphql.build_schema(code_schema.as_str())
FUZZER_USER = "fuzzer"


def _root_fields(kind: str) -> list[tuple[str, str]]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    return [(kind, name) for name in root.fields]


OPERATIONS = _root_fields("query") + _root_fields("mutation")


def _takes_arguments(kind: str, name: str) -> bool:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    return bool(root.fields[name].args)


# An invalid document needs an argument to get wrong.
WITH_ARGUMENTS = [operation for operation in OPERATIONS if _takes_arguments(*operation)]


@dataclass
class Seeded:
    """What one fuzzed tenant holds, as the values the fuzzer may send: ids by kind (each as
    a global id and as its integer), and strings its arguments may name."""

    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    strings: list[str] = field(default_factory=list)

    def add(self, kind: str, *items: dict[str, Any]) -> None:
        for item in items:
            self.ids[kind] += [item["id"], str(item["databaseId"])]


# The seeded board declares every parameter name the fuzzer's JSON uses (fuzz_json_shapes),
# so rendering reaches the binding of values, not only "not declared".
BOARD_PARAMETERS = {
    "region": {"type": "string", "multiple": True, "field": "region", "operator": "in"},
    "n": {"type": "integer", "default": 1},
    "since": {"type": "date"},
    "flag": {"type": "boolean", "default": False},
    "days": {"type": "number", "default": 30},
}
TOP_PRODUCTS_SQL = (
    "SELECT product, sum(units) AS units FROM sales WHERE units > :n "
    "AND order_date >= coalesce(:since, DATE '2000-01-01') AND (:flag OR :days > 0) "
    "GROUP BY product"
)


async def seed(caller: Caller, tag: str) -> Seeded:
    """Two dashboards (one with two pages, cards, parameters, a share, a public link and an
    assignment), widgets, collections, datasets and a template board, named after `tag`;
    the tenant's data schema already holds the `sales` table."""
    collection = await _mutate(
        caller,
        "createCollection(input: {name: $v}) { collection { id databaseId } userErrors { code } }",
        tag,
        "String!",
    )
    dataset = await _mutate(
        caller,
        'createDataset(input: {name: $v, sourceKind: TABLE, source: "sales"}) '
        "{ dataset { id databaseId } userErrors { code } }",
        tag,
        "String!",
    )
    by_region = {
        "dataset_id": dataset["dataset"]["databaseId"],
        "dimensions": ["region"],
        "measures": [{"aggregate": "sum", "column": "revenue"}],
        "filters": [{"field": "region", "operator": "in", "parameter": "region"}],
    }
    kind = tag.lower().replace(".", "_")
    widgets = [
        await create_widget(caller, "Revenue", "BAR_CHART", dataSource=by_region, kind=kind),
        await create_widget(
            caller, "Units", "KPI_CARD", dataSource={"sql": "SELECT sum(units) AS units FROM sales"}
        ),
        await create_widget(caller, "Top", "TABLE", dataSource={"sql": TOP_PRODUCTS_SQL}),
    ]
    board = await create_dashboard(
        caller,
        collectionId=collection["collection"]["id"],
        tags=[tag],
        parameters=BOARD_PARAMETERS,
    )
    other = await create_dashboard(caller, visibility="PRIVATE")
    await place_widgets(caller, board["id"], [w["id"] for w in widgets])
    for selection in (
        'addDashboardPage(input: {dashboardId: $v, name: "Details"})',
        "addDashboardCard(input: {dashboardId: $v, cardType: TEXT, page: 2, "
        'layout: {x: 0, y: 0, w: 4, h: 2}, config: {text: "Notes"}})',
        'shareDashboard(input: {dashboardId: $v, subjectType: USER, subjectId: "bob", '
        "accessLevel: VIEWER})",
        "publishDashboard(input: {dashboardId: $v})",
        f'assignDashboard(input: {{userId: "{FUZZER_USER}", dashboardId: $v, isDefault: true}})',
    ):
        await _mutate(caller, selection + " { userErrors { code } }", board["id"], "ID!")
    from_template = await _mutate(
        caller,
        'createDashboardFromTemplate(input: {templateId: "kpi_summary", datasetId: $v, '
        'name: "KPIs"}) { dashboard { id databaseId } userErrors { code } }',
        dataset["dataset"]["id"],
        "ID!",
    )
    # What nothing uses, so that deleting it can succeed: a widget placed nowhere, an empty
    # collection, a dataset no widget reads.
    spare_widget = await create_widget(caller, "Spare", "TEXT")
    spare_collection = await _mutate(
        caller,
        "createCollection(input: {name: $v}) { collection { id databaseId } userErrors { code } }",
        f"{tag} spare",
        "String!",
    )
    spare_dataset = await _mutate(
        caller,
        'createDataset(input: {name: $v, sourceKind: SQL, source: "SELECT region FROM sales"}) '
        "{ dataset { id databaseId } userErrors { code } }",
        f"{tag} spare",
        "String!",
    )
    seeded = Seeded(strings=[FUZZER_USER, "bob", tag, kind, "sales", "region", "EU"])
    seeded.add("dashboard", board, other, from_template["dashboard"])
    seeded.add("widget", *widgets, spare_widget)
    seeded.add("collection", collection["collection"], spare_collection["collection"])
    seeded.add("dataset", dataset["dataset"], spare_dataset["dataset"])
    await _harvest(caller, board["id"], seeded)
    return seeded


async def _mutate(caller: Caller, selection: str, value: str, type_: str) -> Any:
    data = await caller.graphql(f"mutation ($v: {type_}) {{ {selection} }}", {"v": value})
    (payload,) = data.values()
    assert payload["userErrors"] == [], payload
    return payload


HARVEST = """
query Harvest($id: ID!) {
  dashboard(id: $id) {
    code
    pages { id databaseId }
    cards { id databaseId }
    shares { id databaseId }
    publicLink { slug }
  }
  dashboards(first: 3) { edges { cursor } }
  dashboardWidgets(first: 3) { edges { cursor } }
  dashboardTemplates { id }
}
"""


async def _harvest(caller: Caller, board_id: str, seeded: Seeded) -> None:
    """The ids the seeding made but did not answer with, cursors and template ids."""
    data = await caller.graphql(HARVEST, {"id": board_id})
    board = data["dashboard"]
    seeded.add("page", *board["pages"])
    seeded.add("card", *board["cards"])
    seeded.add("share", *board["shares"])
    seeded.ids["template"] = [t["id"] for t in data["dashboardTemplates"]]
    seeded.strings += [board["code"], board["publicLink"]["slug"]]
    seeded.strings += [e["cursor"] for e in data["dashboards"]["edges"]]
    seeded.strings += [e["cursor"] for e in data["dashboardWidgets"]["edges"]]


# Text JSON can carry but UTF-8 and PostgreSQL cannot: an unpaired surrogate. As a literal it
# is a syntax error; as a variable it reaches the resolvers.
_UNENCODABLE = st.sampled_from(["a\ud800b", "\udfff"])


def _scalars(seeded: Seeded, kinds: set[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    # An ID of a kind the operation takes, mostly: a kind first, then one of its ids.
    pool = sorted(kinds & set(seeded.ids)) or sorted(seeded.ids)
    real_ids = st.sampled_from(pool).flatmap(lambda k: st.sampled_from(seeded.ids[k]))
    any_id = st.sampled_from(sorted(seeded.ids)).flatmap(lambda k: st.sampled_from(seeded.ids[k]))
    return {
        "ID": st.one_of(real_ids, real_ids, any_id, st.text(max_size=16)).map(nodes.String),
        "String": st.one_of(st.sampled_from(seeded.strings), st.text(), _UNENCODABLE).map(
            nodes.String
        ),
        # Page numbers, versions and positions that exist, near misses, and the 32-bit edges.
        "Int": st.one_of(
            st.integers(min_value=1, max_value=3),
            st.integers(min_value=-2, max_value=5),
            st.integers(min_value=-(2**31), max_value=2**31 - 1),
        ).map(nodes.Int),
        "JSON": fuzz_json_shapes.json_values(
            [int(i) for i in seeded.ids["dataset"] if i.isdigit()]
        ),
        "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat())),
    }


# What an `ID` argument or input field names, by its name; a bare `id` names what its root
# field is about.
_ID_KINDS = {
    "dashboardId": "dashboard",
    "cardId": "card",
    "shareId": "share",
    "datasetId": "dataset",
    "collectionId": "collection",
    "parentId": "collection",
    "templateId": "template",
    "dashboardWidgetId": "widget",
}
_ROOT_KINDS = {"widget": "widget", "collection": "collection", "dataset": "dataset"}


def _id_kinds(root: graphql.GraphQLField, root_name: str) -> set[str]:
    """The kinds of ids the root field's arguments take, found by walking its input types."""
    kinds: set[str] = set()
    pending: list[tuple[str, graphql.GraphQLInputType]] = [
        (name, arg.type) for name, arg in root.args.items()
    ]
    seen: set[str] = set()
    while pending:
        name, type_ = pending.pop()
        named = graphql.get_named_type(type_)
        if isinstance(named, graphql.GraphQLInputObjectType) and named.name not in seen:
            seen.add(named.name)
            pending += [(n, f.type) for n, f in named.fields.items()]
        elif named.name == "ID":
            about = root_name.lower()
            default = next((k for w, k in _ROOT_KINDS.items() if w in about), "dashboard")
            kinds.add(_ID_KINDS.get(name, default))
    if root_name == "node":
        return set(_ID_KINDS.values())
    return kinds


def _strategy(
    kind: str, name: str, seeded: Seeded, mode: Mode
) -> st.SearchStrategy[graphql.DocumentNode]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    scalars = _scalars(seeded, _id_kinds(root.fields[name], name))
    build = hypothesis_graphql.queries if kind == "query" else hypothesis_graphql.mutations
    documents = build(
        SCHEMA, fields=[name], custom_scalars=scalars, print_ast=lambda d: d, mode=mode
    )
    about = name.lower()
    root_kind: str | None = next((k for w, k in _ROOT_KINDS.items() if w in about), "dashboard")
    if name == "node":
        root_kind = None
    return st.tuples(documents, st.randoms(use_true_random=False)).map(
        lambda drawn: graphql.visit(drawn[0], _RealIds(seeded, root_kind, drawn[1]))
    )


class _RealIds(graphql.Visitor):
    """Three in four string values of an argument or input field named like an id of one kind
    (`cardId`, `shareId`, a bare `id` of the root field's kind) become a real id of that kind:
    one `ID` scalar strategy cannot know which kind each argument wants. Shrinking still works:
    the choices come from hypothesis' own `randoms()`."""

    def __init__(self, seeded: Seeded, root_kind: str | None, rnd: random.Random) -> None:
        super().__init__()
        self.seeded, self.root_kind, self.rnd = seeded, root_kind, rnd

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> graphql.ArgumentNode | None:
        return self._retarget(node)

    def enter_object_field(
        self, node: graphql.ObjectFieldNode, *_: Any
    ) -> graphql.ObjectFieldNode | None:
        return self._retarget(node)

    def _retarget(self, node: _Named) -> _Named | None:
        name = node.name.value
        kind = _ID_KINDS.get(name)
        if name == "id":  # `node(id:)` takes any kind
            kind = self.root_kind or self.rnd.choice(sorted(self.seeded.ids))
        ids = self.seeded.ids.get(kind or "")
        if not ids or not isinstance(node.value, graphql.StringValueNode):
            return None
        if self.rnd.randrange(4) == 3:  # hypothesis favours 0: the real id is the usual case
            return None
        return replace(node, value=nodes.String(self.rnd.choice(ids)))


_Named = TypeVar("_Named", graphql.ArgumentNode, graphql.ObjectFieldNode)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
async def fuzz_tenant(services: Services) -> str:
    """One tenant for the whole run (one pool of tile connections, not one per operation),
    with a `sales` table in its data schema."""
    tenant = new_tenant()
    await seed_sales(services, tenant)
    return tenant


def _ids(operations: list[tuple[str, str]]) -> list[str]:
    return [f"{kind}.{name}" for kind, name in operations]


@pytest.mark.parametrize(("kind", "name"), OPERATIONS, ids=_ids(OPERATIONS))
async def test_every_generated_document_gets_a_conforming_answer(
    http: httpx.AsyncClient, fuzz_tenant: str, kind: str, name: str
) -> None:
    # given the fuzzer's tenant, with data made for this operation
    caller = Caller(http, fuzz_tenant, user=FUZZER_USER, scopes=(EDIT_SCOPE, ADMIN_SCOPE))
    seeded = await seed(caller, f"{kind}.{name}")
    # when hypothesis sends valid documents for this one root field,
    # then each answer keeps the contract
    await _fuzz(caller, kind, name, _strategy(kind, name, seeded, Mode.POSITIVE), EXAMPLES)


@pytest.mark.parametrize(("kind", "name"), WITH_ARGUMENTS, ids=_ids(WITH_ARGUMENTS))
async def test_every_invalid_document_is_refused_with_errors(
    http: httpx.AsyncClient, fuzz_tenant: str, kind: str, name: str
) -> None:
    # given the fuzzer's tenant, with data made for this operation
    caller = Caller(http, fuzz_tenant, user=FUZZER_USER, scopes=(EDIT_SCOPE, ADMIN_SCOPE))
    seeded = await seed(caller, f"invalid.{kind}.{name}")
    # when hypothesis sends documents with one violation of the schema (a missing or
    # misspelt argument, a value of the wrong type, a null where one is required),
    # then each is refused with errors, in an answer that keeps the contract
    strategy = _strategy(kind, name, seeded, Mode.NEGATIVE)
    await _fuzz(caller, kind, name, strategy, NEGATIVE_EXAMPLES, refused=True)


async def _fuzz(
    caller: Caller,
    kind: str,
    name: str,
    strategy: st.SearchStrategy[graphql.DocumentNode],
    examples: int,
    *,
    refused: bool = False,
) -> None:
    loop = asyncio.get_running_loop()
    outcomes: Counter[str] = Counter()
    headers = {**caller.headers, "content-type": "application/json"}

    @_settings(examples)
    @given(document=strategy, as_variables=st.booleans())
    def answers_conform(document: graphql.DocumentNode, as_variables: bool) -> None:
        sent = graphql_conformance.with_typenames(_with_user_errors(document))
        # An invalid literal may be a valid variable (JSON's 0.0 is an ID): literals only then.
        sent, variables = _as_variables(sent) if as_variables and not refused else (sent, {})
        text = graphql.print_ast(sent)
        # ASCII JSON, so that strings JSON can carry and UTF-8 cannot (a lone "\ud800") go too
        request = json.dumps({"query": text, "variables": variables})
        post = caller.http.post("/graphql", content=request, headers=headers)
        response = asyncio.run_coroutine_threadsafe(post, loop).result()
        body = _json(response)
        outcomes[_outcome(response.status_code, body, name)] += 1
        _log(f"### {kind}.{name}\n{request}\n=> {response.status_code} {response.text}\n")
        found = graphql_conformance.problems(SCHEMA, sent, response.status_code, body)
        media_type = response.headers.get("content-type", "").split(";")[0]
        if media_type not in graphql_conformance.MEDIA_TYPES:
            found.append(f"Content-Type {media_type!r}")
        if refused and not (isinstance(body, dict) and body.get("errors")):
            found.append("an invalid document was not refused")
        assert not found, f"{request}\n→ {response.status_code} {response.text[:2000]}\n{found}"

    # Hypothesis runs in a worker thread; the requests run on the test's own event loop.
    await asyncio.to_thread(answers_conform)
    mode = "invalid" if refused else "valid"
    print(f"fuzz {kind}.{name} ({mode}): {outcomes.total()} cases {dict(sorted(outcomes.items()))}")


def _as_variables(
    document: graphql.DocumentNode,
) -> tuple[graphql.DocumentNode, dict[str, Any]]:
    """The document with its root field's arguments sent as variables (`$a0`, `$a1`, …), which
    take the other coercion path (parse_value, not parse_literal) and can carry any JSON."""
    (operation,) = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    selections = list(operation.selection_set.selections)
    (at,) = [i for i, s in enumerate(selections) if _field_name(s) not in (None, "__typename")]
    root = selections[at]
    assert isinstance(root, graphql.FieldNode)
    root_type = SCHEMA.get_root_type(operation.operation)
    assert root_type is not None
    definitions = root_type.fields[root.name.value].args
    arguments: list[graphql.ArgumentNode] = []
    declared: list[graphql.VariableDefinitionNode] = []
    values: dict[str, Any] = {}
    for index, argument in enumerate(root.arguments or ()):
        name = graphql.NameNode(value=f"a{index}")
        type_ = graphql.parse_type(str(definitions[argument.name.value].type))
        declared.append(
            graphql.VariableDefinitionNode(
                variable=graphql.VariableNode(name=name), type=type_, directives=()
            )
        )
        values[name.value] = graphql.value_from_ast_untyped(argument.value)
        arguments.append(replace(argument, value=graphql.VariableNode(name=name)))
    selections[at] = replace(root, arguments=tuple(arguments))
    operation = replace(
        operation,
        variable_definitions=tuple(declared),
        selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
    )
    return graphql.DocumentNode(definitions=(operation,)), values


def _field_name(selection: graphql.SelectionNode) -> str | None:
    return selection.name.value if isinstance(selection, graphql.FieldNode) else None


_USER_ERRORS = graphql.parse("{ userErrors { field message code } }").definitions[0]


def _with_user_errors(document: graphql.DocumentNode) -> graphql.DocumentNode:
    """A mutation's document that also selects its payload's userErrors, so every refusal
    is seen (and its code checked against the UserErrorCode enum)."""
    (operation,) = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    if operation.operation is not graphql.OperationType.MUTATION:
        return document
    (root,) = operation.selection_set.selections
    assert isinstance(root, graphql.FieldNode)
    if root.selection_set is None:
        return document
    assert isinstance(_USER_ERRORS, graphql.OperationDefinitionNode)
    selections = (*root.selection_set.selections, *_USER_ERRORS.selection_set.selections)
    root = replace(root, selection_set=graphql.SelectionSetNode(selections=selections))
    operation = replace(operation, selection_set=graphql.SelectionSetNode(selections=(root,)))
    return graphql.DocumentNode(definitions=(operation,))


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return response.text


def _outcome(status: int, body: object, name: str) -> str:
    """How far a document got, for the run's summary: refused by the HTTP layer, answered
    with errors, with userErrors, with null, or with data."""
    if status != 200 or not isinstance(body, dict):
        return f"http{status}"
    if "errors" in body:
        return "errors"
    value = (body.get("data") or {}).get(name)
    if isinstance(value, dict) and value.get("userErrors"):
        return "userErrors"
    return "null" if value is None else "data"


def _log(entry: str) -> None:
    """FUZZ_LOG=path appends every document and answer there, for triage."""
    if path := os.environ.get("FUZZ_LOG"):
        with Path(path).open("a", encoding="utf-8") as log:
            log.write(entry)
