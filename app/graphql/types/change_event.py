"""DashboardChangeEvent: what `dashboardChanged` delivers for each new version or a deletion."""

from __future__ import annotations

import strawberry

from app.domain.records import DashboardRecord
from app.domain.revisions import reading
from app.graphql.context import Info
from app.graphql.ids import to_global_id
from app.graphql.types.dashboard import Dashboard
from app.graphql.types.revision import DashboardRevision


@strawberry.type(
    description="A dashboard reached a new version, or was deleted. Events of one dashboard "
    "arrive in the order their changes were committed."
)
class DashboardChangeEvent:
    dashboard_id: strawberry.ID = strawberry.field(description="The dashboard's global id.")
    version: int | None = strawberry.field(
        description="The version the change made (the dashboard's revision number); null when "
        "deleted. After a reconnect of the server's listener, the version it has by then."
    )
    deleted: bool = strawberry.field(description="True when the dashboard was deleted.")
    _record: strawberry.Private[DashboardRecord | None]

    @strawberry.field(
        description="The dashboard as it is when the event is sent (it may already be past "
        "`version`); null when deleted."
    )
    def dashboard(self) -> Dashboard | None:
        return Dashboard.from_record(self._record) if self._record is not None else None

    @strawberry.field(
        description="Revision `version`: the dashboard exactly as this change left it, who made "
        "it and what changed; null when deleted, or when retention no longer keeps it."
    )
    async def revision(self, info: Info) -> DashboardRevision | None:
        if self._record is None or self.version is None:
            return None
        record = await reading.get_revision(info.context.request, self._record.id, self.version)
        return DashboardRevision.from_record(record) if record is not None else None

    @classmethod
    def changed(cls, version: int, record: DashboardRecord) -> DashboardChangeEvent:
        return cls(
            dashboard_id=strawberry.ID(to_global_id("Dashboard", record.id)),
            version=version,
            deleted=False,
            _record=record,
        )

    @classmethod
    def deletion(cls, dashboard_id: int) -> DashboardChangeEvent:
        return cls(
            dashboard_id=strawberry.ID(to_global_id("Dashboard", dashboard_id)),
            version=None,
            deleted=True,
            _record=None,
        )
