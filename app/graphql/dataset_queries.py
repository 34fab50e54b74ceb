"""Query fields for what dashboards are built from: datasets and built-in templates."""

from __future__ import annotations

import strawberry

from app.domain import datasets as dataset_service
from app.domain.templates import list_templates
from app.graphql.context import Info
from app.graphql.ids import database_id_of
from app.graphql.types.dataset import Dataset
from app.graphql.types.template import DashboardTemplate


@strawberry.type
class DatasetQueries:
    @strawberry.field(
        description="The tenant's datasets, in creation order; every member sees them."
    )
    async def datasets(self, info: Info) -> list[Dataset]:
        records = await dataset_service.list_datasets(info.context.request)
        return [Dataset.from_record(r) for r in records]

    @strawberry.field(description="A dataset by id (global or integer); null if unknown.")
    async def dataset(self, info: Info, id: strawberry.ID) -> Dataset | None:
        record = await info.context.loaders.dataset(database_id_of(id, "Dataset"))
        return Dataset.from_record(record) if record else None

    @strawberry.field(
        description="The built-in templates createDashboardFromTemplate can fill with a dataset."
    )
    def dashboard_templates(self) -> list[DashboardTemplate]:
        return [DashboardTemplate.from_info(t) for t in list_templates()]
