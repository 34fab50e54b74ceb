"""Dashboards: create, read, list, update, delete, and the tenant's single default."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, delete, false, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import (
    VISIBLE_TO_CALLER,
    Action,
    Visibility,
    caller_parameters,
    require_edit,
    visible_dashboards,
)
from app.domain.change_notices import announce_dashboard_change
from app.domain.collections import require_collection
from app.domain.constraints import violated_constraint
from app.domain.editing import bump_version, lock_dashboard
from app.domain.listing import contains_text, fetch_page
from app.domain.pages import create_first_page
from app.domain.parameters import FilterOperator, as_json, check_definitions, definitions
from app.domain.records import (
    DASHBOARD_COLUMNS,
    DASHBOARD_CONTENT_FIELDS,
    DashboardRecord,
    Page,
    PageRecord,
)
from app.domain.revisions import record_revision
from app.domain.statement_parameters import TENANT_ID, among_ids
from app.domain.validation import UNSET, Problems, is_set, storable_text
from app.domain.widgets import delete_unplaced_card_widgets, placed_widget_ids
from app.errors import DomainError, ErrorCode, Problem
from db.models import dashboards, tenants

CODE_MAX, NAME_MAX, DESCRIPTION_MAX = 30, 50, 255
MAX_ROLE_IDS = 100
ROLE_ID_MAX = 2**31 - 1
MAX_TAGS, TAG_MAX, TYPE_MAX = 20, 50, 50
REFRESH_INTERVAL_MAX = 86_400  # seconds: a day


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
            for name in DASHBOARD_CONTENT_FIELDS
            if is_set(getattr(self, name))
        }
        for key in ("code", "name"):
            if isinstance(values.get(key), str):
                values[key] = values[key].strip()
        return values


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    search: str | None = None
    is_active: bool | None = None
    collection_id: int | None = None
    tag: str | None = None  # the dashboard's tags contain it
    visibility: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class DashboardFilterSetting:
    """A parameter with a `field`, seen as seed 003's filter `{field, operator, values}`."""

    name: str  # the parameter's
    field: str
    operator: FilterOperator
    values: list[Any]  # the default, as a list: [] when there is none


def filter_settings(parameters: Mapping[str, Any]) -> list[DashboardFilterSetting]:
    """The dashboard filters among stored parameter declarations, by name (stored
    declarations keep no order)."""
    settings = []
    for _, definition in sorted(definitions(parameters).items()):
        if definition.field is None:
            continue
        default = as_json(definition.default)
        values = [] if default is None else default if definition.multiple else [default]
        operator = definition.operator or (
            FilterOperator.IN if definition.multiple else FilterOperator.EQ
        )
        settings.append(DashboardFilterSetting(definition.name, definition.field, operator, values))
    return settings


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
    if "visibility" in values:
        _check_visibility(problems, values["visibility"])
    if "tags" in values:
        _check_tags(problems, values["tags"])
    if values.get("type") is not None:
        _check_type(problems, values["type"])
    if values.get("refresh_interval") is not None:
        _check_refresh_interval(problems, values["refresh_interval"])


def _check_visibility(problems: Problems, visibility: object) -> None:
    if visibility is None:
        problems.add(ErrorCode.REQUIRED, "visibility may not be null", ("visibility",))
    elif visibility not in set(Visibility):
        problems.add(
            ErrorCode.INVALID,
            f"visibility must be one of {', '.join(Visibility)}",
            ("visibility",),
        )


def _check_tags(problems: Problems, tags: object) -> None:
    if tags is None:
        problems.add(ErrorCode.REQUIRED, "tags may not be null (send [] for none)", ("tags",))
        return
    if not isinstance(tags, list):
        problems.add(ErrorCode.INVALID, "tags must be a list of strings", ("tags",))
        return
    if len(tags) > MAX_TAGS:
        problems.add(ErrorCode.INVALID, f"at most {MAX_TAGS} tags", ("tags",))
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            problems.add(ErrorCode.INVALID, f"tags.{index} must be a string", ("tags", index))
        else:
            problems.text(tag.strip(), ("tags", index), max_length=TAG_MAX, required=True)


def _check_type(problems: Problems, kind: object) -> None:
    if not isinstance(kind, str):
        problems.add(ErrorCode.INVALID, "type must be a string or null", ("type",))
    elif not kind.strip():
        problems.add(ErrorCode.INVALID, "type may not be blank (send null for none)", ("type",))
    else:
        problems.text(kind.strip(), ("type",), max_length=TYPE_MAX, required=True)


def _check_refresh_interval(problems: Problems, seconds: object) -> None:
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        problems.add(
            ErrorCode.INVALID,
            "refresh_interval must be a whole number of seconds",
            ("refresh_interval",),
        )
    else:
        problems.integer_range(
            seconds, ("refresh_interval",), minimum=0, maximum=REFRESH_INTERVAL_MAX
        )


def _tidied(values: dict[str, Any]) -> dict[str, Any]:
    """Checked values as stored: role ids sorted without repeats, tags trimmed and without
    repeats (first one kept), the type trimmed. Only after the checks, so that a problem's
    field names the item as the caller sent it."""
    if isinstance(values.get("role_ids"), list):
        values["role_ids"] = sorted(set(values["role_ids"]))
    if isinstance(values.get("tags"), list):
        values["tags"] = list(dict.fromkeys(tag.strip() for tag in values["tags"]))
    if isinstance(values.get("type"), str):
        values["type"] = values["type"].strip()
    return values


def _visible(ctx: RequestContext) -> Select[Any]:
    return select(*DASHBOARD_COLUMNS).where(visible_dashboards(ctx))


_VISIBLE_AMONG_IDS = select(*DASHBOARD_COLUMNS).where(VISIBLE_TO_CALLER, among_ids(dashboards.c.id))
_AMONG_IDS = select(*DASHBOARD_COLUMNS).where(
    dashboards.c.tenant_id == TENANT_ID, among_ids(dashboards.c.id)
)


async def get_dashboards(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int], *, visible_only: bool = True
) -> dict[int, DashboardRecord]:
    """The dashboards among `ids` that the caller may see, by id (`visible_only=False`: all
    of the tenant's, for callers a public link lets in)."""
    if visible_only:
        statement, parameters = _VISIBLE_AMONG_IDS, caller_parameters(ctx)
    else:
        statement, parameters = _AMONG_IDS, {"tenant_id": ctx.tenant_id}
    rows = await conn.execute(statement, {**parameters, "ids": list(ids)})
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
    if filters.tag is not None:
        tag = filters.tag.strip()
        # No stored tag is longer or holds NUL or a lone surrogate (which PostgreSQL refuses
        # as a parameter), and the array parameter is cast to varchar(50), which would cut a
        # longer one short.
        storable = len(tag) <= TAG_MAX and storable_text(tag)
        statement = statement.where(dashboards.c.tags.contains([tag]) if storable else false())
    if filters.visibility is not None:
        known = filters.visibility in set(Visibility)
        statement = statement.where(
            dashboards.c.visibility == filters.visibility if known else false()
        )
    if filters.type is not None:
        same_type = dashboards.c.type == filters.type if storable_text(filters.type) else false()
        statement = statement.where(same_type)
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


async def create_dashboard(
    ctx: RequestContext, draft: DashboardDraft, *, unique_name: bool = False
) -> DashboardRecord:
    """With `unique_name`, a name another dashboard of the tenant has (trimmed, in any case)
    is refused, for dialects that promise unique names."""
    require_edit(ctx.principal, "creating a dashboard")
    values = checked_draft_values(draft)
    async with ctx.db.transaction() as conn:
        if unique_name:
            await _claim_name(conn, ctx, values["name"])
        record, _ = await create_dashboard_in(conn, ctx, draft, values)
        await record_revision(conn, ctx, record.id)
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
    return _tidied(values)


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
    unique_name: bool = False,
    action: Action = Action.EDIT,
) -> DashboardRecord:
    """`unique_name` as in create_dashboard; `action=Action.MANAGE` for dialects whose
    update is for the owner and admins only."""
    values = changes.as_values()
    problems = Problems()
    _check_fields(problems, values, creating=False)
    problems.raise_if_any()
    values = _tidied(values)

    async with ctx.db.transaction() as conn:
        renaming = unique_name and "name" in values
        if renaming:
            # Lock order is always name, tenant row, dashboard rows: no deadlocks.
            await lock_name(conn, ctx, values["name"])
        if values.get("is_default"):
            await _lock_tenant_defaults(conn, ctx)
        current = await lock_dashboard(
            conn,
            ctx,
            dashboard_id,
            expected_version,
            action=action,
            description="changing a dashboard",
        )
        values = {k: v for k, v in values.items() if getattr(current, k) != _comparable(v)}
        if not values:
            return current
        if renaming and "name" in values:
            await require_free_name(conn, ctx, values["name"], besides=dashboard_id)
        if values.get("is_default"):
            await _clear_default(conn, ctx, lock=False)
        if values.get("collection_id") is not None:
            await require_collection(conn, ctx, values["collection_id"], ("collection_id",))
        try:
            return await bump_version(conn, ctx, dashboard_id, **values)
        except IntegrityError as exc:
            if violated_constraint(exc) == "uq_dashboards_tenant_id_code":
                raise _code_taken(values["code"]) from exc
            raise


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
        await announce_dashboard_change(
            conn, tenant_id=ctx.tenant_id, dashboard_id=dashboard_id, version=None, deleted=True
        )
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
    cleared = await conn.execute(
        update(dashboards)
        .where(dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.is_default)
        .values(is_default=False, version=dashboards.c.version + 1, updated_at=func.now())
        .returning(dashboards.c.id)
    )
    for dashboard_id in cleared.scalars().all():
        await record_revision(conn, ctx, dashboard_id)


async def lock_tenant_default(conn: AsyncConnection, ctx: RequestContext) -> None:
    """Take the tenant row's lock that every change of the default dashboard takes first."""
    await _lock_tenant_defaults(conn, ctx)


async def clear_tenant_default(conn: AsyncConnection, ctx: RequestContext) -> None:
    """Clear the tenant's default dashboard, under lock_tenant_default."""
    await _clear_default(conn, ctx, lock=False)


async def _claim_name(conn: AsyncConnection, ctx: RequestContext, name: str) -> None:
    await lock_name(conn, ctx, name)
    await require_free_name(conn, ctx, name)


async def lock_name(conn: AsyncConnection, ctx: RequestContext, name: str) -> None:
    """Serialise, until the transaction ends, the writes that claim this (trimmed) name in
    the tenant, in any case: a row lock cannot guard a name that no row has yet. Take it
    before the tenant row and any dashboard row (the lock order that avoids deadlocks)."""
    key = literal(f"dashboard-name:{ctx.tenant_id}:", Text) + func.lower(literal(name, Text))
    await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def require_free_name(
    conn: AsyncConnection, ctx: RequestContext, name: str, *, besides: int | None = None
) -> None:
    """ALREADY_EXISTS when another dashboard of the tenant (than `besides`) has the name in
    any case; race-free under lock_name."""
    statement = select(dashboards.c.name).where(
        dashboards.c.tenant_id == ctx.tenant_id, func.lower(dashboards.c.name) == func.lower(name)
    )
    if besides is not None:
        statement = statement.where(dashboards.c.id != besides)
    if (await conn.execute(statement.limit(1))).first() is not None:
        raise DomainError(
            Problem(
                ErrorCode.ALREADY_EXISTS, f"a dashboard named '{name}' exists already", ("name",)
            )
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
