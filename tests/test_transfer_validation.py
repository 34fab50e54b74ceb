"""A document is checked whole before anything is written: every problem comes back with its
path into the document and nothing changes; version 1 documents are upgraded; unknown
formats and versions are refused."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.domain.transfer import import_document
from app.errors import DomainError, ErrorCode
from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.helpers import context_for
from tests.test_transfer_fixtures import (
    ADMIN_SCOPES,
    EXPORT,
    IMPORT,
    build_rich_tenant,
    full_dump,
    tenant_rows,
)

V1_DOCUMENT: dict[str, Any] = {
    "format": "dashboards-api.export",
    "version": 1,
    "exportedAt": "2025-06-01T12:00:00Z",
    "tenant": "legacy",
    "dashboards": [
        {
            "code": "sales",
            "name": "Sales",
            "description": "From the old service",
            "isActive": True,
            "isDefault": True,
            "roleIds": [2],
            "parameters": {"year": 2025},
            "widgets": [
                {
                    "name": "Revenue",
                    "widgetType": "kpi_card",
                    "config": {"metric": "revenue"},
                    "dataSource": {"sql": "SELECT 1 AS revenue", "cache_ttl_seconds": 60},
                    "position": {"x": 0, "y": 0, "w": 3, "h": 2},
                },
                {
                    "name": "Notes",
                    "widgetType": "text",
                    "description": "Read me",
                    "config": {"content": "Hello"},
                    "position": {"x": 3, "y": 0, "w": 9, "h": 2},
                },
            ],
        },
        {"code": "blank", "name": "Blank", "widgets": []},
    ],
}


async def _import(caller: Caller, document: Any, **options: Any) -> dict[str, Any]:
    data = await caller.graphql(IMPORT, {"input": {"document": document, **options}})
    payload: dict[str, Any] = data["importDashboards"]
    return payload


async def test_every_problem_is_reported_with_its_path_and_nothing_is_written(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a tenant and an export of it broken in many places
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    exported = await admin.graphql(EXPORT, {"input": {"scope": "TENANT", "includeGrants": True}})
    document = exported["exportDashboards"]["document"]
    broken = copy.deepcopy(document)
    overview = broken["dashboards"][1]
    overview["cards"][0]["widget"] = "widget-99"  # no such widget
    overview["cards"][1]["position"] = {"x": 11, "y": 0, "w": 3, "h": 2}  # off the grid
    overview["cards"][2]["card"]["config"] = {"columns": "not a list"}  # breaks the schema
    overview["cards"][2]["card"]["dataSource"]["dimensions"] = ["nope"]  # no such column
    overview["parameters"] = {"region": {"type": "colour"}}  # not a parameter type
    overview["name"] = ""
    broken["dashboards"][2]["collection"] = "collection-42"
    broken["datasets"][0]["source"] = "DELETE FROM sales"
    broken["widgets"][1]["dataSource"] = {"sql": "SELECT 1; DROP TABLE x"}
    broken["dashboards"][0]["cards"] = [
        {"page": "page-1", "position": {"x": 0, "y": 0, "w": 4, "h": 4}, "widget": "widget-3"},
        {"page": "page-1", "position": {"x": 2, "y": 2, "w": 4, "h": 4}, "widget": "widget-2"},
    ]
    before = await full_dump(services, tenant)

    # when it is imported (overwriting, and also as copies)
    payload = await _import(admin, broken, mode="OVERWRITE", includeGrants=True)
    copies = await _import(admin, broken)

    # then each problem is named where it is, and not a row changed
    assert payload["report"] is None
    found = {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert {
        (("document", "dashboards", "1", "cards", "0", "widget"), "UNKNOWN_REFERENCE"),
        (("document", "dashboards", "1", "cards", "1", "position", "w"), "INVALID"),
        (
            ("document", "dashboards", "1", "cards", "2", "card", "config", "columns"),
            "INVALID_CARD_CONFIG",
        ),
        (
            (
                "document",
                "dashboards",
                "1",
                "cards",
                "2",
                "card",
                "dataSource",
                "dimensions",
                "0",
                "column",
            ),
            "INVALID",
        ),
        (("document", "dashboards", "1", "parameters", "region", "type"), "INVALID"),
        (("document", "dashboards", "1", "name"), "REQUIRED"),
        (("document", "dashboards", "2", "collection"), "UNKNOWN_REFERENCE"),
        (("document", "datasets", "0", "source"), "INVALID"),
        (("document", "widgets", "1", "dataSource", "sql"), "INVALID"),
        (("document", "dashboards", "0", "cards", "1", "position"), "CARD_POSITION_CONFLICT"),
    } <= found, payload["userErrors"]
    assert copies["userErrors"] == payload["userErrors"]
    assert await full_dump(services, tenant) == before


async def test_a_shape_error_names_its_path(http: httpx.AsyncClient) -> None:
    admin = Caller(http, new_tenant(), user="root", scopes=ADMIN_SCOPES)
    document = {
        "format": "dashboards-api.export",
        "version": 2,
        "exportedAt": "now",
        "source": {"tenant": "x", "scope": "tenant"},
        "dashboards": [
            {"code": "a", "name": "A", "pages": [{"key": "p", "name": "P"}], "color": "red"},
            {"code": "b", "name": "B", "pages": [], "cards": [{"page": "p", "widget": 7}]},
        ],
    }

    payload = await _import(admin, document)

    assert {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]} == {
        (("document", "dashboards", "0", "color"), "INVALID"),
        (("document", "dashboards", "1", "cards", "0", "widget"), "INVALID"),
    }


async def test_unknown_formats_and_versions_are_refused(http: httpx.AsyncClient) -> None:
    admin = Caller(http, new_tenant(), user="root", scopes=ADMIN_SCOPES)

    newer = await _import(admin, {"format": "dashboards-api.export", "version": 3})
    other = await _import(admin, {"format": "grafana", "version": 2})
    not_object = await _import(admin, [1, 2])

    assert newer["userErrors"][0]["field"] == ["document", "version"]
    assert "version 3 is not one this service reads" in newer["userErrors"][0]["message"]
    assert other["userErrors"][0]["field"] == ["document", "format"]
    assert not_object["userErrors"][0]["code"] == "INVALID"


async def test_a_version_1_document_is_upgraded_and_imported(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)

    payload = await _import(admin, V1_DOCUMENT)

    assert payload["userErrors"] == []
    rows = await tenant_rows(services, tenant)
    assert [r[:6] for r in rows["dashboards"]] == [
        ("blank", "Blank", None, True, False, []),
        ("sales", "Sales", "From the old service", True, True, [2]),
    ]
    assert rows["pages"] == [("blank", 1, "Page 1"), ("sales", 1, "Page 1")]
    cards = [(r[0], r[1], r[2], r[3], r[6], r[7], r[8], r[10]) for r in rows["cards"]]
    assert cards == [
        (
            "sales",
            1,
            {"x": 0, "y": 0, "w": 3, "h": 2},
            0,
            False,
            "Revenue",
            "kpi_card",
            {"metric": "revenue"},
        ),
        (
            "sales",
            1,
            {"x": 3, "y": 0, "w": 9, "h": 2},
            1,
            False,
            "Notes",
            "text",
            {"content": "Hello"},
        ),
    ]
    exported = await admin.graphql(EXPORT, {"input": {"scope": "TENANT"}})
    assert exported["exportDashboards"]["version"] == 2


async def test_a_document_with_too_many_objects_is_refused(services: Services) -> None:
    tenant = new_tenant()
    ctx = await context_for(services, tenant, user="root", scopes=ADMIN_SCOPES)
    small = replace(ctx, settings=ctx.settings.model_copy(update={"import_max_objects": 10}))
    page = {"key": "p", "name": "P"}
    document = {
        "format": "dashboards-api.export",
        "version": 2,
        "exportedAt": "now",
        "source": {"tenant": "x", "scope": "tenant"},
        "dashboards": [{"code": f"d{n}", "name": "D", "pages": [page]} for n in range(6)],
    }

    with pytest.raises(DomainError) as refused:
        await import_document(small, document)

    assert refused.value.code is ErrorCode.INVALID
    assert "12 objects" in str(refused.value)
    assert "IMPORT_MAX_OBJECTS" in str(refused.value)
    assert (await tenant_rows(services, tenant))["dashboards"] == []
