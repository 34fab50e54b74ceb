"""How an import compares what a document holds with what the target tenant has, and how it
finds free codes, kinds and names for copies. Plain functions over records and entries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.cards import Card
from app.domain.records import DatasetRecord, PageRecord
from app.domain.shares import ShareRecord
from app.domain.transfer.document import CardEntry, DatasetEntry, WidgetBody


def free_name(wanted: str, taken: set[str], limit: int, suffix: str) -> str:
    """`wanted`, or the first of wanted + suffix.format(n) (n = 2, 3, …) that is not taken,
    cut to fit `limit`: deterministic for the same target."""
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        ending = suffix.format(n)
        candidate = wanted[: limit - len(ending)] + ending
    taken.add(candidate)
    return candidate


def own_widget(card: CardEntry) -> WidgetBody:
    """The widget of its own a card holds (checked: it has one when it names no widget)."""
    assert card.card is not None
    return card.card


def widget_key(values: dict[str, Any]) -> tuple[Any, ...]:
    """What makes a card's own widget the same as another."""
    return (
        values["name"],
        values["widget_type"],
        values["description"],
        values["config"],
        values["data_source"],
    )


def grant_set(grants: Iterable[tuple[str, str, str]]) -> frozenset[tuple[str, str, str]]:
    return frozenset(grants)


def current_content(
    board_pages: list[PageRecord], cards: list[Card], grants: list[ShareRecord] | None
) -> tuple[Any, ...]:
    """A dashboard's pages, cards (and grants, when compared) in the target, in the form
    import_contents.wanted_content gives a document's dashboard."""
    page_index = {p.id: n for n, p in enumerate(board_pages)}
    return (
        tuple(p.name for p in board_pages),
        tuple(
            (
                page_index[c.placement.page_id],
                c.placement.position.as_json() if c.placement.position else None,
                c.placement.title,
                c.placement.client_key,
                ("library", c.widget.id)
                if c.widget.in_library
                else (
                    "own",
                    c.widget.name,
                    c.widget.widget_type,
                    c.widget.description,
                    c.widget.config,
                    c.widget.data_source,
                ),
            )
            for c in cards
        ),
        grant_set((g.subject_type.value, g.subject_id, g.access_level.value) for g in grants)
        if grants is not None
        else None,
    )


def dataset_values(entry: DatasetEntry) -> dict[str, Any]:
    return {
        "name": entry.name.strip(),
        "description": entry.description,
        "source_kind": entry.source_kind,
        "source": entry.source.strip(),
        "columns": [c.model_dump(mode="json") for c in entry.columns],
    }


def dataset_content_of(values: dict[str, Any]) -> tuple[Any, ...]:
    return (values["description"], values["source_kind"], values["source"], values["columns"])


def dataset_content(d: DatasetRecord) -> tuple[Any, ...]:
    return (d.description, d.source_kind, d.source, [c.as_json() for c in d.columns])


def comparable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value
