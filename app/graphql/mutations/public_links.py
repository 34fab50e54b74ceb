"""publishDashboard and revokePublicLink: the dashboard's sharing, so its owner (with
dashboard.edit), editors it is shared with and admins may."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from app.domain import public_links as service
from app.domain.public_links import PublicLinkRecord
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.mutations.inputs import required_id
from app.graphql.types.dashboard import Dashboard
from app.graphql.types.public_link import PublicLink

T = TypeVar("T")


@strawberry.input(description="Publishing a public dashboard again keeps its link.")
class PublishDashboardInput:
    dashboard_id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with VERSION_CONFLICT unless still at this version."
    )


@strawberry.input(description="The link stops working at once.")
class RevokePublicLinkInput:
    dashboard_id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with VERSION_CONFLICT unless still at this version."
    )


@strawberry.type
class PublishDashboardPayload:
    dashboard: Dashboard | None = strawberry.field(description="At its new version.")
    public_link: PublicLink | None
    user_errors: list[UserError]


@strawberry.type
class RevokePublicLinkPayload:
    dashboard: Dashboard | None = strawberry.field(description="At its new version.")
    revoked: bool = strawberry.field(description="False when the dashboard had no link.")
    user_errors: list[UserError]


async def _dashboard(info: Info, dashboard_id: int | None) -> Dashboard | None:
    record = await info.context.loaders.dashboard(dashboard_id)
    return Dashboard.from_record(record) if record else None


@strawberry.type
class PublicLinkMutations:
    @strawberry.mutation(description="Give the dashboard a public link (its render only).")
    async def publish_dashboard(
        self, info: Info, input: PublishDashboardInput
    ) -> PublishDashboardPayload:
        async def run() -> tuple[int, PublicLinkRecord]:
            dashboard_id = required_id(input.dashboard_id, "Dashboard", ("dashboard_id",))
            link, _ = await service.publish_dashboard(
                info.context.request, dashboard_id, expected_version=input.expected_version
            )
            return dashboard_id, link

        done, errors = await attempt(run())
        info.context.after_write()
        if done is None:
            return PublishDashboardPayload(dashboard=None, public_link=None, user_errors=errors)
        dashboard_id, link = done
        return PublishDashboardPayload(
            dashboard=await _dashboard(info, dashboard_id),
            public_link=PublicLink.from_record(link),
            user_errors=errors,
        )

    @strawberry.mutation(description="Delete the dashboard's public link.")
    async def revoke_public_link(
        self, info: Info, input: RevokePublicLinkInput
    ) -> RevokePublicLinkPayload:
        async def run() -> tuple[int, bool]:
            dashboard_id = required_id(input.dashboard_id, "Dashboard", ("dashboard_id",))
            revoked = await service.revoke_public_link(
                info.context.request, dashboard_id, expected_version=input.expected_version
            )
            return dashboard_id, revoked

        done, errors = await attempt(run())
        info.context.after_write()
        if done is None:
            return RevokePublicLinkPayload(dashboard=None, revoked=False, user_errors=errors)
        dashboard_id, revoked = done
        return RevokePublicLinkPayload(
            dashboard=await _dashboard(info, dashboard_id), revoked=revoked, user_errors=errors
        )
