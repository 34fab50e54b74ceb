"""POST/GET /graphql, per GraphQL over HTTP. The Accept header picks the media type (406 when
none is served); authentication runs once, before strawberry sees the request; a request may
name a persisted document (`documentId`) instead of sending one; a mutation sent by GET is a
405. A browser asking for the page itself gets GraphiQL without a token."""

from __future__ import annotations

import json
from typing import Any

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from app.graphql.context import GraphQLContext
from app.graphql.http_negotiation import JSON, content_type, negotiate, response_status
from app.graphql.persisted import PersistedDocumentError, PersistedDocuments
from app.graphql.unavailable import DatabaseUnavailableError, raise_if_unavailable
from app.graphql.version_cache import VersionCache
from app.request_context import Rejection, authenticate
from app.services import Services
from app.unavailable import STATUS

_CONTEXT_KEY = "graphql_context"
_MEDIA_TYPE_KEY = "graphql_media_type"
_SUB_RESPONSE_KEY = "graphql_sub_response"


SUBSCRIPTIONS_BY_WEBSOCKET = (
    "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql,"
    " not over HTTP."
)

_HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class _Refusal(Exception):
    """A request answered with an error before any operation runs."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class _StrawberryApp(GraphQL[GraphQLContext | None, None]):
    def __init__(self, schema: strawberry.Schema, persisted: PersistedDocuments) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self._persisted = persisted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As strawberry's, but a request it cannot take (no query, a body that is not
        JSON, a wrong method) is answered in JSON like every other error."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        media_type = scope.get(_MEDIA_TYPE_KEY, JSON)
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = _graphql_error(
                media_type,
                error.status_code,
                _HTTP_ERROR_CODES.get(error.status_code, "BAD_REQUEST"),
                error.reason,
                {"Allow": "GET, POST"} if error.status_code == 405 else None,
            )
        except _Refusal as refusal:
            response = _graphql_error(
                media_type, refusal.status, refusal.code, refusal.message, refusal.headers
            )
        except DatabaseUnavailableError as error:
            unavailable = error.unavailable
            response = _graphql_error(
                media_type, STATUS, unavailable.code, unavailable.message, unavailable.headers
            )
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: Any) -> bool:
        return bool(
            super().should_render_graphql_ide(request)
            and request.query_params.get("documentId") is None
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The request's parameters, with a persisted document's text in place of its id."""
        parameters = await self._parameters(request)
        try:
            query = self._persisted.resolve(parameters.get("query"), parameters.get("documentId"))
        except PersistedDocumentError as error:
            raise _Refusal(400, error.code, error.message) from error
        variables = parameters.get("variables")
        extensions = parameters.get("extensions")
        operation_name = parameters.get("operationName")
        for name, value, expected in (
            ("variables", variables, dict),
            ("extensions", extensions, dict),
            ("operationName", operation_name, str),
        ):
            if value is not None and not isinstance(value, expected):
                kind = "an object" if expected is dict else "a string"
                raise HTTPException(400, f"`{name}` must be {kind} or null, if provided.")
        return GraphQLRequestData(
            query=query,
            variables=variables,
            # The spec: an empty operationName is the same as none.
            operation_name=operation_name or None,
            extensions=extensions,
        )

    async def _parameters(self, request: AsyncHTTPRequestAdapter) -> dict[str, Any]:
        if request.method == "GET":
            return self.parse_query_params(request.query_params)
        media_type, _ = parse_content_type(request.content_type or "")
        if media_type.lower() != "application/json":
            raise HTTPException(
                415, "Send the GraphQL request as JSON, with Content-Type: application/json."
            )
        parameters = self.parse_json(await request.get_body())
        if isinstance(parameters, list):
            raise HTTPException(400, "Batching is not enabled")
        if not isinstance(parameters, dict):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parameters

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GraphQLContext | None,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As strawberry's, but a mutation sent by GET is a 405 (the spec's MUST)."""
        method = request_adapter.method
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                # Subscriptions are served over WebSocket only (app/graphql/websocket.py).
                allowed_operation_types=OperationType.from_http(method)
                - {OperationType.SUBSCRIPTION},
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if method == "GET" and error.operation_type is OperationType.MUTATION:
                raise _Refusal(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "A mutation cannot be sent with GET; send it with POST.",
                    {"Allow": "POST"},
                ) from error
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTIONS_BY_WEBSOCKET) from error
            raise HTTPException(400, error.as_http_error_reason(method)) from error
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.scope.get(_MEDIA_TYPE_KEY, JSON)
        request.scope[_SUB_RESPONSE_KEY] = sub_response
        return sub_response

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        # An unavailable database answers the whole operation with 503 (docs/faults.md).
        raise_if_unavailable(result.errors)
        body = await super().process_result(request, result)
        sub_response: Response = request.scope[_SUB_RESPONSE_KEY]
        status = response_status(sub_response.media_type or JSON, result.data, result.errors)
        if status != 200:
            sub_response.status_code = status
            if sub_response.media_type != JSON:
                body.pop("data", None)  # a request error: the operation did not run
        return body

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = content_type(sub_response.media_type or JSON)
        return response

    def decode_json(self, data: str | bytes) -> object:
        # json.loads, whose numbers and strings the domain's checks expect; nesting past the
        # interpreter's recursion limit is a body that does not parse, not a crash.
        try:
            return json.loads(data)
        except RecursionError as error:
            raise json.JSONDecodeError("the JSON nests too deeply", "", 0) from error

    def encode_json(self, data: object) -> bytes:
        # orjson, as the REST shim: a few times faster than json.dumps on a page of cards.
        return orjson.dumps(data)

    async def get_context(self, request: Any, response: Any) -> GraphQLContext | None:
        # None only while serving the GraphiQL page, which runs no operation.
        context: GraphQLContext | None = request.scope.get(_CONTEXT_KEY)
        return context


class GraphQLEndpoint:
    def __init__(self, schema: strawberry.Schema, services: Services) -> None:
        settings = services.settings
        persisted = PersistedDocuments.load(
            settings.graphql_persisted_operations_path,
            required=settings.graphql_persisted_only,
        )
        self._app = _StrawberryApp(schema, persisted)
        self._services = services
        self._version_cache = VersionCache(settings.graphql_version_cache_items)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if _wants_explorer(request):
            await self._app(scope, receive, send)
            return
        # Authentication first: a caller without a valid token learns nothing else, whatever
        # it accepts (its refusal falls back to application/json).
        media_type = negotiate(request.headers.get("accept"))
        try:
            scope[_CONTEXT_KEY] = GraphQLContext(
                await authenticate(request, self._services), version_cache=self._version_cache
            )
        except Rejection as rejection:
            response = _graphql_error(
                media_type or JSON,
                rejection.status,
                rejection.code,
                rejection.message,
                rejection.headers,
            )
            await response(scope, receive, send)
            return
        if media_type is None:
            response = _graphql_error(
                JSON,
                406,
                "NOT_ACCEPTABLE",
                "The Accept header allows neither application/graphql-response+json nor"
                " application/json, the media types this endpoint answers in.",
            )
            await response(scope, receive, send)
            return
        scope[_MEDIA_TYPE_KEY] = media_type
        await self._app(scope, receive, send)


def _graphql_error(
    media_type: str,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
        media_type=content_type(media_type),
    )


def _wants_explorer(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "documentId" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )
