"""GET /openapi.json and GET /docs: the document, and Swagger UI from the installed
swagger-ui-py package (its page and static files, served from here: no CDN)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.rest.openapi.document import openapi_document
from app.services import Services

if TYPE_CHECKING:
    from jinja2 import Environment

DOCUMENT_PATH = "/openapi.json"
DOCS_PATH = "/docs"
# swagger-ui-py's page asks for its files at <url_prefix>/static/...
STATIC_PATH = DOCS_PATH + "/static"


@cache
def _templates() -> Environment:
    """swagger-ui-py's templates, loaded by the first page asked for: a process that never
    serves /docs never imports them (nor jinja2)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("swagger_ui", "templates"), autoescape=select_autoescape(["html"])
    )


# SwaggerUIBundle options, as JavaScript. No validator: the default one is an outside service.
_UI_OPTIONS = {
    "url": orjson.dumps(DOCUMENT_PATH).decode(),
    "dom_id": '"#swagger-ui"',
    "deepLinking": "true",
    "displayRequestDuration": "true",
    "persistAuthorization": "true",
    "validatorUrl": "null",
    "layout": '"StandaloneLayout"',
    "plugins": "[SwaggerUIBundle.plugins.DownloadUrl]",
    "presets": "[SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset]",
}


def _document(request: Request) -> dict[str, Any]:
    state = request.app.state
    if getattr(state, "openapi_document", None) is None:
        services: Services = state.services
        state.openapi_document = openapi_document(
            request.app.routes, services.settings.tenant_header
        )
    document: dict[str, Any] = state.openapi_document
    return document


async def openapi_json(request: Request) -> Response:
    return Response(orjson.dumps(_document(request)), media_type="application/json")


async def docs_page(request: Request) -> HTMLResponse:
    page = (
        _templates()
        .get_template("doc.html")
        .render(
            title="Dashboards API: REST",
            url_prefix=DOCS_PATH,
            parameters=_UI_OPTIONS,
            oauth2_config={},
            custom_css=None,
        )
    )
    return HTMLResponse(page)


routes: list[BaseRoute] = [
    Route(DOCUMENT_PATH, openapi_json, methods=["GET"]),
    Route(DOCS_PATH, docs_page, methods=["GET"]),
    Mount(STATIC_PATH, StaticFiles(packages=[("swagger_ui", "static")]), name="docs-static"),
]
