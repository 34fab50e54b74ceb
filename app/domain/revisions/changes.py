"""The compact description of what a revision changed, derived from the diff of the states
before and after it: one entry per dashboard field, page, card or grant that changed, e.g.
`{"kind": "CARD_MOVED", "path": "cards/12"}`. Bounded: past MAX_CHANGES entries the rest
are counted in one `MORE` entry."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from app.domain.revisions.patches import same
from app.domain.revisions.snapshot import Snapshot

MAX_CHANGES = 100

# Card fields whose change only moves the card (its place on the grid or its page).
_MOVE_FIELDS = {"page_id", "position", "ordinal"}


class ChangeKind(StrEnum):
    CREATED = "CREATED"
    RECORDED = "RECORDED"  # the first revision of a dashboard older than its history
    RESTORED = "RESTORED"
    FIELD_CHANGED = "FIELD_CHANGED"
    PAGE_ADDED = "PAGE_ADDED"
    PAGE_REMOVED = "PAGE_REMOVED"
    PAGE_CHANGED = "PAGE_CHANGED"
    CARD_ADDED = "CARD_ADDED"
    CARD_REMOVED = "CARD_REMOVED"
    CARD_MOVED = "CARD_MOVED"
    CARD_CHANGED = "CARD_CHANGED"
    GRANT_ADDED = "GRANT_ADDED"
    GRANT_REMOVED = "GRANT_REMOVED"
    GRANT_CHANGED = "GRANT_CHANGED"
    PUBLIC_LINK_CHANGED = "PUBLIC_LINK_CHANGED"
    WIDGET_CHANGED = "WIDGET_CHANGED"  # a library widget the dashboard shows
    MORE = "MORE"


def describe(before: Snapshot | None, after: Snapshot, *, version: int = 1) -> list[dict[str, Any]]:
    """What turned `before` into `after`; with no `before`, the dashboard is new (version 1)
    or had no revision yet (it existed before version history)."""
    if before is None:
        kind = ChangeKind.CREATED if version == 1 else ChangeKind.RECORDED
        return [{"kind": kind.value, "path": ""}]
    changes: list[tuple[ChangeKind, str]] = []
    old_fields, new_fields = before["dashboard"], after["dashboard"]
    for name in sorted(old_fields.keys() | new_fields.keys()):
        if not same(old_fields.get(name), new_fields.get(name)):
            changes.append((ChangeKind.FIELD_CHANGED, name))
    changes += _items(before["pages"], after["pages"], "pages", "PAGE")
    changes += _cards(before, after)
    changes += _items(before["grants"], after["grants"], "grants", "GRANT")
    if before.get("public_link") != after.get("public_link"):
        changes.append((ChangeKind.PUBLIC_LINK_CHANGED, "public_link"))
    entries = [{"kind": kind.value, "path": path} for kind, path in changes[:MAX_CHANGES]]
    if len(changes) > MAX_CHANGES:
        entries.append({"kind": ChangeKind.MORE.value, "path": str(len(changes) - MAX_CHANGES)})
    return entries


def _items(
    before: dict[str, Any], after: dict[str, Any], collection: str, noun: str
) -> list[tuple[ChangeKind, str]]:
    changes = []
    for key in sorted(before.keys() | after.keys(), key=int):
        if key not in before:
            changes.append((ChangeKind[f"{noun}_ADDED"], f"{collection}/{key}"))
        elif key not in after:
            changes.append((ChangeKind[f"{noun}_REMOVED"], f"{collection}/{key}"))
        elif not same(before[key], after[key]):
            changes.append((ChangeKind[f"{noun}_CHANGED"], f"{collection}/{key}"))
    return changes


def _cards(before: Snapshot, after: Snapshot) -> list[tuple[ChangeKind, str]]:
    old_cards, new_cards = before["cards"], after["cards"]
    old_widgets, new_widgets = before["card_widgets"], after["card_widgets"]
    changes = []
    for key in sorted(old_cards.keys() | new_cards.keys(), key=int):
        path = f"cards/{key}"
        if key not in old_cards:
            changes.append((ChangeKind.CARD_ADDED, path))
            continue
        if key not in new_cards:
            changes.append((ChangeKind.CARD_REMOVED, path))
            continue
        old, new = old_cards[key], new_cards[key]
        differing = {n for n in old.keys() | new.keys() if not same(old.get(n), new.get(n))}
        widget = str(new["widget_id"])
        widget_changed = not same(old_widgets.get(widget), new_widgets.get(widget))
        if differing - _MOVE_FIELDS or widget_changed:
            changes.append((ChangeKind.CARD_CHANGED, path))
        elif differing:
            changes.append((ChangeKind.CARD_MOVED, path))
    return changes
