"""The OpenAPI 3.1 document of the REST shim: served without a token, valid, describing every
REST route of the app and nothing else, with `oneOf` bodies where dialects share a route; and
its Swagger UI page, served with local assets only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from schemathesis.specs.openapi.definitions import OPENAPI_31
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from app.rest.openapi.document import REST_PREFIX, route_keys, undocumented, unrouted

DOCUMENT_URI = "urn:dashboards-api:openapi"


@pytest.fixture
async def document(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/openapi.json")  # no token
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _validator(document: dict[str, Any], component: str) -> Draft202012Validator:
    """A validator for one component schema, its $refs resolved in the document."""
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, DRAFT202012.create_resource(document)
    )
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{component}"}, registry=registry
    )


async def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    Draft202012Validator(OPENAPI_31).validate(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    names = set(document["components"]["schemas"])
    for target in _refs(document):
        assert target.startswith("#/components/schemas/"), target
        assert target.removeprefix("#/components/schemas/") in names, target


async def test_every_rest_route_is_described_and_nothing_else(
    app: Starlette, document: dict[str, Any]
) -> None:
    assert undocumented(app.routes) == []
    assert unrouted(app.routes) == []
    described = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    rest_routes = {key for key in route_keys(app.routes) if key[1].startswith(REST_PREFIX)}
    assert rest_routes <= described
    assert described <= set(route_keys(app.routes))
    assert len(rest_routes) >= 45


async def test_a_new_route_without_description_is_reported(app: Starlette) -> None:
    async def endpoint(request: object) -> Response:
        return Response()

    extra = Route("/api/dashboards/{dashboard_id}/comments", endpoint, methods=["POST"])
    assert undocumented([*app.routes, extra]) == [
        ("POST", "/api/dashboards/{dashboard_id}/comments")
    ]
    # And a description whose route is gone.
    without = [r for r in app.routes if getattr(r, "path", "") != "/api/datasets/{dataset_id}"]
    assert sorted(unrouted(without)) == [
        ("DELETE", "/api/datasets/{dataset_id}"),
        ("GET", "/api/datasets/{dataset_id}"),
        ("PATCH", "/api/datasets/{dataset_id}"),
    ]


async def test_only_public_routes_go_without_a_token(document: dict[str, Any]) -> None:
    assert {"bearer": [], "tenant": []} in document["security"]
    assert document["components"]["securitySchemes"]["tenant"]["name"] == "X-Clarus-Subdomain"
    public = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == []
    }
    assert public == {
        ("GET", "/api/public/dashboards/{slug}/render"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
    }


CLARUS_BODY = {
    "data": {"type": "dashboards", "attributes": {"code": "ops", "name": "Ops", "role_ids": [1]}}
}
ANALYTICS_BODY = {"name": "Exec", "widgets": [{"id": "w1", "type": "revenue_by_region"}]}
PLATFORM_BODY = {"name": "Sales", "collection_id": 3, "parameters": {}}


@pytest.mark.parametrize("body", [CLARUS_BODY, ANALYTICS_BODY, PLATFORM_BODY])
async def test_the_shared_create_body_is_exactly_one_dialects(
    document: dict[str, Any], body: dict[str, Any]
) -> None:
    validator = _validator(document, "SharedDashboardCreate")
    validator.validate(body)  # oneOf: valid means exactly one dialect's body


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Exec", "type": "executive", "collection_id": 3},  # seed 004 and seed 002
        {"data": {"type": "dashboards", "attributes": {"code": "c", "name": "n"}}, "name": "x"},
        {"description": "no name"},
    ],
)
async def test_a_body_no_dialect_takes_is_invalid(
    document: dict[str, Any], body: dict[str, Any]
) -> None:
    assert not _validator(document, "SharedDashboardCreate").is_valid(body)


async def test_shared_routes_answer_one_of_the_dialects_shapes(document: dict[str, Any]) -> None:
    one = document["paths"]["/api/dashboards/{dashboard_id}"]
    answer = one["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {
        "oneOf": [
            {"$ref": "#/components/schemas/PlatformDashboard"},
            {"$ref": "#/components/schemas/AnalyticsDashboard"},
        ]
    }
    assert set(one["delete"]["responses"]) >= {"200", "204", "404"}
    listing = document["paths"]["/api/dashboards"]["get"]["responses"]["200"]
    assert len(listing["content"]["application/json"]["schema"]["oneOf"]) == 2


async def test_errors_are_described_in_each_dialects_shape(document: dict[str, Any]) -> None:
    def error_schema(path: str, method: str, status: str) -> dict[str, Any]:
        response = document["paths"][path][method]["responses"][status]
        schema: dict[str, Any] = response["content"]["application/json"]["schema"]
        return schema

    assert error_schema("/api/dashboards/{dashboard_id}/cards", "post", "404") == {
        "$ref": "#/components/schemas/NamedError"
    }
    assert error_schema("/api/v1/bi/dashboards/{dashboard_id}", "get", "404") == {
        "$ref": "#/components/schemas/Error"
    }
    assert error_schema("/api/users/{user_id}/dashboards", "get", "401") == {
        "$ref": "#/components/schemas/AnalyticsError"
    }
    named = _validator(document, "NamedError")
    assert named.is_valid(
        {"error": "dashboard_not_found", "message": "dashboard 9 not found", "code": "NOT_FOUND"}
    )
    assert not named.is_valid({"error": "dashboard 9 not found", "code": "NOT_FOUND"})


async def test_request_bodies_are_as_strict_as_the_parser(document: dict[str, Any]) -> None:
    card = _validator(document, "PlatformCardCreate")
    assert card.is_valid({"card_type": "text", "layout": {"x": 0, "y": 0, "w": 2, "h": 2}})
    assert not card.is_valid({"card_type": "text", "layout": {"x": 0, "y": 0, "w": 2}})
    assert not card.is_valid(
        {"card_type": "text", "layout": {"x": 0, "y": 0, "w": 2, "h": 2}, "colour": "red"}
    )


async def test_the_docs_page_uses_local_assets_only(http: httpx.AsyncClient) -> None:
    response = await http.get("/docs")  # no token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 5
    assert "http://" not in page
    assert "https://" not in page
    for asset in assets:
        assert asset.startswith("/docs/static/"), asset
        served = await http.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 0
    assert 'url: "/openapi.json"' in page
    assert "validatorUrl: null" in page  # no outside validator service either
