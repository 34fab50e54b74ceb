"""Version history of dashboards (issue 8): every change records a revision; revisions are
listed, read as they were, compared, restored, and pruned by a retention setting."""

from app.domain.revisions.recording import (
    checked_message,
    record_revision,
    revision_note,
)

__all__ = ["checked_message", "record_revision", "revision_note"]
