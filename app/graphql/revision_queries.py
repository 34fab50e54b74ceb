"""Query fields of version history: one revision of a dashboard, and the difference between
two. Null when the caller cannot see the dashboard or it has no such revision."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain.revisions import reading
from app.graphql.context import Info
from app.graphql.ids import database_id_of
from app.graphql.types.revision import DashboardRevision, DashboardRevisionDiff

_DASHBOARD = strawberry.argument(description="The dashboard's id (global or integer).")


@strawberry.type
class RevisionQueries:
    @strawberry.field(
        description="Revision `version` of a dashboard: the dashboard as it was at that "
        "version; null if unseen, never recorded or pruned by retention."
    )
    async def dashboard_revision(
        self,
        info: Info,
        dashboard_id: Annotated[strawberry.ID, _DASHBOARD],
        version: int,
    ) -> DashboardRevision | None:
        found = database_id_of(dashboard_id, "Dashboard")
        if found is None:
            return None
        record = await reading.get_revision(info.context.request, found, version)
        return DashboardRevision.from_record(record) if record else None

    @strawberry.field(
        description="What changed from one revision of a dashboard to another (either may "
        "be the older); null if unseen or either revision does not exist."
    )
    async def dashboard_revision_diff(
        self,
        info: Info,
        dashboard_id: Annotated[strawberry.ID, _DASHBOARD],
        from_version: int,
        to_version: Annotated[
            int | None, strawberry.argument(description="The newest revision when null.")
        ] = None,
    ) -> DashboardRevisionDiff | None:
        found = database_id_of(dashboard_id, "Dashboard")
        if found is None:
            return None
        result = await reading.diff_revisions(info.context.request, found, from_version, to_version)
        return DashboardRevisionDiff.from_diff(result) if result else None
