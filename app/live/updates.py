"""Live updates of one process: the LISTEN connection, the hub of subscribers and the fan-out
between them, started and stopped with the application (app/main.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.context import RequestContext
from app.live.fanout import Fanout
from app.live.hub import Hub, Subscriber
from app.live.listener import ChangeListener
from app.live.notices import parse_notice
from app.observability.metrics import Metrics
from app.services import Services


class LiveUpdates:
    def __init__(self, services: Services, database_url: str, metrics: Metrics) -> None:
        settings = services.settings
        self.settings = settings
        self.services = services
        self.hub = Hub()
        self.fanout = Fanout(services.db, self.hub, backlog=settings.live_notice_backlog)
        self.listener = ChangeListener(
            database_url,
            on_payload=self._heard,
            on_listening=self.fanout.resync,
            connect_timeout=settings.db_connect_timeout_seconds,
            backoff_initial=settings.live_listener_backoff_initial_seconds,
            backoff_max=settings.live_listener_backoff_max_seconds,
            health_check_seconds=settings.live_listener_health_check_seconds,
        )
        self._metrics = metrics
        self.connections = 0

    def start(self) -> None:
        self.fanout.start()
        self.listener.start()

    async def stop(self) -> None:
        await self.listener.stop()
        await self.fanout.stop()

    def _heard(self, payload: str) -> None:
        notice = parse_notice(payload)
        if notice is not None:
            self.fanout.notice(notice)

    def admit_connection(self) -> bool:
        """Count a new WebSocket connection in, unless the process serves its maximum."""
        if self.connections >= self.settings.live_max_connections:
            return False
        self.connections += 1
        return True

    def release_connection(self) -> None:
        self.connections -= 1

    @contextmanager
    def subscribed(
        self, ctx: RequestContext, dashboard_id: int, version: int
    ) -> Iterator[Subscriber]:
        """A subscriber to the dashboard's changes after `version`, while the block runs."""
        subscriber = Subscriber(
            ctx, dashboard_id, version, capacity=self.settings.live_subscriber_queue_size
        )
        self.hub.add(subscriber)
        self.fanout.refresh(subscriber.key)
        self._metrics.live_subscriptions.inc()
        try:
            yield subscriber
        finally:
            self.hub.remove(subscriber)
            self._metrics.live_subscriptions.dec()

    def delivered(self, kind: str) -> None:
        self._metrics.live_events.labels(kind).inc()
