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

These are separate domain writes, in this order: visibility, each grant, the link. The
first one checks that the caller may share the dashboard, so a refusal changes nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import dashboards, public_links, shares
from app.domain.access import Action
from app.domain.shares import SUBJECT_ID_MAX, ShareAccess, SubjectType
from app.domain.validation import Problems
from app.errors import ErrorCode, not_found
from app.rest.bi.bodies import ShareBody
from app.rest.bi.views import sharing_json
from app.rest.parsing import json_body, path_id
from app.rest.responses import ORJSONResponse

GROUP_PREFIX, TEAM_PREFIX = "group:", "team-"
_ACCESS = {"view": ShareAccess.VIEWER, "edit": ShareAccess.EDITOR}


async def share_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, ShareBody)
    subjects = _subjects(body)
    if body.visibility is not None:
        await dashboards.update_dashboard(
            ctx,
            dashboard_id,
            dashboards.DashboardChanges(visibility=body.visibility),
            action=Action.MANAGE,
        )
    for subject_type, subject_id in subjects:
        await shares.share_dashboard(
            ctx, dashboard_id, subject_type, subject_id, _ACCESS[body.permissions]
        )
    if body.visibility == "public":
        await public_links.publish_dashboard(ctx, dashboard_id)
    elif body.visibility is not None:
        await public_links.revoke_public_link(ctx, dashboard_id)
    return ORJSONResponse(await _sharing(ctx, dashboard_id))


def _subjects(body: ShareBody) -> list[tuple[SubjectType, str]]:
    """Who `shared_with` names, each once, or every problem with it; at least one of
    visibility and shared_with must be sent."""
    problems = Problems()
    if body.visibility is None and not body.shared_with:
        problems.add(ErrorCode.REQUIRED, "send visibility, shared_with or both", ("shared_with",))
    found: list[tuple[SubjectType, str]] = []
    for index, entry in enumerate(body.shared_with):
        subject = _subject(entry.strip())
        # Checked here, before any write, with the domain's rule for subject ids.
        problems.text(subject[1], ("shared_with", index), max_length=SUBJECT_ID_MAX, required=True)
        if subject[1] and subject not in found:
            found.append(subject)
    problems.raise_if_any()
    return found


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
