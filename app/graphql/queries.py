"""Query: dashboards, widgets, nodes and the viewer here; datasets and templates, tile data
and users' dashboards from their own modules. What the caller cannot see is null."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.tools import merge_types

from app.domain import collections as collection_service
from app.domain import dashboards as dashboard_service
from app.domain import lookup
from app.domain import widgets as widget_service
from app.domain.access import Visibility
from app.domain.cards import Card
from app.domain.revisions.reading import get_revision
from app.domain.widgets import WidgetType
from app.graphql.assignment_queries import AssignmentQueries
from app.graphql.context import Info
from app.graphql.dataset_queries import DatasetQueries
from app.graphql.ids import database_id_of
from app.graphql.pagination import Connection, connection, page_window
from app.graphql.render_queries import RenderQueries
from app.graphql.revision_queries import RevisionQueries
from app.graphql.transfer import TransferQueries
from app.graphql.types.collection import Collection
from app.graphql.types.dashboard import Dashboard, DashboardCard, DashboardPage
from app.graphql.types.dataset import Dataset
from app.graphql.types.revision import DashboardRevision, revision_key_of
from app.graphql.types.sharing import ShareGrant
from app.graphql.types.widget import DashboardWidget


@strawberry.type(description="Who is calling, in which tenant.")
class Viewer:
    user_id: str
    tenant: str
    roles: list[int]
    groups: list[str]
    scopes: list[str]
    can_edit: bool
    is_admin: bool


@strawberry.type
class DashboardQueries:
    @strawberry.field(description="Any object by its global id; null if unseen.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        loaders = info.context.loaders
        if (dashboard_id := database_id_of(id, "Dashboard", allow_plain=False)) is not None:
            dashboard = await loaders.dashboard(dashboard_id)
            return Dashboard.from_record(dashboard) if dashboard else None
        if (widget_id := database_id_of(id, "DashboardWidget", allow_plain=False)) is not None:
            widget = await loaders.widget(widget_id)
            return DashboardWidget.from_record(widget) if widget else None
        if (collection_id := database_id_of(id, "Collection", allow_plain=False)) is not None:
            collection = await loaders.collection(collection_id)
            return Collection.from_record(collection) if collection else None
        if (dataset_id := database_id_of(id, "Dataset", allow_plain=False)) is not None:
            dataset = await loaders.dataset(dataset_id)
            return Dataset.from_record(dataset) if dataset else None
        ctx = info.context.request
        if (card_id := database_id_of(id, "DashboardCard", allow_plain=False)) is not None:
            placement = await lookup.visible_card(ctx, card_id)
            if placement is None:
                return None
            # Its dashboard is visible, so its widget is too.
            card_widget = await loaders.widget(placement.widget_id)
            return DashboardCard.from_card(Card(placement, card_widget)) if card_widget else None
        if (page_id := database_id_of(id, "DashboardPage", allow_plain=False)) is not None:
            page = await lookup.visible_page(ctx, page_id)
            return DashboardPage.from_record(page) if page else None
        if (share_id := database_id_of(id, "ShareGrant", allow_plain=False)) is not None:
            share = await lookup.visible_share(ctx, share_id)
            return ShareGrant.from_record(share) if share else None
        if (revision := revision_key_of(id)) is not None:
            found = await get_revision(ctx, *revision)
            return DashboardRevision.from_record(found) if found else None
        return None

    @strawberry.field(description="A dashboard by id (global or integer); null if unseen.")
    async def dashboard(self, info: Info, id: strawberry.ID) -> Dashboard | None:
        record = await info.context.loaders.dashboard(database_id_of(id, "Dashboard"))
        return Dashboard.from_record(record) if record else None

    @strawberry.field(description="The dashboards the caller may see, in creation order.")
    async def dashboards(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Substring of the name, code or description."),
        ] = None,
        is_active: bool | None = None,
        collection_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the dashboards in this collection."),
        ] = None,
        tag: Annotated[
            str | None, strawberry.argument(description="Only the dashboards with this tag.")
        ] = None,
        visibility: Annotated[
            Visibility | None,
            strawberry.argument(description="Only the dashboards with this visibility."),
        ] = None,
        type: Annotated[
            str | None,
            strawberry.argument(description="Only the dashboards of this type (exact match)."),
        ] = None,
    ) -> Connection[Dashboard]:
        ctx = info.context.request
        limit, after_id = page_window(first, after, ctx.settings)
        in_collection = None
        if collection_id is not None:
            # An id that names no collection matches nothing (-1 is never an id).
            in_collection = database_id_of(collection_id, "Collection") or -1
        filters = dashboard_service.DashboardFilter(
            search=search,
            is_active=is_active,
            collection_id=in_collection,
            tag=tag,
            visibility=visibility,
            type=type,
        )
        page = await dashboard_service.list_dashboards(ctx, filters, after=after_id, limit=limit)
        for record in page.items:
            info.context.loaders.prime_dashboard(record)
        return connection(
            [Dashboard.from_record(r) for r in page.items],
            [r.id for r in page.items],
            has_next=page.has_next,
            had_cursor=after is not None,
            count=lambda: dashboard_service.count_dashboards(ctx, filters),
        )

    @strawberry.field(description="The tenant's collections (folders), in creation order.")
    async def collections(self, info: Info) -> list[Collection]:
        records = await collection_service.list_collections(info.context.request)
        return [Collection.from_record(r) for r in records]

    @strawberry.field(description="A collection by id (global or integer); null if unknown.")
    async def collection(self, info: Info, id: strawberry.ID) -> Collection | None:
        record = await info.context.loaders.collection(database_id_of(id, "Collection"))
        return Collection.from_record(record) if record else None

    @strawberry.field(description="A widget by id (global or integer); null if unknown.")
    async def dashboard_widget(self, info: Info, id: strawberry.ID) -> DashboardWidget | None:
        record = await info.context.loaders.widget(database_id_of(id, "DashboardWidget"))
        return DashboardWidget.from_record(record) if record else None

    @strawberry.field(description="The tenant's widgets, in creation order.")
    async def dashboard_widgets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: Annotated[
            str | None, strawberry.argument(description="Substring of the name or description.")
        ] = None,
        widget_type: WidgetType | None = None,
    ) -> Connection[DashboardWidget]:
        ctx = info.context.request
        limit, after_id = page_window(first, after, ctx.settings)
        filters = widget_service.WidgetFilter(search=search, widget_type=widget_type)
        page = await widget_service.list_widgets(ctx, filters, after=after_id, limit=limit)
        return connection(
            [DashboardWidget.from_record(r) for r in page.items],
            [r.id for r in page.items],
            has_next=page.has_next,
            had_cursor=after is not None,
            count=lambda: widget_service.count_widgets(ctx, filters),
        )

    @strawberry.field(description="The caller, as the token describes them.")
    def viewer(self, info: Info) -> Viewer:
        ctx = info.context.request
        principal = ctx.principal
        return Viewer(
            user_id=principal.user_id,
            tenant=ctx.tenant_name,
            roles=sorted(principal.roles),
            groups=sorted(principal.groups),
            scopes=sorted(principal.scopes),
            can_edit=principal.can_edit,
            is_admin=principal.is_admin,
        )


Query = merge_types(
    "Query",
    (
        DashboardQueries,
        DatasetQueries,
        RenderQueries,
        AssignmentQueries,
        RevisionQueries,
        TransferQueries,
    ),
)
