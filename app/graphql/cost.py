"""Query cost: an estimate of the work a document asks for, refused above a limit before it runs.

Every selected field costs 1. A list field multiplies the cost of its selections by the number
of items it may return: its `first`/`last` argument (a literal or a variable), else the
argument's default or the default page size, capped by the maximum page size; a list without
such arguments by an assumed list size. A connection's `first`/`last` sizes its `edges` and
`nodes`. Fragments and inline fragments count wherever they are spread. An introspection field
(`__schema`, `__type`) costs 1 with everything under it: its size is the schema's, not the data's.

A document is compiled once into a plan (its cost as a function of the variables) and the plan
is cached by document text; a request only evaluates the plan with its own variables."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
)
from graphql.type.definition import GraphQLField
from strawberry.extensions import SchemaExtension

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
_PAGE_ARGUMENTS = ("first", "last")

# How many items a list holds: a number, or (variable, the number when the variable is unset).
Size = int | tuple[str, int]


@dataclass(frozen=True)
class CostLimits:
    max_cost: int
    page_size_default: int
    page_size_max: int
    list_size: int  # assumed for a list field that takes no first/last

    def clamp(self, size: int) -> int:
        return max(0, min(size, self.page_size_max))


@dataclass(eq=False)
class Plan:
    """`fixed` plus, for each (size, plan) in `scaled`, size times that plan's cost."""

    fixed: int = 0
    scaled: list[tuple[Size, Plan]] = field(default_factory=list)


class CostEstimator:
    """One per schema: compiles and caches plans, evaluates them per request."""

    def __init__(self, limits: CostLimits, cache_size: int = 512) -> None:
        self.limits = limits
        self._cache_size = cache_size
        self._plans: OrderedDict[tuple[str, str | None], Plan] = OrderedDict()

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None = None,
        source: str | None = None,
    ) -> int:
        """The estimated cost of running `operation_name` of `document` (whose text is
        `source`, the cache key) with `variables`. One estimator serves one schema."""
        plan = self._plan(schema, document, operation_name, source)
        return _evaluate(plan, variables or {}, self.limits, {})

    def _plan(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        source: str | None,
    ) -> Plan:
        if source is None:
            return _Compiler(schema, document, self.limits).operation(operation_name)
        key = (source, operation_name)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        plan = _Compiler(schema, document, self.limits).operation(operation_name)
        self._plans[key] = plan
        if len(self._plans) > self._cache_size:
            self._plans.popitem(last=False)
        return plan


def _evaluate(
    plan: Plan, variables: Mapping[str, Any], limits: CostLimits, memo: dict[int, int]
) -> int:
    # Fragment plans are shared by every spread: memoised, so evaluation stays linear.
    known = memo.get(id(plan))
    if known is not None:
        return known
    total = plan.fixed
    for size, child in plan.scaled:
        count = _size_value(size, variables, limits)
        if count:
            total += count * _evaluate(child, variables, limits, memo)
    memo[id(plan)] = total
    return total


def _size_value(size: Size, variables: Mapping[str, Any], limits: CostLimits) -> int:
    if isinstance(size, int):
        return size
    name, fallback = size
    value = variables.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return limits.clamp(value)
    return fallback


class _Compiler:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: CostLimits) -> None:
        self.schema = schema
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        self.variable_defaults: dict[str, ValueNode | None] = {}
        self._fragment_plans: dict[tuple[str, Size | None], Plan] = {}

    def operation(self, name: str | None) -> Plan:
        operation = next(
            (o for o in self.operations if name is None or (o.name and o.name.value == name)),
            None,
        )
        if operation is None:
            return Plan()
        self.variable_defaults = {
            v.variable.name.value: v.default_value for v in operation.variable_definitions or ()
        }
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return Plan()
        return self.selection_set(operation.selection_set, root, None)

    def selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, page: Size | None
    ) -> Plan:
        plan = Plan()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, page, plan)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                inline = self.selection_set(selection.selection_set, target or parent, page)
                _merge(plan, inline)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragment(selection.name.value, page)
                if fragment is not None:
                    plan.scaled.append((1, fragment))
        return plan

    def fragment(self, name: str, page: Size | None) -> Plan | None:
        key = (name, page)
        if key in self._fragment_plans:
            return self._fragment_plans[key]
        definition = self.fragments.get(name)
        if definition is None:
            return None
        target = self.schema.get_type(definition.type_condition.name.value)
        if target is None:
            return None
        plan = self.selection_set(definition.selection_set, target, page)
        self._fragment_plans[key] = plan
        return plan

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, page: Size | None, plan: Plan
    ) -> None:
        plan.fixed += 1
        if node.selection_set is None or node.name.value.startswith("__"):
            return
        definition = _field_definition(parent, node.name.value)
        if definition is None:
            return
        own_page = self.page_size(node, definition)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            size = own_page if own_page is not None else page
            children = self.selection_set(node.selection_set, get_named_type(definition.type), None)
            plan.scaled.append((self.limits.list_size if size is None else size, children))
            return
        # An object: with first/last it is a connection, whose page sizes its edges and nodes.
        children = self.selection_set(node.selection_set, get_named_type(definition.type), own_page)
        _merge(plan, children)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> Size | None:
        names = [n for n in _PAGE_ARGUMENTS if n in definition.args]
        if not names:
            return None
        given = {a.name.value: a.value for a in node.arguments or () if a.name.value in names}
        for name in names:
            if name in given:
                return self.value_size(given[name], self.argument_default(definition, name))
        return self.argument_default(definition, names[0])

    def argument_default(self, definition: GraphQLField, name: str) -> int:
        default = definition.args[name].default_value
        if isinstance(default, int) and not isinstance(default, bool):
            return self.limits.clamp(default)
        return self.limits.page_size_default

    def value_size(self, value: ValueNode, fallback: int) -> Size:
        if isinstance(value, IntValueNode):
            return self.limits.clamp(int(value.value))
        if isinstance(value, VariableNode):
            name = value.name.value
            default = self.variable_defaults.get(name)
            if isinstance(default, IntValueNode):
                fallback = self.limits.clamp(int(default.value))
            return (name, fallback)
        return fallback  # null: the argument's default applies


def _field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        definition: GraphQLField | None = parent.fields.get(name)
        return definition
    return None


def _merge(into: Plan, other: Plan) -> None:
    into.fixed += other.fixed
    into.scaled.extend(other.scaled)


def too_complex(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The query's estimated cost is {cost}, above the limit of {limit}. Ask for smaller"
        " pages (first/last), fewer nested lists or fewer fields, or split the query.",
        extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "maxCost": limit},
    )


class CostLimiter(SchemaExtension):
    """Refuses an operation whose estimated cost is above the limit, after validation (so the
    document is known to be valid) and before execution (when the variables are known)."""

    def __init__(self, estimator: CostEstimator, *, report: bool = False) -> None:
        self.estimator = estimator
        self.report = report  # the cost in the response's extensions
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            self.cost = self.estimator.cost(
                context.schema._schema,
                document,
                context.variables,
                context.operation_name,
                context.query,
            )
            limit = self.estimator.limits.max_cost
            if self.cost > limit:
                context.result = ExecutionResult(data=None, errors=[too_complex(self.cost, limit)])
        yield

    def get_results(self) -> dict[str, Any]:
        if not self.report or self.cost is None:
            return {}
        return {"cost": {"estimated": self.cost, "limit": self.estimator.limits.max_cost}}
