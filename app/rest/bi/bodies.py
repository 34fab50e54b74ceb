"""Request bodies of the seed-003 dialect, parsed strictly: wrong types, unknown fields and
values outside the seed's enums are 422."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.records import Position
from app.domain.shares import SUBJECT_ID_MAX
from app.domain.validation import UNSET

Visibility = Literal["private", "team", "public"]
Permission = Literal["view", "edit"]
FilterOperatorName = Literal[
    "eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains"
]
# The seed's nine widget types.
WidgetTypeName = Literal[
    "bar_chart",
    "line_chart",
    "pie_chart",
    "area_chart",
    "scatter_plot",
    "kpi_card",
    "table",
    "heatmap",
    "text",
]
SubjectId = Annotated[str, Field(min_length=1, max_length=SUBJECT_ID_MAX)]
SHARED_WITH_MAX = 100


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    def sent(self, name: str) -> Any:
        """The field's value if the client sent it, else UNSET (a partial update)."""
        return getattr(self, name) if name in self.model_fields_set else UNSET


class FilterBody(Body):
    field: str
    operator: FilterOperatorName
    # Scalars of one kind; app/rest/bi/filters.py says what is wrong with them.
    values: list[Any]


class DashboardCreate(Body):
    name: str
    description: str | None = None
    visibility: Visibility = "team"
    tags: list[str] = Field(default_factory=list)
    filters: list[FilterBody] = Field(default_factory=list)


class DashboardUpdate(Body):
    """Only the fields sent change; `filters` replaces every filter of the dashboard."""

    name: str | None = None
    description: str | None = None
    visibility: Visibility = "team"
    tags: list[str] = Field(default_factory=list)
    filters: list[FilterBody] = Field(default_factory=list)


class PositionBody(Body):
    x: int
    y: int
    width: int
    height: int

    def position(self) -> Position:
        return Position(self.x, self.y, self.width, self.height)


class WidgetCreate(Body):
    name: str
    widget_type: WidgetTypeName
    position: PositionBody
    # {sql, cache_ttl_seconds} as in the seed (a structured query on a dataset works too).
    data_source: dict[str, Any] | None = None
    config: dict[str, Any] = Field(default_factory=dict)


class WidgetUpdate(Body):
    name: str | None = None
    widget_type: WidgetTypeName = "bar_chart"
    position: PositionBody | None = None
    data_source: dict[str, Any] | None = None
    config: dict[str, Any] | None = None


class ShareBody(Body):
    visibility: Visibility | None = None
    shared_with: list[SubjectId] = Field(default_factory=list, max_length=SHARED_WITH_MAX)
    permissions: Permission = "view"
