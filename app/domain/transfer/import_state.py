"""What the steps of one import share while it runs: the transaction, the checked document,
the ids the target gave each document key, the report and the progress count."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.transfer.checks import CheckedDocument, widget_values
from app.domain.transfer.document import DATASET_REFERENCE, DashboardEntry, WidgetBody
from app.domain.transfer.progress import Progress
from app.domain.transfer.report import ImportMode, ImportReport


class ImportState:
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

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.progress("write", min(self.done, self.total), self.total)

    def stored_widget(self, body: WidgetBody) -> dict[str, Any]:
        """A widget's columns in the target: its data source names the target's dataset."""
        values = widget_values(body)
        source = body.data_source
        dataset_id = None
        if source is not None and DATASET_REFERENCE in source:
            dataset_id = self.dataset_ids[source[DATASET_REFERENCE]]
            source = {k: v for k, v in source.items() if k != DATASET_REFERENCE}
            source["dataset_id"] = dataset_id
        return values | {"data_source": source, "dataset_id": dataset_id}

    def grants_of(self, entry: DashboardEntry) -> bool:
        """Whether this import writes the dashboard's grants."""
        return self.include_grants and entry.grants is not None
