"""Schemas every dialect uses: the error bodies. Every error is JSON with a string `error`
and a machine-readable `code`; each dialect adds its own members."""

from __future__ import annotations

from app.rest.openapi._build import BASE_ERROR, INTEGER, STRING, Schema, array, closed, ref

_PROBLEM = closed({"code": STRING, "message": STRING, "field": STRING})

SCHEMAS: dict[str, Schema] = {
    BASE_ERROR: {
        "type": "object",
        "description": "The error body every route answers with; dialects add members.",
        "required": ["error", "code"],
        "properties": {
            "error": STRING,
            "code": {"type": "string", "description": "Machine-readable, e.g. NOT_FOUND."},
            "field": {"type": "string", "description": "The first problem's input field."},
            "details": array(ref("ErrorDetail")),
            "current_version": {
                "type": "integer",
                "description": "With VERSION_CONFLICT: the dashboard's version now.",
            },
        },
    },
    "ErrorDetail": _PROBLEM,
    "NamedError": {
        "description": "Seed 002's errors: `error` is a name (`dashboard_not_found`), the text "
        "is in `message`.",
        "allOf": [ref(BASE_ERROR)],
        "required": ["message"],
        "properties": {"error": {"type": "string", "pattern": "^[a-z0-9_]+$"}, "message": STRING},
    },
    "AnalyticsError": {
        "description": "Seed 004's errors: the text in `error` and again in `message`, the "
        "seed's codes (DASHBOARD_NOT_FOUND, USER_NOT_FOUND, INVALID_WIDGET_TYPE, "
        "DUPLICATE_DASHBOARD, INVALID_FILTER with the `position` of the problem).",
        "allOf": [ref(BASE_ERROR)],
        "required": ["message"],
        "properties": {"message": STRING, "position": INTEGER},
    },
}
