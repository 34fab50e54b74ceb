"""GET /metrics in Prometheus's exposition format (or OpenMetrics, when the scraper asks for
it). With METRICS_TOKEN set, only a scraper sending it as a bearer token reads them."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.observability.metrics import Metrics
from app.rest.responses import error_response


def metrics_route(metrics: Metrics, token: str) -> Route:
    expected = f"Bearer {token}".encode()

    async def scrape(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return error_response(
                    401,
                    "UNAUTHENTICATED",
                    "the metrics need the bearer token that METRICS_TOKEN sets",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        body, content_type = metrics.exposition(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    return Route("/metrics", scrape, methods=["GET"])
