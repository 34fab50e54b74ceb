"""Import: a document of any known version, checked whole before anything is written, then
applied in one transaction (COPY or OVERWRITE). A dry run does all of it and rolls back.

Locks, always in this order (the order every other write takes them, so none deadlock): the
tenant's import lock (imports of one tenant queue), the collection tree, the tenant row when
the document has a default dashboard, then the dashboard rows the import changes in id order,
then widget and dataset rows.

The steps are modules of their own: matching and locking (`import_matching`), then
collections, datasets, library widgets and dashboards with their pages, cards and grants
(`import_collections` … `import_contents`), sharing one `ImportState`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.context import RequestContext
from app.domain.access import require_edit
from app.domain.collections import lock_collection_tree
from app.domain.constraints import violated_constraint
from app.domain.dashboards import lock_tenant_default
from app.domain.transfer.checks import check_document
from app.domain.transfer.import_collections import import_collections
from app.domain.transfer.import_dashboards import import_dashboards
from app.domain.transfer.import_datasets import import_datasets
from app.domain.transfer.import_matching import (
    lock_dashboards,
    lock_imports,
    matched_dashboards,
    matched_widgets,
)
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.import_widgets import import_widgets
from app.domain.transfer.progress import Progress, no_progress
from app.domain.transfer.report import ImportMode, ImportReport
from app.domain.transfer.versions import read_document
from app.errors import DomainError, ErrorCode, Problem, forbidden


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
            state = ImportState(conn, ctx, checked, mode, include_grants, progress)
            report = await _apply(state)
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
    for widget_id in state.changed_sources:
        await ctx.data.cache.invalidate_widget(ctx.tenant_id, widget_id)
    return report


# Unique constraints a concurrent write can beat an import to: what was taken, and where.
_TAKEN_MEANWHILE = {
    "uq_dashboards_tenant_id_code": ("a dashboard code", "dashboards"),
    "uq_dashboard_widgets_tenant_id_kind": ("a widget kind", "widgets"),
    "uq_datasets_tenant_id_name": ("a dataset name", "datasets"),
    "uq_collections_sibling_name": ("a collection name", "collections"),
}


async def _apply(state: ImportState) -> ImportReport:
    """Locks what the document touches, then writes it, parents before what refers to them."""
    await lock_imports(state)
    if state.document.collections:
        await lock_collection_tree(state.conn, state.ctx)
    if any(d.is_default for d in state.document.dashboards):
        await lock_tenant_default(state.conn, state.ctx)
    matched = await matched_dashboards(state)
    widget_matches = await matched_widgets(state)
    await lock_dashboards(state, matched, widget_matches)
    await import_collections(state)
    await import_datasets(state)
    touched = await import_widgets(state, widget_matches)
    await import_dashboards(state, matched, touched)
    return state.report
