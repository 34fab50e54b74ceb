"""A dashboard's answer to a selection set, kept with the version it was read at.

What a dashboard shows of itself, its pages, cards (with their widgets) and grants is a
function of its version: every change to any of them bumps it, and a version is never reused
(version_cache.py). So once a query has answered a selection set of a dashboard at version V
(say, a page load's dashboard, pages, cards and shares), the next query that reads the
dashboard at V and selects the same gets that answer without resolving a field.

Only answers made of what the version covers are kept: plain attribute fields, and the
resolvers named in VERSIONED_RESOLVERS, all the way down; a field with arguments, the
dashboard's collection, public link or revisions, a card's page, and anything caller-dependent
are not covered, and a selection set holding one is answered as before. An answer is kept only
when it was built without an error, in a query, from content read at the dashboard's own
version (`GraphQLContext.read_elsewhere`). Who may see the dashboard was decided when its row
was read, by this request, so the kept answer is only ever given to a caller who sees it.

Kept in the version cache, under ("results", tenant id, dashboard id, version), at most
KEPT_SHAPES selection shapes per version; each version's entry counts as one item."""

from __future__ import annotations

from typing import Any

from app.graphql.version_cache import VersionCache

# Resolver fields whose answer is the dashboard's content at its version (plain attribute
# fields are covered without being named).
VERSIONED_RESOLVERS: dict[str, frozenset[str]] = {
    "Dashboard": frozenset({"pages", "cards", "shares", "parameters", "filters"}),
    "DashboardPage": frozenset({"cards"}),
}
# The types whose answers are kept: their objects carry `id` and `version`.
KEPT_TYPES = frozenset({"Dashboard"})
KEPT_SHAPES = 4


class KeptResults:
    """One dashboard version's answers, by selection shape."""

    __slots__ = ("by_shape",)

    def __init__(self) -> None:
        self.by_shape: dict[Any, dict[str, Any]] = {}

    def __len__(self) -> int:
        return 1

    def keep(self, shape: Any, result: dict[str, Any]) -> None:
        if len(self.by_shape) < KEPT_SHAPES:
            self.by_shape.setdefault(shape, result)


def kept_results(context: Any, type_name: str, source: Any) -> KeptResults | None:
    """Where answers about `source` (an object of `type_name`) are kept, or None when they
    are not (another type, no version cache, a source without a version)."""
    if type_name not in KEPT_TYPES:
        return None
    cache: VersionCache | None = getattr(context, "version_cache", None)
    dashboard_id, version = getattr(source, "id", None), getattr(source, "version", None)
    if cache is None or type(dashboard_id) is not int or type(version) is not int:
        return None
    key = ("results", context.request.tenant_id, dashboard_id, version)
    found = cache.get(key)
    if isinstance(found, KeptResults):
        return found
    kept = KeptResults()
    cache.put(key, kept)
    return kept


def may_keep(context: Any, source: Any) -> bool:
    """Whether an answer about `source` just built may be kept: its content was read at
    its version."""
    return source.id not in context.read_elsewhere
