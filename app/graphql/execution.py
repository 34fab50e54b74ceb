"""An execution context that answers plain fields without graphql-core's per-field machinery.

Most fields of a dashboard read are plain attributes: a card's name, type and config, its
layout object and coordinates, its widget, and relay ids. graphql-core resolves each like any
other field (a resolve info, strawberry's resolver wrapper, an awaitable check, a completion
dispatch): about 2-3 µs a field, which for a 1,000-card dashboard is most of the request.

For a field whose resolver is strawberry's default attribute getter (no arguments, no field
extensions), the answer is known without any of that:
- a leaf or a list of leaves: `coerce_output_value(getattr(source, name))`;
- an object: its sub-selection executed on `getattr(source, name)`, as completion would;
- a relay `id` of a type that keeps strawberry's `resolve_id`/`resolve_typename`: the
  global id of the type's name and the id attribute.
This context computes exactly that, and hands every other field, and every value that could
end in an error (null for a non-null field, a value the scalar refuses, an object of another
type), to the standard path, so that errors and their paths stay the standard ones. A selection
set made only of such fields (a card with its layout and widget) is planned once per operation
into one function that builds its result for each item of a list.
`tests/test_plain_field_execution.py` checks the answers are the standard executor's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from math import isfinite
from typing import Any, cast
from weakref import WeakKeyDictionary, WeakValueDictionary

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.relay import Node
from strawberry.relay.utils import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# A plan's answer when the standard path must answer (and report the error, if any).
STANDARD_PATH: Any = object()


class _NotPlain(Exception):
    """The value is not one a plan may answer."""


_INT_RANGE = range(-(2**31), 2**31)

# For the built-in scalars: is the value already what serialising it would give? Then it is
# answered as it is (most leaves are), without the call into the scalar's serialiser.
_ALREADY_SERIALISED: dict[GraphQLLeafType, Callable[[Any], bool]] = {
    GraphQLString: lambda value: type(value) is str,
    GraphQLID: lambda value: type(value) is str,
    GraphQLBoolean: lambda value: type(value) is bool,
    GraphQLInt: lambda value: type(value) is int and value in _INT_RANGE,
    GraphQLFloat: lambda value: type(value) is float and isfinite(value),
}


def _serialiser(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """The leaf's serialisation, with a short cut for the values it answers most."""
    already_serialised = _ALREADY_SERIALISED.get(leaf)
    if already_serialised is not None:
        return lambda value: value if already_serialised(value) else _coerce(leaf, value)
    enum_class = getattr(leaf, "wrapped_cls", None)
    names = _enum_names(leaf, enum_class)
    if not names:
        return lambda value: _coerce(leaf, value)

    def serialise_member(value: Any) -> Any:
        # strawberry's enum serialiser searches its values for each one.
        name = names.get(value) if type(value) is enum_class else None
        return name if name is not None else _coerce(leaf, value)

    return serialise_member


def _enum_names(leaf: GraphQLLeafType, enum_class: Any) -> dict[Any, str]:
    """A strawberry enum's GraphQL names by Python member."""
    if not isinstance(leaf, GraphQLEnumType) or enum_class is None:
        return {}
    by_value = {value.value: name for name, value in leaf.values.items()}
    return {member: by_value[member.value] for member in enum_class if member.value in by_value}


@dataclass(frozen=True, slots=True)
class LeafPlan:
    attribute: str
    non_null: bool
    is_list: bool  # [Leaf!] or [Leaf!]!: each item serialised, none may be null
    serialise: Callable[[Any], Any]

    @classmethod
    def of(cls, attribute: str, leaf: GraphQLLeafType, non_null: bool, is_list: bool) -> LeafPlan:
        return cls(attribute, non_null, is_list, _serialiser(leaf))

    def answer(self, source: Any) -> Any:
        value = getattr(source, self.attribute)
        if value is None:
            if self.non_null:
                raise _NotPlain
            return None
        if not self.is_list:
            return self.serialise(value)
        if not isinstance(value, list | tuple):
            raise _NotPlain
        return [self.serialise(item) for item in value]


@dataclass(frozen=True, slots=True)
class GlobalIdPlan:
    type_name: str
    attribute: str

    def answer(self, source: Any) -> Any:
        value = getattr(source, self.attribute)
        if value is None:
            raise _NotPlain
        return to_base64(self.type_name, str(value))


@dataclass(frozen=True, slots=True)
class TypeNamePlan:
    type_name: str

    def answer(self, source: Any) -> Any:
        return self.type_name


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    attribute: str
    object_type: GraphQLObjectType
    field_type: GraphQLOutputType

    def value(self, source: Any) -> Any:
        """The object to complete, or None for a nullable field without one."""
        return self.checked(getattr(source, self.attribute))

    def checked(self, value: Any) -> Any:
        """`value` if it may complete as the field's object, None for a nullable null."""
        if value is None:
            if isinstance(self.field_type, GraphQLNonNull):
                raise _NotPlain
            return None
        # strawberry's is_type_of is an isinstance check that ignores its info argument.
        is_type_of = self.object_type.is_type_of
        if is_type_of is not None and is_type_of(value, None) is not True:  # type: ignore[arg-type]
            raise _NotPlain
        return value


Plan = LeafPlan | GlobalIdPlan | TypeNamePlan | ObjectPlan

_PLANS: WeakKeyDictionary[GraphQLObjectType, dict[str, Plan]] = WeakKeyDictionary()


def plans_for(object_type: GraphQLObjectType) -> dict[str, Plan]:
    """The object type's plain fields and how to answer them, by field name (computed once
    per type of a schema)."""
    plans = _PLANS.get(object_type)
    if plans is None:
        plans = {"__typename": TypeNamePlan(object_type.name)}
        for name, field in object_type.fields.items():
            plan = _plan(object_type, field)
            if plan is not None:
                plans[name] = plan
        _PLANS[object_type] = plans
    return plans


def _plan(object_type: GraphQLObjectType, field: GraphQLField) -> Plan | None:
    definition = field.extensions.get("strawberry-definition")
    if definition is None or field.args or definition.extensions:
        return None
    if getattr(field.resolve, "_is_default", False):
        return _attribute_plan(definition.python_name, field.type)
    return _global_id_plan(object_type, definition)


def _attribute_plan(attribute: str, field_type: GraphQLOutputType) -> Plan | None:
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return LeafPlan.of(attribute, inner, non_null, is_list=False)
    if isinstance(inner, GraphQLObjectType):
        return ObjectPlan(attribute, inner, field_type)
    if isinstance(inner, GraphQLList) and isinstance(inner.of_type, GraphQLNonNull):
        item = inner.of_type.of_type
        if isinstance(item, GraphQLScalarType | GraphQLEnumType):
            return LeafPlan.of(attribute, item, non_null, is_list=True)
    return None


def _global_id_plan(object_type: GraphQLObjectType, definition: Any) -> GlobalIdPlan | None:
    """Node's own `id` resolver, on a type that keeps Node's ways of naming itself."""
    resolver = definition.base_resolver
    origin = object_type.extensions.get("strawberry-definition")
    origin_class = getattr(origin, "origin", None)
    if (
        resolver is None
        or getattr(getattr(resolver, "wrapped_func", None), "__func__", None)
        is not _NODE_ID_RESOLVER
        or not isinstance(origin_class, type)
        or not issubclass(origin_class, Node)
        or origin_class.resolve_id.__func__ is not Node.resolve_id.__func__  # type: ignore[attr-defined]
        or origin_class.resolve_typename.__func__ is not Node.resolve_typename.__func__  # type: ignore[attr-defined]
        or not origin_class._id_attr
    ):
        return None
    return GlobalIdPlan(object_type.name, origin_class._id_attr)


def _node_id_resolver() -> Any:
    field = Node.__strawberry_definition__.fields[0]  # type: ignore[attr-defined]
    return field.base_resolver.wrapped_func.__func__


_NODE_ID_RESOLVER = _node_id_resolver()


def _coerce(leaf: GraphQLLeafType, value: Any) -> Any:
    coerced = leaf.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        raise _NotPlain
    return coerced


# A selection set whose every field has a plan: its result for one source, built in one call.
Build = Callable[[Any], dict[str, Any]]
# `_builder`'s answer for a selection set with a field that has no plan.
NOT_PLAIN: Any = object()


def _object_step(plan: ObjectPlan, build: Build) -> Callable[[Any], Any]:
    def step(source: Any) -> Any:
        value = plan.value(source)
        return None if value is None else build(value)

    return step


def _items_builder(item: ObjectPlan, build: Build) -> Callable[[Any], list[Any]]:
    """Each item checked as ObjectPlan.value checks a field's object, then built."""

    def build_items(items: Any) -> list[Any]:
        check = item.checked
        return [None if (value := check(each)) is None else build(value) for each in items]

    return build_items


class Shape:
    """What a selection set selects, alias by alias and nested, whatever the document it is
    in. Interned: equal shapes are one object, so a memo finds its entry by identity, and the
    nested tuple is hashed once, not at every lookup."""

    __slots__ = ("__weakref__", "_hash", "parts")

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Shape) and self.parts == other.parts)

    @classmethod
    def of(cls, parts: tuple[Any, ...]) -> Shape:
        return _SHAPES.setdefault(parts, cls(parts))


# Shapes in use: a shape lives while a memo or an operation's plan holds it.
_SHAPES: WeakValueDictionary[tuple[Any, ...], Shape] = WeakValueDictionary()

# An object with this attribute (a dict) never changes once made and is shared by requests
# (app/graphql/version_cache.py): what a selection set builds from it is kept there, by the
# selection's shape, for the next request that selects the same; at most MEMO_SHAPES shapes.
MEMO_ATTRIBUTE = "plain_memo"
MEMO_SHAPES = 4


def _selection_builder(steps: list[tuple[str, Callable[[Any], Any]]], shape: Shape) -> Build:
    def build(source: Any) -> dict[str, Any]:
        memo: dict[Shape, dict[str, Any]] | None = getattr(source, MEMO_ATTRIBUTE, None)
        if memo is not None:
            kept = memo.get(shape)
            if kept is not None:
                return kept
        built = {name: step(source) for name, step in steps}
        if memo is not None and len(memo) < MEMO_SHAPES:
            memo[shape] = built
        return built

    return build


def _built(build: Build, source: Any) -> Any:
    try:
        return build(source)
    except Exception:  # any doubt (null, a refused value): the standard path answers
        return STANDARD_PATH


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Selection sets made only of plain fields (a card: its ids, layout, type, name, config
    and widget) are built by one function per selection set, planned once per request; other
    selection sets go field by field, plain fields still answered directly."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self._plain_allowed():
            build = self._builder(parent_type, grouped_field_set)
            if build is not NOT_PLAIN:
                built = _built(build, source_value)
                if built is not STANDARD_PATH:
                    return cast(dict[str, Any], built)
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """A list of objects whose selection set is plain (a page's cards) is built item by
        item in one call, without graphql-core's completion of each item."""
        if self._plain_allowed() and isinstance(result, list | tuple):
            build = self._list_builder(return_type, field_details_list)
            if build is not NOT_PLAIN:
                built = _built(build, result)
                if built is not STANDARD_PATH:
                    return cast(list[Any], built)
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _list_builder(
        self, return_type: GraphQLList[GraphQLOutputType], field_details_list: FieldDetailsList
    ) -> Any:
        item_type: Any = return_type.of_type
        if isinstance(item_type, GraphQLNonNull):
            item_type = item_type.of_type
        # @stream and the like are for graphql-core to honour.
        if not isinstance(item_type, GraphQLObjectType) or any(
            details.node.directives for details in field_details_list
        ):
            return NOT_PLAIN
        sub_fields, new_defer_usages, _ = self.collect_subfields(item_type, field_details_list)
        if new_defer_usages:
            return NOT_PLAIN
        build = self._builder(item_type, sub_fields)
        if build is NOT_PLAIN:
            return NOT_PLAIN
        return _items_builder(ObjectPlan("", item_type, return_type.of_type), build)

    def _plain_allowed(self) -> bool:
        # Field middleware (a schema extension's `resolve` hook) must see every field;
        # strawberry always passes a manager, empty when no extension has such a hook.
        manager = self.middleware_manager
        return manager is None or not manager.middlewares

    def _builder(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Any:
        """The selection set's builder, or NOT_PLAIN."""
        return self._planned(parent_type, grouped_field_set)[0]

    def _planned(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[Any, Shape | None]:
        """The selection set's builder and shape (NOT_PLAIN, None), memoized for this
        operation."""
        planned: tuple[Any, Shape | None] = self._memoized(
            "plans", grouped_field_set, lambda: self._plan_selection(parent_type, grouped_field_set)
        )
        return planned

    def _memoized(
        self, table: str, grouped_field_set: GroupedFieldSet, compute: Callable[[], Any]
    ) -> Any:
        """`compute()` for this selection set, once per operation: memoized on the identity of
        the grouped field set, which graphql-core memoizes."""
        tables: dict[str, dict[int, tuple[GroupedFieldSet, Any]]] | None = getattr(
            self, "_selection_memos", None
        )
        if tables is None:
            tables = {}
            self._selection_memos = tables
        memo = tables.setdefault(table, {})
        cached = memo.get(id(grouped_field_set))
        if cached is None:
            # The set is kept alive with its value, so that its id cannot be reused.
            cached = memo[id(grouped_field_set)] = (grouped_field_set, compute())
        return cached[1]

    def _plan_selection(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[Any, Shape | None]:
        """The selection set's builder and shape, or NOT_PLAIN."""
        plans = plans_for(parent_type)
        steps: list[tuple[str, Callable[[Any], Any]]] = []
        parts: list[Any] = [parent_type.name]
        for response_name, field_details_list in grouped_field_set.items():
            field_name = field_details_list[0].node.name.value
            plan = plans.get(field_name)
            if plan is None:
                return NOT_PLAIN, None
            if not isinstance(plan, ObjectPlan):
                steps.append((response_name, plan.answer))
                parts.append((response_name, field_name))
                continue
            sub_fields, new_defer_usages, _ = self.collect_subfields(
                plan.object_type, field_details_list
            )
            if new_defer_usages:
                return NOT_PLAIN, None
            sub_build, sub_shape = self._planned(plan.object_type, sub_fields)
            if sub_build is NOT_PLAIN:
                return NOT_PLAIN, None
            steps.append((response_name, _object_step(plan, sub_build)))
            parts.append((response_name, field_name, sub_shape))
        shape = Shape.of(tuple(parts))
        return _selection_builder(steps, shape), shape

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._plain_allowed():
            plan = plans_for(parent_type).get(field_details_list[0].node.name.value)
            if plan is not None:
                answer = self._answer(plan, source, field_details_list, path, position_context)
                if answer is not STANDARD_PATH:
                    return answer
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _answer(
        self,
        plan: Plan,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if not isinstance(plan, ObjectPlan):
            try:
                return plan.answer(source)
            except Exception:  # a missing attribute, a refused value: the standard path's
                return STANDARD_PATH
        try:
            value = plan.value(source)
        except Exception:  # the standard path reports it
            return STANDARD_PATH
        if value is None:
            return None
        # As complete_object_value after its type check, with execute_field's error handling.
        try:
            completed = self.collect_and_execute_subfields(
                plan.object_type, field_details_list, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._completed_later(completed, plan.field_type, field_details_list, path)
        return completed

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> AwaitableOrValue[Any]:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
