"""The dashboard grid: `grid_columns` columns (12 by default), rows without end. A position
must fit the columns, and cards on one page may not overlap."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from app.domain.records import Position
from app.domain.validation import Problems
from app.errors import DomainError, ErrorCode, FieldPath, Problem

ROW_MAX = 10_000
HEIGHT_MAX = 1_000


def check_position(problems: Problems, position: Position, field: FieldPath, columns: int) -> None:
    problems.integer_range(position.x, (*field, "x"), minimum=0, maximum=columns - 1)
    problems.integer_range(position.w, (*field, "w"), minimum=1, maximum=columns)
    problems.integer_range(position.y, (*field, "y"), minimum=0, maximum=ROW_MAX)
    problems.integer_range(position.h, (*field, "h"), minimum=1, maximum=HEIGHT_MAX)
    if (
        0 <= position.x < columns
        and 1 <= position.w <= columns
        and position.x + position.w > columns
    ):
        problems.add(
            ErrorCode.INVALID,
            f"x + w must stay within the {columns}-column grid "
            f"(got x={position.x}, w={position.w})",
            (*field, "w"),
        )


def overlaps(a: Position, b: Position) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@dataclass(frozen=True, slots=True)
class Placed:
    key: Hashable  # what to name in an error: a card id, or an input index
    page: Hashable
    position: Position
    field: FieldPath = ()


def require_no_overlap(cards: Iterable[Placed]) -> None:
    """Refuse with CARD_POSITION_CONFLICT naming the first two cards that overlap on a page.
    A sweep down the rows: only cards still open at a row can collide with the next one."""
    by_page: dict[Hashable, list[Placed]] = {}
    for card in cards:
        by_page.setdefault(card.page, []).append(card)
    for placed in by_page.values():
        placed.sort(key=lambda c: (c.position.y, c.position.x))
        open_cards: list[Placed] = []
        for card in placed:
            top = card.position.y
            open_cards = [c for c in open_cards if c.position.y + c.position.h > top]
            for other in open_cards:
                if overlaps(card.position, other.position):
                    raise _conflict(card, other)
            open_cards.append(card)


def _conflict(card: Placed, other: Placed) -> DomainError:
    def where(c: Placed) -> str:
        p = c.position
        return f"{c.key} at x={p.x}, y={p.y}, w={p.w}, h={p.h}"

    field = card.field or other.field
    return DomainError(
        Problem(
            ErrorCode.CARD_POSITION_CONFLICT,
            f"{where(card)} overlaps {where(other)} on the same page",
            field,
        )
    )
