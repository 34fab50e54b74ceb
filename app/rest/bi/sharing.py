"""Sharing a seed-003 dashboard, `POST /api/v1/bi/dashboards/{id}/share` with
`{visibility?, shared_with?: [...], permissions?: "view" | "edit"}`; for the dashboard's
owner (with dashboard.edit), editors it is shared with and admins.

- `visibility` becomes the dashboard's. `public` also publishes its public link (an existing
  one is kept); any other visibility revokes it.
- Every entry of `shared_with` gets a grant: `view` (the default) a viewer grant, `edit` an
  editor grant; granting a subject again updates its grant. Entries are user ids, except
  `team-<name>`, the group `team-<name>`, and `group:<name>`, the group `<name>`.
- The answer lists every grant of the dashboard (`permissions` is `view` for viewer and
  commenter grants, `edit` for editor grants) and the URL of its public render, or null.

All of it is one transaction (app/domain/share_settings.py): it applies whole, or a refusal
changes nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import dashboards, public_links, shares
from app.domain.access import Visibility
from app.domain.share_settings import ShareSettings, apply_share_settings
from app.domain.shares import ShareAccess, SubjectType
from app.errors import not_found
from app.rest.bi.bodies import ShareBody
from app.rest.bi.views import sharing_json
from app.rest.parsing import json_body, path_id
from app.rest.responses import ORJSONResponse

GROUP_PREFIX, TEAM_PREFIX = "group:", "team-"
_ACCESS = {"view": ShareAccess.VIEWER, "edit": ShareAccess.EDITOR}


async def share_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, ShareBody)
    await apply_share_settings(
        ctx,
        dashboard_id,
        ShareSettings(
            visibility=Visibility(body.visibility) if body.visibility is not None else None,
            subjects=_subjects(body.shared_with),
            access=_ACCESS[body.permissions],
        ),
    )
    return ORJSONResponse(await _sharing(ctx, dashboard_id))


def _subjects(shared_with: list[str]) -> list[tuple[SubjectType, str]]:
    """Who `shared_with` names, in its order (a repeat is the same grant again)."""
    return [_subject(entry.strip()) for entry in shared_with]


def _subject(entry: str) -> tuple[SubjectType, str]:
    if entry.startswith(GROUP_PREFIX):
        return SubjectType.GROUP, entry.removeprefix(GROUP_PREFIX).strip()
    if entry.startswith(TEAM_PREFIX):
        return SubjectType.GROUP, entry
    return SubjectType.USER, entry


async def _sharing(ctx: RequestContext, dashboard_id: int) -> dict[str, object]:
    """The dashboard's visibility, grants and public link, read together."""
    async with ctx.db.reader() as conn:
        dashboard = (await dashboards.get_dashboards(conn, ctx, [dashboard_id])).get(dashboard_id)
        if dashboard is None:
            raise not_found("dashboard", dashboard_id, ("id",))
        grants = (await shares.get_shares(conn, ctx, [dashboard_id])).get(dashboard_id, [])
        link = (await public_links.get_public_links(conn, ctx, [dashboard_id])).get(dashboard_id)
    return sharing_json(dashboard, grants, link)
