"""An operation of the matrix: how to call it against the victim, and the documented answer
for each caller that must not get through."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.isolation.answers import SEED_000, SEED_002, SEED_003, SEED_004
from tests.isolation.callers import (
    FOREIGN_HEADER,
    INACTIVE_READER,
    MEMBER_WITHOUT_EDIT,
    NON_OWNER_EDITOR,
    OTHER_TENANT,
    OTHER_TENANT_OWN_BOARD,
    ROLELESS_EDITOR,
    ROLELESS_READER,
    UNAUTHENTICATED_CALLERS,
    UNGRANTED_EDITOR,
    UNGRANTED_EDITOR_OWN_BOARD,
    UNGRANTED_READER,
)
from tests.isolation.victim import Board, Victim

GRAPHQL = "graphql"
DIALECTS = (GRAPHQL, SEED_000, SEED_002, SEED_003, SEED_004)

UNAUTHENTICATED = "401 UNAUTHENTICATED"
TENANT_FORBIDDEN = "403 TENANT_FORBIDDEN"


@dataclass(frozen=True)
class Gql:
    field: str  # the root field the document selects
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    is_query: bool = True


@dataclass(frozen=True)
class Rest:
    method: str
    url: str
    body: Any = None


Request = Gql | Rest


@dataclass(frozen=True)
class Op:
    """`build` names the victim's objects (the dashboard is the caller's seat's: the team
    board, or the private one for callers without a grant). `other_tenant` is the answer to
    another tenant's editor and admin; `same_tenant` the answers to the victim's members who
    lack a scope, role or grant; `members_may` says why there are none (every member may)."""

    dialect: str
    build: Callable[[Victim, Board], Request]
    other_tenant: str
    same_tenant: Mapping[str, str] = field(default_factory=dict)
    members_may: str = ""
    # Answers when the dashboard is one the caller may change but the parts named are not
    # (callers.MIXED); only for operations that name both.
    mixed: Mapping[str, str] = field(default_factory=dict)

    def expected(self) -> dict[str, str]:
        return {
            **dict.fromkeys(UNAUTHENTICATED_CALLERS, UNAUTHENTICATED),
            FOREIGN_HEADER: TENANT_FORBIDDEN,
            OTHER_TENANT: self.other_tenant,
            **self.same_tenant,
            **self.mixed,
        }


def fresh(name: str) -> str:
    """A name no other call used: a create that lands in the caller's own tenant must not be
    refused as a duplicate of an earlier cell's."""
    return f"{name} {uuid.uuid4().hex[:8]}"


def gql_query(field_name: str, document: str, **variables: Any) -> Gql:
    return Gql(field_name, document, variables)


def gql_mutation(name: str, input_type: str, selection: str, values: dict[str, Any]) -> Gql:
    document = (
        f"mutation M($input: {input_type}!) "
        f"{{ {name}(input: $input) {{ {selection} userErrors {{ field code message }} }} }}"
    )
    return Gql(name, document, {"input": values}, is_query=False)


# The answers of the victim's members, by what the operation needs.
def content_refusals(forbidden: str, not_found: str) -> dict[str, str]:
    """A change of a dashboard's content: `dashboard.edit` and seeing it."""
    return {
        MEMBER_WITHOUT_EDIT: forbidden,
        UNGRANTED_EDITOR: not_found,
        ROLELESS_EDITOR: not_found,
        INACTIVE_READER: not_found,  # unseen comes before forbidden
    }


def manage_refusals(forbidden: str, not_found: str) -> dict[str, str]:
    """Deleting or sharing a dashboard: its owner, an editor grant or an admin."""
    return {**content_refusals(forbidden, not_found), NON_OWNER_EDITOR: forbidden}


def read_refusals(not_visible: str, seen: str) -> dict[str, str]:
    """Reading one dashboard (or what hangs on it): seeing it. A member without
    dashboard.edit sees the team dashboard (`seen`), but not its public link."""
    return {
        UNGRANTED_READER: not_visible,
        UNGRANTED_EDITOR: not_visible,
        ROLELESS_READER: not_visible,
        ROLELESS_EDITOR: not_visible,
        INACTIVE_READER: not_visible,
        MEMBER_WITHOUT_EDIT: seen,
    }


def mixed_refusals(answer: str) -> dict[str, str]:
    """Naming parts of a dashboard the caller cannot see, from one they may change."""
    return {OTHER_TENANT_OWN_BOARD: answer, UNGRANTED_EDITOR_OWN_BOARD: answer}
