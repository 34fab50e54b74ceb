"""Depth and alias limits as validation rules that stay linear in the document's size.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk into a fragment again at every spread,
so a document of 30 fragments that each spread the next twice (a few hundred bytes, well under
the token limit) takes 2^30 steps: one request holds a worker for hours. These rules give the
same answers and messages but measure each fragment once. Introspection fields (`__schema`,
`__type`) do not count towards the depth, as in strawberry."""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

# A measure of a selection set: of a field (given the measure of its selections), and a fold.
_FieldMeasure = Callable[[FieldNode, int | None], int]


class _Measure:
    """Folds a measure over selection sets, each fragment measured once (memoised)."""

    def __init__(
        self, document: DocumentNode, field: _FieldMeasure, combine: Callable[[list[int]], int]
    ) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.field = field
        self.combine = combine
        self.memo: dict[str, int] = {}

    def selection_set(self, selection_set: SelectionSetNode) -> int:
        parts: list[int] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = (
                    self.selection_set(selection.selection_set) if selection.selection_set else None
                )
                parts.append(self.field(selection, inner))
            elif isinstance(selection, InlineFragmentNode):
                parts.append(self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                parts.append(self.fragment(selection.name.value))
        return self.combine(parts)

    def fragment(self, name: str) -> int:
        if name in self.memo:
            return self.memo[name]
        self.memo[name] = 0  # a cycle (refused by NoFragmentCycles) counts nothing
        definition = self.fragments.get(name)
        if definition is not None:
            self.memo[name] = self.selection_set(definition.selection_set)
        return self.memo[name]


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _depth_of_field(field: FieldNode, inner: int | None) -> int:
    if inner is None or field.name.value.startswith("__"):
        return 0
    return 1 + inner


def _aliases_of_field(field: FieldNode, inner: int | None) -> int:
    return (1 if field.alias else 0) + (inner or 0)


def depth_limit(max_depth: int) -> type[ValidationRule]:
    """Refuses an operation whose fields nest deeper than `max_depth` (top-level fields are
    at depth 0)."""

    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measure = _Measure(context.document, _depth_of_field, lambda d: max(d, default=0))
            for operation in _operations(context.document):
                if measure.selection_set(operation.selection_set) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    message = f"'{name}' exceeds maximum operation depth of {max_depth}"
                    context.report_error(GraphQLError(message, operation))

    return DepthLimit


def alias_limit(max_aliases: int) -> type[ValidationRule]:
    """Refuses a document with more than `max_aliases` aliased fields, counting a fragment's
    aliases at every spread (so fragments cannot multiply aliases unseen)."""

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            measure = _Measure(context.document, _aliases_of_field, sum)
            total = sum(
                measure.selection_set(o.selection_set) for o in _operations(context.document)
            )
            if total > max_aliases:
                context.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))

    return AliasLimit
