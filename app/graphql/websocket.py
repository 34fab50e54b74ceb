"""GraphQL over WebSocket at /graphql: the graphql-transport-ws protocol only (not the legacy
graphql-ws), for subscriptions only (a query or mutation sent over the socket is refused with
an `error` message: send those by HTTP). The connection authenticates with its
`connection_init` payload ({"Authorization": "Bearer …", "X-Clarus-Subdomain": tenant}) or the
upgrade request's headers, exactly as an HTTP request does (`authenticate`). Close codes:
4403 bad, missing or expired credentials (also when the token expires while connected), 4408
no connection_init in time, 1013 too many connections or the service cannot take it now."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from datetime import timedelta
from typing import Any

import jwt
import orjson
import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from app.auth import bearer_token
from app.context import RequestContext
from app.graphql.live_context import LiveOperationContext
from app.graphql.persisted import PersistedDocumentError, PersistedDocuments
from app.live import LiveUpdates
from app.request_context import Rejection, authenticate
from app.services import Services
from app.settings import Settings

SUBSCRIPTIONS_ONLY = (
    "Only subscriptions are served over WebSocket; send queries and mutations by HTTP to /graphql."
)
RATE_LIMITED = {"code": "RATE_LIMITED"}
FORBIDDEN = 4403
TRY_AGAIN_LATER = 1013
_MAX_REASON_BYTES = 123  # what a close frame carries


class LiveRefusal(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")


class LiveConnection:
    """One WebSocket connection: who it authenticated as, and until when."""

    def __init__(self, websocket: WebSocket, services: Services, live: LiveUpdates) -> None:
        self.websocket = websocket
        self.services = services
        self.live = live
        self.connection_params: dict[str, Any] | None = None  # set by strawberry
        self.request: RequestContext | None = None
        self._connection: HTTPConnection = websocket
        self.expires_at: float | None = None

    async def authenticate(self, payload: dict[str, Any]) -> None:
        """Authenticate with the payload's credentials, else the upgrade request's."""
        connection = HTTPConnection(self._scope_with(payload))
        self._connection = connection
        try:
            self.request = await authenticate(connection, self.services)
        except Rejection as rejection:
            code = FORBIDDEN if rejection.status in (400, 401, 403) else TRY_AGAIN_LATER
            label = "Forbidden" if code == FORBIDDEN else "Try again later"
            raise LiveRefusal(code, f"{label}: {rejection.message}") from rejection
        # Verified just now: its expiry is read without checking the signature again.
        token = bearer_token(connection.headers.get("authorization"))
        claims = jwt.decode(token, options={"verify_signature": False})
        self.expires_at = float(claims["exp"])

    def _scope_with(self, payload: dict[str, Any]) -> Scope:
        """The upgrade request's scope, with the payload's credentials in its headers."""
        given = _lowered(payload)
        tenant_header = self.services.settings.tenant_header.lower()
        names = {"authorization", tenant_header}
        for name in names & given.keys():
            if not isinstance(given[name], str):
                raise LiveRefusal(FORBIDDEN, f"Forbidden: {name} must be a string")
        headers = [
            (name, value)
            for name, value in self.websocket.scope["headers"]
            if name.decode("latin-1").lower() not in given.keys() & names
        ]
        headers += [(n.encode("latin-1"), given[n].encode()) for n in names & given.keys()]
        return {**self.websocket.scope, "headers": headers}

    async def refusal_of_operation(self) -> str | None:
        """Each subscription spends from its user's rate-limit bucket, as each HTTP request
        does; the refusal's message when it is spent."""
        assert self.request is not None, "operations run only after connection_ack"
        limit = await self.services.rate_limiter.admit_user(
            self._connection, self.request.tenant_name, self.request.user_id
        )
        return limit.refusal if limit is not None and not limit.allowed else None

    def operation_context(self) -> LiveOperationContext:
        assert self.request is not None, "operations run only after connection_ack"
        return LiveOperationContext(self.request, live=self.live)


def _lowered(payload: dict[str, Any]) -> dict[str, Any]:
    return {str(name).lower(): value for name, value in payload.items()}


class LiveTransportHandler(BaseGraphQLTransportWSHandler[LiveConnection, None]):
    _expiry: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        live = self.context.live
        if not live.admit_connection():
            await self.websocket.close(TRY_AGAIN_LATER, "Try again later: too many connections")
            return
        try:
            await super().handle()
        finally:
            live.release_connection()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if message.get("payload") is None:  # an absent payload is an empty one
            message = {"type": "connection_init", "payload": {}}
        payload = message["payload"]
        first = not (self.connection_init_received or self.connection_timed_out)
        if first and isinstance(payload, dict):
            try:
                await self.context.authenticate(payload)
            except LiveRefusal as refusal:
                self.connection_init_received = True
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                await self.websocket.close(refusal.code, refusal.reason)
                return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._expiry is None:
            self._expiry = asyncio.create_task(self._close_when_token_expires())

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """As strawberry's, after spending from the user's rate limit, with a persisted
        document (`documentId`) in place of `query`, and only those when
        GRAPHQL_PERSISTED_ONLY is on, as over HTTP."""
        payload = message.get("payload")
        if self.connection_acknowledged and isinstance(payload, dict):
            if (refusal := await self.context.refusal_of_operation()) is not None:
                await self._refuse(message["id"], GraphQLError(refusal, extensions=RATE_LIMITED))
                return
            persisted: PersistedDocuments = self.view.persisted  # type: ignore[attr-defined]
            try:
                query = persisted.resolve(payload.get("query"), payload.get("documentId"))
            except PersistedDocumentError as error:
                await self._refuse(
                    message["id"], GraphQLError(error.message, extensions={"code": error.code})
                )
                return
            message = {**message, "payload": {**payload, "query": query}}  # type: ignore[typeddict-item]
        await super().handle_subscribe(message)

    async def _refuse(self, operation_id: str, error: GraphQLError) -> None:
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})

    async def _close_when_token_expires(self) -> None:
        assert self.context.expires_at is not None
        await asyncio.sleep(max(0.0, self.context.expires_at - time.time()))
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with suppress(Exception):
            await self.websocket.close(FORBIDDEN, "Forbidden: the token has expired")

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()

    async def run_operation(self, operation: Operation[LiveConnection, None]) -> None:
        """As strawberry's, with a context of the operation's own, and subscriptions only."""
        settings = self.context.services.settings
        kind = _operation_type(operation.query, operation.operation_name, settings)
        if kind is not None and kind is not OperationType.SUBSCRIPTION:
            refusal = GraphQLError(SUBSCRIPTIONS_ONLY, extensions={"code": "SUBSCRIPTIONS_ONLY"})
            await operation.send_initial_errors([refusal])
            return
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context.operation_context(),
                root_value=self.root_value,
                operation_name=operation.operation_name,
                allowed_operation_types=(OperationType.SUBSCRIPTION,),
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:  # the operation closed the socket
            return
        except GraphQLSyntaxError as error:
            # Past GRAPHQL_MAX_TOKENS the parser gives up, raising instead of answering: a
            # document that does not parse, which the protocol answers by closing with 4400.
            self.operations.pop(operation.id, None)
            reason = error.message.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")
            await self.websocket.close(4400, reason)
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


def _operation_type(
    query: object, operation_name: str | None, settings: Settings
) -> OperationType | None:
    """The type of the operation the document runs; None when it does not parse or names
    none (the stream then reports that, as for HTTP)."""
    try:
        document = parse(query, max_tokens=settings.graphql_max_tokens)  # type: ignore[arg-type]
    except Exception:  # a syntax error, too many tokens, not a string
        return None
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is None or (definition.name and definition.name.value == operation_name):
            return OperationType(definition.operation.value)
    return None


class _LiveSocket(GraphQL[LiveConnection, None]):
    graphql_transport_ws_handler_class = LiveTransportHandler

    def __init__(self, schema: strawberry.Schema, services: Services, live: LiveUpdates) -> None:
        settings = services.settings
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.live_connection_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.live_max_subscriptions_per_connection,
            # Any origin: the socket carries no ambient credentials (no cookies; the token is
            # in connection_init, which a page can only send with a token it holds), so a
            # front end served from another origin may connect.
            allowed_origins=("*",),
        )
        self._services = services
        self._live = live
        self.persisted = PersistedDocuments.load(
            settings.graphql_persisted_operations_path,
            required=settings.graphql_persisted_only,
        )

    async def get_context(self, request: Any, response: Any) -> LiveConnection:
        return LiveConnection(request, self._services, self._live)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except RecursionError as error:
            raise json.JSONDecodeError("the JSON nests too deeply", "", 0) from error

    def encode_json(self, data: object) -> str:
        # Text frames: graphql-transport-ws messages are text.
        return orjson.dumps(data).decode()


class WebSocketEndpoint:
    """The /graphql WebSocket route; bound to the services once the lifespan made them."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self._schema = schema
        self._socket: _LiveSocket | None = None

    def bind(self, services: Services, live: LiveUpdates) -> None:
        self._socket = _LiveSocket(self._schema, services, live)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._socket is None:
            raise RuntimeError("the application's lifespan has not run")
        await self._socket(scope, receive, send)
