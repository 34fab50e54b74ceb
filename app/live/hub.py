"""Who watches which dashboard in this process: (tenant, dashboard) -> subscribers, each with
a bounded queue of what it is to be told. A subscriber that falls behind by more than its
queue holds is ended (`SubscriberOverflow`) instead of growing the process's memory."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from enum import Enum

from app.context import RequestContext
from app.domain.records import DashboardRecord

DashboardKey = tuple[int, int]  # (tenant id, dashboard id)


class Outcome(Enum):
    CHANGED = "changed"  # a new version the subscriber may see
    DELETED = "deleted"  # the dashboard is gone
    UNSEEN = "unseen"  # the subscriber may no longer see it


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: Outcome
    version: int | None = None
    # The dashboard as loaded for this subscriber's principal (CHANGED only).
    record: DashboardRecord | None = None


class SubscriberOverflow(Exception):
    """The subscriber did not keep up with the changes of its dashboard."""


class Subscriber:
    def __init__(self, ctx: RequestContext, dashboard_id: int, version: int, capacity: int) -> None:
        self.ctx = ctx
        self.key: DashboardKey = (ctx.tenant_id, dashboard_id)
        # The last version told (or seen at subscribe time): older news is not repeated.
        self.version = version
        self._capacity = capacity
        self._pending: deque[Delivery] = deque()
        self._ready = asyncio.Event()
        self._overflowed = False
        self._finished = False

    def offer(self, delivery: Delivery) -> bool:
        """Queue `delivery`; False when it was not (old news, or the subscriber is done)."""
        if self._finished or self._overflowed:
            return False
        if delivery.outcome is Outcome.CHANGED:
            if delivery.version is None or delivery.version <= self.version:
                return False
            self.version = delivery.version
        else:
            self._finished = True  # nothing after a deletion or a lost access
            if delivery.outcome is Outcome.UNSEEN:
                # Changes loaded before the access went, not yet sent: never sent now.
                self._pending.clear()
        if len(self._pending) >= self._capacity:
            self._overflowed = True
            self._pending.clear()
        else:
            self._pending.append(delivery)
        self._ready.set()
        return True

    async def next(self) -> Delivery:
        while True:
            if self._overflowed:
                raise SubscriberOverflow
            if self._pending:
                return self._pending.popleft()
            self._ready.clear()
            await self._ready.wait()


class Hub:
    def __init__(self) -> None:
        self._watching: dict[DashboardKey, set[Subscriber]] = {}

    def add(self, subscriber: Subscriber) -> None:
        self._watching.setdefault(subscriber.key, set()).add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        subscribers = self._watching.get(subscriber.key)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._watching[subscriber.key]

    def watched(self, key: DashboardKey) -> bool:
        return key in self._watching

    def subscribers(self, key: DashboardKey) -> list[Subscriber]:
        return list(self._watching.get(key, ()))

    def watched_dashboards(self) -> list[DashboardKey]:
        return list(self._watching)

    def __len__(self) -> int:
        return sum(len(subscribers) for subscribers in self._watching.values())
