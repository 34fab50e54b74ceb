"""Checking a whole document before anything is written, with the validators the create and
update paths use: field rules, card configs, parameter declarations, grid positions and
overlaps, data sources against the document's datasets, tile SQL, references between the
document's objects and its limits. Every problem is reported with its path into the document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.context import RequestContext
from app.data.sql_check import check_tile_sql
from app.domain.cards import CARD_NAME_MAX
from app.domain.collections import check_new_collection
from app.domain.dashboards import DashboardDraft, checked_draft_values
from app.domain.data_sources import DatasetQuery, check_against_dataset, read_data_source
from app.domain.datasets import check_new_dataset, tenant_schema
from app.domain.grid import Placed, check_position, require_no_overlap
from app.domain.pages import MAX_PAGES
from app.domain.pages import NAME_MAX as PAGE_NAME_MAX
from app.domain.records import DatasetColumn, DatasetRecord, Position
from app.domain.shares import checked_subject_id
from app.domain.transfer.document import (
    DATASET_REFERENCE,
    CardEntry,
    CollectionEntry,
    DashboardEntry,
    DatasetEntry,
    ExportDocument,
    WidgetBody,
    WidgetEntry,
)
from app.domain.validation import Problems
from app.domain.widgets import check_new_widget
from app.errors import DomainError, ErrorCode, FieldPath, Problem

TITLE_MAX = CLIENT_KEY_MAX = 100  # a card's title and seed-004 key on its dashboard
# Stands in for a document dataset's id while a structured query is checked against it.
_CHECKED_DATASET_ID = 1


@dataclass
class CheckedDocument:
    """A document every check passed, with the values the import stores."""

    document: ExportDocument
    # Each dashboard's column values as create_dashboard stores them (collection aside).
    dashboard_values: list[dict[str, Any]] = field(default_factory=list)
    # Collections with parents before children.
    collection_order: list[CollectionEntry] = field(default_factory=list)


class _Collector:
    """Problems of the whole document; each check runs under the path of its object."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: ErrorCode, message: str, path: FieldPath) -> None:
        self.problems.append(Problem(code, f"{_text(path)}: {message}", path))

    @contextmanager
    def under(self, path: FieldPath) -> Iterator[Problems]:
        """Problems found by a domain check (or raised by it) go under `path`, with the
        document's camelCase spelling of the domain's snake_case field names."""
        found = Problems()
        try:
            yield found
            found.raise_if_any()
        except DomainError as error:
            inside_json = any(part in _JSON_FIELDS for part in path)
            for p in error.problems:
                where = (*path, *_camel(p.field, inside_json))
                self.problems.append(Problem(p.code, f"{_text(where)}: {p.message}", where))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DomainError(*self.problems)


_JSON_FIELDS = frozenset({"config", "parameters", "data_source", "dataSource"})


def _camel(path: FieldPath, inside_json: bool) -> FieldPath:
    """Field names as the document spells them; keys inside JSON values stay as they are."""
    result: list[str | int] = []
    for part in path:
        if isinstance(part, str) and not inside_json:
            head, *rest = part.split("_")
            result.append(head + "".join(word.title() for word in rest))
        else:
            result.append(part)
        inside_json = inside_json or part in _JSON_FIELDS
    return tuple(result)


def _text(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the document"


def check_document(ctx: RequestContext, document: ExportDocument) -> CheckedDocument:
    """Every problem of the document at once, or the values to store."""
    found = _Collector()
    limit = ctx.settings.import_max_objects
    if document.object_count() > limit:
        raise DomainError(
            Problem(
                ErrorCode.INVALID,
                f"the document holds {document.object_count()} objects; an import takes at "
                f"most {limit} (IMPORT_MAX_OBJECTS)",
                (),
            )
        )
    checked = CheckedDocument(document)
    checked.collection_order = _check_collections(found, document.collections)
    datasets = _check_datasets(ctx, found, document.datasets)
    library = _check_library(ctx, found, document.widgets, datasets)
    collection_keys = {c.key for c in document.collections}
    _unique(found, [d.code for d in document.dashboards], "dashboards", "code")
    defaults = [i for i, d in enumerate(document.dashboards) if d.is_default]
    for index in defaults[1:]:
        found.add(
            ErrorCode.INVALID,
            "only one dashboard can be the tenant's default",
            ("dashboards", index, "isDefault"),
        )
    for index, entry in enumerate(document.dashboards):
        at: FieldPath = ("dashboards", index)
        checked.dashboard_values.append(_check_dashboard_fields(found, entry, at))
        if entry.collection is not None and entry.collection not in collection_keys:
            _unknown(found, "collection", entry.collection, (*at, "collection"))
        _check_pages_and_cards(ctx, found, entry, at, library, datasets)
        _check_grants(found, entry, at)
    found.raise_if_any()
    return checked


def _unique(found: _Collector, values: list[str], *path: str | int) -> None:
    where, name = path[:-1], path[-1]
    for value, count in Counter(values).items():
        if count > 1:
            index = len(values) - 1 - values[::-1].index(value)
            found.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"{name} {value!r} appears {count} times",
                (*where, index, name),
            )


def _unknown(found: _Collector, kind: str, key: str, path: FieldPath) -> None:
    found.add(ErrorCode.UNKNOWN_REFERENCE, f"the document has no {kind} {key!r}", path)


def _check_collections(found: _Collector, entries: list[CollectionEntry]) -> list[CollectionEntry]:
    _unique(found, [c.key for c in entries], "collections", "key")
    by_key = {c.key: c for c in entries}
    siblings = Counter((c.parent, c.name.strip()) for c in entries)
    for index, c in enumerate(entries):
        at: FieldPath = ("collections", index)
        with found.under(at) as problems:
            check_new_collection(problems, {"name": c.name.strip(), "description": c.description})
        if c.parent is not None and c.parent not in by_key:
            _unknown(found, "collection", c.parent, (*at, "parent"))
        if siblings[(c.parent, c.name.strip())] > 1:
            found.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                f"two collections named {c.name!r} have the same parent",
                (*at, "name"),
            )
    ordered: list[CollectionEntry] = []
    placed: set[str] = set()
    remaining = [c for c in entries if c.parent is None or c.parent in by_key]
    while remaining:
        ready = [c for c in remaining if c.parent is None or c.parent in placed]
        if not ready:
            for c in remaining:
                index = entries.index(c)
                found.add(
                    ErrorCode.INVALID,
                    "collections may not contain themselves",
                    ("collections", index, "parent"),
                )
            break
        ordered.extend(ready)
        placed.update(c.key for c in ready)
        remaining = [c for c in remaining if c.key not in placed]
    return ordered


def _dataset_record(entry: DatasetEntry) -> DatasetRecord:
    now = datetime.now(UTC)
    return DatasetRecord(
        id=_CHECKED_DATASET_ID,
        name=entry.name,
        description=entry.description,
        source_kind=entry.source_kind,
        source=entry.source,
        columns=tuple(DatasetColumn(c.name, c.type, c.db_type) for c in entry.columns),
        owner_id="",
        created_at=now,
        updated_at=now,
    )


def _check_datasets(
    ctx: RequestContext, found: _Collector, entries: list[DatasetEntry]
) -> dict[str, DatasetRecord]:
    """The datasets by key. Their columns are taken as the document gives them; SQL passes
    the tile SQL check (the relation or query is read again when the dataset is next saved)."""
    _unique(found, [d.key for d in entries], "datasets", "key")
    _unique(found, [d.name.strip() for d in entries], "datasets", "name")
    for index, d in enumerate(entries):
        at: FieldPath = ("datasets", index)
        values = {
            "name": d.name.strip(),
            "description": d.description,
            "source_kind": d.source_kind,
            "source": d.source.strip(),
        }
        with found.under(at) as problems:
            check_new_dataset(problems, values)
        if d.source_kind == "sql":
            with found.under(at):
                checked = check_tile_sql(
                    d.source.strip(),
                    tenant_schema=tenant_schema(ctx),
                    max_chars=ctx.settings.tile_sql_max_chars,
                    field=("source",),
                )
                if checked.placeholders:
                    found.add(
                        ErrorCode.INVALID,
                        "a dataset's SQL cannot use parameters",
                        (*at, "source"),
                    )
        _unique(found, [c.name for c in d.columns], *at, "columns", "name")
    return {d.key: _dataset_record(d) for d in entries}


def widget_values(body: WidgetBody) -> dict[str, Any]:
    """A widget's columns as the document gives them (data source aside)."""
    values: dict[str, Any] = {
        "name": body.name.strip(),
        "widget_type": body.widget_type.value,
        "description": body.description,
        "config": body.config,
    }
    if isinstance(body, WidgetEntry):
        values["kind"] = body.kind
    return values


def _check_widget(
    ctx: RequestContext,
    found: _Collector,
    body: WidgetBody,
    at: FieldPath,
    datasets: dict[str, DatasetRecord],
) -> None:
    settings = ctx.settings
    with found.under(at) as problems:
        check_new_widget(
            problems, widget_values(body), max_config_bytes=settings.max_widget_config_bytes
        )
    raw = body.data_source
    if raw is None:
        return
    source_at: FieldPath = (*at, "dataSource")
    if "dataset_id" in raw:
        found.add(
            ErrorCode.INVALID,
            f"name the dataset by its key in the document ({DATASET_REFERENCE!r})",
            (*source_at, "dataset_id"),
        )
        return
    dataset = None
    if DATASET_REFERENCE in raw:
        key = raw[DATASET_REFERENCE]
        dataset = datasets.get(key) if isinstance(key, str) else None
        if dataset is None:
            _unknown(found, "dataset", str(key), (*source_at, DATASET_REFERENCE))
            return
        raw = {k: v for k, v in raw.items() if k != DATASET_REFERENCE}
        raw["dataset_id"] = _CHECKED_DATASET_ID
    with found.under(source_at) as problems:
        if not problems.json_object(raw, (), max_bytes=settings.max_widget_config_bytes):
            return
        source = read_data_source(raw, problems, (), row_limit=settings.tile_row_limit)
        if isinstance(source, DatasetQuery) and dataset is not None:
            check_against_dataset(source, dataset, problems, ())
        elif source is not None and not isinstance(source, DatasetQuery) and not problems.found:
            check_tile_sql(
                source.sql,
                tenant_schema=tenant_schema(ctx),
                max_chars=settings.tile_sql_max_chars,
                field=("sql",),
            )


def _check_library(
    ctx: RequestContext,
    found: _Collector,
    entries: list[WidgetEntry],
    datasets: dict[str, DatasetRecord],
) -> set[str]:
    _unique(found, [w.key for w in entries], "widgets", "key")
    _unique(found, [w.kind for w in entries if w.kind is not None], "widgets", "kind")
    for index, w in enumerate(entries):
        _check_widget(ctx, found, w, ("widgets", index), datasets)
    return {w.key for w in entries}


def _check_dashboard_fields(
    found: _Collector, entry: DashboardEntry, at: FieldPath
) -> dict[str, Any]:
    draft = DashboardDraft(
        code=entry.code,
        name=entry.name,
        description=entry.description,
        is_active=entry.is_active,
        is_default=entry.is_default,
        role_ids=list(entry.role_ids),
        parameters=entry.parameters,
        visibility=entry.visibility.value,
        tags=list(entry.tags),
        type=entry.type,
        refresh_interval=entry.refresh_interval,
    )
    with found.under(at):
        return checked_draft_values(draft)
    return {}


def _check_pages_and_cards(
    ctx: RequestContext,
    found: _Collector,
    entry: DashboardEntry,
    at: FieldPath,
    library: set[str],
    datasets: dict[str, DatasetRecord],
) -> None:
    if not entry.pages:
        found.add(ErrorCode.REQUIRED, "a dashboard has at least one page", (*at, "pages"))
    elif len(entry.pages) > MAX_PAGES:
        found.add(ErrorCode.INVALID, f"at most {MAX_PAGES} pages", (*at, "pages"))
    _unique(found, [p.key for p in entry.pages], *at, "pages", "key")
    for index, page in enumerate(entry.pages):
        with found.under((*at, "pages", index)) as problems:
            problems.text(page.name.strip(), ("name",), max_length=PAGE_NAME_MAX, required=True)
    max_cards = ctx.settings.max_placements
    if len(entry.cards) > max_cards:
        found.add(ErrorCode.INVALID, f"at most {max_cards} cards", (*at, "cards"))
    page_keys = {p.key for p in entry.pages}
    placed: list[Placed] = []
    shown: Counter[str] = Counter()
    for index, card in enumerate(entry.cards):
        card_at: FieldPath = (*at, "cards", index)
        if card.page not in page_keys:
            _unknown(found, "page", card.page, (*card_at, "page"))
        _check_card(ctx, found, card, card_at, library, datasets, shown)
        if card.position is not None:
            position = Position(**card.position.model_dump())
            with found.under((*card_at, "position")) as problems:
                check_position(problems, position, (), ctx.settings.grid_columns)
            placed.append(Placed(f"card {index}", card.page, position, (*card_at, "position")))
    with found.under(()):
        require_no_overlap(placed)


def _check_card(
    ctx: RequestContext,
    found: _Collector,
    card: CardEntry,
    at: FieldPath,
    library: set[str],
    datasets: dict[str, DatasetRecord],
    shown: Counter[str],
) -> None:
    with found.under(at) as problems:
        if card.title is not None:
            problems.text(card.title, ("title",), max_length=TITLE_MAX, required=False)
        if card.client_key is not None:
            problems.text(
                card.client_key, ("client_key",), max_length=CLIENT_KEY_MAX, required=False
            )
    if (card.widget is None) == (card.card is None):
        found.add(
            ErrorCode.INVALID,
            "a card names a library widget (widget) or has its own (card), one of the two",
            (*at, "widget"),
        )
    elif card.widget is not None:
        if card.widget not in library:
            _unknown(found, "widget", card.widget, (*at, "widget"))
        shown[card.widget] += 1
        if shown[card.widget] == 2:
            found.add(
                ErrorCode.DUPLICATE_IN_INPUT,
                "a library widget is shown once per dashboard",
                (*at, "widget"),
            )
    elif card.card is not None:
        with found.under((*at, "card")) as problems:
            problems.text(
                card.card.name.strip(), ("name",), max_length=CARD_NAME_MAX, required=True
            )
        _check_widget(ctx, found, card.card, (*at, "card"), datasets)


def _check_grants(found: _Collector, entry: DashboardEntry, at: FieldPath) -> None:
    if entry.grants is None:
        return
    subjects = [f"{g.subject_type.value}:{g.subject_id.strip()}" for g in entry.grants]
    _unique(found, subjects, *at, "grants", "subjectId")
    for index, grant in enumerate(entry.grants):
        with found.under((*at, "grants", index)):
            checked_subject_id(grant.subject_id, ("subject_id",))
