"""Who may export and import what: tokens, tenants, scopes and visibility, through GraphQL
and REST; the REST import's own body limit."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson

from app.auth import EDIT_SCOPE
from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.isolation.transfer import IMPORTED_DOCUMENT
from tests.test_transfer_fixtures import (
    ADMIN_SCOPES,
    EXPORT,
    IMPORT,
    build_rich_tenant,
    full_dump,
)


async def _export_board(caller: Caller, board_id: int) -> httpx.Response:
    variables = {"input": {"scope": "DASHBOARD", "id": str(board_id), "includeGrants": True}}
    return await caller.post_graphql(EXPORT, variables)


async def _import(caller: Caller, document: Any, **options: Any) -> dict[str, Any]:
    data = await caller.graphql(IMPORT, {"input": {"document": document, **options}})
    payload: dict[str, Any] = data["importDashboards"]
    return payload


async def test_no_token_and_an_expired_token_are_refused(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    ids = await build_rich_tenant(services, tenant)
    expired = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES, ttl=-100)
    anonymous = {"X-Clarus-Subdomain": tenant}
    before = await full_dump(services, tenant)

    answers = [
        await _export_board(expired, ids["overview"]),
        await expired.post_graphql(IMPORT, {"input": {"document": IMPORTED_DOCUMENT}}),
        await http.post("/graphql", json={"query": EXPORT, "variables": {}}, headers=anonymous),
        await expired.request("GET", "/api/export?scope=tenant"),
        await http.post("/api/import", json=IMPORTED_DOCUMENT, headers=anonymous),
    ]

    assert [a.status_code for a in answers] == [401] * 5
    assert await full_dump(services, tenant) == before


async def test_another_tenants_ids_are_not_found(
    services: Services, http: httpx.AsyncClient
) -> None:
    victim = new_tenant()
    ids = await build_rich_tenant(services, victim)
    attacker = Caller(http, new_tenant(), user="mallory", scopes=ADMIN_SCOPES)

    by_graphql = await _export_board(attacker, ids["overview"])
    collection = await attacker.post_graphql(
        EXPORT, {"input": {"scope": "COLLECTION", "id": str(ids["finance"])}}
    )
    by_rest = await attacker.request("GET", f"/api/export?scope=dashboard&id={ids['overview']}")

    assert by_graphql.json()["data"] == {"exportDashboards": None}
    assert collection.json()["data"] == {"exportDashboards": None}
    assert by_rest.status_code == 404
    assert by_rest.json()["error"] == "dashboard_not_found"


async def test_members_export_only_what_they_see(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    ids = await build_rich_tenant(services, tenant)
    reader = Caller(http, tenant, user="rita", roles=(3,), scopes=())

    tenant_export = await reader.post_graphql(EXPORT, {"input": {"scope": "TENANT"}})
    private = await _export_board(reader, ids["private"])
    shown = await reader.graphql(
        EXPORT, {"input": {"scope": "COLLECTION", "id": str(ids["finance"])}}
    )

    assert tenant_export.json()["data"] == {"exportDashboards": None}
    assert "dashboard.admin" in tenant_export.json()["errors"][0]["message"]
    assert private.json()["data"] == {"exportDashboards": None}
    document = shown["exportDashboards"]["document"]
    # overview (role 3) and empty are in Finance's tree; the private one is not
    assert [d["code"] for d in document["dashboards"]] == ["empty", "overview"]
    assert [c["name"] for c in document["collections"]] == ["Finance", "Quarterly", "Archive"]
    assert document["dashboards"][1]["grants"] is None


async def test_importing_needs_the_edit_scope_and_grants_need_admin(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    reader = Caller(http, tenant, user="rita", scopes=())
    editor = Caller(http, tenant, user="eve", scopes=(EDIT_SCOPE,))
    before = await full_dump(services, tenant)

    by_reader = await _import(reader, IMPORTED_DOCUMENT)
    with_grants = await _import(editor, IMPORTED_DOCUMENT, includeGrants=True)
    rest = await reader.request("POST", "/api/import", json=IMPORTED_DOCUMENT)

    assert [e["code"] for e in by_reader["userErrors"]] == ["FORBIDDEN"]
    assert [e["code"] for e in with_grants["userErrors"]] == ["FORBIDDEN"]
    assert with_grants["userErrors"][0]["field"] is None
    assert rest.status_code == 403
    assert await full_dump(services, tenant) == before


async def test_overwriting_a_dashboard_the_editor_cannot_see_is_refused(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    exported = await admin.graphql(EXPORT, {"input": {"scope": "TENANT"}})
    document = exported["exportDashboards"]["document"]
    editor = Caller(http, tenant, user="eve", scopes=(EDIT_SCOPE,))
    before = await full_dump(services, tenant)

    payload = await _import(editor, document, mode="OVERWRITE")

    # "overview" is for roles 1 and 3, "private-one" its owner's alone: to the editor, who
    # sees neither, their codes are simply taken
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["document", "dashboards", "1", "code"], "ALREADY_EXISTS"),
        (["document", "dashboards", "2", "code"], "ALREADY_EXISTS"),
    ]
    assert await full_dump(services, tenant) == before


async def test_rest_import_answers_the_report_and_problems_in_details(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    broken = copy.deepcopy(IMPORTED_DOCUMENT)
    broken["dashboards"][0]["cards"][0]["page"] = "page-9"

    refused = await admin.request("POST", "/api/import", json=broken)
    done = await admin.request("POST", "/api/import?include_grants=true", json=IMPORTED_DOCUMENT)
    bad_mode = await admin.request("POST", "/api/import?mode=merge", json=IMPORTED_DOCUMENT)
    exported = await admin.request("GET", "/api/export?scope=tenant&include_grants=true")

    assert refused.status_code == 422
    assert refused.json()["details"] == [
        {
            "code": "UNKNOWN_REFERENCE",
            "message": "dashboards[0].cards[0].page: the document has no page 'page-9'",
            "field": "dashboards[0].cards[0].page",
        }
    ]
    assert done.status_code == 200
    assert done.json()["counts"][3] == {
        "kind": "dashboard",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert bad_mode.status_code == 400
    assert exported.status_code == 200
    assert orjson.loads(exported.content)["dashboards"][0]["grants"] == [
        {"accessLevel": "viewer", "subjectId": "carol", "subjectType": "user"}
    ]


async def test_the_import_route_takes_documents_larger_than_other_bodies(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a document larger than MAX_BODY_BYTES (1 MiB) but within IMPORT_MAX_BYTES
    admin = Caller(http, new_tenant(), user="root", scopes=ADMIN_SCOPES)
    large = copy.deepcopy(IMPORTED_DOCUMENT)
    note = {"content": "x" * 19_000}
    large["dashboards"][0]["cards"] = [
        {
            "page": "page-1",
            "position": {"x": 0, "y": 2 * n, "w": 4, "h": 2},
            "card": {"name": f"Note {n}", "widgetType": "text", "config": note},
        }
        for n in range(60)
    ]
    body = orjson.dumps(large)
    assert services.settings.max_body_bytes < len(body) < services.settings.import_max_bytes
    headers = {"Content-Type": "application/json"}

    imported = await admin.request(
        "POST", "/api/import?dry_run=true", content=body, headers=headers
    )
    elsewhere = await admin.request("POST", "/api/datasets", content=body, headers=headers)

    assert imported.status_code == 200, imported.text
    assert elsewhere.status_code == 413
