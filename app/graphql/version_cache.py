"""What requests derive from a dashboard at one version (its cards, pages and grants as
GraphQL objects), kept and shared by the requests of this process.

Every change to a dashboard's cards, pages or grants, or to the widget behind one of its
cards, bumps its version (`editing.bump_version`; a widget's update bumps every dashboard that
places it), and a version is never reused, so what (tenant, dashboard, version) names never
changes. A request that has read the dashboard at a version takes the entry instead of
reading and converting the rows again; one that has read a newer version misses, and fills
the entry for the version its rows were read at, which they carry (app/domain/dashboard_rows.py):
a write committed between the two reads cannot file new rows under the old version. Who may
see a dashboard is decided before: an entry is only asked for once the caller sees it.

Bounded by the items held (GRAPHQL_VERSION_CACHE_ITEMS; 0 turns it off), least recently used
out first. Each process has its own: several workers or hosts share nothing."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sized
from typing import TypeVar

from app.domain.dashboard_rows import AtVersion

R = TypeVar("R")
V = TypeVar("V", bound=Sized)

# (what, tenant id, dashboard id, dashboard version)
VersionKey = tuple[str, int, int, int]


class VersionCache:
    def __init__(self, max_items: int) -> None:
        self._max_items = max_items
        self._held = 0
        self._entries: OrderedDict[VersionKey, Sized] = OrderedDict()

    def get(self, key: VersionKey) -> Sized | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: VersionKey, value: Sized) -> None:
        size = len(value)
        if size > self._max_items or key in self._entries:
            return
        self._entries[key] = value
        self._held += size
        while self._held > self._max_items:
            _, evicted = self._entries.popitem(last=False)
            self._held -= len(evicted)

    @property
    def held(self) -> int:
        """Items held: cards, pages, grants."""
        return self._held


async def read_at_version(
    cache: VersionCache | None,
    key: tuple[str, int, int],
    version: int | None,
    load: Callable[[], Awaitable[AtVersion[R]]],
    convert: Callable[[AtVersion[R]], V],
    read_elsewhere: set[int] | None = None,
) -> V:
    """What `key` (what, tenant id, dashboard id) names, converted: from `cache` when the
    caller read the dashboard at `version` (None: not known) and another request has
    converted it since; else loaded, converted and filed under the version it was read at.
    When that is not `version` (a write committed in between), the dashboard's id is added
    to `read_elsewhere`: what the request builds from both must not be kept under either."""
    what, tenant_id, dashboard_id = key
    if cache is not None and version is not None:
        cached = cache.get((what, tenant_id, dashboard_id, version))
        if cached is not None:
            return cached  # type: ignore[return-value]
    read = await load()
    converted = convert(read)
    # Rows carry the version they were read at. No rows carry none: they are filed under the
    # version the caller read the dashboard at. Should a write have emptied the dashboard
    # in between, that version is already superseded, and only requests that read it before
    # the write committed can ask for it: they would read the same empty rows without the
    # cache.
    filed_version = read.version if read.version is not None else version
    if read_elsewhere is not None and filed_version != version:
        read_elsewhere.add(dashboard_id)
    if cache is not None and filed_version is not None:
        cache.put((what, tenant_id, dashboard_id, filed_version), converted)
    return converted
