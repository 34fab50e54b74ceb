"""Importing library widgets: OVERWRITE updates the widgets matched by kind or name; the others
are created, with a suffixed kind when theirs is taken ("kpi_2")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from app.domain.duplication import new_ids
from app.domain.records import WidgetRecord
from app.domain.transfer.comparison import free_name
from app.domain.transfer.document import WidgetEntry
from app.domain.transfer.import_state import ImportState
from app.domain.transfer.report import ImportAction, ObjectKind
from db.models import dashboard_widgets

KIND_MAX = 60


async def import_widgets(state: ImportState, matches: dict[str, WidgetRecord]) -> set[int]:
    """Library widgets; the ids of those replaced with other content."""
    conn, tenant = state.conn, state.ctx.tenant_id
    kinds = set(
        (
            await conn.execute(
                select(dashboard_widgets.c.kind).where(
                    dashboard_widgets.c.tenant_id == tenant,
                    dashboard_widgets.c.kind.is_not(None),
                )
            )
        ).scalars()
    )
    kinds -= {w.kind for w in matches.values()}
    changed: set[int] = set()
    created: list[tuple[WidgetEntry, dict[str, Any]]] = []
    for entry in state.document.widgets:
        values = state.stored_widget(entry)
        found = matches.get(entry.key)
        if found is None:
            if values["kind"] is not None:
                values["kind"] = free_name(values["kind"], kinds, KIND_MAX, "_{}")
            created.append((entry, values))
            continue
        state.widget_ids[entry.key] = found.id
        differs = {k: v for k, v in values.items() if getattr(found, k) != v}
        if differs:
            await conn.execute(
                update(dashboard_widgets)
                .where(dashboard_widgets.c.tenant_id == tenant, dashboard_widgets.c.id == found.id)
                .values(**differs, updated_at=func.now())
            )
            changed.add(found.id)
            if "data_source" in differs:
                state.changed_sources.append(found.id)
        action = ImportAction.UPDATED if differs else ImportAction.UNCHANGED
        state.report.add(ObjectKind.WIDGET, entry.key, found.name, action, found.id)
        state.advance()
    ids = await new_ids(conn, dashboard_widgets, len(created))
    if created:
        await conn.execute(
            dashboard_widgets.insert(),
            [
                {
                    "tenant_id": tenant,
                    "id": new_id,
                    "owner_id": state.ctx.user_id,
                    "in_library": True,
                    **values,
                }
                for (_, values), new_id in zip(created, ids, strict=True)
            ],
        )
    for (entry, values), new_id in zip(created, ids, strict=True):
        state.widget_ids[entry.key] = new_id
        state.report.add(ObjectKind.WIDGET, entry.key, values["name"], ImportAction.CREATED, new_id)
    state.advance(len(created))
    return changed
