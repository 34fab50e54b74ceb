"""Prometheus metrics of one application instance, in a registry of its own (tests make several
apps in one process). Requests are labelled by route template, never by raw path, and GraphQL
requests by operation name and type; operation names are client-chosen, so a process labels at
most METRICS_MAX_OPERATION_NAMES distinct ones and counts later ones as "other".

With several worker processes (PROMETHEUS_MULTIPROC_DIR set), prometheus_client keeps every
value in files of that folder and a scrape of any worker reads all of them."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import NamedTuple

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from app.observability.pool_metrics import PoolMetrics
from app.observability.request_info import RequestInfo

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# An API answers in milliseconds to seconds; past 10 s a request has timed out somewhere.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TILE_QUERY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Labels of requests that are not what their name says.
NO_ROUTE = "unmatched"  # no route matched: 404s, redirects
ANONYMOUS = "anonymous"  # a GraphQL operation without a name
OTHER = "other"  # an operation name past the budget; a method HTTP does not define
UNKNOWN = "unknown"  # a GraphQL document that names no operation it holds (or did not parse)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The status of a request whose client went away before any answer (as nginx counts it).
CLIENT_CLOSED = 499


def known_method(method: str) -> str:
    """The method as a label: clients may send any token as a method."""
    return method if method in _METHODS else OTHER


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def prepare_multiprocess_metrics(workers: int, data_dir: Path) -> None:
    """Before uvicorn starts its workers: several workers need PROMETHEUS_MULTIPROC_DIR (by
    default a folder in DATA_DIR), emptied of a previous run's files, which would count again."""
    folder = multiprocess_dir()
    if folder is None:
        if workers <= 1:
            return
        folder = str(data_dir.resolve() / "prometheus-multiproc")
        os.environ[MULTIPROC_DIR_VARIABLE] = folder
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


class RequestLabels(NamedTuple):
    route: str
    operation: str  # "" when not GraphQL
    operation_type: str


class OperationNames:
    """The GraphQL operation names used as label values: the first `limit` distinct names are
    kept, later ones become "other", so a client cannot grow the series without bound."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._known:
            return name
        with self._lock:
            if len(self._known) < self._limit:
                self._known.add(name)
                return name
        return OTHER


class Metrics:
    def __init__(self, *, max_operation_names: int) -> None:
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry(auto_describe=True)
        self.operation_names = OperationNames(max_operation_names)
        registry = self.registry
        self.requests = Counter(
            "dashboards_http_requests_total",
            "HTTP requests answered, by route template (or GraphQL operation) and status.",
            ["method", "route", "operation", "operation_type", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "dashboards_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer.",
            ["method", "route", "operation", "operation_type"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "dashboards_http_requests_in_flight",
            "Requests being served.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.tile_cache_lookups = Counter(
            "dashboards_tile_cache_lookups_total",
            "Tile cache lookups by backend (memory, redis) and result (hit, miss, error).",
            ["backend", "result"],
            registry=registry,
        )
        self.tile_queries = Counter(
            "dashboards_tile_queries_total",
            "Tile queries run against tenant data, by outcome (ok, error, timeout).",
            ["outcome"],
            registry=registry,
        )
        self.tile_query_duration = Histogram(
            "dashboards_tile_query_duration_seconds",
            "Time a tile query took, from asking for a connection to its last row.",
            ["outcome"],
            buckets=TILE_QUERY_BUCKETS,
            registry=registry,
        )
        self.live_subscriptions = Gauge(
            "dashboards_live_subscriptions",
            "GraphQL subscriptions open (docs/live-updates.md).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.live_events = Counter(
            "dashboards_live_events_delivered_total",
            "Subscription events sent to subscribers, by kind (changed, deleted).",
            ["kind"],
            registry=registry,
        )
        self.pool = PoolMetrics(registry, multiprocess=self.multiprocess)
        # The labelled children of each label set seen, so a request skips their look-up.
        self._request_children: dict[tuple[str, RequestLabels, int], tuple[Counter, Histogram]]
        self._request_children = {}

    def labels(self, info: RequestInfo) -> RequestLabels:
        """The request's route (its template) and GraphQL operation as label values."""
        if info.operation_type is None:
            return RequestLabels(info.route or NO_ROUTE, "", "")
        if info.operation_type == UNKNOWN:
            return RequestLabels(info.route or NO_ROUTE, UNKNOWN, UNKNOWN)
        operation = self.operation_names.label(info.operation_name)
        return RequestLabels(info.route or NO_ROUTE, operation, info.operation_type)

    def observe_request(
        self, method: str, labels: RequestLabels, status: int, seconds: float
    ) -> None:
        method = known_method(method)
        key = (method, labels, status)
        children = self._request_children.get(key)
        if children is None:
            route, operation, operation_type = labels
            children = self._request_children[key] = (
                self.requests.labels(method, route, operation, operation_type, str(status)),
                self.latency.labels(method, route, operation, operation_type),
            )
        count, latency = children
        count.inc()
        latency.observe(seconds)
        if self.multiprocess:
            self.pool.refresh()  # each worker's pool use, as of its last request

    def observe_tile_query(self, outcome: str, seconds: float) -> None:
        self.tile_queries.labels(outcome).inc()
        self.tile_query_duration.labels(outcome).observe(seconds)

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The metrics in the format the scraper accepts best, and its content type."""
        encoder, content_type = choose_encoder(accept)
        if self.multiprocess:
            self.pool.refresh()
            # Every worker's values, from the files they all write.
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return encoder(merged), content_type
        return encoder(self.registry), content_type

    def process_exits(self) -> None:
        """Forget this process's live gauges (in-flight requests, pool use) in multiprocess
        mode, so a stopped worker no longer adds to them."""
        if self.multiprocess:
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
