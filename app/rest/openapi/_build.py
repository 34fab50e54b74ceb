"""Small builders for the OpenAPI document: JSON Schema shorthands, parameters, responses and
the description of one operation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
OBJECT: Schema = {"type": "object"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
DATABASE_ID: Schema = {"type": "integer", "minimum": 1}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def closed(required: Mapping[str, Schema], optional: Mapping[str, Schema] | None = None) -> Schema:
    """An object with exactly these members: all of `required`, any of `optional`."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


# --- parameters ---------------------------------------------------------------------------


def path(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


def query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def header(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": schema,
        "description": description,
    }


IF_MATCH = header(
    "If-Match",
    {"type": "string", "pattern": r'^\s*(\*|(W/)?"v[0-9]{1,9}")\s*$'},
    'The dashboard version the write expects, as its ETag (`"v3"`); `*` or no header: any. '
    "A stale version is 409 VERSION_CONFLICT with `current_version`.",
)
IF_NONE_MATCH = header(
    "If-None-Match",
    STRING,
    "ETags the client holds; 304 without a body when the dashboard is still at one of them.",
)


# --- responses ----------------------------------------------------------------------------


def json_response(
    description: str, schema: Schema, headers: Mapping[str, str] | None = None
) -> Schema:
    response: Schema = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": STRING} for name, text in headers.items()
        }
    return response


def empty_response(description: str) -> Schema:
    return {"description": description}


ETAG = {"ETag": 'The dashboard\'s version as an entity tag, `"v3"`: send it back in If-Match.'}
LOCATION = {"Location": "Where the new resource is read."}

# Why each error status can happen. 413 and 429 come from layers before the dialect's own
# error handling (body size limit, rate limiting), so their bodies are only the common shape.
_ERROR_REASONS = {
    400: "No tenant named (the token names several and no tenant header was sent), malformed "
    "JSON, an invalid query parameter or an If-Match that is not an ETag of this API.",
    401: "Missing, malformed, expired or badly signed token.",
    403: "The token does not name the tenant, or the caller may see but not change this.",
    404: "Not found, or not visible to the caller (existence does not leak).",
    409: "Conflict: a stale If-Match version (with `current_version`), a name or code that is "
    "taken, or a resource still in use.",
    413: "The body is larger than the server accepts.",
    415: "The body is not JSON.",
    422: "The request is invalid; `details` lists every problem with its `field`.",
    429: "Too many requests; Retry-After says when to try again.",
    503: "The tenant's data cannot be reached now (DATA_UNAVAILABLE); try again later.",
}
_COMMON_SHAPE_ONLY = frozenset({413, 429})
BASE_ERROR = "Error"


def errors(error_schema: str, *statuses: int) -> dict[str, Schema]:
    """Error responses of the given statuses, with the dialect's error body."""
    return {
        str(status): json_response(
            _ERROR_REASONS[status],
            ref(BASE_ERROR if status in _COMMON_SHAPE_ONLY else error_schema),
        )
        for status in statuses
    }


# Every authenticated request can be refused before its route runs.
AUTHENTICATED = (400, 401, 403, 429)
# And every request with a JSON body can be refused for its body.
WITH_BODY = (413, 415, 422)


# --- operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One method on one path, as the document describes it."""

    summary: str
    tag: str
    responses: dict[str, Schema]
    description: str = ""
    parameters: tuple[Schema, ...] = ()
    body: Schema | None = None
    body_required: bool = True
    # Without a token (public render links, the documents, health checks).
    public: bool = False

    def as_openapi(self, operation_id: str) -> Schema:
        operation: Schema = {
            "operationId": operation_id,
            "summary": self.summary,
            "tags": [self.tag],
        }
        if self.description:
            operation["description"] = self.description
        if self.parameters:
            operation["parameters"] = list(self.parameters)
        if self.body is not None:
            operation["requestBody"] = {
                "required": self.body_required,
                "content": {"application/json": {"schema": self.body}},
            }
        operation["responses"] = dict(sorted(self.responses.items()))
        if self.public:
            operation["security"] = []
        return operation


@dataclass(frozen=True)
class Dialect:
    """A dialect's tag and error body: builds its operations with the error responses every
    authenticated route, and every route with a body, can give."""

    tag: str
    error: str

    def operation(
        self,
        summary: str,
        answers: Mapping[str, Schema],
        *statuses: int,
        body: str | None = None,
        body_required: bool = True,
        parameters: Sequence[Schema] = (),
        description: str = "",
        public: bool = False,
    ) -> Operation:
        """`answers`: the successful responses by status; `statuses`: the errors this route
        adds; `body`: the request body's component name."""
        codes = {*statuses, *(() if public else AUTHENTICATED), *(WITH_BODY if body else ())}
        return Operation(
            summary,
            self.tag,
            {**answers, **errors(self.error, *sorted(codes))},
            description=description,
            parameters=tuple(parameters),
            body=ref(body) if body else None,
            body_required=body_required,
            public=public,
        )
