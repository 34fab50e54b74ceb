"""The tenant-isolation matrix: every GraphQL Query and Mutation field and every REST route,
called on a victim tenant's objects by every caller that must not get at them
(tests/isolation/callers.py, docs/isolation-matrix.md):

- no token, an expired, a forged (another key) or an unsigned token: 401;
- a token of another tenant naming the victim's tenant in the header: 403 TENANT_FORBIDDEN;
- another tenant's editor and admin with the victim's ids, or on a dashboard of its own
  naming the victim's cards, grants, widgets, datasets and collections: not found (GraphQL
  null or NOT_FOUND, REST 404 in the dialect's words) or an unknown reference;
- the victim's members lacking what the operation needs: `dashboard.edit` (403 / FORBIDDEN),
  ownership or the admin scope (deleting, sharing, assigning to others: 403 / FORBIDDEN), a
  grant on the private dashboard, the role of the role-restricted one, `dashboard.edit` for
  the inactive one (not found / null).

Each cell checks the documented answer; that no marker of what the caller may not read (the
tenant's marker and its public link's slug for outsiders, the unseen dashboards' markers and
the slug for members) appears in the body or headers; and that every row of the victim's
tenant, read straight from the database, is exactly as before.

Complete by construction: the operations are checked against the executable schema's root
fields and the app's route table, so a new field or route fails here until it has cells.
Documented exceptions (EXEMPT): health checks, metrics, the OpenAPI document and its page,
and public render links."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse, validate
from starlette.applications import Starlette
from starlette.routing import Match, Mount

from app.graphql.schema import schema
from app.services import Services
from tests.conftest import new_tenant
from tests.isolation.answers import graphql_outcome, rest_outcome, shown
from tests.isolation.callers import (
    MIXED,
    OTHER_TENANT,
    OTHER_TENANT_OWN_BOARD,
    OUTSIDERS,
    READERS,
    SAME_TENANT,
    seat,
)
from tests.isolation.graphql_operations import GRAPHQL_OPS
from tests.isolation.operations import Gql, Op, Request, Rest
from tests.isolation.rest_operations import REST_OPS
from tests.isolation.snapshot import tenant_rows
from tests.isolation.victim import (
    ADMIN,
    OWNER,
    Board,
    Victim,
    build_victim,
    own_board,
    placeholder,
)
from tests.test_live_isolation import SUBSCRIPTION_CELLS

OPS: dict[str, Op] = {**GRAPHQL_OPS, **REST_OPS}

# Routes outside the matrix, and why (README, "Authentication and tenancy").
EXEMPT: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "health check: no token, no tenant data",
    ("GET", "/readyz"): "health check: no token, no tenant data",
    ("GET", "/api/public/dashboards/{slug}/render"): "public link: the slug is the credential",
    ("GET", "/metrics"): "Prometheus scrape: counters by route and operation, no tenant data",
    ("GET", "/openapi.json"): "the REST description: the same for every tenant",
    ("GET", "/docs"): "the page that browses /openapi.json",
    ("*", "/docs/static"): "that page's static files",
    ("*", "/graphql"): "the WebSocket of subscriptions: its cells are tests/test_live_isolation.py",
}
# /graphql carries the GraphQL operations: POST all of them, GET the queries.
GRAPHQL_ROUTES = {("POST", "/graphql"), ("GET", "/graphql")}

PLACEHOLDER = placeholder()


def _request(op: Op) -> Request:
    return op.build(PLACEHOLDER, PLACEHOLDER.board)


def _is_query(request: Request) -> bool:
    return isinstance(request, Gql) and request.is_query


def _transports(op: Op) -> tuple[str, ...]:
    """GraphQL queries go by POST and by GET; mutations by POST; REST as its route says."""
    request = _request(op)
    if isinstance(request, Rest):
        return (request.method,)
    return ("POST", "GET") if request.is_query else ("POST",)


CELLS = [
    pytest.param(name, caller, transport, id=f"{name} | {caller} | {transport}")
    for name, op in OPS.items()
    for caller in op.expected()
    for transport in _transports(op)
]


# --- completeness ------------------------------------------------------------------------


def _root_field(document: str) -> tuple[str, str]:
    """(operation type, the one root field) of a document."""
    definitions = parse(document).definitions
    assert len(definitions) == 1
    operation = definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    (selection,) = operation.selection_set.selections
    return operation.operation.value, selection.name.value  # type: ignore[attr-defined]


def test_every_graphql_document_is_valid_and_names_its_field() -> None:
    for name, op in GRAPHQL_OPS.items():
        request = _request(op)
        assert isinstance(request, Gql), name
        assert not validate(schema._schema, parse(request.document)), name
        kind, field = _root_field(request.document)
        assert field == request.field, name
        assert (kind == "query") == request.is_query, name


def test_every_query_and_mutation_field_has_cells() -> None:
    covered: set[tuple[str, str]] = set()
    for op in GRAPHQL_OPS.values():
        request = _request(op)
        assert isinstance(request, Gql)
        covered.add(_root_field(request.document))
    gql = schema._schema
    assert gql.query_type is not None
    assert gql.mutation_type is not None
    # Subscriptions run over WebSocket: their cells are in tests/test_live_isolation.py.
    subscriptions = set(gql.subscription_type.fields) if gql.subscription_type else set()
    assert subscriptions <= set(SUBSCRIPTION_CELLS), "subscriptions without isolation cells"
    fields = {("query", f) for f in gql.query_type.fields} | {
        ("mutation", f) for f in gql.mutation_type.fields
    }
    assert fields - covered == set(), "operations without isolation cells"
    assert covered - fields == set()


def _route_keys(app: Starlette) -> list[tuple[str, str]]:
    keys = []
    for route in app.routes:
        if isinstance(route, Mount):
            keys.append(("*", route.path))
            continue
        methods = getattr(route, "methods", None) or {"*"}
        keys += [(m, route.path) for m in sorted(methods) if m != "HEAD"]  # type: ignore[attr-defined]
    return keys


def _route_of(app: Starlette, method: str, url: str) -> tuple[str, str]:
    """The route the app's router sends `method url` to: the first that matches fully."""
    path = httpx.URL(url).path
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in app.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return (method, route.path)  # type: ignore[attr-defined]
    raise AssertionError(f"no route serves {method} {url}")


def test_every_rest_route_has_cells(app: Starlette) -> None:
    covered = set()
    for name, op in REST_OPS.items():
        request = _request(op)
        assert isinstance(request, Rest), name
        covered.add(_route_of(app, request.method, request.url))
    routes = set(_route_keys(app))
    missing = routes - covered - set(EXEMPT) - GRAPHQL_ROUTES
    assert missing == set(), "routes without isolation cells (or an EXEMPT reason)"
    assert set(EXEMPT) | GRAPHQL_ROUTES <= routes  # no stale exemptions


def test_every_operation_names_its_member_refusals_or_why_there_are_none() -> None:
    for name, op in OPS.items():
        assert bool(op.same_tenant) != bool(op.members_may), name
        assert set(op.same_tenant) <= set(SAME_TENANT), name
        assert set(op.mixed) <= set(MIXED), name


# --- the matrix --------------------------------------------------------------------------


@dataclass
class World:
    victim: Victim
    attacker: str  # the other tenant
    attacker_board: Board  # a dashboard of its own
    before: dict[str, list[dict[str, Any]]]


class Worlds:
    """The victim the cells share (building it takes a while); a cell that changed it
    discards it, so that the next cell starts from a fresh one and a failure never spreads."""

    def __init__(self, http: httpx.AsyncClient, services: Services) -> None:
        self.http, self.services = http, services
        self.current: World | None = None

    async def get(self) -> World:
        if self.current is None:
            victim = await build_victim(self.http, self.services)
            before = await tenant_rows(self.services, victim.tenant_id)
            attacker = new_tenant()
            attacker_board = await own_board(self.http, attacker)
            self.current = World(victim, attacker, attacker_board, before)
        return self.current

    def discard(self) -> None:
        self.current = None


@pytest.fixture(scope="module")
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="module")
def worlds(client: httpx.AsyncClient, services: Services) -> Worlds:
    return Worlds(client, services)


async def _send(
    http: httpx.AsyncClient, request: Request, headers: dict[str, str], transport: str
) -> httpx.Response:
    if isinstance(request, Rest):
        return await http.request(request.method, request.url, json=request.body, headers=headers)
    if transport == "GET":
        params = {"query": request.document, "variables": json.dumps(request.variables)}
        return await http.get("/graphql", params=params, headers=headers)
    document = {"query": request.document, "variables": request.variables}
    return await http.post("/graphql", json=document, headers=headers)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


@pytest.mark.parametrize(("operation", "caller", "transport"), CELLS)
async def test_isolation(
    client: httpx.AsyncClient,
    services: Services,
    worlds: Worlds,
    operation: str,
    caller: str,
    transport: str,
) -> None:
    # given the victim's objects and a caller who must not get at them
    op = OPS[operation]
    world = await worlds.get()
    victim = world.victim
    where = seat(caller, client, victim, world.attacker, world.attacker_board)
    request = op.build(victim, where.board)

    # when
    response = await _send(client, request, where.headers, transport)
    after = await tenant_rows(services, victim.tenant_id)
    if after != world.before:
        worlds.discard()

    # then the answer is the documented one
    if isinstance(request, Gql):
        outcome = graphql_outcome(request.field, response)
    else:
        outcome = rest_outcome(op.dialect, response)
    assert outcome == op.expected()[caller], response.text
    # and it shows nothing the caller may not read
    text = shown(response)
    if caller in OUTSIDERS:
        assert victim.mark not in text, response.text
        assert victim.slug not in text, response.text
        if caller in (OTHER_TENANT, OTHER_TENANT_OWN_BOARD):  # they never named it
            assert victim.tenant not in text, response.text
    else:
        for unseen in victim.unseen_marks(can_edit=caller not in READERS):
            assert unseen not in text, response.text
        if caller in READERS:  # public links are shown to editors and owners only
            assert victim.slug not in text, response.text
    # and not one of the victim's rows changed
    assert _changed(world.before, after) == []


async def test_routes_outside_the_matrix_show_nothing_of_the_victim(
    client: httpx.AsyncClient, worlds: Worlds
) -> None:
    """Run after the cells, so that /metrics has counted them all."""
    # given the victim the cells used
    victim = (await worlds.get()).victim
    for method, path in EXEMPT:
        if method != "GET" or "{" in path:
            continue
        # when a caller without a token reads it
        response = await client.get(path)
        # then it answers, and nothing in it names the victim or its data
        assert response.status_code == 200, (path, response.text)
        assert victim.mark not in shown(response), path
        assert victim.tenant not in shown(response), path
    # and the public link shows its own dashboard and nothing else
    response = await client.get(f"/api/public/dashboards/{victim.slug}/render")
    assert response.status_code == 200, response.text
    assert f"{victim.mark} board" in response.text
    for unseen in victim.unseen_marks(can_edit=False):
        assert unseen not in response.text
    assert victim.tenant not in shown(response)


@pytest.mark.parametrize(
    "operation", [name for name, op in GRAPHQL_OPS.items() if not _is_query(_request(op))]
)
async def test_a_mutation_sent_by_get_changes_nothing(
    client: httpx.AsyncClient, services: Services, worlds: Worlds, operation: str
) -> None:
    """Even the tenant's admin cannot write through GET (a link or an image in another site
    would carry their cookies or token): 405, and nothing changed."""
    world = await worlds.get()
    victim = world.victim
    request = GRAPHQL_OPS[operation].build(victim, victim.board)
    assert isinstance(request, Gql)
    response = await _send(client, request, victim.member(client, ADMIN).headers, "GET")
    after = await tenant_rows(services, victim.tenant_id)
    if after != world.before:
        worlds.discard()
    assert graphql_outcome(request.field, response) == "405 METHOD_NOT_ALLOWED", response.text
    assert _changed(world.before, after) == []


# --- controls: the checks above can fail ----------------------------------------------------

# Reads whose answers hold nothing of any tenant's.
TENANTLESS = {
    "query viewer",
    "query dashboardTemplates",
    "GET /api/dashboards/templates",
    "query userDashboards",  # the assignee's list names the board, not its content: see below
}


@pytest.mark.parametrize(
    "operation",
    [
        name
        for name, op in OPS.items()
        if name not in TENANTLESS
        and ((isinstance(r := _request(op), Rest) and r.method == "GET") or _is_query(r))
    ],
)
async def test_the_victims_admin_reads_the_markers(
    client: httpx.AsyncClient, worlds: Worlds, operation: str
) -> None:
    """Every read the matrix makes selects fields that carry the victim's markers, so a leak
    would be seen: the victim's own admin gets them."""
    world = await worlds.get()
    victim = world.victim
    request = OPS[operation].build(victim, victim.board)
    admin = victim.member(client, ADMIN)
    response = await _send(client, request, admin.headers, "POST")
    assert response.status_code == 200, response.text
    assert victim.mark in response.text, response.text


async def test_the_snapshot_sees_a_permitted_write(
    client: httpx.AsyncClient, services: Services, worlds: Worlds
) -> None:
    world = await worlds.get()
    victim = world.victim
    owner = victim.member(client, OWNER)
    response = await owner.request(
        "PATCH", f"/api/dashboards/collections/{victim.collection}", json={"name": "Renamed"}
    )
    assert response.status_code == 200, response.text
    worlds.discard()
    after = await tenant_rows(services, victim.tenant_id)
    assert _changed(world.before, after) == ["collections"]
