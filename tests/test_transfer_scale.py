"""Exports read in a fixed number of statements whatever the number of dashboards, and a large
import (200 dashboards of 20 cards) runs in one transaction; its time is printed, not
asserted (run with -s to see it)."""

from __future__ import annotations

import time
from typing import Any

from app.domain.cards import CardDraft, add_card
from app.domain.dashboards import DashboardDraft, create_dashboard
from app.domain.records import Position
from app.domain.transfer import ExportScope, ImportMode, export_document, import_document
from app.services import Services
from tests.conftest import new_tenant
from tests.helpers import context_for
from tests.test_transfer_fixtures import ADMIN_SCOPES, build_rich_tenant, tenant_rows


async def _add_boards(services: Services, tenant: str, count: int) -> None:
    ctx = await context_for(services, tenant, user="root", scopes=ADMIN_SCOPES)
    for n in range(count):
        board = await create_dashboard(ctx, DashboardDraft(code=f"extra-{n}", name=f"Extra {n}"))
        for m in range(3):
            layout = Position(4 * m, 0, 4, 2)
            await add_card(ctx, board.id, CardDraft("text", {"content": f"{n}.{m}"}, layout))


async def test_an_export_reads_in_the_same_number_of_statements_for_more_dashboards(
    services: Services, count_statements: Any
) -> None:
    small, large = new_tenant(), new_tenant()
    for tenant, extra in ((small, 1), (large, 12)):
        await build_rich_tenant(services, tenant)
        await _add_boards(services, tenant, extra)
    counts = []
    for tenant in (small, large):
        ctx = await context_for(services, tenant, user="root", scopes=ADMIN_SCOPES)
        with count_statements() as counter:
            document = await export_document(ctx, ExportScope.TENANT, include_grants=True)
        counts.append((counter.count, len(document.dashboards)))

    assert counts[0][1] == 4
    assert counts[1][1] == 15
    assert counts[0][0] == counts[1][0], counts


def _large_document(dashboards: int, cards: int) -> dict[str, Any]:
    def card(n: int) -> dict[str, Any]:
        return {
            "page": "page-1",
            "position": {"x": 3 * (n % 4), "y": 2 * (n // 4), "w": 3, "h": 2},
            "card": {
                "name": f"Card {n}",
                "widgetType": "kpi_card",
                "config": {"metric": "one", "title": f"KPI {n}"},
                "dataSource": {"sql": "SELECT 1 AS one", "cache_ttl_seconds": 60},
            },
        }

    return {
        "format": "dashboards-api.export",
        "version": 2,
        "exportedAt": "2026-01-01T00:00:00Z",
        "source": {"tenant": "bench", "scope": "tenant"},
        "dashboards": [
            {
                "code": f"board-{d:03}",
                "name": f"Board {d}",
                "tags": ["bulk"],
                "pages": [{"key": "page-1", "name": "Page 1"}],
                "cards": [card(n) for n in range(cards)],
            }
            for d in range(dashboards)
        ],
    }


async def test_a_large_import_in_one_transaction(services: Services) -> None:
    tenant = new_tenant()
    ctx = await context_for(services, tenant, user="root", scopes=ADMIN_SCOPES)
    document = _large_document(200, 20)

    started = time.perf_counter()
    dry = await import_document(ctx, document, dry_run=True)
    dry_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = await import_document(ctx, document)
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = await import_document(ctx, document, mode=ImportMode.OVERWRITE)
    overwrite_seconds = time.perf_counter() - started
    started = time.perf_counter()
    exported = await export_document(ctx, ExportScope.TENANT)
    export_seconds = time.perf_counter() - started

    print(
        f"\n200 dashboards x 20 cards: dry run {dry_seconds:.2f} s, import {import_seconds:.2f} s,"
        f" overwrite (all unchanged) {overwrite_seconds:.2f} s, export {export_seconds:.2f} s"
    )
    assert [c.created for c in dry.counts()] == [c.created for c in report.counts()]
    assert {o.action.value for o in again.objects} == {"unchanged"}
    rows = await tenant_rows(services, tenant)
    assert len(rows["dashboards"]) == 200
    assert len(rows["cards"]) == 4000
    assert len(exported.dashboards) == 200
