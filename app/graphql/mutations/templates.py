"""createDashboardFromTemplate."""

from __future__ import annotations

import strawberry

from app.domain.records import DashboardRecord
from app.domain.template_instances import create_from_template
from app.errors import ErrorCode
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.mutations.inputs import optional_id, required_id
from app.graphql.types.dashboard import Dashboard


@strawberry.input(description="A new dashboard laid out by a template over a dataset's columns.")
class CreateDashboardFromTemplateInput:
    template_id: strawberry.ID = strawberry.field(
        description="A DashboardTemplate's id, e.g. kpi_summary."
    )
    dataset_id: strawberry.ID = strawberry.field(
        description="The dataset its cards query; it must have the columns the template needs."
    )
    name: str = strawberry.field(description="At most 50 characters.")
    collection_id: strawberry.ID | None = None


@strawberry.type
class CreateDashboardFromTemplatePayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


@strawberry.type
class TemplateMutations:
    @strawberry.mutation(
        description="Create a dashboard with the template's pages, parameters and cards, each "
        "card querying the dataset."
    )
    async def create_dashboard_from_template(
        self, info: Info, input: CreateDashboardFromTemplateInput
    ) -> CreateDashboardFromTemplatePayload:
        async def run() -> DashboardRecord:
            return await create_from_template(
                info.context.request,
                template_id=input.template_id,
                dataset_id=required_id(
                    input.dataset_id, "Dataset", ("dataset_id",), ErrorCode.UNKNOWN_REFERENCE
                ),
                name=input.name,
                collection_id=optional_id(input.collection_id, "Collection", ("collection_id",)),
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return CreateDashboardFromTemplatePayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )
