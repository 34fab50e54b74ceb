"""The Clarus dialect (seeds 000 and 001): JSON:API-style envelopes
`{"data": {"type": "dashboards", "attributes": {...}}}`, integer ids."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.context import RequestContext
from app.domain import dashboards, placements
from app.domain.records import Position
from app.ids import MAX_DATABASE_ID
from app.rest.endpoint import rest_endpoint
from app.rest.parsing import json_body, path_id
from app.rest.responses import ErrorStyle, ORJSONResponse

STYLE = ErrorStyle(field_prefix="data.attributes")
DatabaseId = Annotated[int, Field(ge=1, le=MAX_DATABASE_ID)]
AttributesT = TypeVar("AttributesT", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Data(_Strict, Generic[AttributesT]):
    type: Literal["dashboards"]
    attributes: AttributesT


class Envelope(_Strict, Generic[AttributesT]):
    data: Data[AttributesT]


class DashboardAttributes(_Strict):
    code: str
    name: str
    description: str | None = None
    is_active: bool = True
    is_default: bool = False
    role_ids: list[int] = Field(default_factory=list)


class PositionBody(_Strict):
    x: int
    y: int
    w: int
    h: int


class PlacementBody(_Strict):
    dashboard_widget_id: DatabaseId
    position: PositionBody | None = None

    @field_validator("position", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == {} else value


class PlacementsAttributes(_Strict):
    placements: list[PlacementBody]


async def create_dashboard(request: Request, ctx: RequestContext) -> Response:
    body = await json_body(request, Envelope[DashboardAttributes])
    a = body.data.attributes
    record = await dashboards.create_dashboard(
        ctx,
        dashboards.DashboardDraft(
            code=a.code,
            name=a.name,
            description=a.description,
            is_active=a.is_active,
            is_default=a.is_default,
            role_ids=a.role_ids,
        ),
    )
    return ORJSONResponse(
        {"id": record.id}, status_code=201, headers={"Location": f"/api/dashboards/{record.id}"}
    )


async def set_dashboard_widgets(request: Request, ctx: RequestContext) -> Response:
    dashboard_id = path_id(request, "dashboard_id", "dashboard")
    body = await json_body(request, Envelope[PlacementsAttributes])
    drafts = [
        placements.PlacementDraft(
            widget_id=item.dashboard_widget_id,
            position=Position(item.position.x, item.position.y, item.position.w, item.position.h)
            if item.position
            else None,
        )
        for item in body.data.attributes.placements
    ]
    await placements.set_placements(ctx, dashboard_id, drafts)
    return Response(status_code=204)


create_dashboard_endpoint = rest_endpoint(create_dashboard, STYLE)

# POST /api/dashboards is shared with seed 002 and dispatched by body shape (app/rest/shared.py).
routes = [
    Route(
        "/api/dashboards/{dashboard_id}/widgets",
        rest_endpoint(set_dashboard_widgets, STYLE),
        methods=["PUT"],
    ),
]
