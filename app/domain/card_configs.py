"""What a widget's (and so a card's) `config` may hold, per widget type, as JSON Schema.
Known keys are typed; other keys are kept, so front ends can store presentation details."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from app.errors import ErrorCode, FieldPath, Problem

_TEXT = {"type": "string", "maxLength": 200}
_AXIS = {"type": "string", "minLength": 1, "maxLength": 200}
_AXES = {"anyOf": [_AXIS, {"type": "array", "items": _AXIS, "minItems": 1, "maxItems": 20}]}
_COMMON: dict[str, Any] = {
    "title": _TEXT,
    "subtitle": _TEXT,
    "color_scheme": {"type": "string", "maxLength": 50},
    "show_legend": {"type": "boolean"},
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "bar_chart": {
        "x_axis": _AXIS,
        "y_axis": _AXES,
        "orientation": {"enum": ["vertical", "horizontal"]},
        "stacked": {"type": "boolean"},
    },
    "line_chart": {"x_axis": _AXIS, "y_axis": _AXES, "smooth": {"type": "boolean"}},
    "area_chart": {"x_axis": _AXIS, "y_axis": _AXES, "stacked": {"type": "boolean"}},
    "pie_chart": {"label": _AXIS, "value": _AXIS, "donut": {"type": "boolean"}},
    "scatter_plot": {"x_axis": _AXIS, "y_axis": _AXIS, "size": _AXIS},
    "kpi_card": {
        "metric": _AXIS,
        "format": {"enum": ["number", "percent", "currency"]},
        "target": {"type": "number"},
        "trend": {"type": "string", "maxLength": 50},
    },
    "table": {
        "columns": {"type": "array", "items": _AXIS, "maxItems": 200},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
    },
    "heatmap": {"x_axis": _AXIS, "y_axis": _AXIS, "value": _AXIS},
    "text": {"content": {"type": "string", "maxLength": 20_000}},
}

_VALIDATORS = {
    widget_type: Draft202012Validator(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {**_COMMON, **properties},
        }
    )
    for widget_type, properties in SCHEMAS.items()
}


def config_problems(widget_type: str, config: Any, field: FieldPath) -> list[Problem]:
    """Every place where `config` breaks its type's schema, with the path to it."""
    validator = _VALIDATORS.get(widget_type)
    if validator is None:
        return []  # an unknown type is reported on its own field
    problems = []
    for error in sorted(
        validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        path = (*field, *error.absolute_path)
        label = ".".join(str(part) for part in path)
        problems.append(
            Problem(
                ErrorCode.INVALID_CARD_CONFIG,
                f"{label}: {error.message} (for a {widget_type} card)",
                path,
            )
        )
    return problems
