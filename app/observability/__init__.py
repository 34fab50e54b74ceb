"""Observability: what is known of the request being served (`request_info`), Prometheus
metrics (`metrics`), structured logs (`logs`), OpenTelemetry tracing (`tracing`), and the
middleware that ties them to every HTTP request."""

from app.observability.middleware import ObservabilityMiddleware
from app.observability.request_info import current_request_id
from app.observability.telemetry import Telemetry

__all__ = ["ObservabilityMiddleware", "Telemetry", "current_request_id"]
