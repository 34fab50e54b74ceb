"""restoreDashboardRevision: the dashboard back as it was at an earlier version, recorded as
a new revision."""

from __future__ import annotations

import strawberry

from app.domain.records import DashboardRecord
from app.domain.revisions import checked_message
from app.domain.revisions.restore import restore_revision
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.mutations.inputs import required_id
from app.graphql.types.dashboard import Dashboard


@strawberry.input
class RestoreDashboardRevisionInput:
    dashboard_id: strawberry.ID
    version: int = strawberry.field(description="The revision to bring back.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The dashboard's version the caller last read; VERSION_CONFLICT if it "
        "has changed since.",
    )
    revision_message: str | None = strawberry.field(
        default=None, description="Kept with the new revision (at most 500 characters)."
    )


@strawberry.type
class RestoreDashboardRevisionPayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


@strawberry.type
class RevisionMutations:
    @strawberry.mutation(
        description="Write an earlier revision's state back (fields, pages, cards, grants) "
        "as a new revision. Not restored: the default flag and the public link."
    )
    async def restore_dashboard_revision(
        self, info: Info, input: RestoreDashboardRevisionInput
    ) -> RestoreDashboardRevisionPayload:
        async def run() -> DashboardRecord:
            return await restore_revision(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                input.version,
                expected_version=input.expected_version,
                message=checked_message(input.revision_message),
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return RestoreDashboardRevisionPayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )


def revision_message_field() -> str | None:
    """The optional `revisionMessage` of an input whose mutation changes a dashboard; kept
    with the revision the write records (it wins over the X-Revision-Message header)."""
    return strawberry.field(  # type: ignore[no-any-return]
        default=None,
        description="Kept with the revision this write records (at most 500 characters).",
    )
