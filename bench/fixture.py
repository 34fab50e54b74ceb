"""What the generator made and the scenarios address: the bench tenant, its secret and the ids
of the dashboards and widgets each scenario reads or writes. Saved as JSON between steps."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Fixture:
    tenant: str  # the tenant's name, as X-Clarus-Subdomain carries it
    tenant_id: int
    secret: str  # the HS256 secret the servers verify tokens with (and derive data roles from)
    widget_ids: list[int]  # the tenant's 200 library widgets, in id order
    dashboard_50: int  # 50 cards on 2 pages, 5 shares
    dashboard_1000: int  # 1,000 cards
    dashboard_render_cold: int  # 20 SQL cards over `sales`, cache_ttl_seconds 0
    dashboard_render_cached: int  # the same 20 queries with cache_ttl_seconds 300
    placements_target: int  # a dashboard whose placements scenario 5 replaces
    dashboard_count: int  # dashboards of the tenant, all of them visible to its members

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Fixture:
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
