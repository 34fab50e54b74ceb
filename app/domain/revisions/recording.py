"""Recording a revision: the dashboard's state in the writing transaction becomes the revision
at its current version. The newest revision keeps the full snapshot; the one before it trades
its snapshot for the reverse patch from the new state to its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.context import RequestContext
from app.domain.change_notices import announce_dashboard_change
from app.domain.revisions.changes import ChangeKind, describe
from app.domain.revisions.patches import apply, diff
from app.domain.revisions.snapshot import current_snapshot
from app.domain.validation import Problems
from app.errors import FieldPath
from db.models import dashboards, revisions

MESSAGE_MAX = 500


@dataclass(frozen=True, slots=True)
class RevisionNote:
    """What the write says about itself: the caller's message, the version it restored, and
    the library widget whose change it is (not part of a snapshot, which only references it)."""

    message: str | None = None
    restored_from: int | None = None
    widget_changed: int | None = None


# The note of the write in progress. Set around a write by its transport (the
# `revisionMessage` input, the X-Revision-Message header) or by a restore, so that every
# domain write keeps its signature and still records its message.
_note: ContextVar[RevisionNote | None] = ContextVar("revision_note", default=None)
_NO_NOTE = RevisionNote()


def checked_message(message: str | None, field: FieldPath = ("revision_message",)) -> str | None:
    """The message trimmed (None when blank), or INVALID / TOO_LONG on `field`."""
    if message is None or not message.strip():
        return None
    problems = Problems()
    problems.text(message, field, max_length=MESSAGE_MAX, required=False)
    problems.raise_if_any()
    return message.strip()


@contextmanager
def revision_note(
    message: str | None = None,
    *,
    restored_from: int | None = None,
    widget_changed: int | None = None,
) -> Iterator[None]:
    """Revisions recorded inside carry this message (checked when recorded; None keeps the
    message set outside, e.g. by the header), the version they restored, the library widget
    whose change they record."""
    outer = _note.get() or _NO_NOTE
    token = _note.set(RevisionNote(message or outer.message, restored_from, widget_changed))
    try:
        yield
    finally:
        _note.reset(token)


async def record_revision(conn: AsyncConnection, ctx: RequestContext, dashboard_id: int) -> None:
    """Record the dashboard's current state (in this transaction) as the revision at its
    current version. Recording the same version again replaces that revision (a write that
    changes a dashboard twice in one transaction keeps one revision, of its final state)."""
    version = await conn.scalar(
        select(dashboards.c.version).where(
            dashboards.c.tenant_id == ctx.tenant_id, dashboards.c.id == dashboard_id
        )
    )
    if version is None:
        raise LookupError(f"dashboard {dashboard_id} does not exist in this transaction")
    state = await current_snapshot(conn, ctx.tenant_id, dashboard_id)
    latest = (
        await conn.execute(
            select(revisions.c.version, revisions.c.snapshot)
            .where(_of(ctx, dashboard_id))
            .order_by(revisions.c.version.desc())
            .limit(1)
        )
    ).first()
    note = _note.get() or _NO_NOTE
    row: dict[str, Any] = {
        "author_id": ctx.user_id,
        "message": checked_message(note.message),
        "restored_from": note.restored_from,
        "snapshot": state,
    }
    if latest is not None and latest.version == version:
        await _rerecord(conn, ctx, dashboard_id, version, latest.snapshot, state, row)
    else:
        if latest is not None:
            if latest.version > version:
                raise ValueError(
                    f"dashboard {dashboard_id} is at version {version}, "
                    f"below its newest revision {latest.version}"
                )
            await _set_patch(conn, ctx, dashboard_id, latest.version, diff(state, latest.snapshot))
        before = latest.snapshot if latest is not None else None
        await conn.execute(
            insert(revisions).values(
                tenant_id=ctx.tenant_id,
                dashboard_id=dashboard_id,
                version=version,
                changes=_changes(before, state, note, version),
                **row,
            )
        )
    await announce_dashboard_change(
        conn, tenant_id=ctx.tenant_id, dashboard_id=dashboard_id, version=version
    )


async def _rerecord(
    conn: AsyncConnection,
    ctx: RequestContext,
    dashboard_id: int,
    version: int,
    recorded: dict[str, Any],
    state: dict[str, Any],
    row: dict[str, Any],
) -> None:
    previous = (
        await conn.execute(
            select(revisions.c.version, revisions.c.patch)
            .where(_of(ctx, dashboard_id), revisions.c.version < version)
            .order_by(revisions.c.version.desc())
            .limit(1)
        )
    ).first()
    before = None
    if previous is not None:
        before = apply(recorded, previous.patch)
        await _set_patch(conn, ctx, dashboard_id, previous.version, diff(state, before))
    await conn.execute(
        update(revisions)
        .where(_of(ctx, dashboard_id), revisions.c.version == version)
        .values(changes=_changes(before, state, _note.get() or _NO_NOTE, version), **row)
    )


def _changes(
    before: dict[str, Any] | None, state: dict[str, Any], note: RevisionNote, version: int
) -> list[dict[str, Any]]:
    changes = describe(before, state, version=version)
    if note.restored_from is not None:
        changes.insert(0, {"kind": ChangeKind.RESTORED.value, "path": str(note.restored_from)})
    if note.widget_changed is not None:
        path = f"widgets/{note.widget_changed}"
        changes.append({"kind": ChangeKind.WIDGET_CHANGED.value, "path": path})
    return changes


async def _set_patch(
    conn: AsyncConnection, ctx: RequestContext, dashboard_id: int, version: int, patch: list[Any]
) -> None:
    await conn.execute(
        update(revisions)
        .where(_of(ctx, dashboard_id), revisions.c.version == version)
        .values(snapshot=None, patch=patch)
    )


def _of(ctx: RequestContext, dashboard_id: int) -> Any:
    return (revisions.c.tenant_id == ctx.tenant_id) & (revisions.c.dashboard_id == dashboard_id)
