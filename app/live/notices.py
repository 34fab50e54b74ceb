"""A dashboard change notice as listeners receive it (app/domain/change_notices.py sends it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

import orjson


@dataclass(frozen=True, slots=True)
class ChangeNotice:
    tenant_id: int
    dashboard_id: int
    version: int | None  # the new revision; None when deleted
    deleted: bool

    @property
    def key(self) -> tuple[int, int]:
        return (self.tenant_id, self.dashboard_id)


def parse_notice(payload: str) -> ChangeNotice | None:
    """The notice in `payload`, or None for anything that is not one (the channel is
    PostgreSQL's: anyone with a connection may NOTIFY on it, so nothing is trusted)."""
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    tenant, dashboard, version = data.get("tenant"), data.get("dashboard"), data.get("version")
    deleted = data.get("deleted", False)
    if not (_is_id(tenant) and _is_id(dashboard) and isinstance(deleted, bool)):
        return None
    if version is not None and not _is_id(version):
        return None
    return ChangeNotice(tenant, dashboard, version, deleted)


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
