"""Dashboards: create, read, list, update, delete, and the tenant's single default."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import require_edit, visible_dashboards
from app.domain.constraints import violated_constraint
from app.domain.listing import contains_text, fetch_page
from app.domain.records import DASHBOARD_COLUMNS, DashboardRecord, Page
from app.domain.validation import UNSET, Problems, is_set
from app.errors import DomainError, ErrorCode, Problem, not_found, version_conflict
from db.models import dashboards, tenants

CODE_MAX, NAME_MAX, DESCRIPTION_MAX = 30, 50, 255
MAX_ROLE_IDS = 100
ROLE_ID_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class DashboardDraft:
    code: str
    name: str
    description: str | None = None
    is_active: bool = True
    is_default: bool = False
    role_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DashboardChanges:
    """A partial update: fields left UNSET keep their value."""

    code: Any = UNSET
    name: Any = UNSET
    description: Any = UNSET
    is_active: Any = UNSET
    is_default: Any = UNSET
    role_ids: Any = UNSET

    def as_values(self) -> dict[str, Any]:
        values = {
            name: getattr(self, name)
            for name in ("code", "name", "description", "is_active", "is_default", "role_ids")
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


def _check_fields(problems: Problems, values: dict[str, Any], *, creating: bool) -> None:
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
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int]
) -> dict[int, DashboardRecord]:
    """The dashboards among `ids` that the caller may see, by id."""
    rows = await conn.execute(_visible(ctx).where(dashboards.c.id.in_(list(ids))))
    return {row.id: DashboardRecord.from_row(row) for row in rows}


async def get_dashboard(ctx: RequestContext, dashboard_id: int) -> DashboardRecord | None:
    async with ctx.db.reader() as conn:
        return (await get_dashboards(conn, ctx, [dashboard_id])).get(dashboard_id)


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
    values = DashboardChanges(
        code=draft.code,
        name=draft.name,
        description=draft.description,
        is_active=draft.is_active,
        is_default=draft.is_default,
        role_ids=draft.role_ids,
    ).as_values()
    problems = Problems()
    _check_fields(problems, values, creating=True)
    problems.raise_if_any()

    statement = (
        insert(dashboards)
        .values(tenant_id=ctx.tenant_id, owner_id=ctx.user_id, **values)
        .on_conflict_do_nothing(index_elements=[dashboards.c.tenant_id, dashboards.c.code])
        .returning(*DASHBOARD_COLUMNS)
    )
    async with ctx.db.transaction() as conn:
        if draft.is_default:
            await _clear_default(conn, ctx)
        row = (await conn.execute(statement)).first()
        if row is None:
            raise _code_taken(values["code"])
    return DashboardRecord.from_row(row)


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
        current = await lock_writable_dashboard(
            conn, ctx, dashboard_id, expected_version, action="changing a dashboard"
        )
        values = {k: v for k, v in values.items() if getattr(current, k) != _comparable(v)}
        if not values:
            return current
        if values.get("is_default"):
            await _clear_default(conn, ctx, lock=False)
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
        await lock_writable_dashboard(
            conn, ctx, dashboard_id, expected_version, action="deleting a dashboard"
        )
        await conn.execute(
            delete(dashboards).where(
                dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id
            )
        )
    return dashboard_id


async def lock_writable_dashboard(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    expected_version: int | None,
    *,
    action: str,
) -> DashboardRecord:
    """Lock the dashboard row for the rest of the transaction, after checking that the
    caller sees it (else not found), may change it (else forbidden) and, when asked,
    that it is still at the version the caller last read (else conflict)."""
    row = (
        await conn.execute(_visible(ctx).where(dashboards.c.id == dashboard_id).with_for_update())
    ).first()
    if row is None:
        raise not_found("dashboard", dashboard_id, ("id",))
    require_edit(ctx.principal, action)
    current = DashboardRecord.from_row(row)
    if expected_version is not None and expected_version != current.version:
        raise version_conflict(expected_version, current.version)
    return current


async def bump_version(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int
) -> DashboardRecord:
    row = (
        await conn.execute(
            update(dashboards)
            .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id)
            .values(version=dashboards.c.version + 1, updated_at=func.now())
            .returning(*DASHBOARD_COLUMNS)
        )
    ).one()
    return DashboardRecord.from_row(row)


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
