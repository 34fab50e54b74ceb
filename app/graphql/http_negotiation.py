"""Which media type a GraphQL answer uses, from the request's Accept header, and which status
(GraphQL over HTTP, "Accept", "Body" and "Status Codes"): `application/graphql-response+json`,
whose status tells request errors (400, no `data`) from executed operations (200), or the
legacy `application/json`, which answers 200 to every well-formed request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import GraphQLError

from app.graphql.cost import QUERY_TOO_COMPLEX

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SERVED = (GRAPHQL_RESPONSE_JSON, JSON)
# Request errors answered 400 in application/json too: refusals of the request's size, like 413.
ALWAYS_400 = frozenset({QUERY_TOO_COMPLEX})


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """2 for an exact match, 1 for `type/*`, 0 for `*/*`, None when it does not match."""
        type_, subtype = media_type.split("/")
        if self.type == "*":
            return 0
        if self.type != type_:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else None


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in; None when the client accepts none that is served (406).

    No Accept header means `application/graphql-response+json` (the spec's rule since
    2025-01-01). Between the two, a higher quality wins, then a more specific range. When both
    are named with the same quality, the preferred `application/graphql-response+json` wins;
    when only wildcards (`*/*`, `application/*`) match, `application/json` does, since a
    client that names no GraphQL type is a legacy one."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    ranges = [r for r in map(_parse_range, accept.split(",")) if r is not None]
    best: tuple[float, int, bool] | None = None
    chosen: str | None = None
    for media_type in SERVED:
        quality, specificity = _match(media_type, ranges)
        if quality <= 0:
            continue
        preferred = media_type == (GRAPHQL_RESPONSE_JSON if specificity == 2 else JSON)
        key = (quality, specificity, preferred)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen


def _match(media_type: str, ranges: list[_Range]) -> tuple[float, int]:
    """The quality the most specific matching range gives `media_type` (RFC 9110 12.5.1)."""
    found: tuple[int, float] | None = None
    for candidate in ranges:
        specificity = candidate.specificity(media_type)
        if specificity is not None and (found is None or specificity > found[0]):
            found = (specificity, candidate.quality)
    if found is None:
        return 0.0, -1
    return found[1], found[0]


def _parse_range(text: str) -> _Range | None:
    media_range, *parameters = (part.strip() for part in text.split(";"))
    media_range = media_range.lower()
    if media_range == "*":  # not RFC syntax, but common: read as */*
        media_range = "*/*"
    type_, slash, subtype = media_range.partition("/")
    if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
        return None
    quality = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"').lower()
        if name == "q":
            try:
                quality = float(value)
            except ValueError:
                return None
            if not 0 <= quality <= 1:
                return None
        elif name == "charset" and value != "utf-8":
            return None  # only UTF-8 is served
    return _Range(type_, subtype, quality)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: the legacy one exactly as before."""
    return (
        f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8" if media_type == GRAPHQL_RESPONSE_JSON else JSON
    )


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Whether a result is a request error (parse, validation, limits, variables): no data,
    and no error that belongs to a field (a field error carries its path)."""
    return data is None and bool(errors) and all(error.path is None for error in errors or ())


def response_status(media_type: str, data: object, errors: Sequence[GraphQLError] | None) -> int:
    """400 for a request error in application/graphql-response+json, or for one whose code is
    a refusal of the request's size (QUERY_TOO_COMPLEX) in either type; otherwise 200, as
    the spec asks of application/json and of executed operations."""
    if not is_request_error(data, errors):
        return 200
    if media_type == GRAPHQL_RESPONSE_JSON:
        return 400
    codes = {(error.extensions or {}).get("code") for error in errors or ()}
    return 400 if codes & ALWAYS_400 else 200
