"""Who may see and change a dashboard.

- The owner and tenant admins (`dashboard.admin`) always see it.
- Otherwise a dashboard with `role_ids` is seen only by callers holding one of those roles;
  one without `role_ids` is seen by every member of the tenant.
- An inactive dashboard (`is_active = false`) is hidden from callers who cannot edit.
- Creating and changing need `dashboard.edit` (or admin) on top of seeing it.
Unseen is reported as not found; seen but not writable as forbidden.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, true

from app.auth import Principal
from app.context import RequestContext
from app.errors import forbidden
from db.models import dashboards


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
    return and_(in_tenant, or_(dashboards.c.owner_id == principal.user_id, and_(audience, active)))


def require_edit(principal: Principal, action: str) -> None:
    if not principal.can_edit:
        raise forbidden(f"{action} needs the dashboard.edit scope")
