"""Tracing hooks. Off (the default) they cost nothing and need no OpenTelemetry package; with
OTEL_ENABLED=true, `create_tracing` loads the OpenTelemetry SDK (the `tracing` extra) and
spans go to the OTLP/HTTP endpoint that the standard OTEL_EXPORTER_OTLP_* variables name."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from starlette.types import Scope

from app.observability.request_info import RequestInfo
from app.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

Attributes = Mapping[str, str | int]


class ServerSpan:
    """A request's span, named and completed once the answer is known. This one is no span."""

    def finish(self, name: str, status: int, attributes: Attributes) -> None:
        pass

    def fail(self, error: BaseException) -> None:
        pass


class TileSpan:
    def outcome(self, outcome: str) -> None:
        pass


class Tracing:
    """No tracing: every span is a no-op."""

    enabled = False

    def server_span(self, scope: Scope, info: RequestInfo) -> AbstractContextManager[ServerSpan]:
        return nullcontext(_NO_SERVER_SPAN)

    def tile_span(self, tenant_id: int) -> AbstractContextManager[TileSpan]:
        return nullcontext(_NO_TILE_SPAN)

    def shutdown(self) -> None:
        pass


_NO_SERVER_SPAN = ServerSpan()
_NO_TILE_SPAN = TileSpan()


def create_tracing(settings: Settings, exporter: SpanExporter | None = None) -> Tracing:
    """OpenTelemetry tracing when OTEL_ENABLED is set; `exporter` replaces OTLP (tests)."""
    if not settings.otel_enabled:
        return Tracing()
    try:
        from app.observability.otel import OtelTracing
    except ImportError as exc:
        raise RuntimeError(
            "OTEL_ENABLED is set but OpenTelemetry is not installed: "
            "pip install 'dashboards-api[tracing]'"
        ) from exc
    return OtelTracing(settings.otel_service_name, exporter)
