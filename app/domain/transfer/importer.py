"""Import: a document of any known version, checked whole before anything is written, then
applied in one transaction (COPY or OVERWRITE). A dry run does all of it and rolls back.

Locks, always in this order (the order every other write takes them, so none deadlock): the
tenant's import lock (imports of one tenant queue), the collection tree, the tenant row when
the document has a default dashboard, then the dashboard rows the import changes in id order,
then widget and dataset rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, delete, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.access import Action, require_edit
from app.domain.cards import get_cards
from app.domain.collections import COLLECTION_COLUMNS, CollectionRecord, lock_collection_tree
from app.domain.constraints import violated_constraint
from app.domain.dashboards import CODE_MAX, clear_tenant_default, lock_tenant_default
from app.domain.duplication import new_ids
from app.domain.editing import bump_version, lock_dashboard
from app.domain.pages import get_pages
from app.domain.records import (
    DASHBOARD_COLUMNS,
    DATASET_COLUMNS,
    WIDGET_COLUMNS,
    DashboardRecord,
    DatasetRecord,
    WidgetRecord,
)
from app.domain.revisions import record_revision
from app.domain.shares import ShareRecord, get_shares
from app.domain.transfer.checks import CheckedDocument, check_document, widget_values
from app.domain.transfer.comparison import (
    comparable,
    current_content,
    dataset_content,
    dataset_content_of,
    dataset_values,
    free_name,
    grant_set,
    own_widget,
    widget_key,
)
from app.domain.transfer.document import (
    DATASET_REFERENCE,
    DashboardEntry,
    WidgetBody,
    WidgetEntry,
)
from app.domain.transfer.progress import Progress, no_progress
from app.domain.transfer.report import ImportAction, ImportMode, ImportReport, ObjectKind
from app.domain.transfer.versions import read_document
from app.domain.widgets import delete_unplaced_card_widgets
from app.errors import DomainError, ErrorCode, Problem, forbidden
from db.models import (
    collections,
    dashboard_widgets,
    dashboards,
    datasets,
    pages,
    placements,
    share_grants,
)

DATASET_NAME_MAX = 100
KIND_MAX = 60


class _RollBack(Exception):
    """Ends a dry run's transaction after everything was done, so that it is rolled back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


async def import_document(
    ctx: RequestContext,
    raw: Any,
    *,
    mode: ImportMode = ImportMode.COPY,
    dry_run: bool = False,
    include_grants: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import needs `dashboard.edit`; overwriting a dashboard, the right to change it;
    importing grants, tenant admin. A refused import changes nothing."""
    require_edit(ctx.principal, "importing dashboards")
    if include_grants and not ctx.principal.is_admin:
        raise forbidden("importing grants needs the dashboard.admin scope")
    checked = check_document(ctx, read_document(raw))
    progress("validate", 1, 1)
    try:
        async with ctx.db.transaction() as conn:
            importer = _Importer(conn, ctx, checked, mode, include_grants, progress)
            report = await importer.run()
            if dry_run:
                raise _RollBack(report)
    except _RollBack as rolled_back:
        return rolled_back.report.as_dry_run()
    except IntegrityError as error:
        # Another write took a code, kind or name this import chose while it ran.
        taken = _TAKEN_MEANWHILE.get(violated_constraint(error) or "")
        if taken is not None:
            what, field = taken
            raise DomainError(
                Problem(
                    ErrorCode.ALREADY_EXISTS,
                    f"{what} this import uses was taken meanwhile; import again",
                    (field,),
                )
            ) from error
        raise
    for widget_id in importer.changed_sources:
        await ctx.data.cache.invalidate_widget(ctx.tenant_id, widget_id)
    return report


# Unique constraints a concurrent write can beat an import to: what was taken, and where.
_TAKEN_MEANWHILE = {
    "uq_dashboards_tenant_id_code": ("a dashboard code", "dashboards"),
    "uq_dashboard_widgets_tenant_id_kind": ("a widget kind", "widgets"),
    "uq_datasets_tenant_id_name": ("a dataset name", "datasets"),
    "uq_collections_sibling_name": ("a collection name", "collections"),
}


class _Importer:
    def __init__(
        self,
        conn: AsyncConnection,
        ctx: RequestContext,
        checked: CheckedDocument,
        mode: ImportMode,
        include_grants: bool,
        progress: Progress,
    ) -> None:
        self.conn, self.ctx, self.checked = conn, ctx, checked
        self.document = checked.document
        self.overwrite = mode is ImportMode.OVERWRITE
        self.include_grants = include_grants
        self.progress = progress
        self.report = ImportReport(mode, False)
        self.collection_ids: dict[str, int] = {}
        self.dataset_ids: dict[str, int] = {}
        self.widget_ids: dict[str, int] = {}
        # Library widgets whose data source changed: their cached tiles go after commit.
        self.changed_sources: list[int] = []
        self.done, self.total = 0, self.document.object_count()

    def _advance(self, count: int = 1) -> None:
        self.done += count
        self.progress("write", min(self.done, self.total), self.total)

    async def run(self) -> ImportReport:
        await self._lock_imports()
        if self.document.collections:
            await lock_collection_tree(self.conn, self.ctx)
        if any(d.is_default for d in self.document.dashboards):
            await lock_tenant_default(self.conn, self.ctx)
        matched = await self._matched_dashboards()
        widget_matches = await self._matched_widgets()
        await self._lock_dashboards(matched, widget_matches)
        await self._collections()
        await self._datasets()
        touched = await self._widgets(widget_matches)
        await self._dashboards(matched, touched)
        return self.report

    async def _lock_imports(self) -> None:
        key = literal(f"dashboard-import:{self.ctx.tenant_id}", Text)
        await self.conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))

    # Matching, before anything is written.

    async def _matched_dashboards(self) -> dict[str, int]:
        """The target's dashboard ids by code: all of them (COPY needs them to find free
        codes; OVERWRITE replaces those the document names)."""
        rows = await self.conn.execute(
            select(dashboards.c.code, dashboards.c.id).where(
                dashboards.c.tenant_id == self.ctx.tenant_id
            )
        )
        return {row.code: row.id for row in rows}

    async def _matched_widgets(self) -> dict[str, WidgetRecord]:
        """OVERWRITE: the library widget each document widget replaces, by kind when it has
        one, else by name when exactly one library widget has it."""
        if not self.overwrite or not self.document.widgets:
            return {}
        rows = await self.conn.execute(
            select(*WIDGET_COLUMNS)
            .where(
                dashboard_widgets.c.tenant_id == self.ctx.tenant_id,
                dashboard_widgets.c.in_library,
            )
            .order_by(dashboard_widgets.c.id)
        )
        library = [WidgetRecord.from_row(row) for row in rows]
        by_kind = {w.kind: w for w in library if w.kind is not None}
        by_name: dict[str, list[WidgetRecord]] = {}
        for w in library:
            by_name.setdefault(w.name, []).append(w)
        matches: dict[str, WidgetRecord] = {}
        used: set[int] = set()
        for entry in self.document.widgets:
            found = by_kind.get(entry.kind) if entry.kind else None
            if found is None and not entry.kind:
                named = by_name.get(entry.name.strip(), [])
                found = named[0] if len(named) == 1 else None
            if found is not None and found.id not in used:
                matches[entry.key] = found
                used.add(found.id)
        return matches

    async def _lock_dashboards(
        self, codes: dict[str, int], widget_matches: dict[str, WidgetRecord]
    ) -> None:
        """OVERWRITE: lock the dashboards the document replaces (checking the caller may
        change each) and those showing a library widget it replaces, in id order."""
        if not self.overwrite:
            return
        targets = {
            codes[d.code]: i for i, d in enumerate(self.document.dashboards) if d.code in codes
        }
        showing = set()
        if widget_matches:
            showing = set(
                (
                    await self.conn.execute(
                        select(placements.c.dashboard_id).where(
                            placements.c.tenant_id == self.ctx.tenant_id,
                            placements.c.widget_id.in_(
                                sorted(w.id for w in widget_matches.values())
                            ),
                        )
                    )
                ).scalars()
            )
        problems: list[Problem] = []
        for dashboard_id in sorted(set(targets) | showing):
            if dashboard_id not in targets:
                await self.conn.execute(
                    select(dashboards.c.id)
                    .where(
                        dashboards.c.tenant_id == self.ctx.tenant_id,
                        dashboards.c.id == dashboard_id,
                    )
                    .with_for_update()
                )
                continue
            index = targets[dashboard_id]
            try:
                await lock_dashboard(
                    self.conn,
                    self.ctx,
                    dashboard_id,
                    None,
                    action=Action.EDIT,
                    description="overwriting a dashboard",
                )
            except DomainError as error:
                problems.append(_refused(error, index, self.document.dashboards[index].code))
        if problems:
            raise DomainError(*problems)

    # Writing.

    async def _collections(self) -> None:
        rows = await self.conn.execute(
            select(*COLLECTION_COLUMNS).where(collections.c.tenant_id == self.ctx.tenant_id)
        )
        existing = {(c.parent_id, c.name): c for c in map(CollectionRecord.from_row, rows)}
        for entry in self.checked.collection_order:
            parent = self.collection_ids[entry.parent] if entry.parent else None
            name = entry.name.strip()
            found = existing.get((parent, name))
            if found is None:
                new_id = await self.conn.scalar(
                    collections.insert()
                    .values(
                        tenant_id=self.ctx.tenant_id,
                        name=name,
                        description=entry.description,
                        parent_id=parent,
                    )
                    .returning(collections.c.id)
                )
                assert new_id is not None
                self.collection_ids[entry.key] = new_id
                action = ImportAction.CREATED
            else:
                self.collection_ids[entry.key] = found.id
                action = ImportAction.UNCHANGED
                if self.overwrite and found.description != entry.description:
                    await self.conn.execute(
                        update(collections)
                        .where(
                            collections.c.tenant_id == self.ctx.tenant_id,
                            collections.c.id == found.id,
                        )
                        .values(description=entry.description, updated_at=func.now())
                    )
                    action = ImportAction.UPDATED
            self.report.add(
                ObjectKind.COLLECTION, entry.key, name, action, self.collection_ids[entry.key]
            )
            self._advance()

    async def _datasets(self) -> None:
        """OVERWRITE replaces the dataset of the same name; COPY reuses one of the same name
        and content, and otherwise creates one with a suffixed name ("orders (2)")."""
        rows = await self.conn.execute(
            select(*DATASET_COLUMNS)
            .where(datasets.c.tenant_id == self.ctx.tenant_id)
            # Kept from deletion until commit (the widgets written may read them), without
            # blocking the widget writes that key-share them too.
            .with_for_update(read=True, key_share=True)
        )
        existing = {d.name: d for d in map(DatasetRecord.from_row, rows)}
        taken = set(existing)
        for entry in self.document.datasets:
            values = dataset_values(entry)
            found = existing.get(values["name"])
            if found is not None and dataset_content(found) == dataset_content_of(values):
                self.dataset_ids[entry.key] = found.id
                self.report.add(
                    ObjectKind.DATASET, entry.key, found.name, ImportAction.UNCHANGED, found.id
                )
            elif found is not None and self.overwrite:
                await self.conn.execute(
                    update(datasets)
                    .where(datasets.c.tenant_id == self.ctx.tenant_id, datasets.c.id == found.id)
                    .values(**values, updated_at=func.now())
                )
                self.dataset_ids[entry.key] = found.id
                self.report.add(
                    ObjectKind.DATASET, entry.key, found.name, ImportAction.UPDATED, found.id
                )
            else:
                values["name"] = free_name(values["name"], taken, DATASET_NAME_MAX, " ({})")
                new_id = await self.conn.scalar(
                    datasets.insert()
                    .values(tenant_id=self.ctx.tenant_id, owner_id=self.ctx.user_id, **values)
                    .returning(datasets.c.id)
                )
                assert new_id is not None
                self.dataset_ids[entry.key] = new_id
                self.report.add(
                    ObjectKind.DATASET, entry.key, values["name"], ImportAction.CREATED, new_id
                )
            self._advance()

    def _stored_widget(self, body: WidgetBody) -> dict[str, Any]:
        """A widget's columns in the target: its data source names the target's dataset."""
        values = widget_values(body)
        source = body.data_source
        dataset_id = None
        if source is not None and DATASET_REFERENCE in source:
            dataset_id = self.dataset_ids[source[DATASET_REFERENCE]]
            source = {k: v for k, v in source.items() if k != DATASET_REFERENCE}
            source["dataset_id"] = dataset_id
        return values | {"data_source": source, "dataset_id": dataset_id}

    async def _widgets(self, matches: dict[str, WidgetRecord]) -> set[int]:
        """Library widgets; the ids of those replaced with other content."""
        kinds = set(
            (
                await self.conn.execute(
                    select(dashboard_widgets.c.kind).where(
                        dashboard_widgets.c.tenant_id == self.ctx.tenant_id,
                        dashboard_widgets.c.kind.is_not(None),
                    )
                )
            ).scalars()
        )
        kinds -= {w.kind for w in matches.values()}
        changed: set[int] = set()
        created: list[tuple[WidgetEntry, dict[str, Any]]] = []
        for entry in self.document.widgets:
            values = self._stored_widget(entry)
            found = matches.get(entry.key)
            if found is None:
                if values["kind"] is not None:
                    values["kind"] = free_name(values["kind"], kinds, KIND_MAX, "_{}")
                created.append((entry, values))
                continue
            self.widget_ids[entry.key] = found.id
            differs = {k: v for k, v in values.items() if getattr(found, k) != v}
            if differs:
                await self.conn.execute(
                    update(dashboard_widgets)
                    .where(
                        dashboard_widgets.c.tenant_id == self.ctx.tenant_id,
                        dashboard_widgets.c.id == found.id,
                    )
                    .values(**differs, updated_at=func.now())
                )
                changed.add(found.id)
                if "data_source" in differs:
                    self.changed_sources.append(found.id)
            action = ImportAction.UPDATED if differs else ImportAction.UNCHANGED
            self.report.add(ObjectKind.WIDGET, entry.key, found.name, action, found.id)
            self._advance()
        ids = await new_ids(self.conn, dashboard_widgets, len(created))
        if created:
            await self.conn.execute(
                dashboard_widgets.insert(),
                [
                    {
                        "tenant_id": self.ctx.tenant_id,
                        "id": new_id,
                        "owner_id": self.ctx.user_id,
                        "in_library": True,
                        **values,
                    }
                    for (_, values), new_id in zip(created, ids, strict=True)
                ],
            )
        for (entry, values), new_id in zip(created, ids, strict=True):
            self.widget_ids[entry.key] = new_id
            self.report.add(
                ObjectKind.WIDGET, entry.key, values["name"], ImportAction.CREATED, new_id
            )
        self._advance(len(created))
        return changed

    async def _dashboards(self, codes: dict[str, int], widgets_changed: set[int]) -> None:
        entries = self.document.dashboards
        replaced = {
            i: codes[d.code] for i, d in enumerate(entries) if self.overwrite and d.code in codes
        }
        ids = sorted(replaced.values())
        now_pages = await get_pages(self.conn, self.ctx, ids) if ids else {}
        now_cards = await get_cards(self.conn, self.ctx, ids) if ids else {}
        now_grants = await get_shares(self.conn, self.ctx, ids) if ids else {}
        now = (
            {
                r.id: DashboardRecord.from_row(r)
                for r in await self.conn.execute(
                    select(*DASHBOARD_COLUMNS).where(
                        dashboards.c.tenant_id == self.ctx.tenant_id, dashboards.c.id.in_(ids)
                    )
                )
            }
            if ids
            else {}
        )
        taken = set(codes)
        create: list[tuple[int, dict[str, Any]]] = []
        rewrite: dict[int, dict[str, Any]] = {}  # dashboard id -> changed columns
        new_cards: set[int] = set()  # dashboards whose pages and cards are replaced
        new_grants: set[int] = set()  # dashboards whose grants are replaced
        for index, entry in enumerate(entries):
            values = self.checked.dashboard_values[index] | {
                "collection_id": self.collection_ids.get(entry.collection or "")
            }
            if index in replaced:
                dashboard_id = replaced[index]
                current = now[dashboard_id]
                differs = {
                    k: v
                    for k, v in values.items()
                    if k != "code" and comparable(getattr(current, k)) != comparable(v)
                }
                wanted = self._content(entry)
                found = current_content(
                    now_pages.get(dashboard_id, []),
                    now_cards.get(dashboard_id, []),
                    now_grants.get(dashboard_id, []) if self._grants_of(entry) else None,
                )
                if wanted[:2] != found[:2]:
                    new_cards.add(dashboard_id)
                if wanted[2] != found[2]:
                    new_grants.add(dashboard_id)
                if differs or dashboard_id in new_cards | new_grants:
                    rewrite[dashboard_id] = differs
                    action = ImportAction.UPDATED
                else:
                    action = ImportAction.UNCHANGED
                self.report.add(ObjectKind.DASHBOARD, entry.code, entry.code, action, dashboard_id)
                self._grant_report(entry, now_grants.get(dashboard_id, []), action)
                self._advance()
            else:
                values["code"] = free_name(values["code"], taken, CODE_MAX, "-{}")
                create.append((index, values))
        if not self.overwrite and await self._has_default():
            # Copies leave the tenant's default where it is (as duplicating does).
            for _, values in create:
                values["is_default"] = False
        if any(v.get("is_default") for _, v in create) or any(
            v.get("is_default") for v in rewrite.values()
        ):
            await clear_tenant_default(self.conn, self.ctx)
        new_board_ids = await new_ids(self.conn, dashboards, len(create))
        if create:
            await self.conn.execute(
                dashboards.insert(),
                [
                    {
                        "tenant_id": self.ctx.tenant_id,
                        "id": new_id,
                        "owner_id": self.ctx.user_id,
                        **values,
                    }
                    for (_, values), new_id in zip(create, new_board_ids, strict=True)
                ],
            )
        board_of = {index: new_id for (index, _), new_id in zip(create, new_board_ids, strict=True)}
        for (index, values), new_id in zip(create, new_board_ids, strict=True):
            entry = entries[index]
            self.report.add(
                ObjectKind.DASHBOARD, entry.code, values["code"], ImportAction.CREATED, new_id
            )
            self._grant_report(entry, [], ImportAction.CREATED)
            self._advance()
        created = set(board_of)
        board_of.update(replaced)
        await self._clear_cards(sorted(new_cards))
        await self._clear_grants(sorted(new_grants))
        await self._write_cards(
            {i: entries[i] for i in board_of if i in created or board_of[i] in new_cards},
            board_of,
        )
        await self._write_grants(
            {i: entries[i] for i in board_of if i in created or board_of[i] in new_grants},
            board_of,
        )
        for dashboard_id in sorted(set(rewrite) | (await self._showing(widgets_changed))):
            await bump_version(self.conn, self.ctx, dashboard_id, **rewrite.get(dashboard_id, {}))
        for dashboard_id in new_board_ids:
            # A created dashboard's first revision (replaced ones got theirs from bump_version).
            await record_revision(self.conn, self.ctx, dashboard_id)
        self.progress("write", self.total, self.total)

    async def _has_default(self) -> bool:
        found = await self.conn.scalar(
            select(dashboards.c.id).where(
                dashboards.c.tenant_id == self.ctx.tenant_id, dashboards.c.is_default
            )
        )
        return found is not None

    def _grants_of(self, entry: DashboardEntry) -> bool:
        return self.include_grants and entry.grants is not None

    def _grant_report(
        self, entry: DashboardEntry, current: list[ShareRecord], action: ImportAction
    ) -> None:
        now = {(g.subject_type.value, g.subject_id): g.access_level.value for g in current}
        for grant in entry.grants or []:
            subject = (grant.subject_type.value, grant.subject_id.strip())
            key = f"{entry.code}:{subject[0]}:{subject[1]}"
            if not self.include_grants:
                done = ImportAction.SKIPPED
            elif action is ImportAction.CREATED or subject not in now:
                done = ImportAction.CREATED
            elif now[subject] != grant.access_level.value:
                done = ImportAction.UPDATED
            else:
                done = ImportAction.UNCHANGED
            self.report.add(ObjectKind.GRANT, key, subject[1], done)

    def _content(self, entry: DashboardEntry) -> tuple[Any, ...]:
        """Pages, cards (and grants when they are imported) in a form the target's can be
        compared with."""
        page_index = {p.key: n for n, p in enumerate(entry.pages)}
        return (
            tuple(p.name.strip() for p in entry.pages),
            tuple(
                (
                    page_index[c.page],
                    c.position.model_dump() if c.position else None,
                    c.title,
                    c.client_key,
                    ("library", self.widget_ids[c.widget])
                    if c.widget is not None
                    else ("own", *widget_key(self._stored_widget(own_widget(c)))),
                )
                for c in entry.cards
            ),
            grant_set(
                (g.subject_type.value, g.subject_id.strip(), g.access_level.value)
                for g in entry.grants or []
            )
            if self._grants_of(entry)
            else None,
        )

    async def _showing(self, widget_ids: set[int]) -> set[int]:
        if not widget_ids:
            return set()
        rows = await self.conn.execute(
            select(placements.c.dashboard_id).where(
                placements.c.tenant_id == self.ctx.tenant_id,
                placements.c.widget_id.in_(sorted(widget_ids)),
            )
        )
        return set(rows.scalars())

    async def _clear_cards(self, dashboard_ids: list[int]) -> None:
        """The pages (and so the cards) of replaced dashboards and their cards' own widgets."""
        if not dashboard_ids:
            return
        tenant = self.ctx.tenant_id
        old_widgets = (
            await self.conn.execute(
                select(placements.c.widget_id).where(
                    placements.c.tenant_id == tenant, placements.c.dashboard_id.in_(dashboard_ids)
                )
            )
        ).scalars()
        widget_ids = list(old_widgets)
        await self.conn.execute(
            delete(pages).where(
                pages.c.tenant_id == tenant, pages.c.dashboard_id.in_(dashboard_ids)
            )
        )
        await delete_unplaced_card_widgets(self.conn, self.ctx, widget_ids)

    async def _clear_grants(self, dashboard_ids: list[int]) -> None:
        if dashboard_ids:
            await self.conn.execute(
                delete(share_grants).where(
                    share_grants.c.tenant_id == self.ctx.tenant_id,
                    share_grants.c.dashboard_id.in_(dashboard_ids),
                )
            )

    async def _write_cards(
        self, entries: dict[int, DashboardEntry], board_of: dict[int, int]
    ) -> None:
        """Pages and cards (with their own widgets) of the dashboards created or replaced,
        in a few multi-row statements whatever their number."""
        tenant = self.ctx.tenant_id
        all_pages = [(i, n, p) for i, e in entries.items() for n, p in enumerate(e.pages, 1)]
        page_ids = await new_ids(self.conn, pages, len(all_pages))
        page_of = {
            (i, p.key): new_id for (i, _, p), new_id in zip(all_pages, page_ids, strict=True)
        }
        if all_pages:
            await self.conn.execute(
                pages.insert(),
                [
                    {
                        "tenant_id": tenant,
                        "id": page_of[(i, p.key)],
                        "dashboard_id": board_of[i],
                        "name": p.name.strip(),
                        "position": position,
                    }
                    for i, position, p in all_pages
                ],
            )
        all_cards = [(i, n, c) for i, e in entries.items() for n, c in enumerate(e.cards)]
        own = [(i, n, c) for i, n, c in all_cards if c.card is not None]
        own_ids = await new_ids(self.conn, dashboard_widgets, len(own))
        widget_of = {(i, n): w for (i, n, _), w in zip(own, own_ids, strict=True)}
        if own:
            await self.conn.execute(
                dashboard_widgets.insert(),
                [
                    {
                        "tenant_id": tenant,
                        "id": widget_of[(i, n)],
                        "owner_id": self.ctx.user_id,
                        "in_library": False,
                        **self._stored_widget(own_widget(c)),
                        "kind": None,
                    }
                    for i, n, c in own
                ],
            )
        if all_cards:
            await self.conn.execute(
                placements.insert(),
                [
                    {
                        "tenant_id": tenant,
                        "dashboard_id": board_of[i],
                        "page_id": page_of[(i, c.page)],
                        "widget_id": widget_of.get((i, n)) or self.widget_ids[str(c.widget)],
                        "position": c.position.model_dump() if c.position else {},
                        "ordinal": n,
                        "client_key": c.client_key,
                        "title": c.title,
                    }
                    for i, n, c in all_cards
                ],
            )
        self._advance(len(all_pages) + len(all_cards))

    async def _write_grants(
        self, entries: dict[int, DashboardEntry], board_of: dict[int, int]
    ) -> None:
        """The imported grants of the dashboards created or whose grants are replaced."""
        grants = [(i, g) for i, e in entries.items() if self._grants_of(e) for g in e.grants or []]
        if grants:
            await self.conn.execute(
                share_grants.insert(),
                [
                    {
                        "tenant_id": self.ctx.tenant_id,
                        "dashboard_id": board_of[i],
                        "subject_type": g.subject_type.value,
                        "subject_id": g.subject_id.strip(),
                        "access_level": g.access_level.value,
                        "granted_by": self.ctx.user_id,
                    }
                    for i, g in grants
                ],
            )
        self._advance(len(grants))


def _refused(error: DomainError, index: int, code: str) -> Problem:
    """Overwriting a dashboard the caller may not change: forbidden when they see it; when
    they do not, its code is simply taken (as createDashboard would say)."""
    problem = error.problems[0]
    path = ("dashboards", index, "code")
    if problem.code is ErrorCode.NOT_FOUND:
        return Problem(
            ErrorCode.ALREADY_EXISTS,
            f"dashboards[{index}].code: a dashboard with code {code!r} exists that you "
            "cannot change",
            path,
        )
    return Problem(problem.code, f"dashboards[{index}].code: {problem.message}", path)
