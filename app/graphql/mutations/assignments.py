"""assignDashboard, unassignDashboard."""

from __future__ import annotations

import strawberry

from app.domain import assignments as service
from app.domain.assignments import AssignedDashboard
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.mutations.inputs import required_id
from app.graphql.types.assignment import UserDashboard


@strawberry.input(
    description="Assign a dashboard to a user; assigning it again sets whether it is the "
    "default. Callers assign to themselves; admins to anyone."
)
class AssignDashboardInput:
    user_id: str = strawberry.field(description="The user's `sub`.")
    dashboard_id: strawberry.ID = strawberry.field(description="A dashboard the caller sees.")
    is_default: bool = strawberry.field(
        default=False,
        description="Make it the user's default; their previous default is cleared.",
    )


@strawberry.input(description="Take a dashboard out of a user's list.")
class UnassignDashboardInput:
    user_id: str = strawberry.field(description="The user's `sub`.")
    dashboard_id: strawberry.ID = strawberry.field(description="A dashboard the caller sees.")


@strawberry.type(description="The assignment made, or why it was refused.")
class AssignDashboardPayload:
    assignment: UserDashboard | None = strawberry.field(
        description="The assignment as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type(description="Whether an assignment was removed, or why it was refused.")
class UnassignDashboardPayload:
    removed: bool = strawberry.field(description="False when it was not assigned.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")


@strawberry.type
class AssignmentMutations:
    @strawberry.mutation(description="Assign a dashboard to a user.")
    async def assign_dashboard(
        self, info: Info, input: AssignDashboardInput
    ) -> AssignDashboardPayload:
        async def run() -> AssignedDashboard:
            return await service.assign_dashboard(
                info.context.request,
                input.user_id,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                is_default=input.is_default,
            )

        assigned, errors = await attempt(run())
        info.context.after_write()
        return AssignDashboardPayload(
            assignment=UserDashboard.from_domain(assigned) if assigned else None,
            user_errors=errors,
        )

    @strawberry.mutation(description="Take a dashboard out of a user's list.")
    async def unassign_dashboard(
        self, info: Info, input: UnassignDashboardInput
    ) -> UnassignDashboardPayload:
        async def run() -> bool:
            return await service.unassign_dashboard(
                info.context.request,
                input.user_id,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
            )

        removed, errors = await attempt(run())
        info.context.after_write()
        return UnassignDashboardPayload(removed=bool(removed), user_errors=errors)
