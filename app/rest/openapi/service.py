"""The routes around the REST dialects that the document describes too: health checks and
the documents themselves. None needs a token."""

from __future__ import annotations

from app.rest.openapi._build import OBJECT, Dialect, Operation, closed, enum, json_response

DIALECT = Dialect("service", "Error")
HEALTH = closed({"status": enum("ok")}, {"database": enum("up")})

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/healthz"): DIALECT.operation(
        "The process serves", {"200": json_response("Serving.", HEALTH)}, public=True
    ),
    ("GET", "/readyz"): DIALECT.operation(
        "The process serves and its database answers",
        {
            "200": json_response("Ready.", HEALTH),
            "503": json_response(
                "The database does not answer; Retry-After says when to ask again.",
                closed({"status": enum("unavailable"), "database": enum("down")}),
            ),
        },
        public=True,
    ),
    ("GET", "/openapi.json"): DIALECT.operation(
        "This document", {"200": json_response("OpenAPI 3.1.", OBJECT)}, public=True
    ),
    ("GET", "/docs"): DIALECT.operation(
        "This document in Swagger UI",
        {
            "200": {
                "description": "A page whose scripts and styles are served from /docs/static.",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        },
        public=True,
    ),
}
