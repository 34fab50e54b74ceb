"""Import modes and the dry run: COPY into the same tenant (suffixes), OVERWRITE by code
(changed dashboards updated and their version bumped, the others untouched), and a dry run
that changes nothing and reports exactly what the real run then does."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.test_transfer_fixtures import (
    ADMIN_SCOPES,
    EXPORT,
    IMPORT,
    build_rich_tenant,
    full_dump,
    tenant_rows,
)

VERSIONS = "query { dashboards(first: 50) { nodes { code version name } } }"


async def _export(caller: Caller, **values: Any) -> dict[str, Any]:
    data = await caller.graphql(EXPORT, {"input": {"scope": "TENANT", **values}})
    document: dict[str, Any] = data["exportDashboards"]["document"]
    return document


async def _import(caller: Caller, document: dict[str, Any], **options: Any) -> dict[str, Any]:
    data = await caller.graphql(IMPORT, {"input": {"document": document, **options}})
    payload: dict[str, Any] = data["importDashboards"]
    assert payload["userErrors"] == [], payload["userErrors"]
    report: dict[str, Any] = payload["report"]
    return report


def _actions(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(o["kind"], o["key"], o["name"], o["action"]) for o in report["objects"]]


async def _versions(caller: Caller) -> dict[str, tuple[int, str]]:
    data = await caller.graphql(VERSIONS)
    return {d["code"]: (d["version"], d["name"]) for d in data["dashboards"]["nodes"]}


async def test_copy_into_the_same_tenant_suffixes_what_is_taken(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a tenant and its export
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    document = await _export(admin)
    before = await _versions(admin)

    # when it is imported into itself as copies, twice
    first = await _import(admin, document, mode="COPY")
    second = await _import(admin, document, mode="COPY")

    # then dashboards and kinds got the next free suffix; folders and datasets are reused
    dashboards = [a for a in _actions(first) if a[0] == "DASHBOARD"]
    assert dashboards == [
        ("DASHBOARD", "empty", "empty-2", "CREATED"),
        ("DASHBOARD", "overview", "overview-2", "CREATED"),
        ("DASHBOARD", "private-one", "private-one-2", "CREATED"),
    ]
    assert [a[2] for a in _actions(second) if a[0] == "DASHBOARD"] == [
        "empty-3",
        "overview-3",
        "private-one-3",
    ]
    widgets = {a[2] for a in _actions(second) if a[0] == "WIDGET"}
    assert widgets == {"Revenue by region", "One", "Unplaced note"}
    assert {(a[0], a[3]) for a in _actions(first) if a[0] in ("COLLECTION", "DATASET")} == {
        ("COLLECTION", "UNCHANGED"),
        ("DATASET", "UNCHANGED"),
    }
    after = await _versions(admin)
    assert {code: after[code] for code in before} == before  # the originals are untouched
    kinds = await admin.graphql("{ dashboardWidgets(first: 50) { nodes { kind } } }")
    assert sorted(str(w["kind"]) for w in kinds["dashboardWidgets"]["nodes"]) == [
        "None",
        "None",
        "None",
        "None",
        "None",
        "None",
        "revenue_by_region",
        "revenue_by_region_2",
        "revenue_by_region_3",
    ]
    # the tenant's default stays where it was: copies never take it
    default = await admin.graphql("{ dashboards(first: 50) { nodes { code isDefault } } }")
    assert [d["code"] for d in default["dashboards"]["nodes"] if d["isDefault"]] == ["overview"]


async def test_overwrite_replaces_changed_dashboards_and_bumps_only_their_version(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a tenant, its export, and then changes to the tenant
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    document = await _export(admin, includeGrants=True)
    changed = copy.deepcopy(document)
    board = next(d for d in changed["dashboards"] if d["code"] == "private-one")
    board["name"] = "Renamed by import"
    board["cards"][0]["position"] = {"x": 3, "y": 1, "w": 3, "h": 2}
    before = await _versions(admin)

    # when the changed document overwrites the tenant
    report = await _import(admin, changed, mode="OVERWRITE", includeGrants=True)

    # then only that dashboard changed, with one new version
    assert [a for a in _actions(report) if a[0] == "DASHBOARD"] == [
        ("DASHBOARD", "empty", "empty", "UNCHANGED"),
        ("DASHBOARD", "overview", "overview", "UNCHANGED"),
        ("DASHBOARD", "private-one", "private-one", "UPDATED"),
    ]
    assert {a[3] for a in _actions(report) if a[0] != "DASHBOARD"} == {"UNCHANGED"}
    after = await _versions(admin)
    assert after["private-one"] == (before["private-one"][0] + 1, "Renamed by import")
    assert {k: v for k, v in after.items() if k != "private-one"} == {
        k: v for k, v in before.items() if k != "private-one"
    }
    # and exporting again gives the changed document
    again = await _export(admin, includeGrants=True)
    assert again["dashboards"] == changed["dashboards"]


async def test_overwrite_of_a_library_widget_bumps_the_dashboards_showing_it(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    document = await _export(admin)
    document["widgets"][0]["config"]["show_legend"] = True  # revenue_by_region, on overview
    before = await _versions(admin)

    report = await _import(admin, document, mode="OVERWRITE")

    assert ("WIDGET", "widget-1", "Revenue by region", "UPDATED") in _actions(report)
    after = await _versions(admin)
    assert after["overview"][0] == before["overview"][0] + 1
    assert after["empty"] == before["empty"]


async def test_a_dry_run_changes_nothing_and_reports_what_the_real_run_does(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given a tenant, and a changed export of it with a new dashboard
    tenant = new_tenant()
    await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    document = await _export(admin, includeGrants=True)
    document["dashboards"][1]["tags"] = ["changed"]
    extra = copy.deepcopy(document["dashboards"][0])
    extra["code"] = "brand-new"
    document["dashboards"].append(extra)
    before = await full_dump(services, tenant)

    # when it is imported as a dry run, then for real
    dry = await _import(admin, document, mode="OVERWRITE", dryRun=True, includeGrants=True)
    unchanged = await full_dump(services, tenant)
    real = await _import(admin, document, mode="OVERWRITE", includeGrants=True)

    # then the dry run wrote nothing and said exactly what the real run did
    assert unchanged == before
    assert dry["dryRun"] is True
    assert real["dryRun"] is False
    assert _actions(dry) == _actions(real)
    assert dry["counts"] == real["counts"]
    assert {o["databaseId"] for o in dry["objects"]} == {None}
    assert ("DASHBOARD", "brand-new", "brand-new", "CREATED") in _actions(real)
    assert ("DASHBOARD", "overview", "overview", "UPDATED") in _actions(real)


async def test_grants_are_skipped_unless_asked_for(
    services: Services, http: httpx.AsyncClient
) -> None:
    source, target = new_tenant(), new_tenant()
    await build_rich_tenant(services, source)
    document = await _export(
        Caller(http, source, user="root", scopes=ADMIN_SCOPES), includeGrants=True
    )
    target_admin = Caller(http, target, user="root", scopes=ADMIN_SCOPES)

    report = await _import(target_admin, document)

    grants = [c for c in report["counts"] if c["kind"] == "GRANT"]
    assert grants == [{"kind": "GRANT", "created": 0, "updated": 0, "unchanged": 0, "skipped": 2}]
    assert (await tenant_rows(services, target))["grants"] == []


async def test_overwriting_only_fields_keeps_the_cards_and_their_ids(
    services: Services, http: httpx.AsyncClient
) -> None:
    tenant = new_tenant()
    ids = await build_rich_tenant(services, tenant)
    admin = Caller(http, tenant, user="root", scopes=ADMIN_SCOPES)
    document = await _export(admin)
    document["dashboards"][1]["description"] = "Described by import"
    cards = "query C($id: ID!) { dashboard(id: $id) { description cards { id } } }"
    before = await admin.graphql(cards, {"id": str(ids["overview"])})

    await _import(admin, document, mode="OVERWRITE")

    after = await admin.graphql(cards, {"id": str(ids["overview"])})
    assert after["dashboard"]["description"] == "Described by import"
    assert after["dashboard"]["cards"] == before["dashboard"]["cards"]
    assert len(after["dashboard"]["cards"]) == 4


async def test_datasets_of_the_same_name_are_reused_replaced_or_copied_by_mode(
    services: Services, http: httpx.AsyncClient
) -> None:
    # given an export, and a tenant whose "sales" dataset reads something else
    source, target = new_tenant(), new_tenant()
    await build_rich_tenant(services, source)
    document = await _export(Caller(http, source, user="root", scopes=ADMIN_SCOPES))
    admin = Caller(http, target, user="root", scopes=ADMIN_SCOPES)
    other = copy.deepcopy(document)
    other["datasets"][1]["source"] = "SELECT 2 AS region, 3 AS revenue"  # "sales"
    other["datasets"][1]["sourceKind"] = "sql"
    other["dashboards"], other["widgets"] = [], []
    await _import(admin, other)

    # when the export is imported as copies, then overwriting
    copied = await _import(admin, document)
    after_copy = await tenant_rows(services, target)
    overwritten = await _import(admin, document, mode="OVERWRITE")

    # then a copy gets a dataset of its own, and an overwrite replaces the one of that name
    datasets = [a for a in _actions(copied) if a[0] == "DATASET"]
    assert datasets == [
        ("DATASET", "dataset-1", "eu sales", "UNCHANGED"),
        ("DATASET", "dataset-2", "sales (2)", "CREATED"),
    ]
    assert [a for a in _actions(overwritten) if a[0] == "DATASET"] == [
        ("DATASET", "dataset-1", "eu sales", "UNCHANGED"),
        ("DATASET", "dataset-2", "sales", "UPDATED"),
    ]
    rows = await tenant_rows(services, target)
    assert [(d[0], d[2]) for d in rows["datasets"]] == [
        ("eu sales", "sql"),
        ("sales", "table"),
        ("sales (2)", "table"),
    ]
    assert [(w[6], w[5]) for w in after_copy["library widgets"] if w[6]] == [
        ("revenue_by_region", "sales (2)")
    ]
    # the copied widget read the copy; overwriting (matched by its kind) it reads "sales"
    assert [(w[6], w[5]) for w in rows["library widgets"] if w[6]] == [
        ("revenue_by_region", "sales")
    ]
