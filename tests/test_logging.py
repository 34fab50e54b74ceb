"""Structured logs: one JSON line per request (method, route template, status, duration,
request id, tenant, user, GraphQL operation), every other line of a request carrying its id,
tenant and user, and no secret in any line: tokens, passwords in URLs, `password=` pairs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.auth import mint_token
from app.observability.logs import (
    REDACTED,
    JsonLineFormatter,
    RequestContextFilter,
    TextLineFormatter,
    log_format,
    logging_config,
    redact,
)
from app.observability.middleware import ObservabilityMiddleware
from app.observability.request_info import note_caller
from app.observability.telemetry import Telemetry
from app.settings import Settings
from tests.conftest import SECRET, Caller
from tests.log_capture import Captured, capture_json_logs
from tests.test_rest_platform import new_board

DB_PASSWORD = "pg-pass-" + "q" * 12
DB_URL = f"postgresql://dashboards:{DB_PASSWORD}@db.internal:5432/dashboards"


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    with capture_json_logs() as captured:
        yield captured


# One line per request.


async def test_a_request_writes_one_json_line_with_its_id_tenant_and_user(
    json_logs: Captured, editor: Caller
) -> None:
    board = await new_board(editor)

    response = await editor.request(
        "GET", f"/api/dashboards/{board['id']}", headers={"X-Request-ID": "obs-test-1"}
    )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "obs-test-1"
    (line,) = json_logs.access_lines("obs-test-1")
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["route"] == "/api/dashboards/{dashboard_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert (line["tenant"], line["user"]) == (editor.tenant, "alice")
    assert "timestamp" in line
    assert str(board["id"]) not in line["route"]


async def test_a_graphql_line_names_the_operation(json_logs: Captured, editor: Caller) -> None:
    response = await editor.http.post(
        "/graphql",
        json={"query": "query BoardTotal { dashboards { totalCount } }"},
        headers={**editor.headers, "X-Request-ID": "obs-test-2"},
    )

    assert response.status_code == 200
    (line,) = json_logs.access_lines("obs-test-2")
    assert line["route"] == "/graphql"
    assert (line["operation_name"], line["operation_type"]) == ("BoardTotal", "query")
    assert line["user"] == "alice"


async def test_a_public_render_line_has_the_tenant_and_never_the_slug(
    json_logs: Captured, editor: Caller, http: httpx.AsyncClient
) -> None:
    board = await new_board(editor)
    link = (await editor.request("POST", f"/api/dashboards/{board['id']}/public")).json()

    response = await http.get(
        f"/api/public/dashboards/{link['slug']}/render", headers={"X-Request-ID": "obs-public"}
    )

    assert response.status_code == 200
    (line,) = json_logs.access_lines("obs-public")
    assert line["route"] == "/api/public/dashboards/{slug}/render"
    assert line["tenant"] == editor.tenant
    assert "user" not in line
    # The slug opens the dashboard to anyone: it is a secret like a token.
    assert link["slug"] not in json_logs.text


async def test_a_request_without_a_sane_id_gets_one_made(
    json_logs: Captured, http: httpx.AsyncClient
) -> None:
    without = await http.get("/healthz")
    insane = await http.get("/healthz", headers={"X-Request-ID": "no spaces <allowed>"})

    for response in (without, insane):
        made = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        (line,) = json_logs.access_lines(made)
        assert (line["route"], line["status"]) == ("/healthz", 200)
        # Not authenticated: no tenant, no user.
        assert "tenant" not in line
        assert "user" not in line
    assert without.headers["x-request-id"] != insane.headers["x-request-id"]


# Every line of a request, on a small app of its own: the middleware and an endpoint that logs.

log = logging.getLogger("tests.endpoint")


async def _logs_and_answers(request: Request) -> JSONResponse:
    note_caller("acme", "u-7")
    log.warning("about to answer; headers were %s", dict(request.headers))
    return JSONResponse({"ok": True})


async def _fails(request: Request) -> JSONResponse:
    note_caller("acme", "u-7")
    raise RuntimeError(f"could not reach {DB_URL}")


@pytest.fixture
async def small_app(settings: Settings) -> httpx.AsyncClient:
    app = Starlette(
        routes=[Route("/talk", _logs_and_answers), Route("/fail", _fails)],
        middleware=[Middleware(ObservabilityMiddleware, telemetry=Telemetry.create(settings))],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_lines_logged_during_a_request_carry_its_id_tenant_and_user(
    json_logs: Captured, small_app: httpx.AsyncClient
) -> None:
    async with small_app:
        response = await small_app.get("/talk", headers={"X-Request-ID": "obs-test-3"})

    assert response.status_code == 200
    lines = [line for line in json_logs.lines() if line.get("request_id") == "obs-test-3"]
    assert [line["logger"] for line in lines] == ["tests.endpoint", "app.access"]
    for line in lines:
        assert (line["tenant"], line["user"]) == ("acme", "u-7")


async def test_an_unexpected_error_is_logged_with_the_id_the_client_gets(
    json_logs: Captured, small_app: httpx.AsyncClient
) -> None:
    async with small_app:
        response = await small_app.get("/fail", headers={"X-Request-ID": "obs-test-4"})

    assert response.status_code == 500
    assert "obs-test-4" in response.json()["error"]
    assert DB_PASSWORD not in response.text
    error, access = (line for line in json_logs.lines() if line.get("request_id") == "obs-test-4")
    assert error["level"] == "ERROR"
    assert "RuntimeError" in error["exc_info"]
    assert (access["status"], access["route"]) == (500, "/fail")
    # The exception's text had the database password; the line has it no more.
    assert DB_PASSWORD not in json_logs.text
    assert f"dashboards:{REDACTED}@db.internal" in error["exc_info"]


# No secrets.


async def test_no_token_reaches_any_log_output(
    json_logs: Captured,
    caplog: pytest.LogCaptureFixture,
    small_app: httpx.AsyncClient,
    editor: Caller,
    http: httpx.AsyncClient,
) -> None:
    caplog.set_level(logging.INFO)
    token = editor.headers["Authorization"].removeprefix("Bearer ")
    expired = mint_token(SECRET, subject="alice", tenants=[editor.tenant], ttl_seconds=-3600)

    await editor.graphql("query Mine { dashboards { totalCount } }")
    refused = await http.get("/api/dashboards", headers={"Authorization": f"Bearer {expired}"})
    async with small_app:
        await small_app.get("/talk", headers={"Authorization": f"Bearer {token}"})

    assert refused.status_code == 401
    # The endpoint logged the headers: the JSON output has them without the token.
    talk = next(line for line in json_logs.lines() if line["logger"] == "tests.endpoint")
    assert f"Bearer {REDACTED}" in talk["message"]
    for secret in (token, expired, token.split(".")[2], expired.split(".")[2]):
        assert secret not in json_logs.text
    # The service itself never logs a token, even before any formatting.
    service_records = [r for r in caplog.records if r.name != "tests.endpoint"]
    assert service_records
    for record in service_records:
        assert token not in record.getMessage()
        assert expired not in record.getMessage()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.DEF-123_x", "abc.DEF-123_x"),
        ("{'authorization': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl in a sentence", "c2lnbmF0dXJl"),
        (f"connecting to {DB_URL}", DB_PASSWORD),
        ("redis://:r3dis-pw@cache:6379/0 failed", "r3dis-pw"),
        ("host=db user=x password=s3cret-pw dbname=y", "s3cret-pw"),
        ('{"password": "s3cret-pw", "user": "x"}', "s3cret-pw"),
        ('{\\"client_secret\\": \\"s3cret-pw\\"}', "s3cret-pw"),
        ("access_token=s3cret-pw&x=1", "s3cret-pw"),
        ("api_key: s3cret-pw", "s3cret-pw"),
    ],
)
def test_redaction_cuts_secrets_out(text: str, secret: str) -> None:
    redacted = redact(text)

    assert secret not in redacted
    assert REDACTED in redacted


def test_redaction_keeps_ordinary_text() -> None:
    text = "GET /api/dashboards/{dashboard_id} 200 3.2 ms tokens=5 http://db.internal:5432/x"

    assert redact(text) == text


@pytest.mark.parametrize("formatter", [JsonLineFormatter(), TextLineFormatter()])
def test_both_formats_redact_what_the_record_carries(formatter: logging.Formatter) -> None:
    record = logging.LogRecord(
        "db", logging.ERROR, __file__, 1, "cannot connect to %s", (DB_URL,), None
    )
    RequestContextFilter().filter(record)

    line = formatter.format(record)

    assert DB_PASSWORD not in line
    assert "db.internal:5432/dashboards" in line


# Settings.


@pytest.mark.parametrize(
    ("environment", "configured", "expected"),
    [
        ("production", "auto", "json"),
        ("development", "auto", "text"),
        ("development", "json", "json"),
        ("production", "text", "text"),
    ],
)
def test_log_format_defaults_to_json_in_production(
    environment: str, configured: str, expected: str
) -> None:
    settings = Settings(environment=environment, log_format=configured)  # type: ignore[arg-type]

    assert log_format(settings) == expected
    config = logging_config(settings)
    assert config["handlers"]["stderr"]["formatter"] == expected


def test_log_level_is_read_in_any_case() -> None:
    settings = Settings(log_level="debug")  # type: ignore[arg-type]

    assert settings.log_level == "DEBUG"
    assert logging_config(settings)["root"]["level"] == "DEBUG"
