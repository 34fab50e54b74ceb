"""POST/GET /graphql. Authentication runs once here, before strawberry sees the request;
a browser asking for the page itself gets GraphiQL without a token."""

from __future__ import annotations

from typing import Any

import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from app.graphql.context import GraphQLContext
from app.request_context import Rejection, authenticate
from app.services import Services

_CONTEXT_KEY = "graphql_context"


_HTTP_ERROR_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


class _StrawberryApp(GraphQL[GraphQLContext | None, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a request it cannot take (no query, a body that is not
        JSON, a wrong method) is answered in JSON like every other error."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = _graphql_error(
                error.status_code,
                _HTTP_ERROR_CODES.get(error.status_code, "BAD_REQUEST"),
                error.reason,
            )
        await response(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> GraphQLContext | None:
        # None only while serving the GraphiQL page, which runs no operation.
        context: GraphQLContext | None = request.scope.get(_CONTEXT_KEY)
        return context


class GraphQLEndpoint:
    def __init__(self, schema: strawberry.Schema, services: Services) -> None:
        self._app = _StrawberryApp(schema, graphql_ide="graphiql")
        self._services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if _wants_explorer(request):
            await self._app(scope, receive, send)
            return
        try:
            scope[_CONTEXT_KEY] = GraphQLContext(await authenticate(request, self._services))
        except Rejection as rejection:
            response = _graphql_error(
                rejection.status, rejection.code, rejection.message, rejection.headers
            )
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)


def _graphql_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def _wants_explorer(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )
