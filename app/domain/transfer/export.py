"""Export: one dashboard, a collection (with its sub-collections) or the whole tenant as a
version 2 document, with what those dashboards depend on. Reads are batched (a fixed number
of statements whatever the number of dashboards) in one snapshot."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import visible_dashboards
from app.domain.cards import Card, get_cards
from app.domain.collections import COLLECTION_COLUMNS, CollectionRecord
from app.domain.pages import get_pages
from app.domain.records import (
    DASHBOARD_COLUMNS,
    DATASET_COLUMNS,
    WIDGET_COLUMNS,
    DashboardRecord,
    DatasetRecord,
    PageRecord,
    WidgetRecord,
)
from app.domain.shares import ShareRecord, get_shares
from app.domain.transfer.document import (
    DATASET_REFERENCE,
    FORMAT,
    VERSION,
    CardEntry,
    CollectionEntry,
    DashboardEntry,
    DatasetColumnEntry,
    DatasetEntry,
    ExportDocument,
    GrantEntry,
    GridPosition,
    PageEntry,
    SourceEntry,
    WidgetBody,
    WidgetEntry,
)
from app.domain.transfer.progress import Progress, no_progress
from app.errors import forbidden, not_found
from db.models import collections, dashboard_widgets, dashboards, datasets


class ExportScope(StrEnum):
    DASHBOARD = "dashboard"
    COLLECTION = "collection"
    TENANT = "tenant"


async def export_document(
    ctx: RequestContext,
    scope: ExportScope,
    target_id: int | None = None,
    *,
    include_grants: bool = False,
    progress: Progress = no_progress,
) -> ExportDocument:
    """What the caller sees of the scope. A tenant export is for tenant admins; a dashboard
    or collection the caller cannot see is not found."""
    if scope is ExportScope.TENANT and not ctx.principal.is_admin:
        raise forbidden("exporting the whole tenant needs the dashboard.admin scope")
    if scope is not ExportScope.TENANT and target_id is None:
        raise not_found(scope.value, "(no id)", ("id",))
    async with ctx.db.reader(isolation_level="REPEATABLE READ") as conn:
        folders = await _collections(conn, ctx)
        boards = await _dashboards(conn, ctx, scope, target_id, folders)
        ids = [b.id for b in boards]
        pages = await get_pages(conn, ctx, ids)
        cards = await get_cards(conn, ctx, ids)
        library = await _library_widgets(conn, ctx, scope, cards)
        used = {w.dataset_id for w in _all_widgets(library, cards) if w.dataset_id is not None}
        sets = await _datasets(conn, ctx, None if scope is ExportScope.TENANT else used)
        grants = await get_shares(conn, ctx, ids) if include_grants else None
    keep = _collections_in_scope(scope, target_id, folders, boards)
    keys = _Keys(folders, keep, sets, library)
    entries = []
    for done, board in enumerate(boards, start=1):
        entries.append(
            _dashboard(board, pages.get(board.id, []), cards.get(board.id, []), keys, grants)
        )
        progress("export", done, len(boards))
    return ExportDocument(
        format=FORMAT,
        version=VERSION,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        source=SourceEntry(
            tenant=ctx.tenant_name, scope=scope.value, includes_grants=include_grants
        ),
        collections=[_collection(c, keys) for c in keys.collection_order],
        datasets=[_dataset(d, keys) for d in keys.dataset_order],
        widgets=[_library_widget(w, keys) for w in keys.widget_order],
        dashboards=entries,
    )


async def _collections(conn: AsyncConnection, ctx: RequestContext) -> list[CollectionRecord]:
    rows = await conn.execute(
        select(*COLLECTION_COLUMNS).where(collections.c.tenant_id == ctx.tenant_id)
    )
    return [CollectionRecord.from_row(row) for row in rows]


def _subtree(root: int, folders: list[CollectionRecord]) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for c in folders:
        children[c.parent_id].append(c.id)
    found, stack = set(), [root]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children[current])
    return found


def _ancestors(collection_id: int | None, folders: list[CollectionRecord]) -> set[int]:
    by_id = {c.id: c for c in folders}
    found: set[int] = set()
    while collection_id is not None and collection_id not in found and collection_id in by_id:
        found.add(collection_id)
        collection_id = by_id[collection_id].parent_id
    return found


async def _dashboards(
    conn: AsyncConnection,
    ctx: RequestContext,
    scope: ExportScope,
    target_id: int | None,
    folders: list[CollectionRecord],
) -> list[DashboardRecord]:
    statement = select(*DASHBOARD_COLUMNS).where(visible_dashboards(ctx))
    if scope is ExportScope.DASHBOARD:
        statement = statement.where(dashboards.c.id == target_id)
    elif scope is ExportScope.COLLECTION:
        assert target_id is not None
        if target_id not in {c.id for c in folders}:
            raise not_found("collection", target_id, ("id",))
        statement = statement.where(
            dashboards.c.collection_id.in_(sorted(_subtree(target_id, folders)))
        )
    rows = await conn.execute(statement.order_by(dashboards.c.code))
    found = [DashboardRecord.from_row(row) for row in rows]
    if scope is ExportScope.DASHBOARD and not found:
        raise not_found("dashboard", target_id, ("id",))
    return found


async def _library_widgets(
    conn: AsyncConnection, ctx: RequestContext, scope: ExportScope, cards: dict[int, list[Card]]
) -> list[WidgetRecord]:
    """A tenant export has the whole library; others the library widgets their cards show."""
    if scope is not ExportScope.TENANT:
        placed = {c.widget.id: c.widget for cs in cards.values() for c in cs if c.widget.in_library}
        return [placed[i] for i in sorted(placed)]
    rows = await conn.execute(
        select(*WIDGET_COLUMNS)
        .where(dashboard_widgets.c.tenant_id == ctx.tenant_id, dashboard_widgets.c.in_library)
        .order_by(dashboard_widgets.c.id)
    )
    return [WidgetRecord.from_row(row) for row in rows]


def _all_widgets(library: list[WidgetRecord], cards: dict[int, list[Card]]) -> list[WidgetRecord]:
    return [*library, *(c.widget for cs in cards.values() for c in cs)]


async def _datasets(
    conn: AsyncConnection, ctx: RequestContext, only: set[int] | None
) -> list[DatasetRecord]:
    statement = select(*DATASET_COLUMNS).where(datasets.c.tenant_id == ctx.tenant_id)
    if only is not None:
        statement = statement.where(datasets.c.id.in_(sorted(only)))
    rows = await conn.execute(statement.order_by(datasets.c.name))
    return [DatasetRecord.from_row(row) for row in rows]


def _collections_in_scope(
    scope: ExportScope,
    target_id: int | None,
    folders: list[CollectionRecord],
    boards: list[DashboardRecord],
) -> set[int]:
    """A tenant export has every collection; a collection export that collection, the path
    above it and everything below it; any export the path to each dashboard's collection."""
    if scope is ExportScope.TENANT:
        return {c.id for c in folders}
    keep: set[int] = set()
    if scope is ExportScope.COLLECTION and target_id is not None:
        keep |= _subtree(target_id, folders) | _ancestors(target_id, folders)
    for board in boards:
        keep |= _ancestors(board.collection_id, folders)
    return keep


class _Keys:
    """Document-local keys, given in an order that does not depend on database ids where a
    natural order exists: collections depth first by name, datasets by name; library widgets
    (which have no unique name) by id, the order an import creates them in."""

    def __init__(
        self,
        folders: list[CollectionRecord],
        keep: set[int],
        sets: list[DatasetRecord],
        library: list[WidgetRecord],
    ) -> None:
        self.collection_order = _tree_order([c for c in folders if c.id in keep])
        self.collection = {c.id: f"collection-{n}" for n, c in enumerate(self.collection_order, 1)}
        self.dataset_order = sets
        self.dataset = {d.id: f"dataset-{n}" for n, d in enumerate(sets, 1)}
        self.widget_order = library
        self.widget = {w.id: f"widget-{n}" for n, w in enumerate(library, 1)}


def _tree_order(folders: list[CollectionRecord]) -> list[CollectionRecord]:
    """Parents before children, siblings by name (unique among siblings)."""
    ids = {c.id for c in folders}
    children: dict[int | None, list[CollectionRecord]] = defaultdict(list)
    for c in folders:
        children[c.parent_id if c.parent_id in ids else None].append(c)
    ordered: list[CollectionRecord] = []

    def visit(parent: int | None) -> None:
        for child in sorted(children[parent], key=lambda c: (c.name, c.id)):
            ordered.append(child)
            visit(child.id)

    visit(None)
    return ordered


def _collection(c: CollectionRecord, keys: _Keys) -> CollectionEntry:
    parent = keys.collection.get(c.parent_id) if c.parent_id is not None else None
    return CollectionEntry(
        key=keys.collection[c.id], name=c.name, description=c.description, parent=parent
    )


def _dataset(d: DatasetRecord, keys: _Keys) -> DatasetEntry:
    return DatasetEntry(
        key=keys.dataset[d.id],
        name=d.name,
        description=d.description,
        source_kind=d.source_kind,
        source=d.source,
        columns=[
            DatasetColumnEntry(name=c.name, type=c.type, db_type=c.db_type) for c in d.columns
        ],
    )


def _data_source(widget: WidgetRecord, keys: _Keys) -> dict[str, Any] | None:
    source = widget.data_source
    if source is None or widget.dataset_id is None:
        return source
    referenced = {k: v for k, v in source.items() if k != "dataset_id"}
    referenced[DATASET_REFERENCE] = keys.dataset[widget.dataset_id]
    return referenced


def _widget_fields(w: WidgetRecord, keys: _Keys) -> dict[str, Any]:
    return {
        "name": w.name,
        "widget_type": w.widget_type,
        "description": w.description,
        "config": w.config,
        "data_source": _data_source(w, keys),
    }


def _library_widget(w: WidgetRecord, keys: _Keys) -> WidgetEntry:
    return WidgetEntry(key=keys.widget[w.id], kind=w.kind, **_widget_fields(w, keys))


def _dashboard(
    board: DashboardRecord,
    board_pages: list[PageRecord],
    board_cards: list[Card],
    keys: _Keys,
    grants: dict[int, list[ShareRecord]] | None,
) -> DashboardEntry:
    page_key = {p.id: f"page-{p.position}" for p in board_pages}
    return DashboardEntry(
        code=board.code,
        name=board.name,
        description=board.description,
        is_active=board.is_active,
        is_default=board.is_default,
        role_ids=list(board.role_ids),
        visibility=board.visibility,
        tags=list(board.tags),
        type=board.type,
        refresh_interval=board.refresh_interval,
        collection=keys.collection.get(board.collection_id) if board.collection_id else None,
        parameters=board.parameters,
        pages=[PageEntry(key=page_key[p.id], name=p.name) for p in board_pages],
        cards=[_card(c, page_key, keys) for c in board_cards],
        grants=(
            [
                GrantEntry(
                    subject_type=g.subject_type,
                    subject_id=g.subject_id,
                    access_level=g.access_level,
                )
                for g in sorted(
                    grants.get(board.id, []), key=lambda g: (g.subject_type, g.subject_id)
                )
            ]
            if grants is not None
            else None
        ),
    )


def _card(card: Card, page_key: dict[int, str], keys: _Keys) -> CardEntry:
    p, w = card.placement, card.widget
    return CardEntry(
        page=page_key[p.page_id],
        position=GridPosition(**p.position.as_json()) if p.position else None,
        title=p.title,
        client_key=p.client_key,
        widget=keys.widget[w.id] if w.in_library else None,
        card=None if w.in_library else WidgetBody(**_widget_fields(w, keys)),
    )
