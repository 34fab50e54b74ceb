"""Observability: what is known of the request being served (`request_info`), Prometheus
metrics (`metrics`), structured logs (`logs`), OpenTelemetry tracing (`tracing`), and the
middleware that ties them to every HTTP request (`middleware`). This module stays light (the
CLI imports `logs` without loading the rest)."""

from app.observability.request_info import current_request_id

__all__ = ["current_request_id"]
