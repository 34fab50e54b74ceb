"""createDashboard, updateDashboard, deleteDashboard."""

from __future__ import annotations

import strawberry

from app.domain import dashboards as service
from app.domain.records import DashboardRecord
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, required_id
from app.graphql.types.dashboard import Dashboard


@strawberry.input
class CreateDashboardInput:
    code: str = strawberry.field(description="Unique in the tenant, at most 30 characters.")
    name: str = strawberry.field(description="At most 50 characters.")
    description: str | None = strawberry.field(default=None, description="At most 255 characters.")
    is_active: bool = True
    is_default: bool = strawberry.field(
        default=False,
        description="Make this the tenant's default; the previous default is cleared.",
    )
    role_ids: list[int] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields left out keep their value.")
class UpdateDashboardInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with VERSION_CONFLICT unless still at this version."
    )
    code: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET
    is_default: bool | None = strawberry.UNSET
    role_ids: list[int] | None = strawberry.UNSET


@strawberry.input
class DeleteDashboardInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.type
class CreateDashboardPayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


@strawberry.type
class UpdateDashboardPayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


@strawberry.type
class DeleteDashboardPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The global id of the dashboard that was deleted."
    )
    user_errors: list[UserError]


@strawberry.type
class DashboardMutations:
    @strawberry.mutation
    async def create_dashboard(
        self, info: Info, input: CreateDashboardInput
    ) -> CreateDashboardPayload:
        draft = service.DashboardDraft(
            code=input.code,
            name=input.name,
            description=input.description,
            is_active=input.is_active,
            is_default=input.is_default,
            role_ids=input.role_ids,
        )
        record, errors = await attempt(service.create_dashboard(info.context.request, draft))
        info.context.after_write()
        return CreateDashboardPayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation
    async def update_dashboard(
        self, info: Info, input: UpdateDashboardInput
    ) -> UpdateDashboardPayload:
        async def run() -> DashboardRecord:
            changes = service.DashboardChanges(
                code=optional(input.code),
                name=optional(input.name),
                description=optional(input.description),
                is_active=optional(input.is_active),
                is_default=optional(input.is_default),
                role_ids=optional(input.role_ids),
            )
            return await service.update_dashboard(
                info.context.request,
                required_id(input.id, "Dashboard", ("id",)),
                changes,
                expected_version=input.expected_version,
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return UpdateDashboardPayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation
    async def delete_dashboard(
        self, info: Info, input: DeleteDashboardInput
    ) -> DeleteDashboardPayload:
        async def run() -> int:
            return await service.delete_dashboard(
                info.context.request,
                required_id(input.id, "Dashboard", ("id",)),
                expected_version=input.expected_version,
            )

        deleted, errors = await attempt(run())
        info.context.after_write()
        return DeleteDashboardPayload(
            deleted_id=strawberry.ID(to_global_id("Dashboard", deleted)) if deleted else None,
            user_errors=errors,
        )
