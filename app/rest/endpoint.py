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
    PLAIN,
    ErrorStyle,
    RequestError,
    domain_error_response,
    rejection_response,
    request_error_response,
    unavailable_response,
)
from app.services import Services
from app.unavailable import recognise

log = logging.getLogger(__name__)

Handler = Callable[[Request, RequestContext], Awaitable[Response]]


def rest_endpoint(
    handler: Handler, style: ErrorStyle = PLAIN
) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, run the handler, answer every refusal in the dialect's `style`."""

    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            ctx = await authenticate(request, services)
            return await handler(request, ctx)
        except Rejection as rejection:
            return rejection_response(rejection, style)
        except RequestError as error:
            return request_error_response(error, style)
        except DomainError as error:
            return domain_error_response(error, style)
        except Exception as error:
            # The database is down, restarting or out of connections: 503 (docs/faults.md).
            unavailable = recognise(error)
            if unavailable is None:
                raise
            return unavailable_response(unavailable, style)

    endpoint.__name__ = handler.__name__
    return endpoint
