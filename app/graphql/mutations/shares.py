"""shareDashboard (add or update a grant) and revokeDashboardShare."""

from __future__ import annotations

import strawberry

from app.domain import shares as service
from app.domain.revisions import revision_note
from app.domain.shares import ShareAccess, ShareRecord, SubjectType
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import required_id
from app.graphql.mutations.revisions import revision_message_field
from app.graphql.types.sharing import ShareGrant


@strawberry.input(description="Granting the same subject again updates its access level.")
class ShareDashboardInput:
    dashboard_id: strawberry.ID
    subject_type: SubjectType
    subject_id: str = strawberry.field(description="A user's `sub` or a group id.")
    access_level: ShareAccess
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input
class RevokeDashboardShareInput:
    dashboard_id: strawberry.ID
    share_id: strawberry.ID
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.type
class ShareDashboardPayload:
    share: ShareGrant | None
    user_errors: list[UserError]


@strawberry.type
class RevokeDashboardSharePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class ShareMutations:
    @strawberry.mutation
    async def share_dashboard(
        self, info: Info, input: ShareDashboardInput
    ) -> ShareDashboardPayload:
        async def run() -> ShareRecord:
            grant, _created = await service.share_dashboard(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                input.subject_type,
                input.subject_id,
                input.access_level,
                expected_version=input.expected_version,
            )
            return grant

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return ShareDashboardPayload(
            share=ShareGrant.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation
    async def revoke_dashboard_share(
        self, info: Info, input: RevokeDashboardShareInput
    ) -> RevokeDashboardSharePayload:
        async def run() -> ShareRecord:
            return await service.revoke_share(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                required_id(input.share_id, "ShareGrant", ("share_id",)),
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return RevokeDashboardSharePayload(
            deleted_id=strawberry.ID(to_global_id("ShareGrant", record.id)) if record else None,
            user_errors=errors,
        )
