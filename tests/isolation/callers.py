"""The callers that must not get at the victim's data, and the dashboard each one acts on."""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx
import jwt

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, mint_token
from tests.conftest import Caller, new_tenant
from tests.isolation.victim import EDITOR, OWNER, READER, Board, Victim

# Callers every operation is checked against, with the same documented answer everywhere.
NO_TOKEN = "no token"
EXPIRED = "expired token"
FORGED = "token signed with another key"
UNSIGNED = "unsigned token (alg none)"
FOREIGN_HEADER = "other tenant's token naming the victim tenant"
# Another tenant's editor and admin, whose `sub` is the victim owner's, with the victim's ids;
# and the same acting on a dashboard of its own that names the victim's cards, grants and
# widgets.
OTHER_TENANT = "other tenant"
OTHER_TENANT_OWN_BOARD = "other tenant, own dashboard, victim's parts"
# Members of the victim tenant lacking what the operation needs.
MEMBER_WITHOUT_EDIT = "member without dashboard.edit"
NON_OWNER_EDITOR = "editor, not owner or admin"
UNGRANTED_EDITOR = "editor, private dashboard not granted"
UNGRANTED_READER = "member, private dashboard not granted"
ROLELESS_EDITOR = "editor, role-restricted dashboard, no role"
ROLELESS_READER = "member, role-restricted dashboard, no role"
INACTIVE_READER = "member without dashboard.edit, inactive dashboard"
# An editor acting on a dashboard of their own, naming the private dashboard's cards, grants
# and widgets.
UNGRANTED_EDITOR_OWN_BOARD = "editor, own dashboard, private dashboard's parts"

WRONG_KEY = "a-key-the-service-does-not-have-" + "y" * 16

UNAUTHENTICATED_CALLERS = (NO_TOKEN, EXPIRED, FORGED, UNSIGNED)
UNIFORM = (*UNAUTHENTICATED_CALLERS, FOREIGN_HEADER)
SAME_TENANT = (
    MEMBER_WITHOUT_EDIT,
    NON_OWNER_EDITOR,
    UNGRANTED_EDITOR,
    UNGRANTED_READER,
    ROLELESS_EDITOR,
    ROLELESS_READER,
    INACTIVE_READER,
)
# Members without dashboard.edit.
READERS = (MEMBER_WITHOUT_EDIT, UNGRANTED_READER, ROLELESS_READER, INACTIVE_READER)
MIXED = (OTHER_TENANT_OWN_BOARD, UNGRANTED_EDITOR_OWN_BOARD)
OUTSIDERS = (*UNIFORM, OTHER_TENANT, OTHER_TENANT_OWN_BOARD)


@dataclass(frozen=True)
class Seat:
    """A caller's headers and the victim's dashboard the request names."""

    headers: dict[str, str]
    board: Board


def _forged_headers(tenant: str, *, signed: bool) -> dict[str, str]:
    """The claims of the tenant's admin, signed with a key that is not the service's, or not
    signed at all."""
    everything = (EDIT_SCOPE, ADMIN_SCOPE)
    token = mint_token(WRONG_KEY, subject=OWNER, tenants=[tenant], scopes=everything)
    if not signed:
        claims = jwt.decode(token, options={"verify_signature": False})
        token = jwt.encode(claims, None, algorithm="none")
    return {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": tenant}


def _parts_on(own: Board, foreign: Board) -> Board:
    """`own` dashboard (id, pages) with `foreign`'s card, card widget and grant."""
    return replace(foreign, id=own.id, gid=own.gid, last_page=own.last_page)


def _board_for(kind: str, victim: Victim, attacker_board: Board) -> Board:
    if kind in (UNGRANTED_EDITOR, UNGRANTED_READER):
        return victim.private
    if kind in (ROLELESS_EDITOR, ROLELESS_READER):
        return victim.restricted
    if kind == INACTIVE_READER:
        return victim.inactive
    if kind == OTHER_TENANT_OWN_BOARD:
        return _parts_on(attacker_board, victim.board)
    if kind == UNGRANTED_EDITOR_OWN_BOARD:
        return _parts_on(victim.editors_board, victim.private)
    return victim.board


def seat(
    kind: str,
    http: httpx.AsyncClient,
    victim: Victim,
    attacker_tenant: str,
    attacker_board: Board,
) -> Seat:
    board = _board_for(kind, victim, attacker_board)
    if kind == NO_TOKEN:
        return Seat({"X-Clarus-Subdomain": victim.tenant}, board)
    everything = (EDIT_SCOPE, ADMIN_SCOPE)
    if kind == EXPIRED:
        caller = Caller(http, victim.tenant, user=OWNER, scopes=everything, ttl=-100)
    elif kind in (FORGED, UNSIGNED):
        return Seat(_forged_headers(victim.tenant, signed=kind == FORGED), board)
    elif kind == FOREIGN_HEADER:
        caller = Caller(http, new_tenant(), user=OWNER, scopes=everything)
        caller.headers["X-Clarus-Subdomain"] = victim.tenant
    elif kind in (OTHER_TENANT, OTHER_TENANT_OWN_BOARD):
        caller = Caller(http, attacker_tenant, user=OWNER, scopes=everything)
    else:
        caller = victim.member(http, READER if kind in READERS else EDITOR)
    return Seat(caller.headers, board)
