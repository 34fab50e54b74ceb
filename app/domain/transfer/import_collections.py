"""Importing collections: parents before children; one of the same name under the same parent
is reused (OVERWRITE brings its description in line)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.domain.collections import COLLECTION_COLUMNS, CollectionRecord
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.report import ImportAction, ObjectKind
from db.models import collections


async def import_collections(state: ImportState) -> None:
    conn, tenant = state.conn, state.ctx.tenant_id
    rows = await conn.execute(select(*COLLECTION_COLUMNS).where(collections.c.tenant_id == tenant))
    existing = {(c.parent_id, c.name): c for c in map(CollectionRecord.from_row, rows)}
    for entry in state.checked.collection_order:
        parent = state.collection_ids[entry.parent] if entry.parent else None
        name = entry.name.strip()
        found = existing.get((parent, name))
        if found is None:
            new_id = await conn.scalar(
                collections.insert()
                .values(
                    tenant_id=tenant,
                    name=name,
                    description=entry.description,
                    parent_id=parent,
                )
                .returning(collections.c.id)
            )
            assert new_id is not None
            state.collection_ids[entry.key] = new_id
            action = ImportAction.CREATED
        else:
            state.collection_ids[entry.key] = found.id
            action = ImportAction.UNCHANGED
            if state.overwrite and found.description != entry.description:
                await conn.execute(
                    update(collections)
                    .where(collections.c.tenant_id == tenant, collections.c.id == found.id)
                    .values(description=entry.description, updated_at=func.now())
                )
                action = ImportAction.UPDATED
        state.report.add(
            ObjectKind.COLLECTION, entry.key, name, action, state.collection_ids[entry.key]
        )
        state.advance()
