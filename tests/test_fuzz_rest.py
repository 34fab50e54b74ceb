"""Schemathesis against the REST shim's OpenAPI document, as the app serves it at
/openapi.json: for every operation, FUZZ_EXAMPLES generated requests (valid and invalid ones),
with a fixed seed, derandomized. The bar: no answer is a 5xx, and every answer's status, media
type and body are ones the document gives for that operation.

Each operation runs in a tenant of its own that holds a little of everything (dashboards with
cards and pages, a share, a collection, a dataset, a public link, an assignment); generated
path ids are often replaced by that tenant's real ids, so that requests reach the handlers
rather than stopping at 404. `make fuzz` runs it with many more examples."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, mint_token
from app.domain.templates import list_templates
from app.main import create_app
from app.rest.openapi.document import OPERATIONS
from app.settings import Settings
from tests.conftest import SECRET

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Fixed, so that a run is repeatable; FUZZ_SEED explores other cases.
SEED = int(os.environ.get("FUZZ_SEED", "20261125"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
KEYS = sorted(OPERATIONS, key=lambda key: (key[1], key[0]))
RENDERS = {"/api/dashboards/{dashboard_id}/render", "/api/public/dashboards/{slug}/render"}
CARD_TYPES = ["text", "kpi_card", "table"]
SALES_SQL = "SELECT 'EU' AS region, DATE '2026-01-05' AS day, 120.5 AS revenue"
TEMPLATE_IDS = [t.id for t in list_templates()]
NUMBERS_SQL = "SELECT 1 AS n, 'a' AS label UNION ALL SELECT 2, 'b'"
# The first dashboard's parameters, which its cards use and renders set.
PARAMETERS = {
    "n": {"type": "integer", "default": 1, "public": True},
    "label": {"type": "string", "multiple": True, "field": "label", "public": True},
    "since": {"type": "date", "default": "2026-01-01"},
}
GRID_PLACES = st.fixed_dictionaries(
    {
        "x": st.integers(0, 11),
        "y": st.integers(0, 40),
        "w": st.integers(1, 12),
        "h": st.integers(1, 8),
    }
)
# Render values: right, wrong and at an edge, for declared names and one that is not.
PARAMETER_VALUES = st.one_of(
    st.sampled_from(["1", "2", "a", "2026-02-30", "1e400", "-9223372036854775809", ""]),
    st.text(max_size=8),
)


@dataclass
class FuzzFigures:
    """What the run did, reported at its end."""

    operations: int = 0
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # Operations none of whose cases was answered with a 2xx: the fuzzer never got past
    # their refusals, which the figures should say.
    never_succeeded: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def figures(request: pytest.FixtureRequest) -> Iterator[FuzzFigures]:
    found = FuzzFigures()
    yield found
    if not found.operations:
        return
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(found.statuses.items()))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(
            f"\nREST fuzz: {found.operations} operations, {found.cases} cases "
            f"({FUZZ_EXAMPLES} examples each, seed {SEED}); statuses {statuses}; "
            f"never a 2xx: {', '.join(sorted(found.never_succeeded)) or 'none'}"
        )


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings) -> Starlette:
    """An app of its own: schemathesis runs it (and its lifespan) on an event loop of its
    own. Rate limiting is off so that every case reaches its route; small pools, as the
    database server is shared with the rest of the suite."""
    fuzzing = {"rate_limit_enabled": False, "db_pool_size": 5, "db_max_overflow": 5}
    return create_app(settings.model_copy(update=fuzzing | {"tile_pool_size": 2}))


@pytest.fixture(scope="module")
def rest_schema(fuzz_app: Starlette) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


class FuzzTenant:
    """A tenant with some data, made through the REST routes of the app under test."""

    def __init__(self, app: Starlette) -> None:
        self.name = f"fuzz-{uuid.uuid4().hex[:10]}"
        token = mint_token(
            SECRET,
            subject="alice",
            tenants=[self.name],
            roles=(1,),
            groups=("team-a",),
            scopes=(EDIT_SCOPE, ADMIN_SCOPE),
            ttl_seconds=3600,
        )
        self.headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": self.name}
        self.ids: dict[str, list[str]] = {}
        with get_client(app) as client:
            self._populate(client)

    def _send(self, client: Any, method: str, url: str, body: Any = None) -> Any:
        response = client.request(method, url, json=body, headers=self.headers)
        assert response.status_code < 300, (method, url, response.status_code, response.text)
        return response.json() if response.content else None

    def _populate(self, client: Any) -> None:
        dataset = self._send(
            client,
            "POST",
            "/api/datasets",
            {"name": "Numbers", "source_kind": "sql", "source": NUMBERS_SQL},
        )
        dashboards = [
            self._send(
                client,
                "POST",
                "/api/dashboards",
                {"name": f"Board {n}", "parameters": PARAMETERS if n == 0 else {}},
            )["id"]
            for n in range(3)
        ]
        one = dashboards[0]
        self._send(client, "POST", f"/api/dashboards/{one}/pages", {"name": "Second"})
        sources: list[dict[str, Any] | None] = [
            None,
            {"dataset_id": dataset["id"], "measures": [{"aggregate": "count"}]},
            {"sql": "SELECT n, label FROM (" + NUMBERS_SQL + ") AS t WHERE n >= :n"},
        ]
        cards = [
            self._send(
                client,
                "POST",
                f"/api/dashboards/{one}/cards",
                {
                    "card_type": kind,
                    "layout": {"x": 0, "y": 3 * n, "w": 4, "h": 3},
                    "name": f"{kind} {n}",
                    "data_source": source,
                },
            )
            for n, (kind, source) in enumerate(zip(CARD_TYPES, sources, strict=True))
        ]
        share = self._send(
            client,
            "POST",
            f"/api/dashboards/{one}/shares",
            {"subject_type": "user", "subject_id": "bob", "access_level": "viewer"},
        )
        collection = self._send(client, "POST", "/api/dashboards/collections", {"name": "Team"})
        rendered = self._send(client, "GET", f"/api/dashboards/{one}/render")["cards"]
        # The cards with data render it, so fuzzed renders run real tile queries.
        assert [card["data"] is not None for card in rendered] == [False, True, True], rendered
        link = self._send(client, "POST", f"/api/dashboards/{one}/public")
        for user, dashboard in (("bob", dashboards[1]), ("bob", one), ("alice", one)):
            self._send(client, "PUT", f"/api/users/{user}/dashboards/{dashboard}")
        # A dataset no card reads, which may be deleted, with a column of every kind.
        sales = {"name": "Sales", "source_kind": "sql", "source": SALES_SQL}
        spare = self._send(client, "POST", "/api/datasets", sales)
        # A real export of one dashboard, which fuzzed imports are given now and then.
        self.export = self._send(client, "GET", f"/api/export?scope=dashboard&id={one}")
        self.ids = {
            # Mostly the dashboard that holds the cards, pages, share and link.
            "dashboard_id": [str(d) for d in (one, one, *dashboards)],
            "card_id": [str(c["card_id"]) for c in cards],
            "widget_id": [str(c["card_id"]) for c in cards],
            "page_number": ["1", "2"],
            "share_id": [str(share["share_id"])],
            "collection_id": [str(collection["id"])],
            "dataset_id": [str(dataset["id"]), str(spare["id"])],
            "slug": [link["slug"]],
            "user_id": ["alice", "bob"],
            # Revisions: every dashboard has version 1; the first has several more.
            "version": ["1", "1", "2", "3"],
        }

    def repaired(self, body: Any, data: st.DataObject) -> Any:
        """A generated body with the members that name rows or kinds set, mostly, to ones
        the tenant has, so that valid bodies are not all refused for naming nothing."""
        if isinstance(body, list):
            return [self.repaired(item, data) for item in body]
        if not isinstance(body, dict):
            return body
        choices = {
            "card_id": st.sampled_from([int(i) for i in self.ids["card_id"]]),
            "dataset_id": st.sampled_from([int(i) for i in self.ids["dataset_id"]]),
            "collection_id": st.sampled_from([int(i) for i in self.ids["collection_id"]]),
            "template_id": st.sampled_from(TEMPLATE_IDS),
            "card_type": st.sampled_from(CARD_TYPES),
            "source_kind": st.just("sql"),
            "source": st.sampled_from([NUMBERS_SQL, SALES_SQL]),
            "layout": GRID_PLACES,
            "position": GRID_PLACES.map(
                lambda p: {"x": p["x"], "y": p["y"], "width": p["w"], "height": p["h"]}
            ),
            "page": st.sampled_from([1, 2]),
            "config": st.just({}),
            "data_source": st.sampled_from(
                [None, {"sql": NUMBERS_SQL}, {"sql": "SELECT n FROM (" + NUMBERS_SQL + ") t"}]
            ),
        }
        return {
            key: data.draw(choices[key], label=key)
            if key in choices and data.draw(st.integers(0, 3), label=f"own {key}")
            else value
            for key, value in body.items()
        }

    def own(self, name: str, keyed: bool, data: st.DataObject) -> str:
        """One of the tenant's ids for the path parameter `name`; a dashboard id written
        `dashboard_12` half the time where the parameter takes that form."""
        value = data.draw(st.sampled_from(self.ids[name]), label=name)
        if keyed and name == "dashboard_id" and data.draw(st.booleans(), label="keyed"):
            return f"dashboard_{value}"
        return value


def _cases(operation: Any) -> st.SearchStrategy[Any]:
    """Valid requests twice as often as invalid ones: the valid ones go deeper."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    return st.one_of(positive, positive, operation.as_strategy(GenerationMode.NEGATIVE))


@pytest.mark.parametrize("key", KEYS, ids=[f"{method} {path}" for method, path in KEYS])
def test_rest_operation(
    key: tuple[str, str], fuzz_app: Starlette, rest_schema: Any, figures: FuzzFigures
) -> None:
    method, path = key
    operation = rest_schema[path][method]
    tenant = FuzzTenant(fuzz_app)
    figures.operations += 1
    figures.never_succeeded.add(f"{method} {path}")
    # Path parameters that take seed 004's `dashboard_12` as well as `12`.
    keyed = {p["name"] for p in OPERATIONS[key].parameters if "dashboard_" in str(p["schema"])}

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(case=_cases(operation), own_rows=st.integers(0, 3), data=st.data())
    def run(case: Any, own_rows: int, data: st.DataObject) -> None:
        # Three times in four (own_rows 1 to 3), the path names the tenant's own rows.
        if own_rows and case.path_parameters:
            case.path_parameters = {
                name: tenant.own(name, name in keyed, data) for name in case.path_parameters
            }
        if own_rows and case.operation.body and case.body is not None:
            case.body = tenant.repaired(case.body, data)
        if own_rows and path == "/api/import" and data.draw(st.booleans(), label="export"):
            case.body = tenant.export  # generated bodies are hardly ever importable documents
        if own_rows and path in RENDERS:
            names = data.draw(st.lists(st.sampled_from([*PARAMETERS, "nope"]), max_size=3))
            case.query = {
                **(case.query or {}),
                **{f"param.{name}": data.draw(PARAMETER_VALUES, label=name) for name in names},
            }
        response = case.call(app=fuzz_app, headers=tenant.headers)
        figures.cases += 1
        figures.statuses[response.status_code] += 1
        if response.status_code < 300:
            figures.never_succeeded.discard(f"{method} {path}")
        case.validate_response(response, checks=CHECKS)

    run()
