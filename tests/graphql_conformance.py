"""Whether a GraphQL answer keeps the contract: a GraphQL-over-HTTP response (spec §7) whose
`data` has exactly the shape that the document's selections and the schema's types promise.

`problems()` returns what is wrong, in words, so a fuzzer can report every broken rule of one
answer at once. Abstract types are resolved by `__typename`: `with_typenames()` adds it to
every selection set of a document before it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    Visitor,
    visit,
)

# The message MaskErrors puts in place of an unexpected exception: a 500 in disguise.
MASKED_MESSAGE_PREFIX = "Unexpected error"

# The GraphQL-over-HTTP media types of an answer.
MEDIA_TYPES = ("application/json", "application/graphql-response+json")
_INT_RANGE = range(-(2**31), 2**31)
_TOP_LEVEL_KEYS = {"data", "errors", "extensions"}


class _AddTypename(Visitor):
    def leave_selection_set(self, node: SelectionSetNode, *_: Any) -> SelectionSetNode:
        typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
        return SelectionSetNode(selections=(*node.selections, typename))


def with_typenames(document: DocumentNode) -> DocumentNode:
    """The document with `__typename` selected in every selection set."""
    result: DocumentNode = visit(document, _AddTypename())
    return result


def problems(schema: GraphQLSchema, document: DocumentNode, status: int, body: object) -> list[str]:
    """Every way the answer (`status`, decoded JSON `body`) to `document` breaks the contract."""
    found: list[str] = []
    if status >= 500:
        found.append(f"HTTP {status}")
    if not isinstance(body, dict):
        return [*found, f"the body is not a JSON object: {body!r}"]
    if unknown := set(body) - _TOP_LEVEL_KEYS:
        found.append(f"unknown top-level keys {sorted(unknown)}")
    if "errors" in body:
        found.extend(_error_problems(body["errors"], coded=status != 200))
    elif "data" not in body:
        found.append("neither data nor errors")
    elif status != 200:
        found.append(f"HTTP {status} without errors")
    if body.get("data") is not None:
        found.extend(_masked_tile_errors(body["data"], "data"))
        operation = _operation(document)
        root = schema.get_root_type(operation.operation)
        assert root is not None
        checker = _ShapeChecker(schema, document)
        found.extend(checker.object(body["data"], root, [operation.selection_set], "data"))
    return found


def _masked_tile_errors(value: object, where: str) -> list[str]:
    """A rendered card's `error` with code INTERNAL is an unexpected exception in a tile,
    masked like MaskErrors masks a resolver's: a 500 in disguise."""
    if isinstance(value, list):
        return [
            p for i, item in enumerate(value) for p in _masked_tile_errors(item, f"{where}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    found = [p for k, v in value.items() for p in _masked_tile_errors(v, f"{where}.{k}")]
    error = value.get("error")
    if isinstance(error, dict) and error.get("code") == "INTERNAL":
        found.append(f"{where}.error is a masked unexpected error: {error!r}")
    return found


def _operation(document: DocumentNode) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, "one operation per document"
    return operations[0]


def _error_problems(errors: object, *, coded: bool) -> list[str]:
    if not isinstance(errors, list) or not errors:
        return [f"errors is not a non-empty list: {errors!r}"]
    found: list[str] = []
    for index, error in enumerate(errors):
        where = f"errors[{index}]"
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            found.append(f"{where} has no string message: {error!r}")
            continue
        if error["message"].startswith(MASKED_MESSAGE_PREFIX):
            found.append(f"{where} is a masked unexpected error: {error['message']!r}")
        if not _locations_valid(error.get("locations", [])):
            found.append(f"{where}.locations malformed: {error['locations']!r}")
        path = error.get("path", [])
        if not isinstance(path, list) or not all(isinstance(p, str | int) for p in path):
            found.append(f"{where}.path malformed: {path!r}")
        extensions = error.get("extensions", {})
        if not isinstance(extensions, dict):
            found.append(f"{where}.extensions is not an object: {extensions!r}")
        elif coded and not isinstance(extensions.get("code"), str):
            # An answer that is not a 200 comes from the transport or a limit: it has a code.
            found.append(f"{where} (HTTP error) has no extensions.code: {error!r}")
    return found


def _locations_valid(locations: object) -> bool:
    return isinstance(locations, list) and all(
        isinstance(loc, dict)
        and set(loc) == {"line", "column"}
        and all(isinstance(v, int) and v >= 1 for v in loc.values())
        for loc in locations
    )


class _ShapeChecker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def value(
        self,
        value: object,
        type_: GraphQLOutputType,
        selections: list[SelectionSetNode],
        where: str,
    ) -> list[str]:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                return [f"{where} is null but {type_} is non-null"]
            return self.value(value, type_.of_type, selections, where)
        if value is None:
            return []
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                return [f"{where} is not a list: {value!r}"]
            found: list[str] = []
            for index, item in enumerate(value):
                found.extend(self.value(item, type_.of_type, selections, f"{where}[{index}]"))
            return found
        if isinstance(type_, GraphQLScalarType):
            return [] if _scalar_fits(value, type_.name) else [f"{where}={value!r} is no {type_}"]
        if isinstance(type_, GraphQLEnumType):
            return [] if value in type_.values else [f"{where}={value!r} is not in {type_}"]
        if isinstance(type_, GraphQLAbstractType):
            return self.abstract(value, type_, selections, where)
        assert isinstance(type_, GraphQLObjectType)
        return self.object(value, type_, selections, where)

    def abstract(
        self,
        value: object,
        type_: GraphQLAbstractType,
        selections: list[SelectionSetNode],
        where: str,
    ) -> list[str]:
        if not isinstance(value, dict) or not isinstance(value.get("__typename"), str):
            return [f"{where} of {type_} has no __typename: {value!r}"]
        runtime = self.schema.get_type(value["__typename"])
        if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
            type_, runtime
        ):
            return [f"{where} is a {value['__typename']}, not a possible {type_}"]
        return self.object(value, runtime, selections, where)

    def object(
        self,
        value: object,
        type_: GraphQLObjectType,
        selections: list[SelectionSetNode],
        where: str,
    ) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where} is not an object: {value!r}"]
        fields = self.collect(type_, selections)
        found: list[str] = []
        if set(value) != set(fields):
            found.append(f"{where} has keys {sorted(value)}, selected {sorted(fields)}")
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if key not in value:
                continue
            if name == "__typename":
                if value[key] != type_.name:
                    found.append(f"{where}.{key}={value[key]!r}, expected {type_.name}")
                continue
            sub = [n.selection_set for n in nodes if n.selection_set is not None]
            found.extend(self.value(value[key], type_.fields[name].type, sub, f"{where}.{key}"))
        return found

    def collect(
        self, type_: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """The fields each response key of an object of `type_` merges (spec's CollectFields)."""
        fields: dict[str, list[FieldNode]] = {}
        pending: list[SelectionNode] = [s for ss in selection_sets for s in ss.selections]
        while pending:
            selection = pending.pop(0)
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment: InlineFragmentNode | FragmentDefinitionNode = self.fragments[
                    selection.name.value
                ]
            else:
                assert isinstance(selection, InlineFragmentNode)
                fragment = selection
            condition = fragment.type_condition
            if condition is None or self._applies(condition.name.value, type_):
                pending[:0] = list(fragment.selection_set.selections)
        return fields

    def _applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        target = self.schema.get_type(condition)
        if target is type_:
            return True
        return isinstance(target, GraphQLAbstractType) and self.schema.is_sub_type(target, type_)


def _scalar_fits(value: object, name: str) -> bool:
    if name == "Int":
        return type(value) is int and value in _INT_RANGE
    if name == "Float":
        return type(value) in (int, float)
    if name == "Boolean":
        return type(value) is bool
    if name in ("String", "ID"):
        return isinstance(value, str)
    if name == "DateTime":
        return isinstance(value, str) and _is_iso_datetime(value)
    return True  # JSON: any JSON value


def _is_iso_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
