"""The data plane's telemetry (app/data/telemetry.py) as metrics and spans."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.data.sandbox import TileQueryError
from app.observability.metrics import Metrics
from app.observability.tracing import Tracing


class ObservedTiles:
    def __init__(self, metrics: Metrics, tracing: Tracing) -> None:
        self._metrics = metrics
        self._tracing = tracing

    def cache_lookup(self, backend: str, result: str) -> None:
        self._metrics.tile_cache_lookups.labels(backend, result).inc()

    @contextmanager
    def tile_query(self, tenant_id: int) -> Iterator[object]:
        started = time.perf_counter()
        outcome = "error"
        with self._tracing.tile_span(tenant_id) as span:
            try:
                yield span
                outcome = "ok"
            except TileQueryError as exc:
                if exc.code == "TILE_TIMEOUT":
                    outcome = "timeout"
                raise
            finally:
                # A query cancelled with its request (the client left) counts as an error.
                span.outcome(outcome)
                self._metrics.observe_tile_query(outcome, time.perf_counter() - started)
