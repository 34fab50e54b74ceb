"""JSON responses and errors for every REST dialect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from app.errors import DomainError, FieldPath
from app.request_context import Rejection


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class RequestError(Exception):
    """A request the shim cannot even hand to the domain: bad JSON, wrong envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.details = field, details


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"error": message, "code": code}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    return ORJSONResponse(body, status_code=status, headers=headers)


def dotted(prefix: str, path: FieldPath) -> str:
    """("placements", 1, "x") under "data.attributes" → "data.attributes.placements[1].x"."""
    text = prefix
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def domain_error_response(error: DomainError, field_prefix: str) -> Response:
    details = [
        {"code": p.code.value, "message": p.message, "field": dotted(field_prefix, p.field)}
        for p in error.problems
    ]
    first = details[0]
    return error_response(
        error.status, first["code"], first["message"], field=first["field"] or None, details=details
    )


def rejection_response(rejection: Rejection) -> Response:
    return error_response(
        rejection.status, rejection.code, rejection.message, headers=rejection.headers
    )


def request_error_response(error: RequestError) -> Response:
    return error_response(
        error.status, error.code, error.message, field=error.field, details=error.details
    )


def validation_error(error: ValidationError) -> RequestError:
    details = [
        {"code": "INVALID", "message": item["msg"], "field": dotted("", tuple(item["loc"]))}
        for item in error.errors(include_url=False)
    ]
    first = details[0]
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return RequestError(422, "INVALID", message, field=first["field"] or None, details=details)
