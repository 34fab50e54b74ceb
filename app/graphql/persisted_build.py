"""Building the persisted-operations manifest from a folder of `.graphql` files: one persisted
document per named operation, holding the operation and the fragments it uses (from any file),
each validated against the schema, identified by the SHA-256 of its exact text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    Visitor,
    parse,
    validate,
    visit,
)

from app.graphql.persisted import (
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    PersistedOperation,
    sha256_document_id,
)


class BuildError(Exception):
    """What is wrong with the documents, one line per problem."""


@dataclass(frozen=True)
class _Definition:
    name: str
    text: str  # exactly as written in its file
    where: str
    spreads: frozenset[str]


def build_manifest(directory: Path, schema: GraphQLSchema) -> dict[str, Any]:
    """The manifest (JSON-ready) of every operation in the `.graphql` files under
    `directory`; BuildError lists every problem found."""
    files = sorted(directory.rglob("*.graphql"))
    if not files:
        raise BuildError(f"no .graphql files under {directory}")
    problems: list[str] = []
    operations: dict[str, tuple[_Definition, str]] = {}
    fragments: dict[str, _Definition] = {}
    for path in files:
        _collect(path, operations, fragments, problems)
    persisted = [
        _persist(operation, kind, fragments, schema, problems)
        for operation, kind in operations.values()
    ]
    if problems:
        raise BuildError("\n".join(problems))
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "operations": [p.as_json() for p in sorted(persisted, key=lambda p: p.name)],
    }


def _collect(
    path: Path,
    operations: dict[str, tuple[_Definition, str]],
    fragments: dict[str, _Definition],
    problems: list[str],
) -> None:
    source = path.read_text(encoding="utf-8")
    try:
        document = parse(source)
    except GraphQLError as error:
        problems.append(f"{path}: {error.message} ({_position(error)})")
        return
    for definition in document.definitions:
        assert definition.loc is not None
        line = definition.loc.start_token.line
        where = f"{path}:{line}"
        text = source[definition.loc.start : definition.loc.end]
        spreads = frozenset(_spreads(definition))
        if isinstance(definition, FragmentDefinitionNode):
            name = definition.name.value
            if name in fragments:
                problems.append(
                    f"{where}: fragment {name} is also defined at {fragments[name].where}"
                )
            fragments[name] = _Definition(name, text, where, spreads)
        elif isinstance(definition, OperationDefinitionNode):
            if definition.name is None:
                problems.append(f"{where}: an operation needs a name to be persisted")
                continue
            name = definition.name.value
            if name in operations:
                problems.append(
                    f"{where}: operation {name} is also defined at {operations[name][0].where}"
                )
            operations[name] = (_Definition(name, text, where, spreads), definition.operation.value)
        else:
            problems.append(f"{where}: only operations and fragments can be persisted")


def _persist(
    operation: _Definition,
    kind: str,
    fragments: dict[str, _Definition],
    schema: GraphQLSchema,
    problems: list[str],
) -> PersistedOperation:
    used = _fragments_used(operation, fragments, problems)
    known = sorted(used & fragments.keys())
    body = "\n\n".join([operation.text, *(fragments[name].text for name in known)])
    if len(known) == len(used):  # an unknown fragment is reported already
        problems.extend(
            f"{operation.where}: {operation.name}: {error.message}"
            for error in validate(schema, parse(body))
        )
    return PersistedOperation(sha256_document_id(body), operation.name, kind, body)


def _fragments_used(
    operation: _Definition, fragments: dict[str, _Definition], problems: list[str]
) -> set[str]:
    used: set[str] = set()
    pending = list(operation.spreads)
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        fragment = fragments.get(name)
        if fragment is None:
            problems.append(f"{operation.where}: {operation.name} uses unknown fragment {name}")
            continue
        pending.extend(fragment.spreads)
    return used


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _spreads(definition: Any) -> set[str]:
    collector = _SpreadCollector()
    visit(DocumentNode(definitions=(definition,)), collector)
    return collector.names


def _position(error: GraphQLError) -> str:
    if error.locations:
        location = error.locations[0]
        return f"line {location.line}, column {location.column}"
    return "unknown position"
