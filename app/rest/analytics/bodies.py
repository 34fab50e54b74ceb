"""Request bodies of the seed-004 dialect, parsed strictly: wrong types and unknown members
are 422. Members keep the seed's camelCase spelling on the wire."""

from __future__ import annotations

from pydantic import Field

from app.domain.analytics_layouts import DEFAULT_SIZE, TileDraft
from app.rest.platform.bodies import Body


class Widget(Body):
    """A tile: `type` names a library widget by its kind, `id` is the client's key."""

    id: str
    type: str
    title: str | None = None
    size: str = DEFAULT_SIZE

    def draft(self) -> TileDraft:
        return TileDraft(client_key=self.id, kind=self.type, title=self.title, size=self.size)


class DashboardCreate(Body):
    name: str
    description: str | None = None
    type: str | None = None
    widgets: list[Widget] = Field(default_factory=list)
    refresh_interval: int | None = Field(default=None, alias="refreshInterval")


class DashboardUpdate(Body):
    name: str | None = None
    description: str | None = None
    refresh_interval: int | None = Field(default=None, alias="refreshInterval")
    widgets: list[Widget] = Field(default_factory=list)


class AssignmentBody(Body):
    is_default: bool = Field(default=False, alias="isDefault")


# Members only seed 004's create body has: a body with any of them is this dialect's.
OWN_MEMBERS = frozenset({"widgets", "type", "refreshInterval"})
