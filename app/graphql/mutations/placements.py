"""setDashboardWidgetPlacements: replace every placement of a dashboard at once."""

from __future__ import annotations

import strawberry

from app.domain import placements as service
from app.domain.records import DashboardRecord, Position
from app.domain.revisions import revision_note
from app.errors import DomainError, ErrorCode, Problem
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.mutations.inputs import required_id
from app.graphql.mutations.revisions import revision_message_field
from app.graphql.types.dashboard import Dashboard


@strawberry.input(description="Gridstack coordinates: x, y ≥ 0; w, h ≥ 1.")
class PositionInput:
    x: int
    y: int
    w: int
    h: int


@strawberry.input
class DashboardWidgetPlacementInput:
    dashboard_widget_id: strawberry.ID
    position: PositionInput | None = strawberry.field(
        default=None, description="Left out: stored as {} and read back as null."
    )


@strawberry.input
class SetDashboardWidgetPlacementsInput:
    dashboard_id: strawberry.ID
    placements: list[DashboardWidgetPlacementInput]
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with VERSION_CONFLICT unless still at this version."
    )
    revision_message: str | None = revision_message_field()


@strawberry.type
class SetDashboardWidgetPlacementsPayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


def _drafts(items: list[DashboardWidgetPlacementInput]) -> list[service.PlacementDraft]:
    drafts: list[service.PlacementDraft] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        try:
            widget_id = required_id(
                item.dashboard_widget_id,
                "DashboardWidget",
                ("placements", index, "dashboard_widget_id"),
                ErrorCode.UNKNOWN_REFERENCE,
            )
        except DomainError as error:
            problems.extend(error.problems)
            continue
        position = item.position
        drafts.append(
            service.PlacementDraft(
                widget_id=widget_id,
                position=Position(position.x, position.y, position.w, position.h)
                if position
                else None,
            )
        )
    if problems:
        raise DomainError(*problems)
    return drafts


@strawberry.type
class PlacementMutations:
    @strawberry.mutation(description="Replace every placement of a dashboard, atomically.")
    async def set_dashboard_widget_placements(
        self, info: Info, input: SetDashboardWidgetPlacementsInput
    ) -> SetDashboardWidgetPlacementsPayload:
        async def run() -> DashboardRecord:
            return await service.set_placements(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                _drafts(input.placements),
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            record, errors = await attempt(run())
        info.context.after_write()
        return SetDashboardWidgetPlacementsPayload(
            dashboard=Dashboard.from_record(record) if record else None, user_errors=errors
        )
