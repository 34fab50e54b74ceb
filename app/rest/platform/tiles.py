"""Tile data routes of seed 002: rendering a dashboard page with its data
(`GET /api/dashboards/{id}/render?page=&param.<name>=`), the built-in templates and dashboards
made from them, and managing a dashboard's public link (`POST` / `DELETE
/api/dashboards/{id}/public`). The public render itself, without a token, is app/rest/public.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.auth import Principal
from app.context import RequestContext
from app.domain import public_links, render, template_instances, templates
from app.domain.access import AccessLevel, Action, require_dashboard_access
from app.domain.contents import DashboardContents, load_contents
from app.domain.shares import ShareRecord, SubjectType
from app.errors import DomainError
from app.rest.parsing import (
    RENDER_PARAMETER_PREFIX,
    json_body,
    path_id,
    query_int,
    render_parameters,
)
from app.rest.platform.bodies import TemplateDashboardCreate
from app.rest.platform.versions import etag, expected_version
from app.rest.platform.views import full_dashboard_json, public_link_json, template_json
from app.rest.responses import ORJSONResponse, RequestError

PAGE_MAX = 100_000


# --- rendering --------------------------------------------------------------------------------


async def render_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    return ORJSONResponse(await rendered(ctx, dashboard_id, request, public=False))


async def rendered(
    ctx: RequestContext, dashboard_id: int, request: Request, *, public: bool
) -> dict[str, Any]:
    """One page of the dashboard rendered with the request's `page` and `param.<name>`
    values, as JSON. Shared with the public route."""
    page = query_int(request, "page", 1, PAGE_MAX, minimum=1)
    parameters = render_parameters(request)
    with _parameters_named_as_sent():
        rendering = await render.render_dashboard(
            ctx, dashboard_id, page=page, parameters=parameters, public=public
        )
    return rendering.as_json()


@contextmanager
def _parameters_named_as_sent() -> Iterator[None]:
    """The domain's ("parameters", name) is the query key `param.<name>`."""
    prefix = RENDER_PARAMETER_PREFIX.rstrip(".")
    try:
        yield
    except DomainError as error:
        raise DomainError(
            *(
                replace(p, field=(prefix, *p.field[1:])) if p.field[:1] == ("parameters",) else p
                for p in error.problems
            ),
            current_version=error.current_version,
        ) from error


# --- public link ------------------------------------------------------------------------------


async def publish(request: Request, ctx: RequestContext) -> Response:
    """201 with the new link, or 200 with the one the dashboard already had."""
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    version = expected_version(request)
    link, created = await public_links.publish_dashboard(
        ctx, dashboard_id, expected_version=version
    )
    return ORJSONResponse(public_link_json(link), status_code=201 if created else 200)


async def revoke(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    revoked = await public_links.revoke_public_link(
        ctx, dashboard_id, expected_version=expected_version(request)
    )
    if not revoked:
        raise RequestError(
            404,
            "NOT_FOUND",
            f"dashboard {dashboard_id} has no public link",
            resource="public_link",
        )
    return Response(status_code=204)


async def manageable_public_link(
    ctx: RequestContext, contents: DashboardContents
) -> public_links.PublicLinkRecord | None:
    """The dashboard's public link for callers who may manage its sharing, else None."""
    if not _may_manage(ctx.principal, contents):
        return None
    return await _current_link(ctx, contents.dashboard.id)


async def _current_link(
    ctx: RequestContext, dashboard_id: int
) -> public_links.PublicLinkRecord | None:
    async with ctx.db.reader() as conn:
        found = await public_links.get_public_links(conn, ctx, [dashboard_id])
    return found.get(dashboard_id)


def _may_manage(principal: Principal, contents: DashboardContents) -> bool:
    """The domain's rule for sharing (app/domain/access.py), with the caller's strongest
    grant taken from the grants the full read loaded anyway."""
    level = max(
        (AccessLevel[s.access_level.name] for s in contents.shares if _names(s, principal)),
        default=AccessLevel.NONE,
    )
    try:
        require_dashboard_access(
            principal, contents.dashboard.owner_id, level, Action.MANAGE, "a public link"
        )
    except DomainError:
        return False
    return True


def _names(grant: ShareRecord, principal: Principal) -> bool:
    if grant.subject_type is SubjectType.USER:
        return grant.subject_id == principal.user_id
    return grant.subject_id in principal.groups


# --- templates --------------------------------------------------------------------------------


async def list_templates(request: Request, ctx: RequestContext) -> Response:
    return ORJSONResponse({"templates": [template_json(t) for t in templates.list_templates()]})


async def create_from_template(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, TemplateDashboardCreate)
    record = await template_instances.create_from_template(
        ctx,
        template_id=body.template_id,
        dataset_id=body.dataset_id,
        name=body.name,
        collection_id=body.collection_id,
    )
    contents = await load_contents(ctx, record.id)
    return ORJSONResponse(
        full_dashboard_json(contents, None),
        status_code=201,
        headers={
            "Location": f"/api/dashboards/{record.id}",
            "ETag": etag(contents.dashboard.version),
        },
    )
