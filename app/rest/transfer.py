"""Export and import over REST: `GET /api/export` answers the document itself, `POST
/api/import` takes one as its body (up to IMPORT_MAX_BYTES, not MAX_BODY_BYTES) and answers
the report. Options are query parameters; errors are in seed 002's style, with every
problem of a refused document in `details` (`field` is its path, e.g.
`dashboards[3].cards[12].widget`)."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.context import RequestContext
from app.domain import transfer
from app.domain.transfer import ExportScope, ImportMode, ImportReport
from app.ids import parse_database_id
from app.rest.endpoint import Handler, rest_endpoint
from app.rest.parsing import json_body
from app.rest.responses import ErrorStyle, ORJSONResponse, RequestError

STYLE = ErrorStyle(named_errors=True)
EXPORT_PATH = "/api/export"
IMPORT_PATH = "/api/import"


class _Document(RootModel[dict[str, Any]]):
    """Any JSON object: the domain reads and checks it as an export document."""


def _choice(request: Request, name: str, allowed: list[str], default: str) -> str:
    value = request.query_params.get(name, default).lower()
    if value not in allowed:
        raise RequestError(
            400, "INVALID_QUERY", f"{name} must be one of {', '.join(allowed)}", field=name
        )
    return value


def _flag(request: Request, name: str) -> bool:
    return _choice(request, name, ["true", "false", "1", "0"], "false") in ("true", "1")


async def export_dashboards(request: Request, ctx: RequestContext) -> Response:
    scope = ExportScope(_choice(request, "scope", [s.value for s in ExportScope], "tenant"))
    target = None
    if scope is not ExportScope.TENANT:
        raw_id = request.query_params.get("id", "")
        target = parse_database_id(raw_id)
        if target is None:
            raise RequestError(
                404, "NOT_FOUND", f"{scope.value} {raw_id!r} not found", resource=scope.value
            )
    document = await transfer.export_document(
        ctx, scope, target, include_grants=_flag(request, "include_grants")
    )
    return Response(transfer.dump_document(document), media_type="application/json")


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "mode": report.mode.value,
        "dry_run": report.dry_run,
        "objects": [
            {
                "kind": o.kind.value,
                "key": o.key,
                "name": o.name,
                "action": o.action.value,
                "database_id": o.database_id,
            }
            for o in report.objects
        ],
        "counts": [
            {
                "kind": c.kind.value,
                "created": c.created,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "skipped": c.skipped,
            }
            for c in report.counts()
        ],
    }


async def import_dashboards(request: Request, ctx: RequestContext) -> Response:
    mode = ImportMode(_choice(request, "mode", [m.value for m in ImportMode], "copy"))
    dry_run = _flag(request, "dry_run")
    include_grants = _flag(request, "include_grants")
    document = await json_body(request, _Document)
    report = await transfer.import_document(
        ctx, document.root, mode=mode, dry_run=dry_run, include_grants=include_grants
    )
    return ORJSONResponse(report_json(report))


def _route(path: str, handler: Handler, method: str) -> Route:
    return Route(path, rest_endpoint(handler, STYLE), methods=[method])


routes = [
    _route(EXPORT_PATH, export_dashboards, "GET"),
    _route(IMPORT_PATH, import_dashboards, "POST"),
]
