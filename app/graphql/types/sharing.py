"""ShareGrant: access to one dashboard for a user or a group."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from app.domain.shares import ShareAccess, ShareRecord, SubjectType

strawberry.enum(SubjectType, name="ShareSubjectType")
strawberry.enum(
    ShareAccess,
    name="ShareAccessLevel",
    description="viewer and commenter may read; editor may also change.",
)


@strawberry.type(description="A user's or a group's access to a dashboard.")
class ShareGrant(relay.Node):
    id: relay.NodeID[int]
    subject_type: SubjectType
    subject_id: str
    access_level: ShareAccess
    granted_by: str = strawberry.field(description="The `sub` of who granted it last.")
    created_at: datetime
    updated_at: datetime

    database_id: int = strawberry.field(description="The integer key, as REST routes use it.")
    # Set on grants shared by requests: what plain selections built from it (execution.py).
    plain_memo: strawberry.Private[dict[Any, Any] | None] = None

    @classmethod
    def from_record(cls, record: ShareRecord, *, shared: bool = False) -> ShareGrant:
        return cls(
            id=record.id,
            database_id=record.id,
            subject_type=record.subject_type,
            subject_id=record.subject_id,
            access_level=record.access_level,
            granted_by=record.granted_by,
            created_at=record.created_at,
            updated_at=record.updated_at,
            plain_memo={} if shared else None,
        )
