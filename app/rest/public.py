"""The public render of a dashboard, without a token: `GET
/api/public/dashboards/{slug}/render?page=&param.<name>=`. The slug of a public link opens
this route and nothing else; an unknown or revoked slug is 404 `dashboard_not_found`. Only
the parameters the dashboard marks `public` may be set, and answers are never cached
(`Cache-Control: no-store`). Errors are in seed 002's style. Each slug and each client
address has a rate limit of its own (429 `rate_limited`), checked before the slug is looked up,
so guessing slugs is limited too."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.domain.public_links import open_public_link
from app.errors import DomainError
from app.observability.request_info import current_request_id, note_caller
from app.rest.platform.tiles import rendered
from app.rest.responses import (
    ErrorStyle,
    ORJSONResponse,
    RequestError,
    domain_error_response,
    request_error_response,
)
from app.services import Services

STYLE = ErrorStyle(named_errors=True)
NO_STORE = {"Cache-Control": "no-store"}


async def render_public_dashboard(request: Request) -> Response:
    """No authentication: the slug is the credential. Refusals are answered like
    `rest_endpoint` answers them."""
    try:
        response: Response = ORJSONResponse(await _render(request))
    except RequestError as error:
        response = request_error_response(error, STYLE)
    except DomainError as error:
        response = domain_error_response(error, STYLE)
    response.headers.update(NO_STORE)
    return response


async def _render(request: Request) -> dict[str, Any]:
    services: Services = request.app.state.services
    slug = str(request.path_params["slug"])
    limit = await services.rate_limiter.admit_public_link(request, slug)
    if limit is not None and not limit.allowed:
        raise RequestError(429, "RATE_LIMITED", limit.refusal)
    visit = await open_public_link(
        services.db, services.data, services.settings, slug, current_request_id()
    )
    if visit is None:
        raise RequestError(404, "NOT_FOUND", "dashboard not found", resource="dashboard")
    note_caller(visit.context.tenant_name, None)  # no user: the slug is the credential
    return await rendered(visit.context, visit.dashboard_id, request, public=True)


routes = [
    Route("/api/public/dashboards/{slug}/render", render_public_dashboard, methods=["GET"]),
]
