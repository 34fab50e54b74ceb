"""DashboardFilter: a dashboard parameter that filters its cards' data by a column."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.domain.dashboards import DashboardFilterSetting
from app.domain.parameters import FilterOperator

strawberry.enum(
    FilterOperator,
    name="DashboardFilterOperator",
    description="How a dashboard filter compares a column with its values.",
)


@strawberry.type(
    description="A parameter with a `field`: it filters every card whose data has that column. "
    "A read-only view of `Dashboard.parameters`; change it there."
)
class DashboardFilter:
    name: str = strawberry.field(description="The parameter's name.")
    field: str = strawberry.field(description="The column it filters.")
    operator: FilterOperator = strawberry.field(description="How the column is compared.")
    values: JSON = strawberry.field(
        description="The parameter's default, as a list of values; [] when it has none."
    )

    @classmethod
    def from_setting(cls, setting: DashboardFilterSetting) -> DashboardFilter:
        return cls(
            name=setting.name,
            field=setting.field,
            operator=setting.operator,
            values=cast(JSON, setting.values),
        )
