"""createDashboard, updateDashboard, deleteDashboard."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app.domain import dashboards as service
from app.domain.access import Visibility
from app.domain.duplication import duplicate_dashboard
from app.domain.records import DashboardRecord
from app.domain.revisions import revision_note
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, optional_id, required_id
from app.graphql.mutations.revisions import revision_message_field
from app.graphql.types.dashboard import Dashboard


@strawberry.input
class CreateDashboardInput:
    code: str | None = strawberry.field(
        default=None,
        description="Unique in the tenant, at most 30 characters; derived from the name "
        "when left out.",
    )
    name: str = strawberry.field(description="At most 50 characters.")
    description: str | None = strawberry.field(default=None, description="At most 255 characters.")
    is_active: bool = True
    is_default: bool = strawberry.field(
        default=False,
        description="Make this the tenant's default; the previous default is cleared.",
    )
    role_ids: list[int] = strawberry.field(default_factory=list)
    collection_id: strawberry.ID | None = None
    parameters: JSON = strawberry.field(
        default_factory=dict, description="Parameter definitions by name."
    )
    visibility: Visibility = strawberry.field(
        default=Visibility.TEAM,
        description="Who sees it besides its owner, admins and those it is shared with.",
    )
    tags: list[str] = strawberry.field(
        default_factory=list,
        description="At most 20, each at most 50 characters; trimmed, repeats dropped.",
    )
    type: str | None = strawberry.field(
        default=None, description='A free-form kind ("executive"), at most 50 characters.'
    )
    refresh_interval: int | None = strawberry.field(
        default=None, description="How often clients should refresh it: 0 to 86400 seconds."
    )


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
    collection_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null takes it out of its collection."
    )
    parameters: JSON | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="Who sees it besides its owner, admins and grants."
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every tag; [] removes them all."
    )
    type: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    refresh_interval: int | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it."
    )
    revision_message: str | None = revision_message_field()


@strawberry.input
class DeleteDashboardInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input(description="A deep copy of the dashboard's pages and cards.")
class DuplicateDashboardInput:
    id: strawberry.ID
    name: str | None = strawberry.field(default=None, description="Defaults to 'Copy of <name>'.")


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


def _collection(value: object) -> object:
    """UNSET, None (out of its collection) or the collection's id."""
    if isinstance(value, str):
        return optional_id(value, "Collection", ("collection_id",))
    return optional(value)


@strawberry.type
class DuplicateDashboardPayload:
    dashboard: Dashboard | None = strawberry.field(description="The copy.")
    user_errors: list[UserError]


@strawberry.type
class DashboardMutations:
    @strawberry.mutation(description="Copy a dashboard with its pages and cards.")
    async def duplicate_dashboard(
        self, info: Info, input: DuplicateDashboardInput
    ) -> DuplicateDashboardPayload:
        async def run() -> DashboardRecord:
            return await duplicate_dashboard(
                info.context.request, required_id(input.id, "Dashboard", ("id",)), name=input.name
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return DuplicateDashboardPayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation
    async def create_dashboard(
        self, info: Info, input: CreateDashboardInput
    ) -> CreateDashboardPayload:
        async def run() -> DashboardRecord:
            draft = service.DashboardDraft(
                code=input.code,
                name=input.name,
                description=input.description,
                is_active=input.is_active,
                is_default=input.is_default,
                role_ids=input.role_ids,
                collection_id=optional_id(input.collection_id, "Collection", ("collection_id",)),
                parameters=input.parameters,
                visibility=input.visibility,
                tags=input.tags,
                type=input.type,
                refresh_interval=input.refresh_interval,
            )
            return await service.create_dashboard(info.context.request, draft)

        record, errors = await attempt(run())
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
                collection_id=_collection(input.collection_id),
                parameters=optional(input.parameters),
                visibility=optional(input.visibility),
                tags=optional(input.tags),
                type=optional(input.type),
                refresh_interval=optional(input.refresh_interval),
            )
            return await service.update_dashboard(
                info.context.request,
                required_id(input.id, "Dashboard", ("id",)),
                changes,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
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
