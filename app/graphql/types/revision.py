"""DashboardRevision: a version a dashboard reached, who made it and when, what changed, and
the dashboard as it was."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from app.domain.revisions.changes import ChangeKind
from app.domain.revisions.reading import RevisionDiff, RevisionRecord
from app.graphql.context import Info
from app.graphql.ids import to_global_id
from app.graphql.pagination import Connection, connection, page_window

strawberry.enum(
    ChangeKind,
    name="RevisionChangeKind",
    description="What a change did: CREATED the dashboard; RECORDED its state for the first "
    "time (a dashboard older than version history); RESTORED an earlier revision (path: "
    "its version); FIELD_CHANGED a dashboard field (path: the field); PAGE_, CARD_ and GRANT_ "
    "ADDED, REMOVED or CHANGED one (path: pages/<id>, cards/<id>, grants/<id>); CARD_MOVED a "
    "card to another place or page; PUBLIC_LINK_CHANGED; WIDGET_CHANGED a library widget the "
    "dashboard shows (path: widgets/<id>); MORE: the number of further changes "
    "not listed (path).",
)


@strawberry.type(description="One thing a revision changed.")
class RevisionChange:
    kind: ChangeKind
    path: str

    @classmethod
    def from_json(cls, change: dict[str, Any]) -> RevisionChange:
        return cls(kind=ChangeKind(change["kind"]), path=change["path"])


def revision_node_id(dashboard_id: int, version: int) -> str:
    return f"{dashboard_id}:{version}"


def parse_revision_node_id(node_id: str) -> tuple[int, int] | None:
    dashboard, _, version = node_id.partition(":")
    if not (dashboard.isdigit() and version.isdigit()):
        return None
    if len(dashboard) > 18 or len(version) > 9:
        return None
    return int(dashboard), int(version)


@strawberry.type(
    description="The dashboard as it was at one version: revision N is the dashboard at "
    "version N. Listed newest first by Dashboard.revisions."
)
class DashboardRevision(relay.Node):
    id: relay.NodeID[str]
    version: int
    created_at: datetime
    author: str = strawberry.field(description="The `sub` of the user whose write made it.")
    message: str | None = strawberry.field(description="What the writer said about it.")
    restored_from: int | None = strawberry.field(
        description="The version this revision restored, when it was a restore."
    )
    changes: list[RevisionChange] = strawberry.field(
        description="What changed from the previous revision (bounded; MORE counts the rest)."
    )
    _dashboard_id: strawberry.Private[int]

    @strawberry.field(description="The dashboard this is a revision of.")
    def dashboard_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Dashboard", self._dashboard_id))

    @strawberry.field(
        description="The dashboard's state at this version: fields, pages, cards, card "
        "widgets and grants keyed by id (docs/version-history.md)."
    )
    async def snapshot(self, info: Info) -> JSON | None:
        loaders = info.context.loaders.revisions
        return cast(JSON | None, await loaders.state((self._dashboard_id, self.version)))

    @classmethod
    def from_record(cls, record: RevisionRecord) -> DashboardRevision:
        return cls(
            id=revision_node_id(record.dashboard_id, record.version),
            _dashboard_id=record.dashboard_id,
            version=record.version,
            created_at=record.created_at,
            author=record.author_id,
            message=record.message,
            restored_from=record.restored_from,
            changes=[RevisionChange.from_json(change) for change in record.changes],
        )


@strawberry.type(description="What changed between two revisions of a dashboard.")
class DashboardRevisionDiff:
    from_version: int
    to_version: int
    changes: list[RevisionChange]
    patch: JSON = strawberry.field(
        description="[[path, value], ...] turning the state at fromVersion into the state at "
        "toVersion; [path] alone removes the key."
    )

    @classmethod
    def from_diff(cls, result: RevisionDiff) -> DashboardRevisionDiff:
        return cls(
            from_version=result.from_version,
            to_version=result.to_version,
            changes=[RevisionChange.from_json(change) for change in result.changes],
            patch=cast(JSON, result.patch),
        )


async def revision_connection(
    info: Info, dashboard_id: int, first: int | None, after: str | None
) -> Connection[DashboardRevision]:
    """A page of a visible dashboard's revisions, newest first; the cursor is the version."""
    limit, before = page_window(first, after, info.context.request.settings)
    loaders = info.context.loaders.revisions
    page = await loaders.page.load((dashboard_id, limit, before))

    async def count() -> int:
        return await loaders.count.load(dashboard_id)

    return connection(
        [DashboardRevision.from_record(record) for record in page.items],
        [record.version for record in page.items],
        has_next=page.has_next,
        had_cursor=after is not None,
        count=count,
    )


def revision_key_of(global_id: str) -> tuple[int, int] | None:
    """(dashboard id, version) that a DashboardRevision's global id names, else None."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    if parsed.type_name != "DashboardRevision":
        return None
    return parse_revision_node_id(parsed.node_id)
