"""Dashboard ids as seed-004 clients write them: `dashboard_12` (and plain `12`, which the
dialect accepts back too)."""

from __future__ import annotations

from typing import ClassVar

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request

from app.ids import parse_database_id
from app.rest.responses import RequestError

PREFIX = "dashboard_"


def dashboard_key(dashboard_id: int) -> str:
    return f"{PREFIX}{dashboard_id}"


def path_dashboard_id(request: Request, name: str = "dashboard_id") -> int:
    """The dashboard id in the path, `dashboard_12` or `12`; 404 for one that cannot exist."""
    raw = str(request.path_params[name])
    dashboard_id = parse_database_id(raw.removeprefix(PREFIX))
    if dashboard_id is None:
        raise RequestError(404, "NOT_FOUND", f"dashboard {raw} not found", resource="dashboard")
    return dashboard_id


class DashboardKeyConvertor(Convertor[str]):
    """A path segment written the seed-004 way (`dashboard_…`): routes that seed 002 shares
    use it so that only such ids reach this dialect, and every other segment (plain ids,
    `collections`, `templates`) the routes after them."""

    name: ClassVar[str] = "dashboard_key"
    regex = PREFIX + "[^/]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor(DashboardKeyConvertor.name, DashboardKeyConvertor())
