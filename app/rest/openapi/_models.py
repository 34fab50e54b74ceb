"""Request body schemas from the pydantic models the routes parse bodies with, so that the
document and the parser cannot disagree (both are strict: unknown members are refused)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from app.rest.openapi._build import Schema

_REF_TEMPLATE = "#/components/schemas/{prefix}{{model}}"


def model_components(models: Mapping[str, type[BaseModel]], prefix: str) -> dict[str, Schema]:
    """A component for each model under its given name; the models they nest are components
    too, named `prefix` + the model's name."""
    components: dict[str, Schema] = {}
    for name, model in models.items():
        schema = model.model_json_schema(
            by_alias=True, ref_template=_REF_TEMPLATE.format(prefix=prefix)
        )
        for nested, definition in schema.pop("$defs", {}).items():
            _add(components, prefix + nested, definition)
        _add(components, name, schema)
    return components


def _add(components: dict[str, Schema], name: str, schema: Schema) -> None:
    if components.get(name, schema) != schema:
        raise ValueError(f"two different schemas are named {name}")
    components[name] = schema
