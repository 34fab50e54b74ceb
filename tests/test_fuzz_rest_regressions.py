"""Bugs the REST fuzzer (tests/test_fuzz_rest.py) found, each kept from coming back."""

from __future__ import annotations

import httpx

from app.services import Services
from tests.conftest import Caller
from tests.tile_data import run_as_service


async def test_a_data_connection_the_server_refuses_is_503_not_an_invalid_source(
    services: Services, http: httpx.AsyncClient, tenant: str
) -> None:
    """Found while the database server had no connection slots left: describing a dataset's
    SQL answered 422 "invalid source" with PostgreSQL's own message in it."""
    # given a tenant whose data role may open no connection, as when the server is full
    editor = Caller(http, tenant)
    role = await services.data.sandbox.ensure_tenant(await services.tenants.id_for(tenant))
    await run_as_service(services, f'ALTER ROLE "{role.role}" CONNECTION LIMIT 0')

    # when
    response = await editor.request(
        "POST",
        "/api/datasets",
        json={"name": "Numbers", "source_kind": "sql", "source": "SELECT 1 AS n"},
    )

    # then the data is unavailable, the SQL is not blamed, and the server's text stays inside
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "DATA_UNAVAILABLE"
    assert role.role not in response.text
    assert "connections" not in response.text
    listed = await editor.request("GET", "/api/datasets")
    assert listed.json()["datasets"] == []
