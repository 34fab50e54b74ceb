"""Dashboards: list, read in full (with ETag), create, update, delete, duplicate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import dashboards
from app.domain.contents import load_contents
from app.domain.duplication import duplicate_dashboard
from app.domain.records import DashboardRecord
from app.errors import DomainError
from app.rest.parsing import json_body, path_id, query_int
from app.rest.platform.bodies import DashboardCreate, DashboardPatch, DuplicateBody
from app.rest.platform.tiles import manageable_public_link
from app.rest.platform.versions import etag, expected_version, not_modified
from app.rest.platform.views import dashboard_summary, full_dashboard_json
from app.rest.responses import ORJSONResponse

LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX = 20, 100, 1_000_000


async def list_dashboards(request: Request, ctx: RequestContext) -> Response:
    body, _ = await list_page(request, ctx)
    return ORJSONResponse(body)


async def list_page(
    request: Request, ctx: RequestContext
) -> tuple[dict[str, Any], list[DashboardRecord]]:
    """Seed 002's list as its JSON body, and the dashboards on it."""
    limit = query_int(request, "limit", LIMIT_DEFAULT, LIMIT_MAX)
    offset = query_int(request, "offset", 0, OFFSET_MAX)
    collection = request.query_params.get("collection_id")
    collection_id = None
    if collection:  # `collection_id=` (empty), like the other parameters, means no filter
        collection_id = query_int(request, "collection_id", 0, 2**63 - 1) or -1
    filters = dashboards.DashboardFilter(
        search=request.query_params.get("q") or None, collection_id=collection_id
    )
    records, total = await dashboards.list_dashboards_at(ctx, filters, offset=offset, limit=limit)
    body = {
        "dashboards": [dashboard_summary(r) for r in records],
        "total": total,
        "limit": limit,
        "offset": offset,
    }
    return body, records


async def get_dashboard(request: Request, ctx: RequestContext) -> Response:
    contents = await load_contents(ctx, path_id(request, "dashboard_id", "dashboard"))
    version = contents.dashboard.version
    if not_modified(request, version):
        return Response(status_code=304, headers={"ETag": etag(version)})
    link = await manageable_public_link(ctx, contents)
    return ORJSONResponse(full_dashboard_json(contents, link), headers={"ETag": etag(version)})


async def create_dashboard(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, DashboardCreate)
    record = await dashboards.create_dashboard(
        ctx,
        dashboards.DashboardDraft(
            code=body.code,
            name=body.name,
            description=body.description,
            is_active=body.is_active,
            role_ids=body.role_ids,
            collection_id=body.collection_id,
            parameters=body.parameters,
        ),
    )
    contents = await load_contents(ctx, record.id)
    return ORJSONResponse(
        full_dashboard_json(contents, None),  # a new dashboard has no public link
        status_code=201,
        headers={"Location": f"/api/dashboards/{record.id}", "ETag": etag(record.version)},
    )


async def update_dashboard(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, DashboardPatch)
    role_ids = body.sent("role_ids")
    audience = "default_audience" in body.model_fields_set
    if audience:
        role_ids = body.default_audience
    with _renamed_field("role_ids", "default_audience" if audience else "role_ids"):
        record = await _update(request, ctx, dashboard_id, body, role_ids)
    return ORJSONResponse(
        dashboard_summary(record) | {"parameters": record.parameters},
        headers={"ETag": etag(record.version)},
    )


@contextmanager
def _renamed_field(domain_name: str, body_name: str) -> Iterator[None]:
    """Errors about `domain_name` named as the body spelled it."""
    try:
        yield
    except DomainError as error:
        if domain_name == body_name:
            raise
        raise DomainError(
            *(
                replace(p, field=(body_name, *p.field[1:])) if p.field[:1] == (domain_name,) else p
                for p in error.problems
            ),
            current_version=error.current_version,
        ) from error


async def _update(
    request: Request, ctx: RequestContext, dashboard_id: int, body: DashboardPatch, role_ids: object
) -> DashboardRecord:
    return await dashboards.update_dashboard(
        ctx,
        dashboard_id,
        dashboards.DashboardChanges(
            name=body.sent("name"),
            description=body.sent("description"),
            parameters=body.sent("parameters"),
            role_ids=role_ids,
            is_active=body.sent("is_active"),
            code=body.sent("code"),
            collection_id=body.sent("collection_id"),
        ),
        expected_version=expected_version(request),
    )


async def delete_dashboard(request: Request, ctx: RequestContext) -> Response:
    await dashboards.delete_dashboard(
        ctx,
        path_id(request, "dashboard_id", "dashboard"),
        expected_version=expected_version(request),
    )
    return Response(status_code=204)


async def duplicate(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = (await json_body(request, DuplicateBody)) if await request.body() else DuplicateBody()
    copy = await duplicate_dashboard(ctx, dashboard_id, name=body.name)
    return ORJSONResponse(
        {"id": copy.id}, status_code=201, headers={"Location": f"/api/dashboards/{copy.id}"}
    )
