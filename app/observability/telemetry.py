"""What one application instance observes itself with: its metrics, its tracing, and the
hooks the data plane reports through. Made with the app, closed with its lifespan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from app.observability.metrics import Metrics
from app.observability.tiles import ObservedTiles
from app.observability.tracing import Tracing, create_tracing
from app.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter


class Telemetry:
    def __init__(self, metrics: Metrics, tracing: Tracing) -> None:
        self.metrics = metrics
        self.tracing = tracing
        self.tiles = ObservedTiles(metrics, tracing)

    @classmethod
    def create(cls, settings: Settings, *, span_exporter: SpanExporter | None = None) -> Telemetry:
        """`span_exporter` replaces the OTLP exporter (tests); tracing still needs OTEL_ENABLED."""
        metrics = Metrics(max_operation_names=settings.metrics_max_operation_names)
        return cls(metrics, create_tracing(settings, span_exporter))

    def watch(self, engine: AsyncEngine) -> None:
        """Report the pool of the service's database."""
        self.metrics.pool.watch(engine.pool)

    def close(self) -> None:
        self.tracing.shutdown()
        self.metrics.process_exits()
