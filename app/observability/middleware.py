"""The outermost middleware: every HTTP request gets an id (X-Request-ID when it is sane, else
made; returned on the answer), a record of what is known about it (request_info), a span
when tracing is on, and, once answered, its metrics and one access log line. Unexpected
errors are logged with the id and answered with a masked 500 that quotes it."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi_json import send_json
from app.observability.metrics import CLIENT_CLOSED, RequestLabels, known_method
from app.observability.request_info import RequestInfo, serving
from app.observability.telemetry import Telemetry
from app.observability.tracing import ServerSpan
from app.unavailable import STATUS, recognise

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger(__name__)
access_log = logging.getLogger("app.access")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id=_request_id(scope), method=scope["method"])
        status = CLIENT_CLOSED
        started = time.perf_counter()
        metrics = self.telemetry.metrics

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = info.request_id
            await send(message)

        with serving(info), self.telemetry.tracing.server_span(scope, info) as span:
            metrics.in_flight.inc()
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                span.fail(exc)
                # An outage is no bug: 503 with Retry-After (app/unavailable.py logs it).
                unavailable = recognise(exc)
                if unavailable is None:
                    log.exception("unexpected error (request %s)", info.request_id)
                if status == CLIENT_CLOSED and unavailable is not None:
                    await send_json(send_with_id, STATUS, unavailable.body, unavailable.headers)
                elif status == CLIENT_CLOSED:  # nothing sent yet
                    await send_json(
                        send_with_id,
                        500,
                        {
                            "error": f"unexpected error; quote request id {info.request_id} "
                            "when reporting it",
                            "code": "INTERNAL",
                        },
                    )
            finally:
                metrics.in_flight.dec()
                info.route = route_template(scope)
                self._done(info, status, time.perf_counter() - started, span)

    def _done(self, info: RequestInfo, status: int, seconds: float, span: ServerSpan) -> None:
        metrics = self.telemetry.metrics
        labels = metrics.labels(info)
        metrics.observe_request(info.method, labels, status, seconds)
        if self.telemetry.tracing.enabled:
            _finish_span(span, info, labels, status)
        if access_log.isEnabledFor(logging.INFO):
            _log_access(info, labels, status, seconds)


def _finish_span(span: ServerSpan, info: RequestInfo, labels: RequestLabels, status: int) -> None:
    route, operation, operation_type = labels
    attributes: dict[str, str | int] = {"http.route": route}
    if info.tenant is not None:
        attributes["dashboards.tenant"] = info.tenant
    if operation_type:
        name = f"{operation_type} {operation}"
        attributes["graphql.operation.type"] = operation_type
        attributes["graphql.operation.name"] = operation
    else:
        method = known_method(info.method)
        name = f"{method} {info.route}" if info.route else method
    span.finish(name, status, attributes)


def _log_access(info: RequestInfo, labels: RequestLabels, status: int, seconds: float) -> None:
    route, operation, operation_type = labels
    fields: dict[str, str | int | float] = {"method": info.method, "route": route}
    what = route
    if operation_type:
        what = f"{route} {operation_type} {operation}"
        fields["operation_type"] = operation_type
        if info.operation_name:
            fields["operation_name"] = info.operation_name
    fields |= {"status": status, "duration_ms": round(seconds * 1000, 3)}
    ms = seconds * 1000
    access_log.info("%s %s %s %.1f ms", info.method, what, status, ms, extra=fields)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.match(given):
                return given
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str | None:
    """The template of the route that served the request (`/api/dashboards/{id}`), never the
    path itself, which would give every id a series of its own."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    # Inside a Mount, root_path has grown by the mount's path (relative to the app's).
    root_path: str = scope.get("root_path", "")
    mounted = root_path[len(scope.get("app_root_path", root_path)) :]
    if isinstance(route, Mount):  # an app of its own (static files): the mount is the route
        return mounted or path
    return mounted + path
