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
A field added to these types whose value depends on the caller, or on rows whose changes do
not bump the dashboard's version, must be a resolver left out of VERSIONED_RESOLVERS: a plain
attribute field is covered without being named.

Kept in the version cache, under ("results", tenant id, dashboard id, version), at most
KEPT_SHAPES selection shapes per version; each version's entry counts as one item. The
schema's execution context (KeptAnswerExecutionContext) is the plain-field one of
execution.py with this on top."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from weakref import ref

from graphql import GraphQLObjectType, OperationDefinitionNode, OperationType, get_named_type
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path

from app.graphql.execution import (
    NOT_PLAIN,
    ObjectPlan,
    PlainFieldExecutionContext,
    Shape,
    plans_for,
)
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
# Selection sets whose shape is kept per operation (_ShapesByOperation); past it, worked out
# per request.
SHAPES_PER_OPERATION = 256


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


def _kept_results_for(context: Any, source: Any) -> KeptResults | None:
    """Where answers about `source` (an object of a KEPT_TYPES type) are kept, or None when
    they are not (no version cache, a source without a version)."""
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


def _may_keep(context: Any, source: Any) -> bool:
    """Whether an answer about `source` just built may be kept: its content was read at
    its version."""
    return source.id not in context.read_elsewhere


class _ShapesByOperation:
    """The versioned shape of each selection set of an operation, by `_selection_at`, shared by
    the executions of the operation (the parser cache gives the same document, so the same
    operation node, to every request sending the same text): working it out means collecting
    every nested selection set, which on a page load costs more than the rest of a kept
    answer. Forgotten with the operation node."""

    def __init__(self) -> None:
        self._tables: dict[int, tuple[ref[OperationDefinitionNode], dict[Any, Any]]] = {}

    def of(self, operation: OperationDefinitionNode) -> dict[Any, Shape | None]:
        key = id(operation)
        entry = self._tables.get(key)
        if entry is None or entry[0]() is not operation:

            def forget(_: Any) -> None:
                self._tables.pop(key, None)

            entry = (ref(operation, forget), {})
            self._tables[key] = entry
        return entry[1]


_SHAPES_BY_OPERATION = _ShapesByOperation()


class KeptAnswerExecutionContext(PlainFieldExecutionContext):
    """The plain-field execution context, plus kept answers: a selection set of a dashboard
    that is not plain is answered from the kept answer for its version and shape, or resolved
    and kept."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        # A plain selection set is built in one call anyway: nothing to keep.
        if self._plain_allowed() and self._builder(parent_type, grouped_field_set) is NOT_PLAIN:
            kept = self._kept_results(parent_type, source_value, path, grouped_field_set)
            if kept is not None:
                return self._from_kept(
                    *kept, parent_type, source_value, path, grouped_field_set, position_context
                )
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _kept_results(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
    ) -> tuple[KeptResults, Shape] | None:
        """Where this selection set's answer about `source` is kept (versioned_results.py),
        and its shape; None when it is not kept."""
        if (
            self.operation.operation is not OperationType.QUERY
            or parent_type.name not in KEPT_TYPES
        ):
            return None
        where = self._selection_at(parent_type, path)
        shapes = _SHAPES_BY_OPERATION.of(self.operation)
        if where is not None and where in shapes:
            shape = shapes[where]
        else:
            shape = self._versioned_shape(parent_type, grouped_field_set)
            # Bounded: with directives, each set of variables is a place of its own.
            if where is not None and len(shapes) < SHAPES_PER_OPERATION:
                shapes[where] = shape
        if shape is None:
            return None
        # Only now: a selection that is not kept must not file an empty entry in the cache.
        kept = _kept_results_for(self.context_value, source)
        return None if kept is None else (kept, shape)

    def _selection_at(self, parent_type: GraphQLObjectType, path: Path | None) -> Any:
        """What names this selection set in every execution of the operation: the response
        keys leading to it (list indices left out) and the type, plus the variables when the
        document may have directives reading them; None when the variables cannot be a key."""
        keys: list[Any] = [parent_type.name]
        while path is not None:
            if type(path.key) is str:
                keys.append(path.key)
            path = path.prev
        location = self.operation.loc
        if location is None or "@" in location.source.body:
            try:
                variables = tuple(sorted(self.variable_values.coerced.items()))
                hash(variables)
            except TypeError:  # a list or an object among them
                return None
            keys.append(variables)
        return tuple(keys)

    def _from_kept(
        self,
        kept: KeptResults,
        shape: Shape,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        found = kept.by_shape.get(shape)
        if found is not None:
            return found
        completed = super().execute_fields(
            parent_type, source, path, grouped_field_set, position_context
        )
        if self.is_awaitable(completed):
            return self._kept_when_done(completed, kept, shape, source)
        self._keep(kept, shape, completed, source)
        return completed

    async def _kept_when_done(
        self, completed: Awaitable[dict[str, Any]], kept: KeptResults, shape: Shape, source: Any
    ) -> dict[str, Any]:
        result = await completed
        self._keep(kept, shape, result, source)
        return result

    def _keep(self, kept: KeptResults, shape: Shape, result: Any, source: Any) -> None:
        # Any error so far, here or elsewhere in the operation: nothing is kept.
        if not self.collected_errors.errors and _may_keep(self.context_value, source):
            kept.keep(shape, result)

    def _versioned_shape(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Shape | None:
        """The selection set's shape when its every field, all the way down, is covered by
        the dashboard's version (versioned_results.py); else None. Memoized for this
        operation."""
        shape: Shape | None = self._memoized(
            "versioned shapes",
            grouped_field_set,
            lambda: self._shape_if_versioned(parent_type, grouped_field_set),
        )
        return shape

    def _shape_if_versioned(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Shape | None:
        plans = plans_for(parent_type)
        resolvers = VERSIONED_RESOLVERS.get(parent_type.name, frozenset())
        parts: list[Any] = ["versioned", parent_type.name]
        for response_name, field_details_list in grouped_field_set.items():
            if any(details.node.directives for details in field_details_list):
                return None  # @stream, @defer and the like: graphql-core's to honour
            field_name = field_details_list[0].node.name.value
            plan = plans.get(field_name)
            if plan is None and field_name in resolvers and not parent_type.fields[field_name].args:
                named = get_named_type(parent_type.fields[field_name].type)
            elif isinstance(plan, ObjectPlan):
                named = plan.object_type
            elif plan is not None:
                parts.append((response_name, field_name))
                continue
            else:
                return None
            if not isinstance(named, GraphQLObjectType):
                parts.append((response_name, field_name))
                continue
            sub_fields, new_defer_usages, _ = self.collect_subfields(named, field_details_list)
            sub_shape = None if new_defer_usages else self._versioned_shape(named, sub_fields)
            if sub_shape is None:
                return None
            parts.append((response_name, field_name, sub_shape))
        return Shape.of(tuple(parts))
