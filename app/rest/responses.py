"""JSON responses and errors for every REST dialect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from app.errors import DomainError, ErrorCode, FieldPath
from app.request_context import Rejection
from app.unavailable import STATUS, Unavailable


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
        resource: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.details, self.resource = field, details, resource


@dataclass(frozen=True, slots=True)
class ErrorStyle:
    """How a dialect spells its errors. Every dialect answers JSON with a string `error` and
    the machine-readable `code`; seed 002 makes `error` a snake_case name
    (`dashboard_not_found`) and puts the text in `message`, the others put the text in
    `error`. `field_prefix` is where the domain's input fields sit in the request body."""

    field_prefix: str = ""
    named_errors: bool = False
    # Seed 004 repeats the text in `message` next to `error`.
    echo_message: bool = False


PLAIN = ErrorStyle()

# Seed 002's names where they differ from the lowercased code.
_ERROR_NAMES = {
    ErrorCode.FORBIDDEN.value: "permission_denied",
    ErrorCode.NOT_EMPTY.value: "collection_not_empty",
}


def error_name(code: str, resource: str | None = None) -> str:
    if code == ErrorCode.NOT_FOUND.value:
        return f"{resource or 'resource'}_not_found"
    return _ERROR_NAMES.get(code, code.lower())


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    style: ErrorStyle = PLAIN,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    resource: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body: dict[str, Any]
    if style.named_errors:
        body = {"error": error_name(code, resource), "message": message, "code": code}
    else:
        body = {"error": message, "code": code}
        if style.echo_message:
            body["message"] = message
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    body.update(extra or {})
    return ORJSONResponse(body, status_code=status, headers=headers)


def dotted(prefix: str, path: FieldPath) -> str:
    """("placements", 1, "x") under "data.attributes" → "data.attributes.placements[1].x"."""
    text = prefix
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def domain_error_response(error: DomainError, style: ErrorStyle) -> Response:
    details = [
        {"code": p.code.value, "message": p.message, "field": dotted(style.field_prefix, p.field)}
        for p in error.problems
    ]
    first = details[0]
    extra = {}
    if error.current_version is not None:
        extra["current_version"] = error.current_version
    return error_response(
        error.status,
        first["code"],
        first["message"],
        style=style,
        field=first["field"] or None,
        details=details,
        resource=error.problems[0].resource,
        extra=extra,
    )


def rejection_response(rejection: Rejection, style: ErrorStyle = PLAIN) -> Response:
    return error_response(
        rejection.status,
        rejection.code,
        rejection.message,
        style=style,
        headers=rejection.headers,
    )


def request_error_response(error: RequestError, style: ErrorStyle = PLAIN) -> Response:
    return error_response(
        error.status,
        error.code,
        error.message,
        style=style,
        field=error.field,
        details=error.details,
        resource=error.resource,
    )


def unavailable_response(unavailable: Unavailable, style: ErrorStyle = PLAIN) -> Response:
    return error_response(
        STATUS, unavailable.code, unavailable.message, style=style, headers=unavailable.headers
    )


def validation_error(error: ValidationError) -> RequestError:
    details = [
        {"code": "INVALID", "message": item["msg"], "field": dotted("", tuple(item["loc"]))}
        for item in error.errors(include_url=False)
    ]
    first = details[0]
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return RequestError(422, "INVALID", message, field=first["field"] or None, details=details)
