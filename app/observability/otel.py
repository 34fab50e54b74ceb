"""Tracing with the OpenTelemetry SDK, imported only when OTEL_ENABLED is set. A tracer
provider of the application's own (not the process-global one: tests run several apps).
Incoming `traceparent` headers continue the caller's trace. Sampling, the OTLP endpoint, its
headers and the batch sizes follow the standard OTEL_* environment variables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from starlette.types import Scope

from app.observability.request_info import RequestInfo
from app.observability.tracing import Attributes, ServerSpan, TileSpan, Tracing


class _OtelServerSpan(ServerSpan):
    def __init__(self, span: Span) -> None:
        self._span = span

    def finish(self, name: str, status: int, attributes: Attributes) -> None:
        self._span.update_name(name)
        self._span.set_attributes({**attributes, "http.response.status_code": status})
        if status >= 500:
            self._span.set_status(Status(StatusCode.ERROR))

    def fail(self, error: BaseException) -> None:
        self._span.record_exception(error)


class _OtelTileSpan(TileSpan):
    def __init__(self, span: Span) -> None:
        self._span = span

    def outcome(self, outcome: str) -> None:
        self._span.set_attribute("dashboards.tile.outcome", outcome)


class OtelTracing(Tracing):
    enabled = True

    def __init__(self, service_name: str, exporter: SpanExporter | None = None) -> None:
        self._provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            self._provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            self._provider.add_span_processor(SimpleSpanProcessor(exporter))
        self._tracer = self._provider.get_tracer("dashboards-api")

    @contextmanager
    def server_span(self, scope: Scope, info: RequestInfo) -> Iterator[ServerSpan]:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._tracer.start_as_current_span(
            info.method,
            context=propagate.extract(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": info.method},
            # The middleware answers errors itself and reports them through `fail`.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            info.trace_id = format(span.get_span_context().trace_id, "032x")
            yield _OtelServerSpan(span)

    @contextmanager
    def tile_span(self, tenant_id: int) -> Iterator[TileSpan]:
        with self._tracer.start_as_current_span(
            "tile query",
            kind=SpanKind.CLIENT,
            attributes={"db.system.name": "postgresql", "dashboards.tenant_id": tenant_id},
        ) as span:
            yield _OtelTileSpan(span)

    def shutdown(self) -> None:
        self._provider.shutdown()
