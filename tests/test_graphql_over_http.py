"""GraphQL over HTTP: the Accept header picks application/graphql-response+json (request errors
400 without `data`, executed operations 200) or the legacy application/json (200 for every
well-formed request), 406 when neither is acceptable, 405 for a mutation sent by GET, 415 for a
body that is not JSON."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.graphql.http_negotiation import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from tests.conftest import Caller
from tests.helpers import CREATE_DASHBOARD

GQL_CONTENT_TYPE = "application/graphql-response+json; charset=utf-8"
VIEWER = "query Me { viewer { tenant } }"
MIXED = """
query Read { viewer { tenant } }
mutation Write($input: CreateDashboardInput!) {
  createDashboard(input: $input) { dashboard { id } }
}
"""


# --- negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        pytest.param(None, GRAPHQL_RESPONSE_JSON, id="absent"),
        pytest.param("", GRAPHQL_RESPONSE_JSON, id="empty"),
        pytest.param("application/graphql-response+json", GRAPHQL_RESPONSE_JSON, id="gql"),
        pytest.param("application/json", JSON, id="json"),
        pytest.param(
            "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
            GRAPHQL_RESPONSE_JSON,
            id="the-specs-recommended-header",
        ),
        pytest.param(
            "application/json, application/graphql-response+json",
            GRAPHQL_RESPONSE_JSON,
            id="both-equal",
        ),
        pytest.param(
            "application/graphql-response+json;q=0.5, application/json", JSON, id="json-preferred"
        ),
        pytest.param(
            "application/json;q=0.2, application/graphql-response+json;q=0.9",
            GRAPHQL_RESPONSE_JSON,
            id="gql-preferred",
        ),
        pytest.param("*/*", JSON, id="any"),
        pytest.param("*", JSON, id="bare-star"),
        pytest.param("application/*", JSON, id="any-application"),
        pytest.param("text/html, */*;q=0.8", JSON, id="browser"),
        pytest.param("*/*, application/json;q=0", GRAPHQL_RESPONSE_JSON, id="json-refused"),
        pytest.param("APPLICATION/JSON", JSON, id="case-insensitive"),
        pytest.param('application/json; charset="UTF-8"', JSON, id="quoted-charset"),
        pytest.param("text/html", None, id="html"),
        pytest.param("application/xml, text/plain", None, id="others"),
        pytest.param("application/json;q=0", None, id="q-0"),
        pytest.param("application/json; charset=latin1", None, id="other-charset"),
        pytest.param("application/json;q=abc", None, id="bad-q"),
        pytest.param("nonsense", None, id="not-a-media-range"),
    ],
)
def test_negotiation(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


# --- application/graphql-response+json ------------------------------------------------------


async def post(caller: Caller, body: dict[str, Any], accept: str | None) -> httpx.Response:
    request = caller.http.build_request("POST", "/graphql", json=body, headers=caller.headers)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return await caller.http.send(request)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, None], ids=["named", "no-accept"])
async def test_a_successful_operation_is_200_graphql_response_json(
    editor: Caller, accept: str | None
) -> None:
    response = await post(editor, {"query": VIEWER}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == GQL_CONTENT_TYPE
    assert response.json() == {"data": {"viewer": {"tenant": editor.tenant}}}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"query": "{ viewer "}, id="parse-error"),
        pytest.param({"query": "{ viewer { password } }"}, id="validation-error"),
        pytest.param(
            {"query": "query($id: ID!) { dashboard(id: $id) { id } }"}, id="missing-variable"
        ),
        pytest.param(
            {"query": "query($id: ID!) { dashboard(id: $id) { id } }", "variables": {"id": []}},
            id="variable-of-the-wrong-type",
        ),
        pytest.param({"query": VIEWER, "operationName": "Other"}, id="unknown-operation"),
        pytest.param({"query": MIXED}, id="several-operations-none-named"),
        pytest.param({"query": MIXED, "operationName": ""}, id="several-operations-empty-name"),
        pytest.param(
            {"query": "{ " + " ".join(f"v{i}: viewer {{ tenant }}" for i in range(31)) + " }"},
            id="alias-limit",
        ),
        pytest.param({"query": "{ viewer { " + "tenant " * 2_100 + "} }"}, id="token-limit"),
    ],
)
async def test_a_request_error_is_400_without_data(editor: Caller, body: dict[str, Any]) -> None:
    response = await post(editor, body, GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GQL_CONTENT_TYPE
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"]
    assert all(isinstance(e["message"], str) and e["message"] for e in answer["errors"])


async def test_a_field_error_is_200_with_data(editor: Caller) -> None:
    # dashboards is non-null: its error makes data null, but the operation ran.
    response = await post(
        editor, {"query": "{ dashboards(first: 101) { totalCount } }"}, GRAPHQL_RESPONSE_JSON
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["path"] == ["dashboards"]


async def test_a_partial_result_is_200_with_its_data(editor: Caller) -> None:
    response = await post(
        editor,
        {"query": '{ viewer { tenant } dashboardRendering(id: "1", parameters: [1]) { page } }'},
        GRAPHQL_RESPONSE_JSON,
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["data"] == {"viewer": {"tenant": editor.tenant}, "dashboardRendering": None}
    assert answer["errors"][0]["path"] == ["dashboardRendering"]


async def test_a_mutation_error_in_its_payload_is_200(editor: Caller) -> None:
    response = await post(
        editor,
        {"query": CREATE_DASHBOARD, "variables": {"input": {"code": "", "name": ""}}},
        GRAPHQL_RESPONSE_JSON,
    )

    assert response.status_code == 200
    assert response.json()["data"]["createDashboard"]["userErrors"]


async def test_an_unauthenticated_request_is_401_in_the_negotiated_type(editor: Caller) -> None:
    request = editor.http.build_request(
        "POST", "/graphql", json={"query": VIEWER}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )

    response = await editor.http.send(request)

    assert response.status_code == 401
    assert response.headers["content-type"] == GQL_CONTENT_TYPE
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- legacy application/json ----------------------------------------------------------------


@pytest.mark.parametrize("accept", [JSON, "*/*"])
async def test_legacy_json_answers_a_validation_error_with_200_and_null_data(
    editor: Caller, accept: str
) -> None:
    response = await post(editor, {"query": "{ viewer { password } }"}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["data"] is None
    assert "password" in answer["errors"][0]["message"]


async def test_several_operations_without_a_name_run_none_in_legacy_json_either(
    editor: Caller,
) -> None:
    response = await post(editor, {"query": MIXED, "variables": {"input": {}}}, JSON)

    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": "Must provide operation name if query contains multiple operations."}
        ],
    }


async def test_legacy_json_answers_a_success_as_before(editor: Caller) -> None:
    response = await post(editor, {"query": VIEWER}, JSON)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"data": {"viewer": {"tenant": editor.tenant}}}


# --- 406 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unacceptable_accept_header_is_406(editor: Caller, method: str) -> None:
    headers = {**editor.headers, "Accept": "application/xml"}
    if method == "GET":
        response = await editor.http.get("/graphql", params={"query": VIEWER}, headers=headers)
    else:
        response = await editor.http.post("/graphql", json={"query": VIEWER}, headers=headers)

    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_an_unacceptable_accept_header_without_a_token_is_401(editor: Caller) -> None:
    response = await editor.http.post(
        "/graphql", json={"query": VIEWER}, headers={"Accept": "application/xml"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"


async def test_a_browser_still_gets_the_explorer(editor: Caller) -> None:
    response = await editor.http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


# --- GET ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_a_query_by_get_runs(editor: Caller, accept: str) -> None:
    response = await editor.http.get(
        "/graphql", params={"query": VIEWER}, headers={**editor.headers, "Accept": accept}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"tenant": editor.tenant}}}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_a_mutation_by_get_is_405_allow_post_and_runs_nothing(
    editor: Caller, accept: str
) -> None:
    variables = '{"input": {"code": "by-get", "name": "By GET"}}'
    response = await editor.http.get(
        "/graphql",
        params={"query": MIXED, "operationName": "Write", "variables": variables},
        headers={**editor.headers, "Accept": accept},
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"].startswith(accept)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in error["message"]
    count = await editor.graphql("{ dashboards { totalCount } }")
    assert count["dashboards"]["totalCount"] == 0


async def test_head_is_405_allow_get_post(editor: Caller) -> None:
    response = await editor.http.head("/graphql", params={"query": VIEWER}, headers=editor.headers)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_the_query_of_a_document_with_a_mutation_runs_by_get(editor: Caller) -> None:
    response = await editor.http.get(
        "/graphql", params={"query": MIXED, "operationName": "Read"}, headers=editor.headers
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"tenant": editor.tenant}}}


async def test_an_empty_operation_name_is_none(editor: Caller) -> None:
    response = await post(editor, {"query": VIEWER, "operationName": ""}, GRAPHQL_RESPONSE_JSON)

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"tenant": editor.tenant}}}


# --- malformed requests ---------------------------------------------------------------------


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        pytest.param(b"{not json", "application/json", 400, "BAD_REQUEST", id="not-json"),
        pytest.param(b"[1]", "application/json", 400, "BAD_REQUEST", id="batch"),
        pytest.param(b'"query"', "application/json", 400, "BAD_REQUEST", id="not-an-object"),
        pytest.param(b'{"query": 1}', "application/json", 400, "BAD_REQUEST", id="query-number"),
        pytest.param(
            b'{"query": "{ viewer { tenant } }", "variables": [7]}',
            "application/json",
            400,
            "BAD_REQUEST",
            id="variables-list",
        ),
        pytest.param(
            b'{"query": "{ viewer { tenant } }", "operationName": 3}',
            "application/json",
            400,
            "BAD_REQUEST",
            id="operation-name-number",
        ),
        pytest.param(
            b"query { viewer }",
            "application/graphql",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            id="graphql-body",
        ),
        pytest.param(
            b'{"query": "{ viewer { tenant } }"}',
            "text/plain",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            id="text",
        ),
    ],
)
async def test_a_malformed_request_is_4xx_in_both_types(
    editor: Caller, accept: str, content: bytes, content_type: str, status: int, code: str
) -> None:
    response = await editor.http.post(
        "/graphql",
        content=content,
        headers={**editor.headers, "Content-Type": content_type, "Accept": accept},
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(accept)
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_a_post_without_content_type_is_415(editor: Caller) -> None:
    request = editor.http.build_request(
        "POST", "/graphql", content=b'{"query": "{ viewer { tenant } }"}', headers=editor.headers
    )
    request.headers.pop("content-type", None)

    response = await editor.http.send(request)

    assert response.status_code == 415
