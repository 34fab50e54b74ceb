"""UserDashboard: a dashboard assigned to a user, and a user's list of them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.assignments import AssignedDashboard
from app.graphql.types.dashboard import Dashboard


@strawberry.type(description="A dashboard assigned to a user.")
class UserDashboard:
    dashboard: Dashboard = strawberry.field(description="The dashboard assigned.")
    is_default: bool = strawberry.field(
        description="Whether it is the user's default; a user has at most one."
    )
    assigned_by: str = strawberry.field(description="The `sub` of who assigned it.")
    created_at: datetime = strawberry.field(description="When it was assigned.")

    @classmethod
    def from_domain(cls, assigned: AssignedDashboard) -> UserDashboard:
        return cls(
            dashboard=Dashboard.from_record(assigned.dashboard),
            is_default=assigned.is_default,
            assigned_by=assigned.assigned_by,
            created_at=assigned.created_at,
        )


@strawberry.type(description="The dashboards assigned to a user that the caller may see.")
class UserDashboards:
    user_id: str = strawberry.field(description="The user's `sub`.")
    dashboards: list[UserDashboard] = strawberry.field(
        description="The default first, then in the order they were assigned."
    )
