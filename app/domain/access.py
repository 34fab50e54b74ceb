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

from sqlalchemy import ColumnElement, ScalarSelect, and_, case, exists, func, or_, select, true

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


def _grants_of_caller(principal: Principal) -> ColumnElement[bool]:
    """Grants on the dashboard row in scope that name the caller or one of their groups."""
    g = _caller_grants
    subject = and_(g.c.subject_type == "user", g.c.subject_id == principal.user_id)
    if principal.groups:
        subject = or_(
            subject,
            and_(g.c.subject_type == "group", g.c.subject_id.in_(sorted(principal.groups))),
        )
    return and_(
        g.c.tenant_id == dashboards.c.tenant_id, g.c.dashboard_id == dashboards.c.id, subject
    )


def grant_level(ctx: RequestContext) -> ScalarSelect[int]:
    """The caller's strongest grant on the dashboard row in scope, as an AccessLevel."""
    rank = case(
        (_caller_grants.c.access_level == "editor", AccessLevel.EDITOR.value),
        (_caller_grants.c.access_level == "commenter", AccessLevel.COMMENTER.value),
        else_=AccessLevel.VIEWER.value,
    )
    return (
        select(func.coalesce(func.max(rank), AccessLevel.NONE.value))
        .where(_grants_of_caller(ctx.principal))
        .scalar_subquery()
    )


def visible_dashboards(ctx: RequestContext) -> ColumnElement[bool]:
    """The SQL condition for the dashboards of the context's tenant the caller may see."""
    in_tenant = dashboards.c.tenant_id == ctx.tenant_id
    principal = ctx.principal
    if principal.is_admin:
        return in_tenant
    audience = func.cardinality(dashboards.c.role_ids) == 0
    if principal.roles:
        audience = or_(audience, dashboards.c.role_ids.overlap(sorted(principal.roles)))
    active = true() if principal.can_edit else dashboards.c.is_active
    team = dashboards.c.visibility != Visibility.PRIVATE.value
    shared = exists().where(_grants_of_caller(principal))
    return and_(
        in_tenant,
        or_(dashboards.c.owner_id == principal.user_id, and_(team, audience, active), shared),
    )


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
