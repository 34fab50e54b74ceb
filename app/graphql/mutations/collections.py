"""createCollection, updateCollection, deleteCollection."""

from __future__ import annotations

import strawberry

from app.domain import collections as service
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, optional_id, required_id
from app.graphql.types.collection import Collection


@strawberry.input
class CreateCollectionInput:
    name: str = strawberry.field(description="At most 100 characters, unique among siblings.")
    description: str | None = None
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The collection to create it in; top level when null."
    )


@strawberry.input(
    description="Fields left out keep their value; parentId null moves it to the top."
)
class UpdateCollectionInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class DeleteCollectionInput:
    id: strawberry.ID


@strawberry.type
class CollectionPayload:
    collection: Collection | None
    user_errors: list[UserError]


@strawberry.type
class DeleteCollectionPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class CollectionMutations:
    @strawberry.mutation
    async def create_collection(
        self, info: Info, input: CreateCollectionInput
    ) -> CollectionPayload:
        async def run() -> service.CollectionRecord:
            return await service.create_collection(
                info.context.request,
                input.name,
                input.description,
                optional_id(input.parent_id, "Collection", ("parent_id",)),
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return CollectionPayload(
            collection=Collection.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation
    async def update_collection(
        self, info: Info, input: UpdateCollectionInput
    ) -> CollectionPayload:
        async def run() -> service.CollectionRecord:
            parent = optional(input.parent_id)
            return await service.update_collection(
                info.context.request,
                required_id(input.id, "Collection", ("id",)),
                name=optional(input.name),
                description=optional(input.description),
                parent_id=optional_id(parent, "Collection", ("parent_id",))
                if isinstance(parent, str)
                else parent,
            )

        record, errors = await attempt(run())
        info.context.after_write()
        return CollectionPayload(
            collection=Collection.from_record(record) if record else None, user_errors=errors
        )

    @strawberry.mutation(description="Delete an empty collection.")
    async def delete_collection(
        self, info: Info, input: DeleteCollectionInput
    ) -> DeleteCollectionPayload:
        async def run() -> int:
            return await service.delete_collection(
                info.context.request, required_id(input.id, "Collection", ("id",))
            )

        deleted, errors = await attempt(run())
        info.context.after_write()
        return DeleteCollectionPayload(
            deleted_id=strawberry.ID(to_global_id("Collection", deleted)) if deleted else None,
            user_errors=errors,
        )
