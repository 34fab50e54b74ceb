"""examples/operations holds a document for every feature a front end uses. Each must validate
against schema.graphql (so a schema change that breaks a front end fails here first), every
Query, Mutation and Subscription field must be used by one of them, and deprecations must say
when the field goes away."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
    visit,
)
from graphql.language import Visitor

from tests.conftest import REPO

OPERATIONS = REPO / "examples" / "operations"
# `@deprecated(reason: "... Removal: 2027-06-30.")`: a reason and a date clients can plan for.
DEPRECATION_REASON = re.compile(r"\S.*Removal: \d{4}-\d{2}-\d{2}\.?$")


def _schema() -> GraphQLSchema:
    return build_schema((REPO / "schema.graphql").read_text())


def _document() -> DocumentNode:
    files = sorted(OPERATIONS.glob("*.graphql"))
    return parse("\n".join(path.read_text() for path in files))


def _files() -> list[Path]:
    return sorted(OPERATIONS.glob("*.graphql"))


def test_there_are_example_operations() -> None:
    assert len(_files()) >= 5


@pytest.mark.parametrize("path", _files(), ids=lambda path: path.name)
def test_each_file_parses(path: Path) -> None:
    parse(path.read_text())


def test_the_operations_validate_against_the_schema() -> None:
    errors = validate(_schema(), _document())
    assert not errors, "\n".join(str(error) for error in errors)


def test_operation_names_are_present_and_unique() -> None:
    names = [
        definition.name.value if definition.name else None
        for definition in _document().definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    assert None not in names, "every example operation needs a name"
    assert len(names) == len(set(names)), "operation names must be unique across the folder"


def test_every_root_field_has_an_example() -> None:
    schema = _schema()
    used: set[tuple[str, str]] = set()
    for definition in _document().definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = definition.operation.value.capitalize()
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode):
                used.add((root, selection.name.value))
    declared = {
        (root_type.name, name)
        for root_type in (schema.query_type, schema.mutation_type, schema.subscription_type)
        if root_type is not None
        for name in root_type.fields
    }
    missing = sorted(f"{root}.{name}" for root, name in declared - used)
    assert not missing, f"fields without an example operation: {missing}"


def _deprecations_without_removal_date(sdl: str) -> list[str]:
    bad: list[str] = []

    class Deprecations(Visitor):
        def enter_directive(self, node, *_args):  # type: ignore[no-untyped-def]
            if node.name.value != "deprecated":
                return
            reason = next(
                (arg.value.value for arg in node.arguments or () if arg.name.value == "reason"),
                None,
            )
            if not reason or not DEPRECATION_REASON.match(reason):
                bad.append(sdl[node.loc.start : node.loc.end])

    visit(parse(sdl), Deprecations())
    return bad


def test_deprecations_give_a_reason_and_a_removal_date() -> None:
    bad = _deprecations_without_removal_date((REPO / "schema.graphql").read_text())
    assert not bad, f"deprecations without 'Removal: YYYY-MM-DD.' in the reason: {bad}"


def test_the_deprecation_rule_tells_good_from_bad() -> None:
    sdl = """
    type Query {
      a: Int @deprecated(reason: "Use b. Removal: 2027-06-30.")
      b: Int @deprecated(reason: "Use c.")
      c: Int @deprecated
      d: Int
    }
    """
    assert _deprecations_without_removal_date(sdl) == [
        '@deprecated(reason: "Use c.")',
        "@deprecated",
    ]
