"""GraphQL limits: the cost estimate (page sizes, variables, fragments, caps), the cost limit
over HTTP (400 QUERY_TOO_COMPLEX in both media types), depth and alias limits that stay linear
on fragment bombs, page sizes, and the validation cache that the limit rules run inside."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from strawberry.schema.schema import validate_document

from app.graphql import validation_cache
from app.graphql.cost import CostEstimator, CostLimits
from app.graphql.http_negotiation import GRAPHQL_RESPONSE_JSON
from app.graphql.persisted_build import build_manifest
from app.graphql.schema import build_schema, schema
from app.main import create_app
from app.settings import Settings
from bench.scenarios import DASHBOARD_QUERY, DASHBOARDS_QUERY, PLACEMENTS_MUTATION, WIDGETS_QUERY
from tests.conftest import REPO, Caller
from tests.helpers import create_dashboard

LIMITS = CostLimits(max_cost=50_000, page_size_default=20, page_size_max=100, list_size=20)


def cost(query: str, variables: dict[str, Any] | None = None, limits: CostLimits = LIMITS) -> int:
    return CostEstimator(limits).cost(schema._schema, parse(query), variables)


def fragment_bomb(levels: int, leaf: str = "viewer { tenant }") -> str:
    """A short document that expands to 2^levels copies of `leaf`."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "\n".join(
        ["query Bomb { ...F0 }", *fragments, f"fragment F{levels} on Query {{ {leaf} }}"]
    )


# --- the estimate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        pytest.param("{ viewer { userId tenant } }", None, 3, id="each-field-1"),
        # dashboards, nodes, then 20 (the default page size) times id
        pytest.param("{ dashboards { nodes { id } } }", None, 22, id="default-page-size"),
        pytest.param("{ dashboards(first: 5) { nodes { id } } }", None, 7, id="literal-first"),
        pytest.param("{ dashboards(first: 0) { nodes { id } } }", None, 2, id="first-0"),
        pytest.param("{ dashboards(first: 1000) { nodes { id } } }", None, 102, id="capped"),
        pytest.param("{ dashboards(first: -5) { nodes { id } } }", None, 2, id="negative"),
        pytest.param("{ dashboards(first: null) { nodes { id } } }", None, 22, id="null"),
        # edges and nodes are both pages of the connection; totalCount and pageInfo are not
        pytest.param(
            "{ dashboards(first: 3) { totalCount pageInfo { hasNextPage } edges { cursor } "
            "nodes { id } } }",
            None,
            1 + 1 + 2 + 1 + 3 + 1 + 3,
            id="connection",
        ),
        # a list without first/last: 20 (the assumed list size) items
        pytest.param("{ collections { id name } }", None, 41, id="plain-list"),
        pytest.param(
            "{ dashboards(first: 5) { nodes { id cards { id name } } } }",
            None,
            2 + 5 * (1 + 1 + 20 * 2),
            id="nested-lists-multiply",
        ),
        pytest.param(
            "query($n: Int) { dashboards(first: $n) { nodes { id } } }", {"n": 3}, 5, id="variable"
        ),
        pytest.param(
            "query($n: Int) { dashboards(first: $n) { nodes { id } } }", {}, 22, id="unset-variable"
        ),
        pytest.param(
            "query($n: Int = 7) { dashboards(first: $n) { nodes { id } } }",
            {},
            9,
            id="variable-default",
        ),
        pytest.param(
            "query($n: Int) { dashboards(first: $n) { nodes { id } } }",
            {"n": 5000},
            102,
            id="variable-capped",
        ),
        pytest.param(
            "query { ...F ...F } fragment F on Query { dashboards(first: 2) { nodes { id } } }",
            None,
            8,
            id="fragment-per-spread",
        ),
        pytest.param(
            "{ dashboards(first: 2) { ...C } } "
            "fragment C on DashboardConnection { nodes { id name } }",
            None,
            1 + 1 + 2 * 2,
            id="fragment-on-connection",
        ),
        pytest.param(
            '{ node(id: "x") { id ... on Dashboard { cards { id } } } }',
            None,
            2 + 1 + 20,
            id="inline-fragment",
        ),
        pytest.param(
            "{ __schema { types { name fields { name args { name } } } } }",
            None,
            1,
            id="introspection-1",
        ),
    ],
)
def test_cost_estimate(query: str, variables: dict[str, Any] | None, expected: int) -> None:
    assert cost(query, variables) == expected


def test_the_named_operation_is_the_one_costed() -> None:
    query = "query A { viewer { tenant } } query B { dashboards { nodes { id } } }"
    estimator = CostEstimator(LIMITS)

    assert estimator.cost(schema._schema, parse(query), {}, "B") == 22
    assert estimator.cost(schema._schema, parse(query), {}, "A") == 2


def test_a_cached_plan_is_evaluated_with_each_requests_variables() -> None:
    query = "query($n: Int) { dashboards(first: $n) { nodes { id } } }"
    estimator = CostEstimator(LIMITS)
    document = parse(query)

    costs = [estimator.cost(schema._schema, document, {"n": n}, None, query) for n in (1, 50, 2)]

    assert costs == [3, 52, 4]


def test_the_list_size_and_page_sizes_come_from_the_limits() -> None:
    limits = CostLimits(max_cost=10, page_size_default=4, page_size_max=6, list_size=9)

    assert cost("{ dashboards { nodes { id } } }", limits=limits) == 2 + 4
    assert cost("{ dashboards(first: 50) { nodes { id } } }", limits=limits) == 2 + 6
    assert cost("{ collections { id } }", limits=limits) == 1 + 9


def test_a_fragment_bomb_is_costed_exactly_without_expanding_it() -> None:
    # 2^60 viewer { tenant } copies: an estimate that expanded fragments would never finish.
    assert cost(fragment_bomb(60)) == 2**60 * 2


# --- the queries that must pass the default limit -----------------------------------------


def worst_case_variables(query: str) -> dict[str, int]:
    """Every variable at the largest page size, so paged fields cost their most."""
    operation = next(d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode))
    return {v.variable.name.value: 100 for v in operation.variable_definitions or ()}


@pytest.mark.parametrize(
    "query", [WIDGETS_QUERY, DASHBOARD_QUERY, DASHBOARDS_QUERY, PLACEMENTS_MUTATION]
)
def test_benchmark_queries_pass_the_default_cost_limit(query: str) -> None:
    limit = Settings().graphql_max_cost

    assert cost(query, worst_case_variables(query)) <= limit


def test_dashboards_first_100_with_cards_and_widgets_costs_what_it_asks_for() -> None:
    # 1 + totalCount + pageInfo (3) + edges + 100 x (node's 11 fields + cards 1 + 20 x 15)
    assert cost(DASHBOARDS_QUERY, {"first": 100}) == 1 + 1 + 3 + 1 + 100 * (11 + 1 + 20 * 15)


def test_every_example_operation_passes_the_default_cost_limit() -> None:
    manifest = build_manifest(REPO / "examples" / "operations", schema._schema)
    limit = Settings().graphql_max_cost

    costs = {
        operation["name"]: cost(operation["body"], worst_case_variables(operation["body"]))
        for operation in manifest["operations"]
    }

    assert costs
    assert max(costs.values()) <= limit, costs


# --- the limit over HTTP --------------------------------------------------------------------


@pytest.fixture
async def cheap_http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a cost limit of 50."""
    application = create_app(settings.model_copy(update={"graphql_max_cost": 50}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


PAGE_OF = "query Page($n: Int) { dashboards(first: $n) { nodes { id name } } }"


async def test_a_query_within_the_cost_limit_runs(
    cheap_http: httpx.AsyncClient, editor: Caller
) -> None:
    await create_dashboard(editor)  # through the app with the default limit
    caller = Caller(cheap_http, editor.tenant)

    data = await caller.graphql(PAGE_OF, {"n": 24})  # 2 + 24 x 2 = 50

    assert len(data["dashboards"]["nodes"]) == 1


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_a_query_above_the_cost_limit_is_400_query_too_complex(
    cheap_http: httpx.AsyncClient, editor: Caller, accept: str
) -> None:
    await create_dashboard(editor)
    caller = Caller(cheap_http, editor.tenant)

    response = await cheap_http.post(
        "/graphql",
        json={"query": PAGE_OF, "variables": {"n": 25}},  # 2 + 25 x 2 = 52
        headers={**caller.headers, "Accept": accept},
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 52, "maxCost": 50}
    assert "52" in error["message"]
    assert "50" in error["message"]
    # the operation did not run: no data (legacy JSON keeps its null)
    assert body.get("data") is None
    if accept == GRAPHQL_RESPONSE_JSON:
        assert "data" not in body


async def test_the_same_document_passes_or_fails_by_its_variables(
    cheap_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(cheap_http, tenant)

    statuses = [
        (await caller.post_graphql(PAGE_OF, {"n": n})).status_code for n in (1, 25, 1, 100, 24)
    ]

    assert statuses == [200, 400, 200, 400, 200]


async def test_aliases_multiply_the_cost(cheap_http: httpx.AsyncClient, tenant: str) -> None:
    caller = Caller(cheap_http, tenant)
    within = (
        "{ " + " ".join(f"a{i}: dashboards(first: 4) {{ nodes {{ id }} }}" for i in range(8)) + " }"
    )
    beyond = (
        "{ " + " ".join(f"a{i}: dashboards(first: 4) {{ nodes {{ id }} }}" for i in range(9)) + " }"
    )

    assert (await caller.post_graphql(within)).status_code == 200  # 8 x 6 = 48
    refused = await caller.post_graphql(beyond)  # 9 x 6 = 54

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_mutation_above_the_cost_limit_changes_nothing(
    cheap_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(cheap_http, tenant)
    mutation = """
    mutation Create($input: CreateDashboardInput!) {
      createDashboard(input: $input) {
        dashboard { id pages { cards { id name layout { x y w h } } } }
        userErrors { field message code }
      }
    }"""

    response = await caller.post_graphql(mutation, {"input": {"code": "big", "name": "Big"}})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert (await caller.graphql("{ dashboards { totalCount } }"))["dashboards"]["totalCount"] == 0


async def test_a_fragment_bomb_is_refused_for_its_cost(editor: Caller) -> None:
    # 40 fragments, each spreading the next twice: 2^40 fields. The old depth and alias
    # limiters expanded every spread and held the worker for hours on this document.
    response = await editor.post_graphql(fragment_bomb(40))

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] == 2**40 * 2


@pytest.fixture
async def reporting_http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a cost limit of 50 that reports each operation's cost."""
    overrides = {"graphql_max_cost": 50, "graphql_cost_in_response": True}
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_the_cost_can_be_reported_in_the_response(
    reporting_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(reporting_http, tenant)

    ran = await caller.post_graphql(PAGE_OF, {"n": 3})
    refused = await caller.post_graphql(PAGE_OF, {"n": 30})

    assert ran.json() == {
        "data": {"dashboards": {"nodes": []}},
        "extensions": {"cost": {"estimated": 8, "limit": 50}},
    }
    assert refused.json()["extensions"] == {"cost": {"estimated": 62, "limit": 50}}


async def test_the_cost_is_not_reported_by_default(editor: Caller) -> None:
    response = await editor.post_graphql(PAGE_OF, {"n": 3})

    assert "extensions" not in response.json()


# --- depth and alias limits: linear on fragments, same answers ------------------------------


async def test_depth_through_fragment_spreads_is_measured_once_per_fragment(editor: Caller) -> None:
    # 40 levels of double spreads whose leaf nests 13 deep: the depth limit finds it at once.
    leaf = "a { " * 13 + "b" + " }" * 13
    response = await editor.post_graphql(fragment_bomb(40, leaf))

    messages = [e["message"] for e in response.json()["errors"]]
    assert "'Bomb' exceeds maximum operation depth of 12" in messages


async def test_aliases_through_fragment_spreads_count_at_every_spread(editor: Caller) -> None:
    # 2 aliases, spread 2^4 times: 32 aliases, over the limit of 30.
    query = fragment_bomb(4, "x: viewer { tenant } y: viewer { userId }")

    response = await editor.post_graphql(query)

    messages = [e["message"] for e in response.json()["errors"]]
    assert "32 aliases found. Allowed: 30" in messages


async def test_16_aliases_through_fragment_spreads_are_allowed(editor: Caller) -> None:
    query = fragment_bomb(3, "x: viewer { tenant } y: viewer { userId }")

    data = await editor.graphql(query)

    assert data == {"x": {"tenant": editor.tenant}, "y": {"userId": editor.user}}


async def test_introspection_does_not_count_towards_depth(editor: Caller) -> None:
    # 14 levels below __schema: beyond the limit of 12 if introspection counted
    query = "{ __schema { types { fields { type { " + "ofType { " * 10 + "name" + " }" * 14 + " }"

    data = await editor.graphql(query)

    assert data["__schema"]["types"]


# --- page sizes -----------------------------------------------------------------------------


async def test_a_page_beyond_the_maximum_is_an_error(editor: Caller) -> None:
    response = await editor.post_graphql("{ dashboards(first: 101) { nodes { id } } }")

    assert response.status_code == 200  # a field error: the operation ran
    [error] = response.json()["errors"]
    assert error["message"] == "'first' must be between 0 and 100 (got 101)"
    assert error["path"] == ["dashboards"]


async def test_a_page_of_the_maximum_is_allowed(editor: Caller) -> None:
    data = await editor.graphql("{ dashboards(first: 100) { nodes { id } } }")

    assert data == {"dashboards": {"nodes": []}}


# --- the limit rules run inside the validation cache ----------------------------------------


async def test_a_repeated_document_is_validated_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    executable = build_schema(settings)
    validated: list[str] = []

    def counting(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(document.loc.source.body)
        return validate_document(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    valid, invalid = "query Repeated { __typename }", "query Invalid { noSuchField }"

    results = [await executable.execute(q) for q in (valid, invalid) * 3]

    assert validated == [valid, invalid]
    assert [r.errors is None for r in results] == [True, False] * 3
    assert all("noSuchField" in str(r.errors) for r in results[1::2])
