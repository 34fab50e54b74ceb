"""The application factory: routes, middleware and the lifespan that owns the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from app.auth import TokenVerifier
from app.context import Database
from app.data.plane import DataPlane
from app.domain.revisions.retention import RevisionPruner
from app.domain.users import UserDirectory
from app.gc_tuning import tune_garbage_collector
from app.graphql.endpoint import GraphQLEndpoint
from app.graphql.schema import build_schema
from app.graphql.websocket import WebSocketEndpoint
from app.health import healthz, readyz
from app.limits import BodySizeLimitMiddleware
from app.live import LiveUpdates
from app.observability.metrics_route import metrics_route
from app.observability.middleware import ObservabilityMiddleware
from app.observability.telemetry import Telemetry
from app.rate_limit import RateLimitHeadersMiddleware, create_rate_limiter
from app.rest import clarus, datasets, public, shared, transfer
from app.rest.analytics import routes as analytics
from app.rest.bi import routes as bi
from app.rest.openapi import pages as openapi_pages
from app.rest.platform import routes as platform
from app.rest.responses import error_response
from app.revision_header import RevisionMessageMiddleware
from app.services import Services
from app.settings import Settings, get_settings
from app.tenancy import TenantDirectory
from db.engine import create_engine
from db.provision import ensure_database

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "dashboards"


async def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL, or a database on the embedded server when it is not set."""
    if settings.database_url:
        return settings.database_url
    from db.embedded import start_embedded_server  # pgserver only when it is used

    server_url = await asyncio.to_thread(start_embedded_server, settings.data_dir)
    return await ensure_database(server_url, EMBEDDED_DATABASE)


def create_app(settings: Settings | None = None, telemetry: Telemetry | None = None) -> Starlette:
    settings = settings or get_settings()
    telemetry = telemetry or Telemetry.create(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = await resolve_database_url(settings)
        if settings.migrate_on_start:
            # Alembic (about 11 MB) is loaded only by a process that migrates.
            from db.migrate import upgrade

            await upgrade(url)
        engine = create_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_seconds,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            connect_timeout=settings.db_connect_timeout_seconds,
        )
        services = Services(
            settings=settings,
            db=Database(engine),
            verifier=TokenVerifier(settings),
            tenants=TenantDirectory(engine, settings.tenant_cache_size),
            data=DataPlane.create(url, settings, telemetry.tiles),
            users=UserDirectory(engine, settings.user_cache_size),
            rate_limiter=create_rate_limiter(settings),
        )
        app.state.services = services
        telemetry.watch(engine)
        graphql.bind(services)
        live = LiveUpdates(services, url, telemetry.metrics)
        live.start()
        live_socket.bind(services, live)
        app.state.live = live
        tune_garbage_collector(settings.gc_first_threshold)
        pruner = RevisionPruner(services.db, settings)
        pruner.start()
        try:
            yield
        finally:
            await pruner.stop()
            await live.stop()
            await services.rate_limiter.close()
            await services.data.close()
            await engine.dispose()
            telemetry.close()

    graphql_schema = build_schema(settings)
    graphql = _LateBoundGraphQL(graphql_schema)
    # Subscriptions: the same schema over WebSocket (docs/live-updates.md).
    live_socket = WebSocketEndpoint(graphql_schema)
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            metrics_route(telemetry.metrics, settings.metrics_token),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live_socket),
            *shared.routes,
            *bi.routes,
            *analytics.routes,
            *clarus.routes,
            *platform.routes,
            *datasets.routes,
            *transfer.routes,
            *public.routes,
            *openapi_pages.routes,
        ],
        middleware=[
            Middleware(ObservabilityMiddleware, telemetry=telemetry),
            Middleware(
                BodySizeLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                larger={transfer.IMPORT_PATH: settings.import_max_bytes},
            ),
            Middleware(RateLimitHeadersMiddleware),
            Middleware(RevisionMessageMiddleware),
        ],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )


class _LateBoundGraphQL:
    """The GraphQL endpoint needs the services that only exist once the lifespan ran."""

    def __init__(self, schema: object) -> None:
        self._schema = schema
        self._endpoint: GraphQLEndpoint | None = None

    def bind(self, services: Services) -> None:
        self._endpoint = GraphQLEndpoint(self._schema, services)  # type: ignore[arg-type]

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        if self._endpoint is None:
            raise RuntimeError("the application's lifespan has not run")
        await self._endpoint(scope, receive, send)  # type: ignore[arg-type]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "no such route", 405: f"{request.method} is not allowed here"}
    return error_response(
        exc.status_code,
        {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR"),
        messages.get(exc.status_code, str(exc.detail)),
        headers=exc.headers,
    )
