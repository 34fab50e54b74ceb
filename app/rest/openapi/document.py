"""The OpenAPI 3.1 document, assembled from the application's route table: each route's
method and path picks its description in the dialects' tables. Every route under /api/ must
have one, and every description a route (tests/test_openapi.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib.metadata import version
from typing import Any, TypeVar

from starlette.routing import BaseRoute, Route

from app.rest.openapi import (
    analytics,
    bi,
    clarus,
    common,
    datasets,
    platform,
    platform_schemas,
    revisions,
    service,
    shared,
    transfer,
)
from app.rest.openapi._build import Operation, Schema

REST_PREFIX = "/api/"
_DIALECTS = (shared, platform, bi, analytics, clarus, datasets, service, revisions, transfer)
_SCHEMA_TABLES = (
    common.SCHEMAS,
    platform_schemas.RESPONSES,
    platform_schemas.BODIES,
    bi.RESPONSES,
    bi.BODIES,
    analytics.RESPONSES,
    analytics.BODIES,
    clarus.SCHEMAS,
    shared.SCHEMAS,
    revisions.SCHEMAS,
    transfer.SCHEMAS,
)
T = TypeVar("T")


def _merged(tables: Iterable[Mapping[Any, T]]) -> dict[Any, T]:
    """The tables in one; a name or route described twice is a mistake."""
    merged: dict[Any, T] = {}
    for table in tables:
        twice = merged.keys() & table.keys()
        if twice:
            raise ValueError(f"described twice: {sorted(twice)}")
        merged.update(table)
    return merged


OPERATIONS: dict[tuple[str, str], Operation] = _merged(d.OPERATIONS for d in _DIALECTS)
SCHEMAS: dict[str, Schema] = _merged(_SCHEMA_TABLES)
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")

DESCRIPTION = """\
The REST shim of the Dashboards API: the REST dialects of the seed documents, run by the same
domain code as the GraphQL API at /graphql (its schema is `schema.graphql`).

Every route except the health checks, these documents and public render links takes
`Authorization: Bearer <JWT>`. The tenant is named by the tenant header; without it, the
token's only tenant is used. Errors are JSON with a string `error` and a machine-readable
`code`; seed 002 names the error in `error` and puts the text in `message`, seed 004 adds
`message` too. A dashboard the caller may not see is 404, one it may see but not change 403.
"""


def route_keys(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, str]]:
    """(method, OpenAPI path) of every route, in the table's order; HEAD goes with GET."""
    for route in routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, _CONVERTOR.sub(r"{\1}", route.path)


def undocumented(routes: Sequence[BaseRoute]) -> list[tuple[str, str]]:
    """REST routes of the app that the document does not describe."""
    return [
        key
        for key in dict.fromkeys(route_keys(routes))
        if key[1].startswith(REST_PREFIX) and key not in OPERATIONS
    ]


def unrouted(routes: Sequence[BaseRoute]) -> list[tuple[str, str]]:
    """Descriptions that no route of the app serves."""
    served = set(route_keys(routes))
    return [key for key in OPERATIONS if key not in served]


def openapi_document(routes: Sequence[BaseRoute], tenant_header: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path in dict.fromkeys(route_keys(routes)):
        operation = OPERATIONS.get((method, path))
        if operation is not None:
            paths.setdefault(path, {})[method.lower()] = operation.as_openapi(
                _operation_id(method, path)
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dashboards API: REST",
            "version": version("dashboards-api"),
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": [], "tenant": []}, {"bearer": []}],
        "tags": [{"name": tag} for tag in dict.fromkeys(o.tag for o in OPERATIONS.values())],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An RFC 9068 access token: `sub`, `tenants`, `roles`, "
                    "`groups`, `scope` (`dashboard.edit`, `dashboard.admin`).",
                },
                "tenant": {
                    "type": "apiKey",
                    "in": "header",
                    "name": tenant_header,
                    "description": "The tenant to act in; optional when the token names one.",
                },
            },
        },
    }


def _operation_id(method: str, path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words)
