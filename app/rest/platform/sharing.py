"""Share grants and collections."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.domain import collections, shares
from app.rest.parsing import json_body, path_id
from app.rest.platform.bodies import CollectionCreate, CollectionPatch, ShareCreate
from app.rest.platform.versions import expected_version
from app.rest.platform.views import collection_json, share_json
from app.rest.responses import ORJSONResponse


async def list_shares(request: Request, ctx: RequestContext) -> Response:
    grants = await shares.list_shares(ctx, path_id(request, "dashboard_id", "dashboard"))
    return ORJSONResponse({"shares": [share_json(s) for s in grants]})


async def add_share(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, ShareCreate)
    grant, created = await shares.share_dashboard(
        ctx,
        dashboard_id,
        shares.SubjectType(body.subject_type),
        body.subject_id,
        shares.ShareAccess(body.access_level),
        expected_version=expected_version(request),
    )
    return ORJSONResponse(share_json(grant), status_code=201 if created else 200)


async def revoke_share(request: Request, ctx: RequestContext) -> Response:
    await shares.revoke_share(
        ctx,
        path_id(request, "dashboard_id", "dashboard"),
        path_id(request, "share_id", "share"),
        expected_version=expected_version(request),
    )
    return Response(status_code=204)


async def list_collections(request: Request, ctx: RequestContext) -> Response:
    records = await collections.list_collections(ctx)
    return ORJSONResponse({"collections": [collection_json(c) for c in records]})


async def create_collection(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, CollectionCreate)
    record = await collections.create_collection(ctx, body.name, body.description, body.parent_id)
    return ORJSONResponse(collection_json(record), status_code=201)


async def update_collection(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, CollectionPatch)
    record = await collections.update_collection(
        ctx,
        path_id(request, "collection_id", "collection"),
        name=body.sent("name"),
        description=body.sent("description"),
        parent_id=body.sent("parent_id"),
    )
    return ORJSONResponse(collection_json(record))


async def delete_collection(request: Request, ctx: RequestContext) -> Response:
    await collections.delete_collection(ctx, path_id(request, "collection_id", "collection"))
    return Response(status_code=204)
