"""ETag and If-Match: the dashboard's version as an entity tag, `"v<version>"`."""

from __future__ import annotations

import re

from starlette.requests import Request

from app.rest.responses import RequestError

_TAG = re.compile(r'^(?:W/)?"v(\d{1,9})"$')


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(request: Request) -> int | None:
    """The version named by If-Match; None without the header or with `*`."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    match = _TAG.match(header.strip())
    if match is None:
        raise RequestError(
            400,
            "INVALID_IF_MATCH",
            f'If-Match must be an ETag this API gave out, like "v3" (got {header})',
        )
    return int(match.group(1))


def not_modified(request: Request, version: int) -> bool:
    """If-None-Match compares weakly: W/"v3" matches "v3"."""
    tags = [
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    ]
    return etag(version) in tags or "*" in tags
