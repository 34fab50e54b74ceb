"""GraphQL IDs: opaque global ids (`base64("Dashboard:3")`), plain database ids accepted too."""

from __future__ import annotations

from strawberry.relay import GlobalID, GlobalIDValueError

from app.ids import parse_database_id


def database_id_of(value: str, type_name: str, *, allow_plain: bool = True) -> int | None:
    """The database id that `value` names for `type_name`, or None if it names none.
    Plain integers are accepted where the type is known from the context."""
    if value.isdigit():
        if not allow_plain:
            return None
        return parse_database_id(value)
    try:
        global_id = GlobalID.from_id(value)
    except GlobalIDValueError:
        return None
    if global_id.type_name != type_name:
        return None
    return parse_database_id(global_id.node_id)


def to_global_id(type_name: str, database_id: int) -> str:
    return str(GlobalID(type_name=type_name, node_id=str(database_id)))
