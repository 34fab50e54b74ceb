"""DashboardTemplate: a built-in shape of dashboard, wired to a dataset's columns."""

from __future__ import annotations

import strawberry

from app.domain.templates import TemplateInfo


@strawberry.type(
    description="A built-in dashboard shape; createDashboardFromTemplate fills it with a "
    "dataset's columns."
)
class DashboardTemplate:
    id: strawberry.ID = strawberry.field(description="A fixed name, e.g. kpi_summary.")
    name: str
    description: str = strawberry.field(description="The cards the template makes.")
    requirements: list[str] = strawberry.field(
        description="The columns a dataset needs for it, e.g. 'a number column'."
    )

    @classmethod
    def from_info(cls, info: TemplateInfo) -> DashboardTemplate:
        return cls(
            id=strawberry.ID(info.id),
            name=info.name,
            description=info.description,
            requirements=list(info.requirements),
        )
