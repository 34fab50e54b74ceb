"""addDashboardPage, updateDashboardPage, removeDashboardPage. Pages are addressed by their
number (1 for the first tab), as REST does."""

from __future__ import annotations

import strawberry

from app.domain import pages as service
from app.domain.records import PageRecord
from app.domain.revisions import revision_note
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, required_id
from app.graphql.mutations.revisions import revision_message_field
from app.graphql.types.dashboard import DashboardPage


@strawberry.input
class AddDashboardPageInput:
    dashboard_id: strawberry.ID
    name: str
    position: int | None = strawberry.field(
        default=None, description="Where the new tab goes (1 = first); last when null."
    )
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input(description="Fields left out keep their value.")
class UpdateDashboardPageInput:
    dashboard_id: strawberry.ID
    page: int = strawberry.field(description="The page's current number.")
    name: str | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input
class RemoveDashboardPageInput:
    dashboard_id: strawberry.ID
    page: int = strawberry.field(description="The page's number; its cards go with it.")
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.type
class DashboardPagePayload:
    page: DashboardPage | None
    user_errors: list[UserError]


@strawberry.type
class RemoveDashboardPagePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


def _page(record: PageRecord | None) -> DashboardPage | None:
    return DashboardPage.from_record(record) if record else None


@strawberry.type
class PageMutations:
    @strawberry.mutation
    async def add_dashboard_page(
        self, info: Info, input: AddDashboardPageInput
    ) -> DashboardPagePayload:
        async def run() -> PageRecord:
            return await service.add_page(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                input.name,
                input.position,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return DashboardPagePayload(page=_page(record), user_errors=errors)

    @strawberry.mutation
    async def update_dashboard_page(
        self, info: Info, input: UpdateDashboardPageInput
    ) -> DashboardPagePayload:
        async def run() -> PageRecord:
            return await service.update_page(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                input.page,
                name=optional(input.name),
                position=optional(input.position),
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return DashboardPagePayload(page=_page(record), user_errors=errors)

    @strawberry.mutation
    async def remove_dashboard_page(
        self, info: Info, input: RemoveDashboardPageInput
    ) -> RemoveDashboardPagePayload:
        async def run() -> PageRecord:
            return await service.delete_page(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                input.page,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return RemoveDashboardPagePayload(
            deleted_id=strawberry.ID(to_global_id("DashboardPage", record.id)) if record else None,
            user_errors=errors,
        )
