"""The per-request DataLoaders of version history: for all the dashboards of a list, one
statement for their pages of revisions, one for the counts and one for the states asked for."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiodataloader import DataLoader

from app.context import RequestContext
from app.domain.revisions.reading import (
    RevisionPage,
    revision_counts,
    revision_pages,
    states_of,
)
from app.domain.revisions.snapshot import Snapshot
from app.graphql.errors import PublicQueryError
from app.graphql.request_reader import RequestReader

# (dashboard id, page size, below this version or None)
PageKey = tuple[int, int, int | None]
StateKey = tuple[int, int]  # (dashboard id, version)


class RevisionLoaders:
    """Callers check that the dashboards are visible before asking."""

    def __init__(self, ctx: RequestContext, reader: RequestReader) -> None:
        # Each snapshot is a whole dashboard: a list of dashboards with their revisions'
        # snapshots could otherwise ask for 100 x 100 of them.
        self._snapshots: set[StateKey] = set()
        self._max_snapshots = ctx.settings.revision_snapshots_per_request

        async def pages(keys: list[PageKey]) -> list[RevisionPage]:
            by_window: dict[tuple[int, int | None], set[int]] = defaultdict(set)
            for dashboard_id, limit, before in keys:
                by_window[(limit, before)].add(dashboard_id)
            found: dict[PageKey, RevisionPage] = {}
            async with reader.connection() as conn:
                for (limit, before), ids in by_window.items():
                    window = await revision_pages(conn, ctx, ids, limit=limit, before=before)
                    found.update({(i, limit, before): page for i, page in window.items()})
            return [found[key] for key in keys]

        async def counts(keys: list[int]) -> list[int]:
            async with reader.connection() as conn:
                found = await revision_counts(conn, ctx, keys)
            return [found.get(key, 0) for key in keys]

        async def states(keys: list[StateKey]) -> list[Snapshot | None]:
            by_dashboard: dict[int, set[int]] = defaultdict(set)
            for dashboard_id, version in keys:
                by_dashboard[dashboard_id].add(version)
            async with reader.connection() as conn:
                found = await states_of(conn, ctx, by_dashboard)
            return [found.get(key) for key in keys]

        self.page: DataLoader[PageKey, RevisionPage] = DataLoader(pages, max_batch_size=1000)
        self.count: DataLoader[int, int] = DataLoader(counts, max_batch_size=1000)
        self._state: DataLoader[StateKey, Any] = DataLoader(states, max_batch_size=1000)

    async def state(self, key: StateKey) -> Snapshot | None:
        """The dashboard's state at that version; refused past REVISION_SNAPSHOTS_PER_REQUEST
        snapshots a request."""
        self._snapshots.add(key)
        if len(self._snapshots) > self._max_snapshots:
            raise PublicQueryError(
                f"at most {self._max_snapshots} revision snapshots a request: ask for fewer "
                "revisions, or for their changes instead"
            )
        return await self._state.load(key)  # type: ignore[no-any-return]
