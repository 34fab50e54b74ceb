"""Importing datasets: OVERWRITE replaces the dataset of the same name; COPY reuses one of the
same name and content, and otherwise creates one with a suffixed name ("orders (2)")."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.domain.records import DATASET_COLUMNS, DatasetRecord
from app.domain.transfer.comparison import (
    dataset_content,
    dataset_content_of,
    dataset_values,
    free_name,
)
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.report import ImportAction, ObjectKind
from db.models import datasets

DATASET_NAME_MAX = 100


async def import_datasets(state: ImportState) -> None:
    conn, tenant = state.conn, state.ctx.tenant_id
    rows = await conn.execute(
        select(*DATASET_COLUMNS)
        .where(datasets.c.tenant_id == tenant)
        # Kept from deletion until commit (the widgets written may read them), without
        # blocking the widget writes that key-share them too.
        .with_for_update(read=True, key_share=True)
    )
    existing = {d.name: d for d in map(DatasetRecord.from_row, rows)}
    taken = set(existing)
    for entry in state.document.datasets:
        values = dataset_values(entry)
        found = existing.get(values["name"])
        if found is not None and dataset_content(found) == dataset_content_of(values):
            state.dataset_ids[entry.key] = found.id
            state.report.add(
                ObjectKind.DATASET, entry.key, found.name, ImportAction.UNCHANGED, found.id
            )
        elif found is not None and state.overwrite:
            await conn.execute(
                update(datasets)
                .where(datasets.c.tenant_id == tenant, datasets.c.id == found.id)
                .values(**values, updated_at=func.now())
            )
            state.dataset_ids[entry.key] = found.id
            state.report.add(
                ObjectKind.DATASET, entry.key, found.name, ImportAction.UPDATED, found.id
            )
        else:
            values["name"] = free_name(values["name"], taken, DATASET_NAME_MAX, " ({})")
            new_id = await conn.scalar(
                datasets.insert()
                .values(tenant_id=tenant, owner_id=state.ctx.user_id, **values)
                .returning(datasets.c.id)
            )
            assert new_id is not None
            state.dataset_ids[entry.key] = new_id
            state.report.add(
                ObjectKind.DATASET, entry.key, values["name"], ImportAction.CREATED, new_id
            )
        state.advance()
