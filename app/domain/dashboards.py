"""Dashboards: create, read, list, update, delete, and the tenant's single default."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action, require_edit, visible_dashboards
from app.domain.collections import require_collection
from app.domain.constraints import violated_constraint
from app.domain.editing import lock_dashboard
from app.domain.listing import contains_text, fetch_page
from app.domain.pages import create_first_page
from app.domain.parameters import check_definitions
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord, Page, PageRecord
from app.domain.validation import UNSET, Problems, is_set
from app.domain.widgets import delete_unplaced_card_widgets, placed_widget_ids
from app.errors import DomainError, ErrorCode, Problem
from db.models import dashboards, tenants

CODE_MAX, NAME_MAX, DESCRIPTION_MAX = 30, 50, 255
MAX_ROLE_IDS = 100
ROLE_ID_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class DashboardDraft:
    code: str | None  # None: derived from the name
    name: str
    description: str | None = None
    is_active: bool = True
    is_default: bool = False
    role_ids: list[int] = field(default_factory=list)
    collection_id: int | None = None
    parameters: Any = field(default_factory=dict)
    visibility: str = "team"
    tags: list[str] = field(default_factory=list)
    type: str | None = None
    refresh_interval: int | None = None


@dataclass(frozen=True, slots=True)
class DashboardChanges:
    """A partial update: fields left UNSET keep their value."""

    code: Any = UNSET
    name: Any = UNSET
    description: Any = UNSET
    is_active: Any = UNSET
    is_default: Any = UNSET
    role_ids: Any = UNSET
    collection_id: Any = UNSET
    parameters: Any = UNSET
    visibility: Any = UNSET
    tags: Any = UNSET
    type: Any = UNSET
    refresh_interval: Any = UNSET

    def as_values(self) -> dict[str, Any]:
        values = {
            name: getattr(self, name)
            for name in (
                "code",
                "name",
                "description",
                "is_active",
                "is_default",
                "role_ids",
                "collection_id",
                "parameters",
                "visibility",
                "tags",
                "type",
                "refresh_interval",
            )
            if is_set(getattr(self, name))
        }
        if isinstance(values.get("role_ids"), list):
            values["role_ids"] = sorted(set(values["role_ids"]))
        for key in ("code", "name"):
            if isinstance(values.get(key), str):
                values[key] = values[key].strip()
        return values


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    search: str | None = None
    is_active: bool | None = None
    collection_id: int | None = None


PARAMETERS_MAX_BYTES = 65_536


def _check_fields(problems: Problems, values: dict[str, Any], *, creating: bool) -> None:
    if "parameters" in values and problems.json_object(
        values["parameters"], ("parameters",), max_bytes=PARAMETERS_MAX_BYTES
    ):
        check_definitions(problems, values["parameters"])
    if creating or "code" in values:
        code = values.get("code")
        problems.text(code, ("code",), max_length=CODE_MAX, required=True)
        if code and any(ch.isspace() for ch in code.strip()):
            problems.add(ErrorCode.INVALID, "code may not contain whitespace", ("code",))
    if creating or "name" in values:
        problems.text(values.get("name"), ("name",), max_length=NAME_MAX, required=True)
    if values.get("description") is not None:
        problems.text(
            values["description"], ("description",), max_length=DESCRIPTION_MAX, required=False
        )
    for key in ("is_active", "is_default"):
        if key in values and values[key] is None:
            problems.add(ErrorCode.REQUIRED, f"{key} may not be null", (key,))
    role_ids = values.get("role_ids")
    if role_ids is None and "role_ids" in values:
        problems.add(
            ErrorCode.REQUIRED, "role_ids may not be null (send [] for none)", ("role_ids",)
        )
    elif role_ids is not None:
        if len(role_ids) > MAX_ROLE_IDS:
            problems.add(ErrorCode.INVALID, f"at most {MAX_ROLE_IDS} role ids", ("role_ids",))
        for index, role_id in enumerate(role_ids):
            problems.integer_range(role_id, ("role_ids", index), minimum=1, maximum=ROLE_ID_MAX)


def _visible(ctx: RequestContext) -> Select[Any]:
    return select(*DASHBOARD_COLUMNS).where(visible_dashboards(ctx))


async def get_dashboards(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int], *, visible_only: bool = True
) -> dict[int, DashboardRecord]:
    """The dashboards among `ids` that the caller may see, by id (`visible_only=False`: all
    of the tenant's, for callers a public link lets in)."""
    statement = (
        _visible(ctx)
        if visible_only
        else select(*DASHBOARD_COLUMNS).where(dashboards.c.tenant_id == ctx.tenant_id)
    )
    rows = await conn.execute(statement.where(dashboards.c.id.in_(list(ids))))
    return {row.id: DashboardRecord.from_row(row) for row in rows}


def _filtered(ctx: RequestContext, filters: DashboardFilter, statement: Select[Any]) -> Select[Any]:
    statement = statement.where(visible_dashboards(ctx))
    if filters.search:
        statement = statement.where(
            contains_text(
                filters.search, dashboards.c.name, dashboards.c.code, dashboards.c.description
            )
        )
    if filters.is_active is not None:
        statement = statement.where(dashboards.c.is_active == filters.is_active)
    if filters.collection_id is not None:
        statement = statement.where(dashboards.c.collection_id == filters.collection_id)
    return statement


async def list_dashboards(
    ctx: RequestContext, filters: DashboardFilter, *, after: int | None, limit: int
) -> Page[DashboardRecord]:
    async with ctx.db.reader() as conn:
        statement = _filtered(ctx, filters, select(*DASHBOARD_COLUMNS))
        rows, has_next = await fetch_page(
            conn, statement, dashboards.c.id, after=after, limit=limit
        )
    return Page([DashboardRecord.from_row(row) for row in rows], has_next)


async def count_dashboards(ctx: RequestContext, filters: DashboardFilter) -> int:
    async with ctx.db.reader() as conn:
        statement = _filtered(ctx, filters, select(func.count()).select_from(dashboards))
        return int((await conn.execute(statement)).scalar_one())


async def create_dashboard(ctx: RequestContext, draft: DashboardDraft) -> DashboardRecord:
    require_edit(ctx.principal, "creating a dashboard")
    values = checked_draft_values(draft)
    async with ctx.db.transaction() as conn:
        record, _ = await create_dashboard_in(conn, ctx, draft, values)
    return record


async def create_dashboard_in(
    conn: AsyncConnection, ctx: RequestContext, draft: DashboardDraft, values: dict[str, Any]
) -> tuple[DashboardRecord, PageRecord]:
    """Insert a dashboard whose `values` are checked, with its first page, in the caller's
    transaction."""
    if draft.is_default:
        await _clear_default(conn, ctx)
    if draft.collection_id is not None:
        await require_collection(conn, ctx, draft.collection_id, ("collection_id",))
    row = await _insert_dashboard(conn, ctx, values, derived=draft.code is None)
    page = await create_first_page(conn, ctx, row.id)
    return DashboardRecord.from_row(row), page


def checked_draft_values(draft: DashboardDraft) -> dict[str, Any]:
    """A new dashboard's column values, or every problem with them."""
    values = DashboardChanges(
        code=draft.code if draft.code is not None else derive_code(draft.name),
        name=draft.name,
        description=draft.description,
        is_active=draft.is_active,
        is_default=draft.is_default,
        role_ids=draft.role_ids,
        collection_id=draft.collection_id,
        parameters=draft.parameters,
        visibility=draft.visibility,
        tags=draft.tags,
        type=draft.type,
        refresh_interval=draft.refresh_interval,
    ).as_values()
    problems = Problems()
    _check_fields(problems, values, creating=True)
    problems.raise_if_any()
    return values


def derive_code(name: str | None) -> str:
    """A code from the name: lowercase words joined by '-' ("Q4 Revenue!" → "q4-revenue")."""
    words = re.findall(r"[a-z0-9]+", (name or "").lower())
    return "-".join(words)[: CODE_MAX - 7].strip("-") or "dashboard"


async def _insert_dashboard(
    conn: AsyncConnection, ctx: RequestContext, values: dict[str, Any], *, derived: bool
) -> Any:
    """Insert; a derived code that is taken gets a short random suffix instead of an error."""
    attempts = 5 if derived else 1
    code = values["code"]
    for _ in range(attempts):
        row = (
            await conn.execute(
                insert(dashboards)
                .values(tenant_id=ctx.tenant_id, owner_id=ctx.user_id, **(values | {"code": code}))
                .on_conflict_do_nothing(index_elements=[dashboards.c.tenant_id, dashboards.c.code])
                .returning(*DASHBOARD_COLUMNS)
            )
        ).first()
        if row is not None:
            return row
        code = f"{values['code']}-{secrets.token_hex(3)}"
    raise _code_taken(values["code"])


async def update_dashboard(
    ctx: RequestContext,
    dashboard_id: int,
    changes: DashboardChanges,
    *,
    expected_version: int | None = None,
) -> DashboardRecord:
    values = changes.as_values()
    problems = Problems()
    _check_fields(problems, values, creating=False)
    problems.raise_if_any()

    async with ctx.db.transaction() as conn:
        if values.get("is_default"):
            # Lock order is always tenant row, then dashboard rows: no deadlocks.
            await _lock_tenant_defaults(conn, ctx)
        current = await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=Action.EDIT,
            description="changing a dashboard",
        )
        values = {k: v for k, v in values.items() if getattr(current, k) != _comparable(v)}
        if not values:
            return current
        if values.get("is_default"):
            await _clear_default(conn, ctx, lock=False)
        if values.get("collection_id") is not None:
            await require_collection(conn, ctx, values["collection_id"], ("collection_id",))
        try:
            row = (
                await conn.execute(
                    update(dashboards)
                    .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id)
                    .values(**values, version=dashboards.c.version + 1, updated_at=func.now())
                    .returning(*DASHBOARD_COLUMNS)
                )
            ).one()
        except IntegrityError as exc:
            if violated_constraint(exc) == "uq_dashboards_tenant_id_code":
                raise _code_taken(values["code"]) from exc
            raise
    return DashboardRecord.from_row(row)


async def delete_dashboard(
    ctx: RequestContext, dashboard_id: int, *, expected_version: int | None = None
) -> int:
    async with ctx.db.transaction() as conn:
        await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=Action.MANAGE,
            description="deleting a dashboard",
        )
        widget_ids = await placed_widget_ids(conn, ctx, dashboard_id=dashboard_id)
        await conn.execute(
            delete(dashboards).where(
                dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id
            )
        )
        await delete_unplaced_card_widgets(conn, ctx, widget_ids)
    return dashboard_id


async def _lock_tenant_defaults(conn: AsyncConnection, ctx: RequestContext) -> None:
    """Serialise every change of the tenant's default dashboard. FOR NO KEY UPDATE does not
    conflict with the key-share locks that inserts of other dashboards take."""
    await conn.execute(
        # key_share=True renders FOR NO KEY UPDATE on PostgreSQL.
        select(tenants.c.id).where(tenants.c.id == ctx.tenant_id).with_for_update(key_share=True)
    )


async def _clear_default(conn: AsyncConnection, ctx: RequestContext, *, lock: bool = True) -> None:
    if lock:
        await _lock_tenant_defaults(conn, ctx)
    await conn.execute(
        update(dashboards)
        .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.is_default)
        .values(is_default=False, version=dashboards.c.version + 1, updated_at=func.now())
    )


def _comparable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _code_taken(code: str) -> DomainError:
    return DomainError(
        Problem(
            ErrorCode.ALREADY_EXISTS,
            f"a dashboard with code '{code}' already exists in this tenant",
            ("code",),
        )
    )


async def list_dashboards_at(
    ctx: RequestContext, filters: DashboardFilter, *, offset: int, limit: int
) -> tuple[list[DashboardRecord], int]:
    """One page by offset (for REST dialects that page that way) and the total."""
    async with ctx.db.reader() as conn:
        rows = await conn.execute(
            _filtered(ctx, filters, select(*DASHBOARD_COLUMNS))
            .order_by(dashboards.c.id)
            .offset(offset)
            .limit(limit)
        )
        records = [DashboardRecord.from_row(row) for row in rows]
        total = await conn.scalar(
            _filtered(ctx, filters, select(func.count()).select_from(dashboards))
        )
    return records, int(total or 0)
