"""exportDashboards and importDashboards: the export document as a JSON value, and its import
with a report of what was (or, in a dry run, would be) created, updated, unchanged or skipped."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.domain import transfer
from app.domain.transfer import (
    ExportScope,
    ImportAction,
    ImportMode,
    ImportReport,
    ObjectKind,
)
from app.errors import ErrorCode, FieldPath, Problem
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt, query_result
from app.graphql.ids import database_id_of

strawberry.enum(ExportScope, name="ExportScope", description="What an export holds.")
strawberry.enum(
    ImportMode,
    name="ImportMode",
    description="COPY creates new objects (taken codes, kinds and names get a suffix); "
    "OVERWRITE replaces the objects of the same code, kind or name.",
)
strawberry.enum(ImportAction, name="ImportAction")
strawberry.enum(ObjectKind, name="TransferObjectKind")

_SCOPE_TYPES = {ExportScope.DASHBOARD: "Dashboard", ExportScope.COLLECTION: "Collection"}
# The import's problems have paths into the document, below the input's `document`.
_DOCUMENT: FieldPath = ("document",)


@strawberry.input
class ExportDashboardsInput:
    scope: ExportScope
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The dashboard or collection (global or integer id)."
    )
    include_grants: bool = strawberry.field(
        default=False, description="Add each dashboard's share grants."
    )


@strawberry.type(description="How many objects of each kind a document holds.")
class TransferCounts:
    collections: int
    datasets: int
    widgets: int
    dashboards: int
    pages: int
    cards: int
    grants: int


@strawberry.type(name="ExportDocument", description="A versioned export (docs/export-import.md).")
class ExportResult:
    document: JSON = strawberry.field(description="The document, ready to import.")
    version: int
    counts: TransferCounts


@strawberry.input
class ImportDashboardsInput:
    document: JSON = strawberry.field(description="An export document, version 1 or 2.")
    mode: ImportMode = ImportMode.COPY
    dry_run: bool = strawberry.field(
        default=False, description="Do everything, report it, and roll it back."
    )
    include_grants: bool = strawberry.field(
        default=False, description="Import the document's grants (tenant admins only)."
    )


@strawberry.type
class ImportedObject:
    kind: ObjectKind
    key: str = strawberry.field(description="The document's key (a dashboard's code).")
    name: str = strawberry.field(description="Its code or name in this tenant.")
    action: ImportAction
    database_id: int | None = strawberry.field(description="Null in a dry run.")


@strawberry.type
class ImportCounts:
    kind: ObjectKind
    created: int
    updated: int
    unchanged: int
    skipped: int


@strawberry.type
class ImportDashboardsReport:
    mode: ImportMode
    dry_run: bool
    objects: list[ImportedObject]
    counts: list[ImportCounts]

    @classmethod
    def from_report(cls, report: ImportReport) -> ImportDashboardsReport:
        return cls(
            mode=report.mode,
            dry_run=report.dry_run,
            objects=[
                ImportedObject(
                    kind=o.kind,
                    key=o.key,
                    name=o.name,
                    action=o.action,
                    database_id=o.database_id,
                )
                for o in report.objects
            ],
            counts=[
                ImportCounts(
                    kind=c.kind,
                    created=c.created,
                    updated=c.updated,
                    unchanged=c.unchanged,
                    skipped=c.skipped,
                )
                for c in report.counts()
            ],
        )


@strawberry.type
class ImportDashboardsPayload:
    report: ImportDashboardsReport | None
    user_errors: list[UserError]


def _counts(document: transfer.ExportDocument) -> TransferCounts:
    boards = document.dashboards
    return TransferCounts(
        collections=len(document.collections),
        datasets=len(document.datasets),
        widgets=len(document.widgets),
        dashboards=len(boards),
        pages=sum(len(d.pages) for d in boards),
        cards=sum(len(d.cards) for d in boards),
        grants=sum(len(d.grants or []) for d in boards),
    )


def _document_error(problem: Problem) -> UserError:
    """Paths go into the document as it is spelled (the input's `document` is JSON)."""
    if problem.code is ErrorCode.FORBIDDEN:
        field = None
    else:
        field = [str(part) for part in (*_DOCUMENT, *problem.field)]
    return UserError(field=field, message=problem.message, code=problem.code)


@strawberry.type
class TransferQueries:
    @strawberry.field(
        description="One dashboard, a collection (with its sub-collections) or the whole "
        "tenant (admins) as a document importDashboards takes; null if unseen."
    )
    async def export_dashboards(
        self, info: Info, input: ExportDashboardsInput
    ) -> ExportResult | None:
        target = None
        if input.scope is not ExportScope.TENANT:
            target = database_id_of(str(input.id or ""), _SCOPE_TYPES[input.scope])
            if target is None:
                return None
        document = await query_result(
            transfer.export_document(
                info.context.request, input.scope, target, include_grants=input.include_grants
            ),
            unseen={"dashboard", "collection"},
        )
        if document is None:
            return None
        return ExportResult(
            document=cast(JSON, transfer.as_json(document)),
            version=document.version,
            counts=_counts(document),
        )


@strawberry.type
class TransferMutations:
    @strawberry.mutation(
        description="Import an export document: checked whole first, applied in one "
        "transaction; a dry run reports what would change and changes nothing."
    )
    async def import_dashboards(
        self, info: Info, input: ImportDashboardsInput
    ) -> ImportDashboardsPayload:
        report, errors = await attempt(
            transfer.import_document(
                info.context.request,
                input.document,
                mode=input.mode,
                dry_run=input.dry_run,
                include_grants=input.include_grants,
            ),
            as_user_error=_document_error,
        )
        info.context.after_write()
        return ImportDashboardsPayload(
            report=ImportDashboardsReport.from_report(report) if report else None,
            user_errors=errors,
        )
