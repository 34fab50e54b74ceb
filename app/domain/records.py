"""Rows as the domain hands them out: immutable, typed, transport-neutral."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Row

from app.data.column_types import ColumnType as ColumnType  # re-exported for the domain
from db.models import dashboard_widgets, dashboards, datasets, pages, placements

DASHBOARD_COLUMNS = [c for c in dashboards.c if c.name != "tenant_id"]
WIDGET_COLUMNS = [c for c in dashboard_widgets.c if c.name != "tenant_id"]
PLACEMENT_COLUMNS = [c for c in placements.c if c.name != "tenant_id"]
PAGE_COLUMNS = [c for c in pages.c if c.name != "tenant_id"]
DATASET_COLUMNS = [c for c in datasets.c if c.name != "tenant_id"]

T = TypeVar("T")


def columns_of(record_type: type[Any], row: Row[Any]) -> dict[str, Any]:
    """The row's values for the record's fields (rows carry the same names)."""
    mapping = row._mapping
    return {f.name: mapping[f.name] for f in fields(record_type)}


# A dashboard's own columns that make its content: what an update may change, what a revision
# keeps and what a restore writes back. Not among them: id, owner, version and timestamps,
# which belong to the row rather than to its content.
DASHBOARD_CONTENT_FIELDS = (
    "code",
    "name",
    "description",
    "is_active",
    "is_default",
    "role_ids",
    "collection_id",
    "parameters",
    "visibility",
    "tags",
    "type",
    "refresh_interval",
)


@dataclass(frozen=True, slots=True)
class DashboardRecord:
    id: int
    code: str
    name: str
    description: str | None
    is_active: bool
    is_default: bool
    role_ids: tuple[int, ...]
    owner_id: str
    version: int
    collection_id: int | None
    parameters: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    visibility: str = "team"  # private, team or public
    tags: tuple[str, ...] = ()
    type: str | None = None
    refresh_interval: int | None = None  # seconds

    @classmethod
    def from_row(cls, row: Row[Any] | Any) -> DashboardRecord:
        values = columns_of(cls, row)
        values["role_ids"] = tuple(values["role_ids"])
        values["tags"] = tuple(values["tags"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class WidgetRecord:
    id: int
    name: str
    widget_type: str
    description: str | None
    config: dict[str, Any]
    in_library: bool
    owner_id: str
    created_at: datetime
    updated_at: datetime
    # Where the tile's data comes from (app/domain/data_sources.py); None: no data.
    data_source: dict[str, Any] | None = None
    dataset_id: int | None = None
    kind: str | None = None  # a library widget's name for seed-004 clients ("revenue_chart")

    @classmethod
    def from_row(cls, row: Row[Any]) -> WidgetRecord:
        return cls(**columns_of(cls, row))


@dataclass(frozen=True, slots=True)
class DatasetColumn:
    name: str
    type: ColumnType
    db_type: str  # PostgreSQL's name for the type, e.g. "numeric", "timestamp with time zone"

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type.value, "db_type": self.db_type}


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    id: int
    name: str
    description: str | None
    source_kind: str  # "table", "view" or "sql"
    source: str  # the relation's name in the tenant's schema, or the SQL text
    columns: tuple[DatasetColumn, ...]
    owner_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> DatasetRecord:
        values = columns_of(cls, row)
        values["columns"] = tuple(
            DatasetColumn(c["name"], ColumnType(c["type"]), c["db_type"]) for c in values["columns"]
        )
        return cls(**values)

    def column(self, name: str) -> DatasetColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True, slots=True)
class Position:
    x: int
    y: int
    w: int
    h: int

    def as_json(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    id: int
    dashboard_id: int
    page_id: int
    widget_id: int
    position: Position | None
    ordinal: int
    client_key: str | None = None  # seed 004: the client's key for the tile
    title: str | None = None  # the tile's title here; the widget's name when None

    @classmethod
    def from_row(cls, row: Row[Any]) -> PlacementRecord:
        m = row._mapping
        stored = m["position"]
        return cls(
            id=m["id"],
            dashboard_id=m["dashboard_id"],
            page_id=m["page_id"],
            widget_id=m["widget_id"],
            position=Position(**stored) if stored else None,
            ordinal=m["ordinal"],
            client_key=m["client_key"],
            title=m["title"],
        )


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A tab of a dashboard; `position` is its 1-based number, as REST addresses it."""

    id: int
    dashboard_id: int
    name: str
    position: int

    @classmethod
    def from_row(cls, row: Row[Any]) -> PageRecord:
        return cls(**columns_of(cls, row))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list, ordered by id."""

    items: list[T]
    has_next: bool
