"""Wraps a REST handler: authentication once at entry, and every refusal as a JSON error."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.errors import DomainError
from app.request_context import Rejection, authenticate
from app.rest.responses import (
    RequestError,
    domain_error_response,
    rejection_response,
    request_error_response,
)
from app.services import Services

log = logging.getLogger(__name__)

Handler = Callable[[Request, RequestContext], Awaitable[Response]]


def rest_endpoint(
    handler: Handler, *, field_prefix: str = ""
) -> Callable[[Request], Awaitable[Response]]:
    """`field_prefix` is where the domain's input fields sit in this dialect's body (for
    seed 000 `data.attributes`), so that errors name the field the client sent."""

    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            ctx = await authenticate(request, services)
            return await handler(request, ctx)
        except Rejection as rejection:
            return rejection_response(rejection)
        except RequestError as error:
            return request_error_response(error)
        except DomainError as error:
            return domain_error_response(error, field_prefix)

    endpoint.__name__ = handler.__name__
    return endpoint
