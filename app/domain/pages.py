"""Pages (tabs) of a dashboard. Every dashboard has at least one; positions run 1..n without
gaps, and REST addresses a page by that number. Cards belong to a page and go with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.dashboard_rows import (
    AtVersion,
    read_at_versions,
    rows_of_dashboards,
    without_versions,
)
from app.domain.editing import bump_version, editing_dashboard
from app.domain.records import PAGE_COLUMNS, PageRecord
from app.domain.validation import UNSET, Problems, is_set
from app.domain.widgets import delete_unplaced_card_widgets, placed_widget_ids
from app.errors import DomainError, ErrorCode, Problem, not_found
from db.models import pages

NAME_MAX = 100
MAX_PAGES = 100


async def create_first_page(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, name: str = "Page 1"
) -> PageRecord:
    row = (
        await conn.execute(
            pages.insert()
            .values(tenant_id=ctx.tenant_id, dashboard_id=dashboard_id, name=name, position=1)
            .returning(*PAGE_COLUMNS)
        )
    ).one()
    return PageRecord.from_row(row)


_PAGES_OF_DASHBOARDS = rows_of_dashboards(pages, PAGE_COLUMNS, [pages.c.position])


async def get_versioned_pages(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, AtVersion[PageRecord]]:
    """Pages of the given dashboards in position order, with the dashboard version they
    belong to (dashboard_rows.py). The caller has already checked that it may see those
    dashboards."""
    return await read_at_versions(
        conn, _PAGES_OF_DASHBOARDS, ctx, dashboard_ids, PageRecord.from_row
    )


async def get_pages(
    conn: AsyncConnection, ctx: RequestContext, dashboard_ids: Iterable[int]
) -> dict[int, list[PageRecord]]:
    """As get_versioned_pages, without the versions."""
    return without_versions(await get_versioned_pages(conn, ctx, dashboard_ids))


async def pages_of(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int
) -> list[PageRecord]:
    return (await get_pages(conn, ctx, [dashboard_id])).get(dashboard_id, [])


def _page_number(pages_now: list[PageRecord], number: int) -> PageRecord:
    for page in pages_now:
        if page.position == number:
            return page
    raise not_found("page", number, ("page",))


async def add_page(
    ctx: RequestContext,
    dashboard_id: int,
    name: str,
    position: int | None = None,
    *,
    expected_version: int | None = None,
) -> PageRecord:
    name = name.strip() if isinstance(name, str) else name
    problems = Problems()
    problems.text(name, ("name",), max_length=NAME_MAX, required=True)
    problems.raise_if_any()
    async with editing_dashboard(ctx, dashboard_id, expected_version, "adding a page") as conn:
        existing = await pages_of(conn, ctx, dashboard_id)
        if len(existing) >= MAX_PAGES:
            raise DomainError(
                Problem(ErrorCode.INVALID, f"at most {MAX_PAGES} pages", ("position",))
            )
        last = len(existing) + 1
        target = last if position is None else position
        _check_position(target, last)
        await _shift(conn, ctx, dashboard_id, start=target, end=last, by=1)
        row = (
            await conn.execute(
                pages.insert()
                .values(
                    tenant_id=ctx.tenant_id,
                    dashboard_id=dashboard_id,
                    name=name.strip(),
                    position=target,
                )
                .returning(*PAGE_COLUMNS)
            )
        ).one()
        await bump_version(conn, ctx, dashboard_id)
    return PageRecord.from_row(row)


async def update_page(
    ctx: RequestContext,
    dashboard_id: int,
    number: int,
    *,
    name: Any = UNSET,
    position: Any = UNSET,
    expected_version: int | None = None,
) -> PageRecord:
    if isinstance(name, str):
        name = name.strip()
    problems = Problems()
    if is_set(name):
        problems.text(name, ("name",), max_length=NAME_MAX, required=True)
    if is_set(position) and position is None:
        problems.add(ErrorCode.REQUIRED, "position may not be null", ("position",))
    problems.raise_if_any()
    async with editing_dashboard(ctx, dashboard_id, expected_version, "changing a page") as conn:
        existing = await pages_of(conn, ctx, dashboard_id)
        page = _page_number(existing, number)
        values: dict[str, Any] = {}
        if is_set(name) and name.strip() != page.name:
            values["name"] = name.strip()
        if is_set(position) and position != page.position:
            _check_position(position, len(existing))
            # Close the gap it leaves, open one where it goes; the deferred unique
            # constraint on position is checked at commit.
            if position < page.position:
                await _shift(conn, ctx, dashboard_id, start=position, end=page.position - 1, by=1)
            else:
                await _shift(conn, ctx, dashboard_id, start=page.position + 1, end=position, by=-1)
            values["position"] = position
        if not values:
            return page
        row = (
            await conn.execute(
                update(pages)
                .where(pages.c.tenant_id == ctx.tenant_id, pages.c.id == page.id)
                .values(**values)
                .returning(*PAGE_COLUMNS)
            )
        ).one()
        await bump_version(conn, ctx, dashboard_id)
    return PageRecord.from_row(row)


async def delete_page(
    ctx: RequestContext, dashboard_id: int, number: int, *, expected_version: int | None = None
) -> PageRecord:
    """Delete a page and its cards; the pages after it move up one."""
    async with editing_dashboard(ctx, dashboard_id, expected_version, "deleting a page") as conn:
        existing = await pages_of(conn, ctx, dashboard_id)
        page = _page_number(existing, number)
        if len(existing) == 1:
            raise DomainError(
                Problem(
                    ErrorCode.INVALID, "the last page of a dashboard cannot be deleted", ("page",)
                )
            )
        widget_ids = await placed_widget_ids(conn, ctx, page_id=page.id)
        await conn.execute(
            delete(pages).where(pages.c.tenant_id == ctx.tenant_id, pages.c.id == page.id)
        )
        await delete_unplaced_card_widgets(conn, ctx, widget_ids)
        await _shift(conn, ctx, dashboard_id, start=page.position + 1, end=len(existing), by=-1)
        await bump_version(conn, ctx, dashboard_id)
    return page


def _check_position(position: int, last: int) -> None:
    if not 1 <= position <= last:
        raise DomainError(
            Problem(
                ErrorCode.INVALID,
                f"position must be between 1 and {last} (got {position})",
                ("position",),
            )
        )


async def _shift(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, *, start: int, end: int, by: int
) -> None:
    if start > end:
        return
    await conn.execute(
        update(pages)
        .where(
            pages.c.tenant_id == ctx.tenant_id,
            pages.c.dashboard_id == dashboard_id,
            pages.c.position.between(start, end),
        )
        .values(position=pages.c.position + by)
    )
