"""Export and import round trips: a tenant exported, imported into a fresh tenant and
exported again gives the same document and the same rows; two exports of one state are
byte-identical but for `exportedAt`."""

from __future__ import annotations

from typing import Any

import httpx

from app.domain.transfer import ExportScope, dump_document, export_document
from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.helpers import context_for
from tests.test_transfer_fixtures import (
    ADMIN_SCOPES,
    EXPORT,
    IMPORT,
    build_rich_tenant,
    tenant_rows,
    without_moment,
)


async def _export(caller: Caller, **input_values: Any) -> dict[str, Any]:
    data = await caller.graphql(EXPORT, {"input": {"scope": "TENANT", **input_values}})
    result: dict[str, Any] = data["exportDashboards"]
    return result


async def _import(caller: Caller, document: dict[str, Any], **options: Any) -> dict[str, Any]:
    data = await caller.graphql(IMPORT, {"input": {"document": document, **options}})
    payload: dict[str, Any] = data["importDashboards"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["report"]


async def test_a_tenant_exported_and_imported_elsewhere_is_reproduced_exactly(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a rich tenant and its export with grants
    source, target = new_tenant(), new_tenant()
    await build_rich_tenant(services, source)
    source_admin = Caller(http, source, user="root", scopes=ADMIN_SCOPES)
    target_admin = Caller(http, target, user="root", scopes=ADMIN_SCOPES)
    exported = await _export(source_admin, includeGrants=True)

    # when it is imported into a fresh tenant and exported again
    report = await _import(target_admin, exported["document"], includeGrants=True)
    again = await _export(target_admin, includeGrants=True)

    # then the documents and the rows are the same
    assert without_moment(again["document"]) == without_moment(exported["document"])
    assert again["counts"] == exported["counts"]
    assert exported["counts"] == {
        "collections": 4,
        "datasets": 2,
        "widgets": 3,
        "dashboards": 3,
        "pages": 4,
        "cards": 5,
        "grants": 2,
    }
    assert await tenant_rows(services, target) == await tenant_rows(services, source)
    assert {(c["kind"], c["created"]) for c in report["counts"]} == {
        ("COLLECTION", 4),
        ("DATASET", 2),
        ("WIDGET", 3),
        ("DASHBOARD", 3),
        ("GRANT", 2),
    }


async def test_two_exports_of_one_state_are_byte_identical(services: Services) -> None:
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    ctx = await context_for(services, tenant, user="root", scopes=ADMIN_SCOPES)

    first = await export_document(ctx, ExportScope.TENANT, include_grants=True)
    second = await export_document(ctx, ExportScope.TENANT, include_grants=True)

    same_moment = second.model_copy(update={"exported_at": first.exported_at})
    assert dump_document(first) == dump_document(same_moment)


async def test_a_dashboard_or_a_collection_exported_and_imported_elsewhere_is_the_same(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given one dashboard's and one collection's exports
    source = new_tenant()
    ids = await build_rich_tenant(services, source)
    source_admin = Caller(http, source, user="root", scopes=ADMIN_SCOPES)
    scopes = [("DASHBOARD", ids["overview"]), ("COLLECTION", ids["finance"])]
    for scope, object_id in scopes:
        exported = await _export(source_admin, scope=scope, id=str(object_id))
        target = new_tenant()
        target_admin = Caller(http, target, user="root", scopes=ADMIN_SCOPES)

        # when each is imported into a fresh tenant and that tenant is exported
        await _import(target_admin, exported["document"])
        again = await _export(target_admin)

        # then it holds the same: the path of collections, the widgets and datasets used
        assert without_moment(again["document"]) == without_moment(exported["document"])
    dashboard = (await _export(source_admin, scope="DASHBOARD", id=str(ids["overview"])))[
        "document"
    ]
    assert [c["name"] for c in dashboard["collections"]] == ["Finance", "Quarterly"]
    assert [w["name"] for w in dashboard["widgets"]] == ["Revenue by region", "One"]
    assert [d["name"] for d in dashboard["datasets"]] == ["sales"]
