"""The export document, version 2: its shape (pydantic models, spelled in camelCase) and its
bytes. References inside it are document-local keys (dashboards by `code`), never database
ids, so a document imports into any tenant. docs/export-import.md describes it."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from app.data.column_types import ColumnType
from app.domain.access import Visibility
from app.domain.shares import ShareAccess, SubjectType
from app.domain.widgets import WidgetType

FORMAT = "dashboards-api.export"
VERSION = 2
# A structured data source names its dataset by the document's key under this name, in
# place of the source tenant's `dataset_id`.
DATASET_REFERENCE = "dataset"


class _Part(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class GridPosition(_Part):
    x: StrictInt
    y: StrictInt
    w: StrictInt
    h: StrictInt


class CollectionEntry(_Part):
    key: StrictStr
    name: StrictStr
    description: StrictStr | None = None
    parent: StrictStr | None = None  # the parent's key; None: at the top


class DatasetColumnEntry(_Part):
    name: StrictStr
    type: ColumnType
    db_type: StrictStr


class DatasetEntry(_Part):
    key: StrictStr
    name: StrictStr
    description: StrictStr | None = None
    source_kind: Literal["table", "view", "sql"]
    source: StrictStr
    # As the source tenant's database described them; read again when the dataset is saved.
    columns: list[DatasetColumnEntry]


class WidgetBody(_Part):
    """What a widget is: the library's (with a key) and a card's own alike."""

    name: StrictStr
    widget_type: WidgetType
    description: StrictStr | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    # As stored, except that a structured query names its dataset by key (`dataset`).
    data_source: dict[str, Any] | None = None


class WidgetEntry(WidgetBody):
    key: StrictStr
    kind: StrictStr | None = None


class PageEntry(_Part):
    key: StrictStr
    name: StrictStr


class CardEntry(_Part):
    """A card shows a library widget (`widget`, its key) or a widget of its own (`card`)."""

    page: StrictStr
    position: GridPosition | None = None
    title: StrictStr | None = None
    client_key: StrictStr | None = None
    widget: StrictStr | None = None
    card: WidgetBody | None = None


class GrantEntry(_Part):
    subject_type: SubjectType
    subject_id: StrictStr
    access_level: ShareAccess


class DashboardEntry(_Part):
    code: StrictStr
    name: StrictStr
    description: StrictStr | None = None
    is_active: StrictBool = True
    is_default: StrictBool = False
    role_ids: list[StrictInt] = Field(default_factory=list)
    visibility: Visibility = Visibility.TEAM
    tags: list[StrictStr] = Field(default_factory=list)
    type: StrictStr | None = None
    refresh_interval: StrictInt | None = None
    collection: StrictStr | None = None  # the collection's key
    parameters: dict[str, Any] = Field(default_factory=dict)
    pages: list[PageEntry]
    cards: list[CardEntry] = Field(default_factory=list)
    # Present only in documents exported with grants.
    grants: list[GrantEntry] | None = None


class SourceEntry(_Part):
    tenant: StrictStr
    scope: Literal["dashboard", "collection", "tenant"]
    includes_grants: StrictBool = False


class ExportDocument(_Part):
    format: Literal["dashboards-api.export"]
    version: Literal[2]
    exported_at: StrictStr
    source: SourceEntry
    collections: list[CollectionEntry] = Field(default_factory=list)
    datasets: list[DatasetEntry] = Field(default_factory=list)
    widgets: list[WidgetEntry] = Field(default_factory=list)
    dashboards: list[DashboardEntry] = Field(default_factory=list)

    def object_count(self) -> int:
        """Every object the document holds, for the size limit and progress totals."""
        inside = sum(len(d.pages) + len(d.cards) + len(d.grants or []) for d in self.dashboards)
        return (
            len(self.collections)
            + len(self.datasets)
            + len(self.widgets)
            + len(self.dashboards)
            + inside
        )


def as_json(document: ExportDocument) -> dict[str, Any]:
    """The document as JSON values, spelled as it is written (camelCase, nulls kept)."""
    return document.model_dump(mode="json", by_alias=True, exclude_none=False)


def dump_document(document: ExportDocument | dict[str, Any]) -> bytes:
    """The document's bytes: keys sorted, lists in the exporter's order, so that two exports
    of the same state differ only in `exportedAt`."""
    value = as_json(document) if isinstance(document, ExportDocument) else document
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
