"""How the seed-004 dialect answers a refusal: `{"error": message, "code": CODE, "message":
message}`, with `field` and `details` when there are some. Where the seed names a code of its
own, it replaces the domain's: DASHBOARD_NOT_FOUND and USER_NOT_FOUND (404), DUPLICATE_DASHBOARD
(409) for a taken name, INVALID_WIDGET_TYPE (400) for a widget type the tenant has no library
widget of. Fields are named as the request spells them (`widgets[0].type`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain.odata_filter import ODataFilterError
from app.errors import DomainError, ErrorCode, FieldPath
from app.rest.endpoint import Handler, rest_endpoint
from app.rest.responses import ErrorStyle, RequestError, dotted, error_response

# Domain field names → this dialect's.
_FIELD_NAMES: dict[str | int, str] = {
    "client_key": "id",
    "kind": "type",
    "refresh_interval": "refreshInterval",
    "user_id": "userId",
    "dashboard_id": "id",
}
_NOT_FOUND = {"dashboard": "DASHBOARD_NOT_FOUND", "user": "USER_NOT_FOUND"}
INVALID_WIDGET_TYPE = "INVALID_WIDGET_TYPE"
_SEED_STATUS = {INVALID_WIDGET_TYPE: 400}


def spelled(path: FieldPath) -> str:
    """("widgets", 0, "kind") → "widgets[0].type"."""
    return dotted("", tuple(_FIELD_NAMES.get(part, part) for part in path))


def seed_code(code: str, field: FieldPath, resource: str | None) -> str:
    if code == ErrorCode.NOT_FOUND and resource in _NOT_FOUND:
        return _NOT_FOUND[resource]
    if code == ErrorCode.ALREADY_EXISTS and field == ("name",):
        return "DUPLICATE_DASHBOARD"
    widget_kind = len(field) == 3 and field[0] == "widgets" and field[2] == "kind"
    if code == ErrorCode.UNKNOWN_REFERENCE and widget_kind:
        return INVALID_WIDGET_TYPE
    return code


def _answer(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Response:
    return error_response(
        _SEED_STATUS.get(code, status),
        code,
        message,
        field=field,
        details=details,
        extra={"message": message, **extra},
    )


def domain_error_answer(error: DomainError) -> Response:
    details = [
        {
            "code": seed_code(p.code, p.field, p.resource),
            "message": p.message,
            "field": spelled(p.field),
        }
        for p in error.problems
    ]
    first = details[0]
    extra = {} if error.current_version is None else {"current_version": error.current_version}
    return _answer(
        error.status,
        first["code"],
        first["message"],
        field=first["field"] or None,
        details=details,
        **extra,
    )


def request_error_answer(error: RequestError) -> Response:
    code = _NOT_FOUND.get(error.resource or "", error.code) if error.status == 404 else error.code
    return _answer(error.status, code, error.message, field=error.field, details=error.details)


def filter_error_answer(error: ODataFilterError) -> Response:
    """A `$filter` that cannot be used: 400, the parser's message and where it went wrong."""
    return _answer(400, "INVALID_FILTER", error.message, field="$filter", position=error.position)


def analytics_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A REST endpoint (authentication as everywhere) that answers refusals in this
    dialect's words."""

    async def translated(request: Request, ctx: RequestContext) -> Response:
        try:
            return await handler(request, ctx)
        except RequestError as error:
            return request_error_answer(error)
        except DomainError as error:
            return domain_error_answer(error)

    translated.__name__ = handler.__name__
    # Refusals before the handler (authentication, tenant) in this dialect's shape too.
    return rest_endpoint(translated, ErrorStyle(echo_message=True))
