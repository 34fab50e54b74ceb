"""The service database's connection pool as gauges: its size, connections checked out, idle
ones, and overflow connections (opened past the size, up to DB_MAX_OVERFLOW). Read from the
pool when scraped; with several workers, each worker's gauges are set as of its last request
or scrape and summed over the live workers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.pool import Pool, QueuePool

_GAUGES = {
    "dashboards_db_pool_size": "Connections the pool keeps (DB_POOL_SIZE).",
    "dashboards_db_pool_checked_out": "Connections in use by requests.",
    "dashboards_db_pool_idle": "Open connections waiting in the pool.",
    "dashboards_db_pool_overflow": "Connections open beyond the pool size.",
}


def _readings(pool: QueuePool) -> dict[str, float]:
    return {
        "dashboards_db_pool_size": pool.size(),
        "dashboards_db_pool_checked_out": pool.checkedout(),
        "dashboards_db_pool_idle": pool.checkedin(),
        # QueuePool counts overflow from -size (no connection yet) upwards.
        "dashboards_db_pool_overflow": max(pool.overflow(), 0),
    }


class PoolMetrics(Collector):
    def __init__(self, registry: CollectorRegistry, *, multiprocess: bool) -> None:
        self._pool: QueuePool | None = None
        self._gauges: dict[str, Gauge] = {}
        if multiprocess:
            # Values live in files shared by the workers; a collector would only see its own.
            self._gauges = {
                name: Gauge(name, doc, registry=registry, multiprocess_mode="livesum")
                for name, doc in _GAUGES.items()
            }
        else:
            registry.register(self)

    def watch(self, pool: Pool) -> None:
        """Report `pool` (a pool without a size, such as NullPool, reports nothing)."""
        self._pool = pool if isinstance(pool, QueuePool) else None

    def refresh(self) -> None:
        """Set the gauges of multiprocess mode from the pool (otherwise: nothing to do)."""
        if self._pool is not None and self._gauges:
            for name, value in _readings(self._pool).items():
                self._gauges[name].set(value)

    def describe(self) -> Iterator[Metric]:
        for name, doc in _GAUGES.items():
            yield GaugeMetricFamily(name, doc)

    def collect(self) -> Iterator[Metric]:
        if self._pool is None:
            return
        for name, value in _readings(self._pool).items():
            yield GaugeMetricFamily(name, _GAUGES[name], value=value)
