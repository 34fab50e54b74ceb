"""The JSON this dialect answers with. Ids are JSON strings, as in the seed; times are UTC
ISO 8601 with a `Z`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.domain.contents import DashboardContents
from app.domain.dashboards import filter_settings
from app.domain.public_links import PublicLinkRecord
from app.domain.records import DashboardRecord, PlacementRecord, WidgetRecord
from app.domain.shares import ShareAccess, ShareRecord

# The seed knows view and edit; a commenter grant shows as the view it includes.
_PERMISSIONS = {
    ShareAccess.VIEWER: "view",
    ShareAccess.COMMENTER: "view",
    ShareAccess.EDITOR: "edit",
}


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def dashboard_summary(d: DashboardRecord, tenant: str, widget_count: int) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "name": d.name,
        "description": d.description,
        "tenant_id": tenant,
        "created_by": d.owner_id,
        "visibility": d.visibility,
        "tags": list(d.tags),
        "filters": [
            {"field": f.field, "operator": f.operator.value, "values": f.values}
            for f in filter_settings(d.parameters)
        ],
        "widget_count": widget_count,
        "created_at": timestamp(d.created_at),
    }


def widget_json(placement: PlacementRecord, widget: WidgetRecord) -> dict[str, Any]:
    """A card as a seed-003 widget: its id is the card's."""
    p = placement.position
    return {
        "id": str(placement.id),
        "name": widget.name,
        "widget_type": widget.widget_type,
        "position": {"x": p.x, "y": p.y, "width": p.w, "height": p.h} if p else None,
        "data_source": widget.data_source,
        "config": widget.config,
    }


def full_dashboard(contents: DashboardContents, tenant: str) -> dict[str, Any]:
    """The dashboard with every widget of every page, page by page."""
    widgets = [widget_json(p, w) for page in contents.pages for p, w in contents.cards_on(page)]
    return {
        **dashboard_summary(contents.dashboard, tenant, len(widgets)),
        "updated_at": timestamp(contents.dashboard.updated_at),
        "widgets": widgets,
    }


def share_json(grant: ShareRecord) -> dict[str, str]:
    return {
        "subject_type": grant.subject_type.value,
        "subject_id": grant.subject_id,
        "permissions": _PERMISSIONS[grant.access_level],
    }


def sharing_json(
    dashboard: DashboardRecord, grants: list[ShareRecord], link: PublicLinkRecord | None
) -> dict[str, Any]:
    return {
        "id": str(dashboard.id),
        "visibility": dashboard.visibility,
        "shared_with": [share_json(g) for g in grants],
        "public_url": f"/api/public/dashboards/{link.slug}/render" if link else None,
    }
