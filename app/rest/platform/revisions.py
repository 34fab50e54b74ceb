"""Version history in the seed-002 dialect: a dashboard's revisions, one as it was, the
difference between two, and restoring one (If-Match: the dashboard's version; the optional
X-Revision-Message header is kept with the new revision)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain.contents import load_contents
from app.domain.revisions import reading
from app.domain.revisions.restore import restore_revision
from app.errors import not_found
from app.rest.parsing import path_id, query_int
from app.rest.platform.tiles import manageable_public_link
from app.rest.platform.versions import etag, expected_version
from app.rest.platform.views import full_dashboard_json
from app.rest.responses import ORJSONResponse, RequestError

LIMIT_DEFAULT, LIMIT_MAX = 20, 100
VERSION_MAX = 2**31 - 1


def revision_json(record: reading.RevisionRecord) -> dict[str, Any]:
    return {
        "version": record.version,
        "created_at": record.created_at.isoformat(),
        "author": record.author_id,
        "message": record.message,
        "restored_from": record.restored_from,
        "changes": record.changes,
    }


async def list_revisions(request: Request, ctx: RequestContext) -> Response:
    """Newest first; `before` (a version) gives the next page, as `next_before` says."""
    limit = query_int(request, "limit", LIMIT_DEFAULT, LIMIT_MAX, minimum=1)
    before = query_int(request, "before", 0, VERSION_MAX) or None
    page, total = await reading.list_revisions(
        ctx, path_id(request, "dashboard_id", "dashboard"), limit=limit, before=before
    )
    return ORJSONResponse(
        {
            "revisions": [revision_json(r) for r in page.items],
            "total": total,
            "limit": limit,
            "next_before": page.items[-1].version if page.has_next else None,
        }
    )


async def get_revision(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    version = path_id(request, "version", "revision")
    record = await reading.get_revision(ctx, dashboard_id, version)
    state = await reading.revision_state(ctx, dashboard_id, version) if record else None
    if record is None or state is None:
        raise not_found("revision", version, ("version",))
    return ORJSONResponse({**revision_json(record), "snapshot": state})


async def diff_revisions(request: Request, ctx: RequestContext) -> Response:
    """`?from=&to=`: the changes and the patch from one revision's state to the other's
    (`to` left out: the newest revision)."""
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    source = query_int(request, "from", 0, VERSION_MAX, minimum=1)
    if source == 0:
        raise RequestError(400, "INVALID_QUERY", "send from (a version)", field="from")
    target = query_int(request, "to", 0, VERSION_MAX, minimum=1) or None
    result = await reading.diff_revisions(ctx, dashboard_id, source, target)
    if result is None:
        raise not_found("revision", f"{source} or {target or 'newest'}", ("version",))
    return ORJSONResponse(
        {
            "from": result.from_version,
            "to": result.to_version,
            "changes": result.changes,
            "patch": result.patch,
        }
    )


async def restore(request: Request, ctx: RequestContext) -> Response:
    """200 with the dashboard as GET /api/dashboards/{id} gives it, and its new ETag."""
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    record = await restore_revision(
        ctx,
        dashboard_id,
        path_id(request, "version", "revision"),
        expected_version=expected_version(request),
    )
    contents = await load_contents(ctx, dashboard_id)
    link = await manageable_public_link(ctx, contents)
    return ORJSONResponse(
        full_dashboard_json(contents, link), headers={"ETag": etag(record.version)}
    )
