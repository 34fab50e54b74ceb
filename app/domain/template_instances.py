"""A dashboard made from a built-in template and a dataset, in one transaction: the
dashboard with the template's parameters and pages, and a card (with a private widget whose
data source queries the dataset) for each of the template's tiles."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import require_edit
from app.domain.card_configs import config_problems
from app.domain.dashboards import DashboardDraft, checked_draft_values, create_dashboard_in
from app.domain.datasets import get_datasets
from app.domain.duplication import new_ids
from app.domain.records import DashboardRecord, PageRecord
from app.domain.revisions import record_revision
from app.domain.templates import DashboardPlan, plan_dashboard
from app.errors import DomainError, ErrorCode, Problem
from db.models import dashboard_widgets, pages, placements


async def create_from_template(
    ctx: RequestContext,
    *,
    template_id: str,
    dataset_id: int,
    name: str,
    collection_id: int | None = None,
) -> DashboardRecord:
    require_edit(ctx.principal, "creating a dashboard")
    async with ctx.db.transaction() as conn:
        dataset = (await get_datasets(conn, ctx, [dataset_id], lock=True)).get(dataset_id)
        if dataset is None:
            raise DomainError(
                Problem(
                    ErrorCode.UNKNOWN_REFERENCE,
                    f"dataset {dataset_id} does not exist",
                    ("dataset_id",),
                )
            )
        plan = plan_dashboard(template_id, dataset)
        _check_plan(plan)
        draft = DashboardDraft(
            code=None,
            name=name,
            description=plan.description,
            parameters=plan.parameters,
            collection_id=collection_id,
        )
        record, first_page = await create_dashboard_in(
            conn, ctx, draft, checked_draft_values(draft)
        )
        page_ids = await _pages(conn, ctx, record.id, first_page, plan.pages)
        await _cards(conn, ctx, record.id, page_ids, plan, dataset_id)
        await record_revision(conn, ctx, record.id)
    return record


def _check_plan(plan: DashboardPlan) -> None:
    """The templates are ours and tested; this keeps a broken one from storing bad cards."""
    for index, card in enumerate(plan.cards):
        problems = config_problems(card.widget_type.value, card.config, ("cards", index))
        if problems:
            raise DomainError(*problems)


async def _pages(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    first: PageRecord,
    names: tuple[str, ...],
) -> list[int]:
    await conn.execute(
        update(pages)
        .where(pages.c.tenant_id == ctx.tenant_id, pages.c.id == first.id)
        .values(name=names[0])
    )
    more = await new_ids(conn, pages, len(names) - 1)
    if more:
        await conn.execute(
            pages.insert().values(
                [
                    {
                        "tenant_id": ctx.tenant_id,
                        "id": page_id,
                        "dashboard_id": dashboard_id,
                        "name": name,
                        "position": position,
                    }
                    for position, (page_id, name) in enumerate(zip(more, names[1:], strict=True), 2)
                ]
            )
        )
    return [first.id, *more]


async def _cards(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    page_ids: list[int],
    plan: DashboardPlan,
    dataset_id: int,
) -> None:
    widget_ids = await new_ids(conn, dashboard_widgets, len(plan.cards))
    if not widget_ids:
        return
    await conn.execute(
        dashboard_widgets.insert().values(
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "id": widget_id,
                    "owner_id": ctx.user_id,
                    "in_library": False,
                    "name": card.name,
                    "widget_type": card.widget_type.value,
                    "config": card.config,
                    "data_source": card.data_source,
                    "dataset_id": dataset_id if card.data_source else None,
                }
                for widget_id, card in zip(widget_ids, plan.cards, strict=True)
            ]
        )
    )
    await conn.execute(
        placements.insert().values(
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "dashboard_id": dashboard_id,
                    "page_id": page_ids[card.page - 1],
                    "widget_id": widget_id,
                    "position": card.position.as_json(),
                    "ordinal": ordinal,
                }
                for ordinal, (widget_id, card) in enumerate(
                    zip(widget_ids, plan.cards, strict=True)
                )
            ]
        )
    )
