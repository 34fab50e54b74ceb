"""Datasets under /api/datasets: a table, a view or a SQL query of the tenant's data schema,
with its columns as the database describes them. Every member of the tenant lists and reads
them; creating, changing and deleting need `dashboard.edit`, and a dataset a widget reads
cannot be deleted (409 `in_use`). Errors are in seed 002's style (`dataset_not_found`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.context import RequestContext
from app.domain import datasets
from app.errors import not_found
from app.rest.endpoint import Handler, rest_endpoint
from app.rest.parsing import json_body, path_id
from app.rest.platform.bodies import DatasetCreate, DatasetPatch
from app.rest.platform.views import dataset_json
from app.rest.responses import ErrorStyle, ORJSONResponse

STYLE = ErrorStyle(named_errors=True)
BASE = "/api/datasets"
ONE = BASE + "/{dataset_id}"


def _id(request: Request) -> int:
    return path_id(request, "dataset_id", "dataset")


async def list_datasets(request: Request, ctx: RequestContext) -> Response:
    records = await datasets.list_datasets(ctx)
    return ORJSONResponse({"datasets": [dataset_json(d) for d in records]})


async def get_dataset(request: Request, ctx: RequestContext) -> Response:
    dataset_id = _id(request)
    async with ctx.db.reader() as conn:
        record = (await datasets.get_datasets(conn, ctx, [dataset_id])).get(dataset_id)
    if record is None:
        raise not_found("dataset", dataset_id, ("id",))
    return ORJSONResponse(dataset_json(record))


async def create_dataset(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, DatasetCreate)
    record = await datasets.create_dataset(
        ctx,
        datasets.DatasetDraft(
            name=body.name,
            source_kind=body.source_kind,
            source=body.source,
            description=body.description,
        ),
    )
    return ORJSONResponse(
        dataset_json(record), status_code=201, headers={"Location": f"{BASE}/{record.id}"}
    )


async def update_dataset(request: Request, ctx: RequestContext) -> Response:
    dataset_id = _id(request)
    body = await json_body(request, DatasetPatch)
    record = await datasets.update_dataset(
        ctx,
        dataset_id,
        datasets.DatasetChanges(
            name=body.sent("name"),
            description=body.sent("description"),
            source_kind=body.sent("source_kind"),
            source=body.sent("source"),
        ),
    )
    return ORJSONResponse(dataset_json(record))


async def delete_dataset(request: Request, ctx: RequestContext) -> Response:
    await datasets.delete_dataset(ctx, _id(request))
    return Response(status_code=204)


def _route(path: str, handler: Handler, method: str) -> Route:
    return Route(path, rest_endpoint(handler, STYLE), methods=[method])


routes = [
    _route(BASE, list_datasets, "GET"),
    _route(BASE, create_dataset, "POST"),
    _route(ONE, get_dataset, "GET"),
    _route(ONE, update_dataset, "PATCH"),
    _route(ONE, delete_dataset, "DELETE"),
]
