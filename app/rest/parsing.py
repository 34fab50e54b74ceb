"""Reading REST requests: JSON bodies into typed models, path ids into database ids, query
strings into integers and render parameters."""

from __future__ import annotations

from typing import Any, TypeVar, cast

import orjson
from pydantic import BaseModel, RootModel, ValidationError
from starlette.requests import Request

from app.ids import parse_database_id
from app.rest.responses import RequestError, validation_error

ModelT = TypeVar("ModelT", bound=BaseModel | RootModel[Any])
_JSON_TYPES = ("application/json", "application/vnd.api+json")


async def json_body(request: Request, model: type[ModelT]) -> ModelT:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in _JSON_TYPES and not content_type.endswith("+json"):
        raise RequestError(
            415, "UNSUPPORTED_MEDIA_TYPE", f"send the body as application/json (got {content_type})"
        )
    raw = await request.body()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, "MALFORMED_JSON", f"the body is not valid JSON: {exc}") from exc
    try:
        return cast(ModelT, model.model_validate(data))
    except ValidationError as exc:
        raise validation_error(exc) from exc


def path_id(request: Request, name: str, kind: str) -> int:
    """The integer id in the path, or a 404 in the dialect's words for one that cannot exist."""
    value = parse_database_id(str(request.path_params[name]))
    if value is None:
        raise RequestError(
            404, "NOT_FOUND", f"{kind} {request.path_params[name]} not found", resource=kind
        )
    return value


def path_number(request: Request, name: str, kind: str) -> int:
    """A small positive number in the path (a page number), else 404."""
    raw = str(request.path_params[name])
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw[:6]) <= 100_000:
        raise RequestError(404, "NOT_FOUND", f"{kind} {raw} not found", resource=kind)
    return int(raw)


def query_int(request: Request, name: str, default: int, maximum: int, minimum: int = 0) -> int:
    """An integer query parameter from `minimum` to `maximum` (`default` when absent or empty),
    else 400 INVALID_QUERY."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    digits = raw.lstrip("0") or "0"
    too_long = len(digits) > len(str(maximum))  # checked before int() sees a huge string
    if not raw.isascii() or not raw.isdigit() or too_long or not minimum <= int(digits) <= maximum:
        raise RequestError(
            400,
            "INVALID_QUERY",
            f"{name} must be an integer from {minimum} to {maximum} (got {raw!r})",
            field=name,
        )
    return int(digits)


RENDER_PARAMETER_PREFIX = "param."


def render_parameters(request: Request) -> dict[str, str | list[str]]:
    """`param.<name>=<value>` query keys: a string each, or a list of strings when the key is
    repeated. Other keys are not parameters and are left alone."""
    values: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key.startswith(RENDER_PARAMETER_PREFIX):
            values.setdefault(key.removeprefix(RENDER_PARAMETER_PREFIX), []).append(value)
    return {name: items[0] if len(items) == 1 else items for name, items in values.items()}
