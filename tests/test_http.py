"""HTTP behaviour around the API: health checks, request ids, JSON errors for unknown routes
and methods, and the GraphQL limits (depth, aliases, tokens) and parse errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.main import create_app
from app.settings import Settings
from tests.conftest import Caller
from tests.helpers import create_dashboard, create_widget, place_widgets

HEX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
VIEWER = "{ viewer { userId tenant } }"


def nested(depth: int, leaf: str = "id") -> str:
    """`{ f { f { ... leaf } } }` with `depth` levels of selection."""
    query = leaf
    for _ in range(depth - 1):
        query = f"deeper {{ {query} }}"
    return f"{{ {query} }}"


async def post_graphql(caller: Caller, query: str, **variables: Any) -> httpx.Response:
    return await caller.post_graphql(query, variables)


def assert_json_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["code"] == code
    return body


def graphql_errors(response: httpx.Response) -> list[str]:
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), body
    return [error["message"] for error in body["errors"]]


# --- health ----------------------------------------------------------------------------------


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "up"


async def test_health_checks_need_no_token(http: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = await http.get(path, headers={"Authorization": "Bearer nonsense"})
        assert response.status_code == 200, path


# --- request ids -----------------------------------------------------------------------------


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient, editor: Caller) -> None:
    responses = [
        await http.get("/healthz"),
        await http.get("/readyz"),
        await http.get("/no/such/route"),
        await http.get("/api/dashboards/1/widgets"),
        await http.post("/api/dashboards", json={}),  # 401
        await editor.request("POST", "/api/dashboards", content=b"{", headers={}),  # 400
        await editor.request("PUT", "/api/dashboards/abc/widgets", json={}),  # 404
        await editor.request("POST", "/api/dashboards", content=b"x" * (1024 * 1024 + 1)),  # 413
        await post_graphql(editor, VIEWER),
        await post_graphql(editor, "{ viewer "),
    ]

    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(HEX_REQUEST_ID.match(i or "") for i in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "request_id",
    ["abc-123", "req.1:2_3-4", "A" * 128, "0", "f47ac10b-58cc-4372-a567-0e02b2c3d479"],
)
async def test_a_sane_request_id_is_echoed(http: httpx.AsyncClient, request_id: str) -> None:
    response = await http.get("/healthz", headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id


async def test_a_sane_request_id_is_echoed_on_errors_too(editor: Caller) -> None:
    response = await editor.request(
        "PUT", "/api/dashboards/abc/widgets", json={}, headers={"X-Request-ID": "trace-42"}
    )

    assert response.status_code == 404
    assert response.headers["x-request-id"] == "trace-42"


@pytest.mark.parametrize(
    "request_id",
    [
        pytest.param("A" * 129, id="129-chars"),
        pytest.param("x" * 300, id="300-chars"),
        pytest.param("has spaces in it", id="spaces"),
        pytest.param("semi;colon", id="semicolon"),
        pytest.param("<script>", id="markup"),
        pytest.param("caf\u00e9", id="latin-1"),
    ],
)
async def test_an_insane_request_id_is_replaced(http: httpx.AsyncClient, request_id: str) -> None:
    response = await http.get("/healthz", headers={"X-Request-ID": request_id.encode("latin-1")})

    echoed = response.headers["x-request-id"]
    assert echoed != request_id
    assert HEX_REQUEST_ID.match(echoed), echoed


# --- unknown routes and methods --------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/api", "/api/dashboard/1", "/api/dashboards/1/widgets/2", "/graphql/x"]
)
async def test_unknown_route_is_404_json(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)

    assert_json_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/dashboards/1/widgets"),
        ("POST", "/api/dashboards/1/widgets"),
        ("DELETE", "/api/dashboards/1/widgets"),
        ("PUT", "/api/dashboards"),
        ("PUT", "/api/dashboards/1/layout"),
        ("POST", "/healthz"),
        ("DELETE", "/graphql"),
    ],
)
async def test_wrong_method_is_405_json(editor: Caller, method: str, path: str) -> None:
    response = await editor.request(method, path)

    body = assert_json_error(response, 405, "METHOD_NOT_ALLOWED")
    assert method in body["error"]
    assert response.headers.get("allow")


# --- GraphQL limits and parse errors ---------------------------------------------------------


async def test_query_deeper_than_12_is_refused_for_its_depth(editor: Caller) -> None:
    # The schema has no cycles, so no valid query is that deep; the depth limit still has
    # to refuse such a document, and say so. Depth counts from 0 at the top-level field, so
    # 14 nested levels reach depth 13.
    messages = graphql_errors(await post_graphql(editor, nested(14)))

    assert any("exceeds maximum operation depth of 12" in m for m in messages), messages


async def test_query_of_depth_12_is_not_refused_for_its_depth(editor: Caller) -> None:
    messages = graphql_errors(await post_graphql(editor, nested(13)))

    assert not any("depth" in m for m in messages), messages


@pytest.fixture
async def shallow_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app with a depth limit low enough for a valid query to exceed."""
    application = create_app(settings.model_copy(update={"graphql_max_depth": 3}))
    async with application.router.lifespan_context(application):
        yield application


# depth 3: dashboards (0), edges (1), node (2), code (3)
AT_DEPTH_3 = "{ dashboards { edges { node { code } } } }"
# reaches depth 5: ... node (2), placements (3), position (4), x (5)
BEYOND_DEPTH_3 = "{ dashboards { edges { node { placements { position { x } } } } } }"


async def test_depth_limit_from_settings_refuses_a_valid_query(
    shallow_app: Starlette, editor: Caller
) -> None:
    transport = httpx.ASGITransport(app=shallow_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        caller = Caller(client, editor.tenant)
        allowed = await post_graphql(caller, AT_DEPTH_3)
        refused = await post_graphql(caller, BEYOND_DEPTH_3)

    assert allowed.status_code == 200, allowed.text
    assert allowed.json() == {"data": {"dashboards": {"edges": []}}}
    messages = graphql_errors(refused)
    assert any("exceeds maximum operation depth of 3" in m for m in messages), messages
    assert refused.json().get("data") is None


async def test_the_deepest_valid_query_passes_the_default_limit(editor: Caller) -> None:
    # given a dashboard with a widget on it
    dashboard = await create_dashboard(editor)
    widget = await create_widget(editor)
    await place_widgets(editor, dashboard["id"], [widget["id"]])

    # when one of the longest chains the schema has is queried
    data = await editor.graphql(
        "{ dashboards { edges { node { placements { dashboardWidget { databaseId } } } } } }"
    )

    # then
    assert data["dashboards"]["edges"] == [
        {"node": {"placements": [{"dashboardWidget": {"databaseId": widget["databaseId"]}}]}}
    ]


async def test_fragments_count_towards_the_depth(editor: Caller) -> None:
    query = """
    query { ...A }
    fragment A on Query { a { ...B } }
    fragment B on Query { b { ...C } }
    fragment C on Query { c { d { e { f { g { h { i { j { k { l { m { n } } } } } } } } } } } }
    """
    messages = graphql_errors(await post_graphql(editor, query))

    assert any("exceeds maximum operation depth of 12" in m for m in messages), messages


async def test_30_aliases_are_allowed(editor: Caller) -> None:
    query = "{ " + " ".join(f"v{i}: viewer {{ tenant }}" for i in range(30)) + " }"

    data = await editor.graphql(query)

    assert len(data) == 30
    assert all(v["tenant"] == editor.tenant for v in data.values())


async def test_31_aliases_are_refused(editor: Caller) -> None:
    query = "{ " + " ".join(f"v{i}: viewer {{ tenant }}" for i in range(31)) + " }"

    response = await post_graphql(editor, query)

    messages = graphql_errors(response)
    assert any("alias" in m.lower() for m in messages), messages
    assert response.json().get("data") is None


async def test_too_many_tokens_are_refused(editor: Caller) -> None:
    query = "{ viewer { " + " ".join(["tenant"] * 2_100) + " } }"

    messages = graphql_errors(await post_graphql(editor, query))

    assert any("token" in m.lower() for m in messages), messages


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ viewer ", id="unclosed"),
        pytest.param("query {", id="empty-selection"),
        pytest.param("}{", id="garbage"),
        pytest.param("{ viewer { tenant } } }", id="extra-brace"),
    ],
)
async def test_syntax_error_is_an_error_message_not_a_500(editor: Caller, query: str) -> None:
    response = await post_graphql(editor, query)

    assert response.status_code in (200, 400), response.text
    messages = graphql_errors(response)
    assert all(isinstance(m, str) and m for m in messages)
    assert not any("Unexpected error" in m for m in messages), messages


@pytest.mark.parametrize("body", [{"query": ""}, {}, {"query": None}])
async def test_missing_query_is_400_with_a_message(editor: Caller, body: dict[str, Any]) -> None:
    response = await editor.http.post("/graphql", json=body, headers=editor.headers)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "No GraphQL query found in the request",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }


async def test_unknown_field_is_an_error_message(editor: Caller) -> None:
    messages = graphql_errors(await post_graphql(editor, "{ viewer { password } }"))

    assert any("password" in m for m in messages), messages


async def test_graphql_body_that_is_not_json_is_a_client_error(editor: Caller) -> None:
    response = await editor.request(
        "POST", "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


async def test_graphql_body_above_the_limit_is_413(editor: Caller) -> None:
    response = await editor.request(
        "POST",
        "/graphql",
        json={"query": VIEWER, "variables": {"pad": "x" * (1024 * 1024)}},
    )

    assert_json_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert HEX_REQUEST_ID.match(response.headers["x-request-id"])
