"""createDashboardWidget, updateDashboardWidget, deleteDashboardWidget."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app.domain import widgets as service
from app.domain.records import WidgetRecord
from app.domain.widgets import WidgetType
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, required_id
from app.graphql.types.widget import DashboardWidget


@strawberry.input
class CreateDashboardWidgetInput:
    name: str = strawberry.field(description="At most 100 characters.")
    widget_type: WidgetType
    description: str | None = None
    config: JSON = strawberry.field(
        default_factory=dict, description="A JSON object, at most 64 KiB."
    )
    data_source: JSON | None = strawberry.field(
        default=None,
        description="Where the widget's data comes from: {sql, cache_ttl_seconds} or a "
        "structured query on a dataset (docs/tile-data.md); null for none.",
    )
    kind: str | None = strawberry.field(
        default=None,
        description="A name for seed-004 clients: 1 to 60 lowercase letters, digits and _ "
        '("revenue_chart"), unique in the tenant.',
    )


@strawberry.input(description="Fields left out keep their value.")
class UpdateDashboardWidgetInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    widget_type: WidgetType | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    config: JSON | None = strawberry.UNSET
    data_source: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it: the widget shows no data."
    )
    kind: str | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it; unique in the tenant."
    )


@strawberry.input
class DeleteDashboardWidgetInput:
    id: strawberry.ID


@strawberry.type
class CreateDashboardWidgetPayload:
    dashboard_widget: DashboardWidget | None
    user_errors: list[UserError]


@strawberry.type
class UpdateDashboardWidgetPayload:
    dashboard_widget: DashboardWidget | None
    user_errors: list[UserError]


@strawberry.type
class DeleteDashboardWidgetPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


def _payload_widget(record: WidgetRecord | None) -> DashboardWidget | None:
    return DashboardWidget.from_record(record) if record else None


@strawberry.type
class WidgetMutations:
    @strawberry.mutation
    async def create_dashboard_widget(
        self, info: Info, input: CreateDashboardWidgetInput
    ) -> CreateDashboardWidgetPayload:
        draft = service.WidgetDraft(
            name=input.name,
            widget_type=input.widget_type,
            description=input.description,
            config=input.config,
            data_source=input.data_source,
            kind=input.kind,
        )
        record, errors = await attempt(service.create_widget(info.context.request, draft))
        info.context.after_write()
        return CreateDashboardWidgetPayload(
            dashboard_widget=_payload_widget(record), user_errors=errors
        )

    @strawberry.mutation
    async def update_dashboard_widget(
        self, info: Info, input: UpdateDashboardWidgetInput
    ) -> UpdateDashboardWidgetPayload:
        async def run() -> WidgetRecord:
            changes = service.WidgetChanges(
                name=optional(input.name),
                widget_type=optional(input.widget_type),
                description=optional(input.description),
                config=optional(input.config),
                data_source=optional(input.data_source),
                kind=optional(input.kind),
            )
            return await service.update_widget(
                info.context.request, required_id(input.id, "DashboardWidget", ("id",)), changes
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return UpdateDashboardWidgetPayload(
            dashboard_widget=_payload_widget(record), user_errors=errors
        )

    @strawberry.mutation
    async def delete_dashboard_widget(
        self, info: Info, input: DeleteDashboardWidgetInput
    ) -> DeleteDashboardWidgetPayload:
        async def run() -> int:
            return await service.delete_widget(
                info.context.request, required_id(input.id, "DashboardWidget", ("id",))
            )

        deleted, errors = await attempt(run())
        info.context.after_write()
        return DeleteDashboardWidgetPayload(
            deleted_id=strawberry.ID(to_global_id("DashboardWidget", deleted)) if deleted else None,
            user_errors=errors,
        )
