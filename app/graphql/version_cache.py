"""What requests derive from a dashboard at one version (its cards as GraphQL objects), kept
and shared by the requests of this process.

Every change to a card, or to the widget behind one, bumps its dashboard's version
(`editing.bump_version`; a widget's update bumps every dashboard that places it), and a
version is never reused, so what (tenant, dashboard, version) names never changes. A request
that has read the dashboard at a version takes the entry instead of reading and converting
the rows again; one that has read a newer version misses, and fills the entry for the version
its rows were read at (in the same statement as the rows). Who may see a dashboard is decided
before: an entry is only asked for once the caller sees the dashboard.

Bounded by the items held (GRAPHQL_CARD_CACHE_CARDS; 0 turns it off), least recently used
out first. Each process has its own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# (tenant id, dashboard id, dashboard version)
VersionKey = tuple[int, int, int]


class VersionCache(Generic[T]):
    def __init__(self, max_items: int, size: Callable[[T], int]) -> None:
        self._max_items = max_items
        self._size = size
        self._held = 0
        self._entries: OrderedDict[VersionKey, T] = OrderedDict()

    def get(self, key: VersionKey) -> T | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: VersionKey, value: T) -> None:
        size = self._size(value)
        if size > self._max_items or key in self._entries:
            return
        self._entries[key] = value
        self._held += size
        while self._held > self._max_items:
            _, evicted = self._entries.popitem(last=False)
            self._held -= self._size(evicted)

    @property
    def held(self) -> int:
        """Items held, by the size function."""
        return self._held
