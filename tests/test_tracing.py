"""OpenTelemetry tracing (OTEL_ENABLED): a server span per request named by route template or
GraphQL operation, child spans for tile queries, the caller's trace continued from
`traceparent`, the trace id in the JSON log lines; and nothing at all when it is off.
Spans go to the SDK's in-memory exporter instead of OTLP."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.main import create_app
from app.observability.middleware import ObservabilityMiddleware
from app.observability.telemetry import Telemetry
from app.observability.tracing import create_tracing
from app.services import Services
from app.settings import Settings
from tests.conftest import Caller, new_tenant
from tests.log_capture import capture_json_logs
from tests.test_rest_platform import new_board
from tests.test_rest_render import add_data_card, rendered, sales_dataset

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced_app(
    settings: Settings, exporter: InMemorySpanExporter
) -> AsyncIterator[Starlette]:
    traced = settings.model_copy(update={"otel_enabled": True})
    application = create_app(traced, Telemetry.create(traced, span_exporter=exporter))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def traced(
    traced_app: Starlette, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    exporter.clear()
    transport = httpx.ASGITransport(app=traced_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def caller(traced: httpx.AsyncClient) -> Caller:
    return Caller(traced, new_tenant())


@pytest.fixture
def services_of_traced(traced_app: Starlette) -> Services:
    services: Services = traced_app.state.services
    return services


def server_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


def hex_trace_id(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


async def test_a_request_is_a_server_span_named_by_its_route_template(
    caller: Caller, exporter: InMemorySpanExporter
) -> None:
    board = await new_board(caller)
    exporter.clear()

    with capture_json_logs() as logs:
        response = await caller.request(
            "GET", f"/api/dashboards/{board['id']}", headers={"X-Request-ID": "trace-test-1"}
        )

    assert response.status_code == 200
    (span,) = server_spans(exporter)
    assert span.name == "GET /api/dashboards/{dashboard_id}"
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "http.request.method": "GET",
        "http.route": "/api/dashboards/{dashboard_id}",
        "http.response.status_code": 200,
        "dashboards.tenant": caller.tenant,
    }
    assert span.status.status_code is StatusCode.UNSET
    (line,) = logs.access_lines("trace-test-1")
    assert line["trace_id"] == hex_trace_id(span)


async def test_a_graphql_span_is_named_by_the_operation(
    caller: Caller, exporter: InMemorySpanExporter
) -> None:
    await caller.graphql("query BoardTotal { dashboards { totalCount } }")

    (span,) = server_spans(exporter)
    assert span.name == "query BoardTotal"
    assert span.attributes is not None
    assert span.attributes["graphql.operation.name"] == "BoardTotal"
    assert span.attributes["graphql.operation.type"] == "query"
    assert span.attributes["http.route"] == "/graphql"


async def test_the_callers_trace_is_continued(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await traced.get(
        "/healthz", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"}
    )

    assert response.status_code == 200
    (span,) = server_spans(exporter)
    assert hex_trace_id(span) == TRACE_ID
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == PARENT_SPAN_ID


async def test_tile_queries_are_child_spans_of_the_request(
    caller: Caller, services_of_traced: Services, exporter: InMemorySpanExporter
) -> None:
    await sales_dataset(caller, services_of_traced)
    board = await new_board(caller)
    await add_data_card(caller, board["id"], {"sql": "SELECT count(*) AS n FROM sales"})
    await add_data_card(
        caller, board["id"], {"sql": "SELECT 1 / (count(*) - count(*)) AS x FROM sales"}, y=1
    )
    exporter.clear()

    cards = (await rendered(caller, board["id"]))["cards"]

    assert sorted(c["error"]["code"] if c["error"] else "ok" for c in cards) == [
        "TILE_SQL_ERROR",
        "ok",
    ]
    (server,) = server_spans(exporter)
    assert server.name == "GET /api/dashboards/{dashboard_id}/render"
    tiles = [s for s in exporter.get_finished_spans() if s.name == "tile query"]
    assert len(tiles) == 2
    assert server.context is not None
    for tile in tiles:
        assert tile.kind is SpanKind.CLIENT
        assert tile.parent is not None
        assert tile.parent.span_id == server.context.span_id
        assert hex_trace_id(tile) == hex_trace_id(server)
    outcomes = {tile.attributes["dashboards.tile.outcome"]: tile for tile in tiles}
    assert set(outcomes) == {"ok", "error"}
    assert outcomes["error"].status.status_code is StatusCode.ERROR
    assert outcomes["ok"].status.status_code is StatusCode.UNSET


# A failing request, on a small app of its own.


async def _fails(request: Request) -> Response:
    raise RuntimeError("boom")


async def test_an_unexpected_error_marks_the_span_as_failed(settings: Settings) -> None:
    exporter = InMemorySpanExporter()
    traced = settings.model_copy(update={"otel_enabled": True})
    app = Starlette(
        routes=[Route("/fail", _fails)],
        middleware=[
            Middleware(
                ObservabilityMiddleware,
                telemetry=Telemetry.create(traced, span_exporter=exporter),
            )
        ],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/fail")).status_code == 500

    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /fail"
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


# Off.


@pytest.fixture
async def untraced_app(
    settings: Settings,
) -> AsyncIterator[tuple[Starlette, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    assert settings.otel_enabled is False
    application = create_app(settings, Telemetry.create(settings, span_exporter=exporter))
    async with application.router.lifespan_context(application):
        yield application, exporter


async def test_no_span_is_made_when_tracing_is_off(
    untraced_app: tuple[Starlette, InMemorySpanExporter],
) -> None:
    application, exporter = untraced_app
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        caller = Caller(client, new_tenant())
        with capture_json_logs() as logs:
            await caller.graphql("query Off { dashboards { totalCount } }")
            await client.get("/healthz", headers={"X-Request-ID": "trace-off"})

    assert exporter.get_finished_spans() == ()
    (line,) = logs.access_lines("trace-off")
    assert "trace_id" not in line


@pytest.fixture
def without_opentelemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the `tracing` extra were not installed."""
    monkeypatch.setitem(sys.modules, "app.observability.otel", None)


@pytest.mark.usefixtures("without_opentelemetry")
def test_tracing_on_without_the_tracing_extra_says_what_to_install(settings: Settings) -> None:
    assert create_tracing(settings).enabled is False  # off: nothing is imported

    with pytest.raises(RuntimeError, match=r"pip install 'dashboards-api\[tracing\]'"):
        create_tracing(settings.model_copy(update={"otel_enabled": True}))
