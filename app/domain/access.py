"""Who may see and change a dashboard.

Seeing:
- the owner and tenant admins (`dashboard.admin`) always;
- holders of a share grant (user or group; viewer, commenter or editor), whatever their roles;
- otherwise, unless it is `private`, the dashboard's audience: one with `role_ids` is seen by
  callers holding one of those roles, one without by every member of the tenant; an inactive
  dashboard only by callers with `dashboard.edit`.
Changing its content (fields, pages, cards, layout): `dashboard.edit` or an editor grant.
Deleting and sharing it: the owner (with `dashboard.edit`), an editor grant, or an admin.
Unseen is reported as not found; seen but not allowed as forbidden.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    ScalarSelect,
    Text,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from app.auth import Principal
from app.context import RequestContext
from app.errors import forbidden
from db.models import dashboard_widgets, dashboards, placements, share_grants


class AccessLevel(IntEnum):
    NONE = 0
    VIEWER = 1
    COMMENTER = 2
    EDITOR = 3


class Visibility(StrEnum):
    """Who sees a dashboard besides its owner, admins and grant holders."""

    PRIVATE = "private"  # nobody else
    TEAM = "team"  # the tenant's members, narrowed by role_ids
    PUBLIC = "public"  # as team, and it may have a public link


class Action(Enum):
    EDIT = "edit"  # content: fields, pages, cards, layout
    MANAGE = "manage"  # delete, share


# An alias of its own, so that the subqueries below correlate only to the dashboard row,
# also inside statements that read share_grants themselves.
_caller_grants = share_grants.alias("caller_grants")


def caller_parameters(ctx: RequestContext) -> dict[str, Any]:
    """The values of the caller's parameters (and the tenant's) in the rules below."""
    principal = ctx.principal
    return {
        "tenant_id": ctx.tenant_id,
        "caller_user_id": principal.user_id,
        "caller_roles": sorted(principal.roles),
        "caller_groups": sorted(principal.groups),
        "caller_is_admin": principal.is_admin,
        "caller_can_edit": principal.can_edit,
    }


_PARAMETER_TYPES: dict[str, TypeEngine[Any]] = {
    "tenant_id": BigInteger(),
    "caller_user_id": Text(),
    "caller_roles": ARRAY(Integer),
    "caller_groups": ARRAY(Text),
    "caller_is_admin": Boolean(),
    "caller_can_edit": Boolean(),
}


class _Caller:
    """The caller in SQL, as parameters: each rule is one SQL text for every caller. Without
    values, the parameters are named (caller_parameters), for statements built once per
    process; with values, they are anonymous and carry them, for statements built per call,
    so that one statement may hold the rules of several callers."""

    def __init__(self, values: dict[str, Any] | None) -> None:
        def parameter(key: str) -> Any:
            if values is None:
                return bindparam(key, type_=_PARAMETER_TYPES[key])
            return bindparam(None, values[key], type_=_PARAMETER_TYPES[key], unique=True)

        self.tenant_id = parameter("tenant_id")
        self.user_id = parameter("caller_user_id")
        self.roles = parameter("caller_roles")
        self.groups = parameter("caller_groups")
        self.is_admin = parameter("caller_is_admin")
        self.can_edit = parameter("caller_can_edit")

    def grants(self) -> ColumnElement[bool]:
        """Grants on the dashboard row in scope that name the caller or one of their groups."""
        g = _caller_grants
        return and_(
            g.c.tenant_id == dashboards.c.tenant_id,
            g.c.dashboard_id == dashboards.c.id,
            or_(
                and_(g.c.subject_type == "user", g.c.subject_id == self.user_id),
                and_(g.c.subject_type == "group", g.c.subject_id == any_(self.groups)),
            ),
        )

    def grant_level(self) -> ScalarSelect[int]:
        rank = case(
            (_caller_grants.c.access_level == "editor", AccessLevel.EDITOR.value),
            (_caller_grants.c.access_level == "commenter", AccessLevel.COMMENTER.value),
            else_=AccessLevel.VIEWER.value,
        )
        return (
            select(func.coalesce(func.max(rank), AccessLevel.NONE.value))
            .where(self.grants())
            .scalar_subquery()
        )

    def visible_dashboards(self) -> ColumnElement[bool]:
        """The dashboards of the tenant the caller may see (this module's docstring)."""
        audience = or_(
            func.cardinality(dashboards.c.role_ids) == 0, dashboards.c.role_ids.overlap(self.roles)
        )
        return and_(
            dashboards.c.tenant_id == self.tenant_id,
            or_(
                self.is_admin,
                dashboards.c.owner_id == self.user_id,
                and_(
                    dashboards.c.visibility != Visibility.PRIVATE.value,
                    audience,
                    or_(self.can_edit, dashboards.c.is_active),
                ),
                exists().where(self.grants()),
            ),
        )


# For statements built once per process; run them with caller_parameters(ctx).
VISIBLE_TO_CALLER = _Caller(None).visible_dashboards()


def grant_level(ctx: RequestContext) -> ScalarSelect[int]:
    """The caller's strongest grant on the dashboard row in scope, as an AccessLevel."""
    return _Caller(caller_parameters(ctx)).grant_level()


def visible_dashboards(ctx: RequestContext) -> ColumnElement[bool]:
    """The SQL condition for the dashboards of the context's tenant the caller may see."""
    return _Caller(caller_parameters(ctx)).visible_dashboards()


def visible_widgets(ctx: RequestContext) -> ColumnElement[bool]:
    """Widgets of the tenant the caller may see: the library's, and a card's private widget
    only while it is placed on a dashboard the caller sees."""
    placed_visibly = exists().where(
        placements.c.tenant_id == dashboard_widgets.c.tenant_id,
        placements.c.widget_id == dashboard_widgets.c.id,
        dashboards.c.tenant_id == placements.c.tenant_id,
        dashboards.c.id == placements.c.dashboard_id,
        visible_dashboards(ctx),
    )
    return and_(
        dashboard_widgets.c.tenant_id == ctx.tenant_id,
        or_(dashboard_widgets.c.in_library, placed_visibly),
    )


def require_edit(principal: Principal, action: str) -> None:
    if not principal.can_edit:
        raise forbidden(f"{action} needs the dashboard.edit scope")


def require_dashboard_access(
    principal: Principal, owner_id: str, level: AccessLevel, action: Action, description: str
) -> None:
    """Raise forbidden unless the caller, who sees the dashboard, may do `action` on it."""
    if action is Action.EDIT:
        if principal.can_edit or level >= AccessLevel.EDITOR:
            return
        raise forbidden(f"{description} needs the dashboard.edit scope or an editor grant")
    if principal.is_admin or level >= AccessLevel.EDITOR:
        return
    if owner_id == principal.user_id and principal.can_edit:
        return
    raise forbidden(
        f"{description} is for the dashboard's owner, editors it is shared with and admins"
    )
