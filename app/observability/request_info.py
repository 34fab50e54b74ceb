"""What is known about the request being served, for its log lines, metrics and trace: its id,
its route template, the GraphQL operation, and the caller's tenant and user once
authenticated. One mutable record per request in a context variable: code deep inside the
request adds to it, the middleware that made it reads it when the response is done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# Names longer than this are cut in log lines (metrics and spans bucket names anyway).
_MAX_OPERATION_NAME = 100


@dataclass(slots=True)
class RequestInfo:
    request_id: str
    method: str
    route: str | None = None  # the route's template, e.g. /api/dashboards/{id}; None: no route
    operation_name: str | None = None  # GraphQL: as the document names it; None: anonymous
    operation_type: str | None = None  # GraphQL: query, mutation or subscription
    tenant: str | None = None
    user: str | None = None
    trace_id: str | None = None  # hex, while tracing is on


_current: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)


def current_request() -> RequestInfo | None:
    return _current.get()


def current_request_id() -> str:
    info = _current.get()
    return info.request_id if info is not None else "-"


@contextmanager
def serving(info: RequestInfo) -> Iterator[RequestInfo]:
    token = _current.set(info)
    try:
        yield info
    finally:
        _current.reset(token)


def note_caller(tenant: str, user: str | None) -> None:
    """The request acts in `tenant`, for `user` (None: no user, as through a public link)."""
    info = _current.get()
    if info is not None:
        info.tenant = tenant
        info.user = user


def note_operation(name: str | None, operation_type: str | None) -> None:
    info = _current.get()
    if info is not None:
        info.operation_name = name[:_MAX_OPERATION_NAME] if name else None
        info.operation_type = operation_type
