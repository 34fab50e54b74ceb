"""Observability: the request id middleware (more to come in this package)."""

from app.observability.middleware import RequestIdMiddleware, current_request_id

__all__ = ["RequestIdMiddleware", "current_request_id"]
