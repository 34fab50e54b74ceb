"""Datasets: a table, a view or a SQL query of the tenant's data schema, with its columns as
the database describes them. Every member of a tenant sees its datasets; saving and deleting
need `dashboard.edit`. A dataset that a widget reads cannot be deleted (`IN_USE`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.data.sandbox import TileColumn, TileQueryError
from app.data.sql_check import check_tile_sql
from app.domain.access import require_edit
from app.domain.constraints import violated_constraint
from app.domain.data_sources import DatasetQuery, check_against_dataset, read_data_source
from app.domain.records import DATASET_COLUMNS, DatasetColumn, DatasetRecord
from app.domain.validation import UNSET, Problems, is_set
from app.errors import DomainError, ErrorCode, FieldPath, Problem, not_found
from db.models import dashboard_widgets, datasets

NAME_MAX, DESCRIPTION_MAX, RELATION_MAX = 100, 255, 63
SOURCE_KINDS = ("table", "view", "sql")


@dataclass(frozen=True, slots=True)
class DatasetDraft:
    name: str
    source_kind: str
    source: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetChanges:
    name: Any = UNSET
    description: Any = UNSET
    source_kind: Any = UNSET
    source: Any = UNSET


def tenant_schema(ctx: RequestContext) -> str:
    return ctx.data.sandbox.role(ctx.tenant_id).schema


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unavailable(error: TileQueryError) -> DomainError:
    return DomainError(Problem(ErrorCode.DATA_UNAVAILABLE, error.message))


async def _describe(ctx: RequestContext, kind: str, source: str) -> tuple[TileColumn, ...]:
    """The columns of the relation or query, read as the tenant's role (so a dataset can
    only name what that role may read)."""
    sandbox = ctx.data.sandbox
    field: FieldPath = ("source",)
    if kind == "sql":
        checked = check_tile_sql(
            source,
            tenant_schema=tenant_schema(ctx),
            max_chars=ctx.settings.tile_sql_max_chars,
            field=field,
        )
        if checked.placeholders:
            raise DomainError(
                Problem(
                    ErrorCode.INVALID,
                    "a dataset's SQL cannot use parameters; filter it in the cards' queries",
                    field,
                )
            )
        sql = source
    else:
        try:
            found = await sandbox.relation_kind(ctx.tenant_id, source)
        except TileQueryError as error:
            raise _unavailable(error) from error
        if found is None:
            raise DomainError(
                Problem(
                    ErrorCode.INVALID,
                    f"there is no table or view {source!r} in schema {tenant_schema(ctx)}",
                    field,
                )
            )
        if found != kind:
            raise DomainError(
                Problem(ErrorCode.INVALID, f"{source!r} is a {found}", ("source_kind",))
            )
        sql = f"SELECT * FROM {_quoted(tenant_schema(ctx))}.{_quoted(source)}"  # noqa: S608
    try:
        columns = await sandbox.describe(ctx.tenant_id, sql)
    except TileQueryError as error:
        if error.code == "TILE_SQL_ERROR":
            raise DomainError(Problem(ErrorCode.INVALID, error.message, field)) from error
        raise _unavailable(error) from error
    repeated = sorted(name for name, n in Counter(c.name for c in columns).items() if n > 1)
    if repeated:
        raise DomainError(
            Problem(
                ErrorCode.INVALID,
                f"columns must have distinct names; {', '.join(repeated)} appear more than "
                "once (name them with AS)",
                field,
            )
        )
    return columns


def _check(problems: Problems, values: dict[str, Any], *, creating: bool) -> None:
    if creating or "name" in values:
        problems.text(values.get("name"), ("name",), max_length=NAME_MAX, required=True)
    if values.get("description") is not None:
        problems.text(
            values["description"], ("description",), max_length=DESCRIPTION_MAX, required=False
        )
    if (creating or "source_kind" in values) and values.get("source_kind") not in SOURCE_KINDS:
        problems.add(ErrorCode.INVALID, "source_kind must be table, view or sql", ("source_kind",))
    if creating or "source" in values:
        limit = RELATION_MAX if values.get("source_kind") != "sql" else 1_000_000
        problems.text(values.get("source"), ("source",), max_length=limit, required=True)


def _columns_json(columns: Iterable[TileColumn]) -> list[dict[str, str]]:
    return [DatasetColumn(c.name, c.type, c.db_type).as_json() for c in columns]


def check_new_dataset(problems: Problems, values: dict[str, Any]) -> None:
    """A new dataset's values, checked as create_dataset checks them (for imports)."""
    _check(problems, values, creating=True)


async def create_dataset(ctx: RequestContext, draft: DatasetDraft) -> DatasetRecord:
    require_edit(ctx.principal, "creating a dataset")
    values: dict[str, Any] = {
        "name": draft.name.strip() if isinstance(draft.name, str) else draft.name,
        "description": draft.description,
        "source_kind": draft.source_kind,
        "source": draft.source.strip() if isinstance(draft.source, str) else draft.source,
    }
    problems = Problems()
    _check(problems, values, creating=True)
    problems.raise_if_any()
    columns = await _describe(ctx, values["source_kind"], values["source"])
    async with ctx.db.transaction() as conn:
        row = (
            await conn.execute(
                insert(datasets)
                .values(
                    tenant_id=ctx.tenant_id,
                    owner_id=ctx.user_id,
                    columns=_columns_json(columns),
                    **values,
                )
                .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
                .returning(*DATASET_COLUMNS)
            )
        ).first()
    if row is None:
        raise _name_taken(values["name"])
    return DatasetRecord.from_row(row)


def _name_taken(name: str) -> DomainError:
    return DomainError(
        Problem(ErrorCode.ALREADY_EXISTS, f"a dataset named {name!r} exists already", ("name",))
    )


async def update_dataset(
    ctx: RequestContext, dataset_id: int, changes: DatasetChanges
) -> DatasetRecord:
    """Rename, describe, or point at another source (its columns are read again)."""
    require_edit(ctx.principal, "changing a dataset")
    values = {
        k: getattr(changes, k)
        for k in ("name", "description", "source_kind", "source")
        if is_set(getattr(changes, k))
    }
    async with ctx.db.transaction() as conn:
        current = (await get_datasets(conn, ctx, [dataset_id], lock=True)).get(dataset_id)
        if current is None:
            raise not_found("dataset", dataset_id, ("id",))
        merged = {"source_kind": current.source_kind, "source": current.source, **values}
        problems = Problems()
        _check(problems, merged, creating=False)
        problems.raise_if_any()
        if "source" in values or "source_kind" in values:
            columns = await _describe(ctx, merged["source_kind"], merged["source"])
            values["columns"] = _columns_json(columns)
        if not values:
            return current
        if "name" in values:
            taken = await conn.scalar(
                select(datasets.c.id).where(
                    datasets.c.tenant_id == ctx.tenant_id,
                    datasets.c.name == values["name"],
                    datasets.c.id != dataset_id,
                )
            )
            if taken is not None:
                raise _name_taken(values["name"])
        try:
            row = (
                await conn.execute(
                    update(datasets)
                    .where(datasets.c.tenant_id == ctx.tenant_id, datasets.c.id == dataset_id)
                    .values(**values, updated_at=func.now())
                    .returning(*DATASET_COLUMNS)
                )
            ).one()
        except IntegrityError as exc:
            # A concurrent rename to the same name got there first.
            if violated_constraint(exc) == "uq_datasets_tenant_id_name":
                raise _name_taken(values["name"]) from exc
            raise
    return DatasetRecord.from_row(row)


async def delete_dataset(ctx: RequestContext, dataset_id: int) -> int:
    require_edit(ctx.principal, "deleting a dataset")
    async with ctx.db.transaction() as conn:
        if dataset_id not in await get_datasets(conn, ctx, [dataset_id], lock=True):
            raise not_found("dataset", dataset_id, ("id",))
        uses = await conn.scalar(
            select(func.count())
            .select_from(dashboard_widgets)
            .where(
                dashboard_widgets.c.tenant_id == ctx.tenant_id,
                dashboard_widgets.c.dataset_id == dataset_id,
            )
        )
        if uses:
            raise DomainError(
                Problem(
                    ErrorCode.IN_USE,
                    f"dataset {dataset_id} is read by {uses} widget(s); "
                    "change their data sources first",
                    ("id",),
                )
            )
        await conn.execute(
            delete(datasets).where(
                datasets.c.tenant_id == ctx.tenant_id, datasets.c.id == dataset_id
            )
        )
    return dataset_id


async def get_datasets(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int], *, lock: bool = False
) -> dict[int, DatasetRecord]:
    statement = select(*DATASET_COLUMNS).where(
        datasets.c.tenant_id == ctx.tenant_id, datasets.c.id.in_(list(ids))
    )
    if lock:
        statement = statement.with_for_update()
    return {row.id: DatasetRecord.from_row(row) for row in await conn.execute(statement)}


async def list_datasets(ctx: RequestContext) -> list[DatasetRecord]:
    async with ctx.db.reader() as conn:
        rows = await conn.execute(
            select(*DATASET_COLUMNS)
            .where(datasets.c.tenant_id == ctx.tenant_id)
            .order_by(datasets.c.id)
        )
        return [DatasetRecord.from_row(row) for row in rows]


async def data_source_values(
    conn: AsyncConnection, ctx: RequestContext, raw: Any, at: FieldPath
) -> dict[str, Any]:
    """A widget's `data_source` (None clears it) checked against the tenant's data, as the
    column values to store. The dataset it reads is locked against deletion until commit."""
    if raw is None:
        return {"data_source": None, "dataset_id": None}
    problems = Problems()
    problems.json_object(raw, at, max_bytes=ctx.settings.max_widget_config_bytes)
    problems.raise_if_any()
    source = read_data_source(raw, problems, at, row_limit=ctx.settings.tile_row_limit)
    problems.raise_if_any()
    if not isinstance(source, DatasetQuery):
        assert source is not None
        check_tile_sql(
            source.sql,
            tenant_schema=tenant_schema(ctx),
            max_chars=ctx.settings.tile_sql_max_chars,
            field=(*at, "sql"),
        )
        return {"data_source": raw, "dataset_id": None}
    row = (
        await conn.execute(
            select(*DATASET_COLUMNS)
            .where(datasets.c.tenant_id == ctx.tenant_id, datasets.c.id == source.dataset_id)
            .with_for_update(key_share=True)
        )
    ).first()
    if row is None:
        raise DomainError(
            Problem(
                ErrorCode.UNKNOWN_REFERENCE,
                f"dataset {source.dataset_id} does not exist",
                (*at, "dataset_id"),
            )
        )
    check_against_dataset(source, DatasetRecord.from_row(row), problems, at)
    problems.raise_if_any()
    return {"data_source": raw, "dataset_id": source.dataset_id}
