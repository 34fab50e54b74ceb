"""createDataset, updateDataset, deleteDataset."""

from __future__ import annotations

from typing import Any

import strawberry

from app.domain import datasets as service
from app.domain.records import DatasetRecord
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, required_id
from app.graphql.types.dataset import Dataset, DatasetSourceKind

_SOURCE = (
    "The table's or view's name in the tenant's data schema, or a single read-only SELECT "
    "(without :parameters)."
)


@strawberry.input(description="Its columns are read from the database as it is saved.")
class CreateDatasetInput:
    name: str = strawberry.field(description="Unique in the tenant, at most 100 characters.")
    source_kind: DatasetSourceKind
    source: str = strawberry.field(description=_SOURCE)
    description: str | None = strawberry.field(default=None, description="At most 255 characters.")


@strawberry.input(
    description="Fields left out keep their value; a new source (or kind) reads the columns again."
)
class UpdateDatasetInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    source_kind: DatasetSourceKind | None = strawberry.UNSET
    source: str | None = strawberry.field(default=strawberry.UNSET, description=_SOURCE)


@strawberry.input(description="Refused with IN_USE while a widget reads the dataset.")
class DeleteDatasetInput:
    id: strawberry.ID


@strawberry.type
class CreateDatasetPayload:
    dataset: Dataset | None
    user_errors: list[UserError]


@strawberry.type
class UpdateDatasetPayload:
    dataset: Dataset | None
    user_errors: list[UserError]


@strawberry.type
class DeleteDatasetPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The global id of the dataset that was deleted."
    )
    user_errors: list[UserError]


def _kind(value: Any) -> Any:
    """The domain's spelling of a source kind; UNSET and None as they are."""
    return value.value if isinstance(value, DatasetSourceKind) else optional(value)


def _payload_dataset(record: DatasetRecord | None) -> Dataset | None:
    return Dataset.from_record(record) if record else None


@strawberry.type
class DatasetMutations:
    @strawberry.mutation(description="Name a table, a view or a query of the tenant's data.")
    async def create_dataset(self, info: Info, input: CreateDatasetInput) -> CreateDatasetPayload:
        draft = service.DatasetDraft(
            name=input.name,
            source_kind=input.source_kind.value,
            source=input.source,
            description=input.description,
        )
        record, errors = await attempt(service.create_dataset(info.context.request, draft))
        info.context.after_write()
        return CreateDatasetPayload(dataset=_payload_dataset(record), user_errors=errors)

    @strawberry.mutation
    async def update_dataset(self, info: Info, input: UpdateDatasetInput) -> UpdateDatasetPayload:
        async def run() -> DatasetRecord:
            changes = service.DatasetChanges(
                name=optional(input.name),
                description=optional(input.description),
                source_kind=_kind(input.source_kind),
                source=optional(input.source),
            )
            return await service.update_dataset(
                info.context.request, required_id(input.id, "Dataset", ("id",)), changes
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return UpdateDatasetPayload(dataset=_payload_dataset(record), user_errors=errors)

    @strawberry.mutation
    async def delete_dataset(self, info: Info, input: DeleteDatasetInput) -> DeleteDatasetPayload:
        async def run() -> int:
            return await service.delete_dataset(
                info.context.request, required_id(input.id, "Dataset", ("id",))
            )

        deleted, errors = await attempt(run())
        info.context.after_write()
        return DeleteDatasetPayload(
            deleted_id=strawberry.ID(to_global_id("Dataset", deleted)) if deleted else None,
            user_errors=errors,
        )
