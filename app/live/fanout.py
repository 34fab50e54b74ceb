"""From notices to subscribers, in the order PostgreSQL delivered them (commit order). One
task per process works through the notices of watched dashboards: per notice, one batched
visibility load (visibility.py), then each subscriber of that dashboard is handed the change,
the deletion, or the news that it may no longer see it.

A resync (after the listener reconnected, or when notices were dropped) re-reads every
watched dashboard: a subscriber whose dashboard moved while notices could not arrive is told
its current version, so no change is silently lost."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from typing import Final

from app.background import BackgroundTask
from app.context import Database
from app.live.hub import DashboardKey, Delivery, Hub, Outcome, Subscriber
from app.live.notices import ChangeNotice
from app.live.visibility import dashboard_as_seen_by

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Resync:
    pass


RESYNC: Final = _Resync()
# After a failed load (database unavailable), how long before every watched dashboard is
# read again.
RETRY_SECONDS = 1.0


class Fanout:
    def __init__(self, db: Database, hub: Hub, *, backlog: int) -> None:
        self._db = db
        self._hub = hub
        self._queue: asyncio.Queue[ChangeNotice | DashboardKey | _Resync] = asyncio.Queue(backlog)
        self._resync_wanted = False
        self._resync_queued = False
        self._task = BackgroundTask("live-fanout")
        self.loads = 0  # batched visibility loads run (for tests and measurements)

    def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()

    def notice(self, notice: ChangeNotice) -> None:
        """Called for each notice the listener hears; costs nothing for unwatched dashboards."""
        if not self._hub.watched(notice.key):
            return
        try:
            self._queue.put_nowait(notice)
        except asyncio.QueueFull:
            # Dropped: a resync once the backlog drains tells everyone where things stand.
            log.warning("live updates: notice backlog full, resyncing every subscriber")
            self.resync()

    def refresh(self, key: DashboardKey) -> None:
        """Read the dashboard again for its subscribers, after the notices queued before: a
        new subscriber is registered after it read the dashboard, and a change committed in
        between had its notice dropped (nobody watched)."""
        try:
            self._queue.put_nowait(key)
        except asyncio.QueueFull:
            self.resync()

    def resync(self) -> None:
        """Read every watched dashboard again, after the notices queued before it."""
        self._resync_wanted = True
        if self._resync_queued:
            return
        with suppress(asyncio.QueueFull):  # when full, _run queues it once there is room
            self._queue.put_nowait(RESYNC)
            self._resync_queued = True

    async def idle(self) -> None:
        """Wait until every queued notice was handed out (tests)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if isinstance(item, _Resync):
                    self._resync_queued = self._resync_wanted = False
                    for key in self._hub.watched_dashboards():
                        await self._refresh(key, None)
                elif isinstance(item, tuple):
                    await self._refresh(item, None)
                else:
                    await self._handle(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live updates: could not load a change; resyncing soon", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                self.resync()
            finally:
                self._queue.task_done()
            if self._resync_wanted and not self._resync_queued:
                self.resync()

    async def _handle(self, notice: ChangeNotice) -> None:
        if notice.deleted:
            self._hand_out(self._hub.subscribers(notice.key), Delivery(Outcome.DELETED))
            return
        await self._refresh(notice.key, notice.version)

    async def _refresh(self, key: DashboardKey, version: int | None) -> None:
        """Load the dashboard for every principal watching it and tell each subscriber;
        `version` is the notice's (None on a resync: the current one is told)."""
        subscribers = self._hub.subscribers(key)
        if not subscribers:
            return
        tenant_id, dashboard_id = key
        self.loads += 1
        sight = await dashboard_as_seen_by(
            self._db, tenant_id, dashboard_id, [s.ctx for s in subscribers]
        )
        if sight.record is None:
            self._hand_out(subscribers, Delivery(Outcome.DELETED))
            return
        changed = Delivery(
            Outcome.CHANGED,
            version if version is not None else sight.record.version,
            sight.record,
        )
        unseen = Delivery(Outcome.UNSEEN)
        for subscriber in subscribers:
            subscriber.offer(changed if subscriber.ctx.principal in sight.seen_by else unseen)

    def _hand_out(self, subscribers: list[Subscriber], delivery: Delivery) -> None:
        for subscriber in subscribers:
            subscriber.offer(delivery)
