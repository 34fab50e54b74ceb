"""The callers that must not get at the victim's data, and the dashboard each one acts on."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from tests.conftest import Caller, new_tenant
from tests.isolation.victim import EDITOR, OWNER, READER, Board, Victim

# Callers every operation is checked against, with the same documented answer everywhere.
NO_TOKEN = "no token"
EXPIRED = "expired token"
FOREIGN_HEADER = "other tenant's token naming the victim tenant"
# Another tenant's editor and admin, whose `sub` is the victim owner's, with the victim's ids.
OTHER_TENANT = "other tenant"
# Members of the victim tenant lacking what the operation needs.
MEMBER_WITHOUT_EDIT = "member without dashboard.edit"
NON_OWNER_EDITOR = "editor, not owner or admin"
UNGRANTED_EDITOR = "editor, private dashboard not granted"
UNGRANTED_READER = "member, private dashboard not granted"

UNIFORM = (NO_TOKEN, EXPIRED, FOREIGN_HEADER)
SAME_TENANT = (MEMBER_WITHOUT_EDIT, NON_OWNER_EDITOR, UNGRANTED_EDITOR, UNGRANTED_READER)
OUTSIDERS = (*UNIFORM, OTHER_TENANT)


@dataclass(frozen=True)
class Seat:
    """A caller's headers and the victim's dashboard the request names."""

    headers: dict[str, str]
    board: Board


def seat(kind: str, http: httpx.AsyncClient, victim: Victim, attacker_tenant: str) -> Seat:
    if kind == NO_TOKEN:
        return Seat({"X-Clarus-Subdomain": victim.tenant}, victim.board)
    board = victim.private if kind in (UNGRANTED_EDITOR, UNGRANTED_READER) else victim.board
    everything = (EDIT_SCOPE, ADMIN_SCOPE)
    if kind == EXPIRED:
        caller = Caller(http, victim.tenant, user=OWNER, scopes=everything, ttl=-100)
    elif kind == FOREIGN_HEADER:
        caller = Caller(http, new_tenant(), user=OWNER, scopes=everything)
        caller.headers["X-Clarus-Subdomain"] = victim.tenant
    elif kind == OTHER_TENANT:
        caller = Caller(http, attacker_tenant, user=OWNER, scopes=everything)
    else:
        user = READER if kind in (MEMBER_WITHOUT_EDIT, UNGRANTED_READER) else EDITOR
        caller = victim.member(http, user)
    return Seat(caller.headers, board)
