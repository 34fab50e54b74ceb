"""Retention: a revision is kept while it is among its dashboard's last REVISION_KEEP_LAST or
younger than REVISION_KEEP_DAYS; the newest is always kept. The rest are deleted across
tenants (the service's own connection), in transactions that each read at most
REVISION_PRUNE_BATCH old revisions.

Pruning never waits for a writer and never makes one wait: it locks the rows it deletes with
SKIP LOCKED, and those are never a dashboard's newest revision, the only row a writer updates.
Kept revisions always form a newest-first run (created_at grows with the version, see
db/models.py), so deleting the oldest never breaks the chain of patches of the others."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from app.background import BackgroundTask
from app.context import Database
from app.settings import Settings
from db.engine import create_engine

log = logging.getLogger(__name__)

# One batch: the next `batch` revisions older than the cutoff (after the cursor, oldest
# first), of which those with at least `keep_last` newer revisions of their dashboard (the
# count stops there) are deleted, skipping rows another transaction holds. A batch reads
# at most `batch` old rows whatever the table holds, and the cursor makes one prune a single
# pass over the old rows (those kept are not read again until the next prune).
_PRUNE_BATCH = text(
    """
    WITH candidates AS (
        SELECT tenant_id, dashboard_id, version, created_at
        FROM dashboard_revisions
        WHERE created_at < now() - make_interval(days => :keep_days)
          AND created_at > COALESCE(CAST(:after AS timestamptz), '-infinity')
        ORDER BY created_at
        LIMIT :batch
    ), doomed AS (
        SELECT r.tenant_id, r.dashboard_id, r.version
        FROM dashboard_revisions r
        JOIN candidates c ON c.tenant_id = r.tenant_id AND c.dashboard_id = r.dashboard_id
          AND c.version = r.version
        WHERE (
            SELECT count(*) FROM (
              SELECT 1 FROM dashboard_revisions n
              WHERE n.tenant_id = r.tenant_id AND n.dashboard_id = r.dashboard_id
                AND n.version > r.version
              LIMIT :keep_last
            ) newer
          ) >= :keep_last
        FOR UPDATE OF r SKIP LOCKED
    ), deleted AS (
        DELETE FROM dashboard_revisions d USING doomed
        WHERE d.tenant_id = doomed.tenant_id AND d.dashboard_id = doomed.dashboard_id
          AND d.version = doomed.version
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM candidates) AS read,
           (SELECT max(created_at) FROM candidates) AS last,
           (SELECT count(*) FROM deleted) AS deleted
    """
)


@dataclass(frozen=True, slots=True)
class Retention:
    keep_last: int
    keep_days: int
    batch: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            settings.revision_keep_last,
            settings.revision_keep_days,
            settings.revision_prune_batch,
        )


async def prune_revisions(db: Database, retention: Retention, *, max_batches: int = 0) -> int:
    """Delete the revisions retention lets go, one bounded transaction at a time, in one
    pass over the old revisions (or `max_batches` batches, when given); how many went.
    Revisions that become prunable during the pass (newer ones were recorded meanwhile), and
    any created at the very instant a batch ended on, go at the next prune."""
    if db.tenant_id is not None:
        raise ValueError("pruning works across tenants: use the service's own database")
    deleted, batches = 0, 0
    after: datetime | None = None
    while True:
        async with db.transaction() as conn:
            batch = (
                await conn.execute(
                    _PRUNE_BATCH,
                    {
                        "keep_last": max(retention.keep_last, 1),
                        "keep_days": retention.keep_days,
                        "batch": retention.batch,
                        "after": after,
                    },
                )
            ).one()
        deleted += int(batch.deleted)
        batches += 1
        after = batch.last
        if batch.read < retention.batch or (max_batches and batches >= max_batches):
            return deleted


async def prune_periodically(db: Database, settings: Settings) -> None:
    """The background task of the app's lifespan: a prune every
    REVISION_PRUNE_INTERVAL_SECONDS, the first one interval after start. A failed prune is
    logged and tried again at the next interval."""
    retention = Retention.from_settings(settings)
    while True:
        await asyncio.sleep(settings.revision_prune_interval_seconds)
        try:
            deleted = await prune_revisions(db, retention)
        except Exception:
            log.exception("pruning dashboard revisions failed; trying again next interval")
        else:
            if deleted:
                log.info("pruned %d dashboard revisions", deleted)


async def prune_database(url: str, retention: Retention) -> int:
    """One prune with an engine of its own (the CLI's `prune-revisions`)."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        return await prune_revisions(Database(engine), retention)
    finally:
        await engine.dispose()


class RevisionPruner:
    """The app's periodic prune, started and stopped by its lifespan; does nothing when
    REVISION_PRUNE_INTERVAL_SECONDS is 0."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db, self._settings = db, settings
        self._task = BackgroundTask("revision-pruner")

    def start(self) -> None:
        if self._settings.revision_prune_interval_seconds > 0:
            self._task.start(prune_periodically(self._db, self._settings))

    async def stop(self) -> None:
        await self._task.stop()
