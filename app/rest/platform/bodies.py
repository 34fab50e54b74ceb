"""Request bodies of this dialect, parsed strictly: wrong types and unknown fields are 422."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from app.domain.records import Position
from app.domain.validation import UNSET
from app.ids import MAX_DATABASE_ID

DatabaseId = Annotated[int, Field(ge=1, le=MAX_DATABASE_ID)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    def sent(self, name: str) -> Any:
        """The field's value if the client sent it, else UNSET (a partial update)."""
        return getattr(self, name) if name in self.model_fields_set else UNSET


class Layout(Body):
    x: int
    y: int
    w: int
    h: int

    def position(self) -> Position:
        return Position(self.x, self.y, self.w, self.h)


class CollectionCreate(Body):
    name: str
    description: str | None = None
    parent_id: DatabaseId | None = None


class CollectionPatch(Body):
    name: str | None = None
    description: str | None = None
    parent_id: DatabaseId | None = None


class DashboardCreate(Body):
    name: str
    collection_id: DatabaseId | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    description: str | None = None
    code: str | None = None
    is_active: bool = True
    role_ids: list[int] = Field(default_factory=list)


class DashboardPatch(Body):
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    # The roles that see it; [] for every member of the tenant (the "default audience").
    default_audience: list[int] | None = None
    role_ids: list[int] | None = None
    is_active: bool | None = None
    code: str | None = None
    collection_id: DatabaseId | None = None


class DuplicateBody(Body):
    name: str | None = None


class CardCreate(Body):
    card_type: str
    layout: Layout
    config: dict[str, Any] = Field(default_factory=dict)
    page: int | None = None
    name: str | None = None
    # Where the card's data comes from: {sql, …} or a query on a dataset; null for none.
    data_source: dict[str, Any] | None = None


class CardPatch(Body):
    config: dict[str, Any] | None = None
    layout: Layout | None = None
    page: int | None = None
    name: str | None = None
    data_source: dict[str, Any] | None = None


class LayoutItem(Layout):
    card_id: DatabaseId


class LayoutBody(RootModel[list[LayoutItem]]):
    model_config = ConfigDict(strict=True)


class PageCreate(Body):
    name: str
    position: int | None = None


class PagePatch(Body):
    name: str | None = None
    position: int | None = None


class ShareCreate(Body):
    subject_type: Literal["user", "group"]
    subject_id: str
    access_level: Literal["viewer", "commenter", "editor"]


class TemplateDashboardCreate(Body):
    template_id: str
    dataset_id: DatabaseId
    name: str
    collection_id: DatabaseId | None = None


class DatasetCreate(Body):
    name: str
    source_kind: str  # table, view or sql: the domain says what else is wrong
    source: str
    description: str | None = None


class DatasetPatch(Body):
    name: str | None = None
    source_kind: str | None = None
    source: str | None = None
    description: str | None = None
