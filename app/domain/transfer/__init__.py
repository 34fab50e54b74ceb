"""Export and import of dashboards (docs/export-import.md): one dashboard, a collection or a
whole tenant as a versioned JSON document, and that document imported into the same or
another tenant, checked whole first and applied in one transaction."""

from app.domain.transfer.document import FORMAT, VERSION, ExportDocument, as_json, dump_document
from app.domain.transfer.export import ExportScope, export_document
from app.domain.transfer.importer import import_document
from app.domain.transfer.progress import Progress
from app.domain.transfer.report import (
    ImportAction,
    ImportedObject,
    ImportMode,
    ImportReport,
    KindCounts,
    ObjectKind,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "ExportDocument",
    "ExportScope",
    "ImportAction",
    "ImportMode",
    "ImportReport",
    "ImportedObject",
    "KindCounts",
    "ObjectKind",
    "Progress",
    "as_json",
    "dump_document",
    "export_document",
    "import_document",
]
