"""Rows as the domain hands them out: immutable, typed, transport-neutral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Row

from db.models import dashboard_widgets, dashboards, placements

DASHBOARD_COLUMNS = [c for c in dashboards.c if c.name != "tenant_id"]
WIDGET_COLUMNS = [c for c in dashboard_widgets.c if c.name != "tenant_id"]
PLACEMENT_COLUMNS = [c for c in placements.c if c.name != "tenant_id"]

T = TypeVar("T")


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
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> DashboardRecord:
        m = row._mapping
        return cls(
            id=m["id"],
            code=m["code"],
            name=m["name"],
            description=m["description"],
            is_active=m["is_active"],
            is_default=m["is_default"],
            role_ids=tuple(m["role_ids"]),
            owner_id=m["owner_id"],
            version=m["version"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
        )


@dataclass(frozen=True, slots=True)
class WidgetRecord:
    id: int
    name: str
    widget_type: str
    description: str | None
    config: dict[str, Any]
    owner_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row[Any]) -> WidgetRecord:
        m = row._mapping
        return cls(
            id=m["id"],
            name=m["name"],
            widget_type=m["widget_type"],
            description=m["description"],
            config=m["config"],
            owner_id=m["owner_id"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
        )


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
    widget_id: int
    position: Position | None
    ordinal: int

    @classmethod
    def from_row(cls, row: Row[Any]) -> PlacementRecord:
        m = row._mapping
        stored = m["position"]
        return cls(
            id=m["id"],
            dashboard_id=m["dashboard_id"],
            widget_id=m["widget_id"],
            position=Position(**stored) if stored else None,
            ordinal=m["ordinal"],
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list, ordered by id."""

    items: list[T]
    has_next: bool
