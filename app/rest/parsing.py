"""Reading REST requests: JSON bodies into typed models, path ids into database ids."""

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
