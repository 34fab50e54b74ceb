"""Collections: folders of dashboards, nested through `parent_id`. Every member of a tenant
sees its collections (what a collection holds is filtered by dashboard visibility);
creating, changing and deleting them need `dashboard.edit`. Changes of the tree take a
per-tenant lock, so two concurrent moves cannot together make a cycle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import require_edit
from app.domain.constraints import violated_constraint
from app.domain.records import columns_of
from app.domain.validation import UNSET, Problems, is_set
from app.errors import DomainError, ErrorCode, Problem
from db.models import collections, dashboards

NAME_MAX, DESCRIPTION_MAX = 100, 255
COLLECTION_COLUMNS = [c for c in collections.c if c.name != "tenant_id"]
_TREE_LOCK = 0x434F4C4C  # "COLL": the advisory lock class for collection trees


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    id: int
    name: str
    description: str | None
    parent_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> CollectionRecord:
        return cls(**columns_of(cls, row))


def _check(problems: Problems, values: dict[str, Any], *, creating: bool) -> None:
    if creating or "name" in values:
        problems.text(values.get("name"), ("name",), max_length=NAME_MAX, required=True)
    if values.get("description") is not None:
        problems.text(
            values["description"], ("description",), max_length=DESCRIPTION_MAX, required=False
        )


def check_new_collection(problems: Problems, values: dict[str, Any]) -> None:
    """A new collection's values, checked as create_collection checks them (for imports)."""
    _check(problems, values, creating=True)


async def lock_collection_tree(conn: AsyncConnection, ctx: RequestContext) -> None:
    """Serialise changes of the tenant's collection tree until the transaction ends."""
    await _lock_tree(conn, ctx)


async def list_collections(ctx: RequestContext) -> list[CollectionRecord]:
    async with ctx.db.reader() as conn:
        rows = await conn.execute(
            select(*COLLECTION_COLUMNS)
            .where(collections.c.tenant_id == ctx.tenant_id)
            .order_by(collections.c.id)
        )
        return [CollectionRecord.from_row(row) for row in rows]


async def get_collections(
    conn: AsyncConnection, ctx: RequestContext, ids: Iterable[int]
) -> dict[int, CollectionRecord]:
    rows = await conn.execute(
        select(*COLLECTION_COLUMNS).where(
            collections.c.tenant_id == ctx.tenant_id, collections.c.id.in_(ids)
        )
    )
    return {row.id: CollectionRecord.from_row(row) for row in rows}


async def create_collection(
    ctx: RequestContext, name: str, description: str | None = None, parent_id: int | None = None
) -> CollectionRecord:
    require_edit(ctx.principal, "creating a collection")
    values = {
        "name": name.strip() if isinstance(name, str) else name,
        "description": description,
        "parent_id": parent_id,
    }
    problems = Problems()
    _check(problems, values, creating=True)
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        await _lock_tree(conn, ctx)
        if parent_id is not None:
            await require_collection(conn, ctx, parent_id, ("parent_id",))
        row = await _write(
            conn,
            collections.insert()
            .values(tenant_id=ctx.tenant_id, **values)
            .returning(*COLLECTION_COLUMNS),
            values,
        )
    return CollectionRecord.from_row(row)


async def update_collection(
    ctx: RequestContext,
    collection_id: int,
    *,
    name: Any = UNSET,
    description: Any = UNSET,
    parent_id: Any = UNSET,
) -> CollectionRecord:
    """Rename or move. Moving under itself or one of its descendants is refused."""
    require_edit(ctx.principal, "changing a collection")
    values = {
        k: v
        for k, v in {"name": name, "description": description, "parent_id": parent_id}.items()
        if is_set(v)
    }
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()
    problems = Problems()
    _check(problems, values, creating=False)
    problems.raise_if_any()
    async with ctx.db.transaction() as conn:
        await _lock_tree(conn, ctx)
        current = await require_collection(conn, ctx, collection_id, ("id",))
        if values.get("parent_id") is not None:
            await require_collection(conn, ctx, values["parent_id"], ("parent_id",))
            if collection_id in await _ancestors(conn, ctx, values["parent_id"]):
                raise DomainError(
                    Problem(
                        ErrorCode.INVALID,
                        f"moving collection {collection_id} under {values['parent_id']} would "
                        "put it inside itself",
                        ("parent_id",),
                    )
                )
        if not values:
            return current
        row = await _write(
            conn,
            update(collections)
            .where(collections.c.tenant_id == ctx.tenant_id, collections.c.id == collection_id)
            .values(**values, updated_at=func.now())
            .returning(*COLLECTION_COLUMNS),
            values | {"name": values.get("name", current.name)},
        )
    return CollectionRecord.from_row(row)


async def delete_collection(ctx: RequestContext, collection_id: int) -> int:
    """Only an empty collection (no dashboards, no collections in it) can be deleted."""
    require_edit(ctx.principal, "deleting a collection")
    async with ctx.db.transaction() as conn:
        await _lock_tree(conn, ctx)
        await require_collection(conn, ctx, collection_id, ("id",))
        children = await conn.scalar(
            select(func.count())
            .select_from(collections)
            .where(
                collections.c.tenant_id == ctx.tenant_id, collections.c.parent_id == collection_id
            )
        )
        boards = await conn.scalar(
            select(func.count())
            .select_from(dashboards)
            .where(
                dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.collection_id == collection_id
            )
        )
        if children or boards:
            raise DomainError(
                Problem(
                    ErrorCode.NOT_EMPTY,
                    f"collection {collection_id} holds {boards} dashboard(s) and {children} "
                    "collection(s); move or delete them first",
                    ("id",),
                )
            )
        try:
            await conn.execute(
                delete(collections).where(
                    collections.c.tenant_id == ctx.tenant_id, collections.c.id == collection_id
                )
            )
        except IntegrityError as exc:  # a dashboard moved in meanwhile
            raise DomainError(
                Problem(ErrorCode.NOT_EMPTY, f"collection {collection_id} is not empty", ("id",))
            ) from exc
    return collection_id


async def require_collection(
    conn: AsyncConnection, ctx: RequestContext, collection_id: int, field: tuple[str, ...]
) -> CollectionRecord:
    """The collection, read with a key-share lock so it cannot vanish before commit."""
    row = (
        await conn.execute(
            select(*COLLECTION_COLUMNS)
            .where(collections.c.tenant_id == ctx.tenant_id, collections.c.id == collection_id)
            .with_for_update(read=True, key_share=True)
        )
    ).first()
    if row is None:
        code = ErrorCode.NOT_FOUND if field == ("id",) else ErrorCode.UNKNOWN_REFERENCE
        raise DomainError(
            Problem(
                code,
                f"there is no collection {collection_id} in this tenant",
                field,
                resource="collection",
            )
        )
    return CollectionRecord.from_row(row)


async def _ancestors(conn: AsyncConnection, ctx: RequestContext, collection_id: int) -> set[int]:
    """The collection and every collection above it."""
    tree = (
        select(collections.c.id, collections.c.parent_id)
        .where(collections.c.tenant_id == ctx.tenant_id, collections.c.id == collection_id)
        .cte("ancestors", recursive=True)
    )
    parent = collections.alias("parent")
    tree = tree.union(
        select(parent.c.id, parent.c.parent_id).where(
            parent.c.tenant_id == ctx.tenant_id, parent.c.id == tree.c.parent_id
        )
    )
    return set((await conn.execute(select(tree.c.id))).scalars())


async def _lock_tree(conn: AsyncConnection, ctx: RequestContext) -> None:
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(:kind, :tenant)"),
        {"kind": _TREE_LOCK, "tenant": ctx.tenant_id % 2**31},
    )


async def _write(conn: AsyncConnection, statement: Any, values: dict[str, Any]) -> Row[Any]:
    try:
        return (await conn.execute(statement)).one()
    except IntegrityError as exc:
        if violated_constraint(exc) == "uq_collections_sibling_name":
            raise DomainError(
                Problem(
                    ErrorCode.ALREADY_EXISTS,
                    f"a collection named '{values.get('name')}' already exists there",
                    ("name",),
                )
            ) from exc
        raise
