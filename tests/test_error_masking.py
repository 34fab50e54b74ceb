"""Unexpected errors reach the client masked, with the request id, on both transports."""

from __future__ import annotations

import logging

import pytest

from app.domain import dashboards
from tests.conftest import Caller

SECRET_DETAIL = "relation secret_table does not exist SELECT password"


@pytest.fixture
def broken_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(dashboards, "list_dashboards", fail)
    monkeypatch.setattr(dashboards, "create_dashboard", fail)


@pytest.mark.usefixtures("broken_listing")
async def test_graphql_masks_unexpected_errors_and_logs_them(
    editor: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)

    response = await editor.request(
        "POST",
        "/graphql",
        json={"query": "{ dashboards { totalCount } }"},
        headers={"X-Request-ID": "trace-42"},
    )

    body = response.json()
    assert response.status_code == 200
    assert body["errors"][0]["message"] == (
        "Unexpected error; quote the X-Request-ID when reporting it."
    )
    assert SECRET_DETAIL not in response.text
    assert response.headers["x-request-id"] == "trace-42"
    assert any("trace-42" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.usefixtures("broken_listing")
async def test_rest_masks_unexpected_errors_with_the_request_id(
    editor: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)

    response = await editor.request(
        "POST",
        "/api/dashboards",
        headers={"X-Request-ID": "trace-43"},
        json={"data": {"type": "dashboards", "attributes": {"code": "c", "name": "n"}}},
    )

    assert response.status_code == 500
    assert response.json() == {
        "error": "unexpected error; quote request id trace-43 when reporting it",
        "code": "INTERNAL",
    }
    assert SECRET_DETAIL not in response.text
    assert any("trace-43" in r.getMessage() and r.exc_info for r in caplog.records)
