"""Query field for the dashboards assigned to a user."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import assignments
from app.graphql.context import Info
from app.graphql.errors import query_result
from app.graphql.types.assignment import UserDashboard, UserDashboards


@strawberry.type
class AssignmentQueries:
    @strawberry.field(
        description="The dashboards assigned to a user, among those the caller sees. Callers "
        "read their own; admins anyone's. Another user's (for a non-admin) or a user the "
        "tenant does not know is an error."
    )
    async def user_dashboards(
        self,
        info: Info,
        user_id: Annotated[str, strawberry.argument(description="The user's `sub`.")],
    ) -> UserDashboards | None:
        assigned = await query_result(
            assignments.user_dashboards(info.context.request, user_id), unseen=()
        )
        if assigned is None:
            return None
        for item in assigned:
            info.context.loaders.prime_dashboard(item.dashboard)
        return UserDashboards(
            user_id=user_id, dashboards=[UserDashboard.from_domain(a) for a in assigned]
        )
