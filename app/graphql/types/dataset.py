"""Dataset: a table, a view or a SQL query of the tenant's data, with its columns."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from app.domain.records import ColumnType, DatasetRecord
from app.domain.records import DatasetColumn as DatasetColumnRecord

strawberry.enum(
    ColumnType,
    description="What a dataset column holds, as structured queries and templates see it.",
)


@strawberry.enum(description="Where a dataset's rows come from.")
class DatasetSourceKind(Enum):
    TABLE = "table"
    VIEW = "view"
    SQL = "sql"


@strawberry.type(description="A column of a dataset, as the database describes it.")
class DatasetColumn:
    name: str
    type: ColumnType
    db_type: str = strawberry.field(
        description="PostgreSQL's name for the type, e.g. numeric or timestamptz."
    )

    @classmethod
    def from_record(cls, record: DatasetColumnRecord) -> DatasetColumn:
        return cls(name=record.name, type=record.type, db_type=record.db_type)


@strawberry.type(
    description="A table, a view or a SQL query of the tenant's data schema that widgets "
    "query. Every member of the tenant sees the tenant's datasets."
)
class Dataset(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Unique in the tenant, at most 100 characters.")
    description: str | None
    source_kind: DatasetSourceKind
    source: str = strawberry.field(
        description="The table's or view's name in the tenant's schema, or the SQL text."
    )
    columns: list[DatasetColumn] = strawberry.field(
        description="The columns, in order, read from the database when the dataset was saved."
    )
    owner_id: str = strawberry.field(description="The `sub` of the user who created it.")
    created_at: datetime
    updated_at: datetime

    database_id: int = strawberry.field(
        description="The integer key, as data sources' `dataset_id` names it."
    )

    @classmethod
    def from_record(cls, record: DatasetRecord) -> Dataset:
        return cls(
            id=record.id,
            database_id=record.id,
            name=record.name,
            description=record.description,
            source_kind=DatasetSourceKind(record.source_kind),
            source=record.source,
            columns=[DatasetColumn.from_record(c) for c in record.columns],
            owner_id=record.owner_id,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )
