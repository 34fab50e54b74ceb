"""The document the matrix's import cells send: a dashboard with a card and a grant, in no
tenant's terms (it names nothing of the victim's)."""

from __future__ import annotations

from typing import Any

IMPORTED_DOCUMENT: dict[str, Any] = {
    "format": "dashboards-api.export",
    "version": 2,
    "exportedAt": "2026-01-01T00:00:00Z",
    "source": {"tenant": "elsewhere", "scope": "dashboard", "includesGrants": True},
    "dashboards": [
        {
            "code": "imported-board",
            "name": "Imported",
            "pages": [{"key": "page-1", "name": "Page 1"}],
            "cards": [
                {
                    "page": "page-1",
                    "position": {"x": 0, "y": 0, "w": 4, "h": 2},
                    "card": {"name": "Note", "widgetType": "text", "config": {"content": "hi"}},
                }
            ],
            "grants": [{"subjectType": "user", "subjectId": "carol", "accessLevel": "viewer"}],
        }
    ],
}
