"""Hooks through which the data plane reports what it does (tile cache lookups, tile queries)
to whoever watches: metrics and traces in the service (app/observability), nobody by default."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class TileTelemetry(Protocol):
    def cache_lookup(self, backend: str, result: str) -> None:
        """`backend`: memory or redis; `result`: hit, miss or error (a Redis that failed)."""

    def tile_query(self, tenant_id: int) -> AbstractContextManager[object]:
        """Wraps one tile query; an exception leaving it is the query's failure."""


class NoTileTelemetry:
    def cache_lookup(self, backend: str, result: str) -> None:
        pass

    def tile_query(self, tenant_id: int) -> AbstractContextManager[object]:
        return nullcontext()


NO_TELEMETRY = NoTileTelemetry()
