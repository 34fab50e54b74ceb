"""Domain errors named as this dialect's bodies spell their fields: the domain says
("layout", "w") where a seed-003 client sent `position.width`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from app.errors import DomainError, FieldPath

Rename = Callable[[FieldPath], FieldPath]

_CARD_FIELDS: dict[str | int, str] = {
    "card_type": "widget_type",
    "layout": "position",
    "card_id": "widget_id",
}
_POSITION_FIELDS: dict[str | int, str] = {"w": "width", "h": "height"}


@contextmanager
def renamed_fields(rename: Rename) -> Iterator[None]:
    """Re-raise a DomainError with every problem's field passed through `rename`."""
    try:
        yield
    except DomainError as error:
        raise DomainError(
            *(replace(p, field=rename(p.field)) for p in error.problems),
            current_version=error.current_version,
        ) from error


def widget_field(path: FieldPath) -> FieldPath:
    """A card's field as a seed-003 widget's: card_type → widget_type, layout.w →
    position.width."""
    if not path:
        return path
    head = _CARD_FIELDS.get(path[0], path[0])
    rest = path[1:]
    if head == "position" and rest:
        rest = (_POSITION_FIELDS.get(rest[0], rest[0]), *rest[1:])
    return (head, *rest)
