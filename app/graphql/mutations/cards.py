"""addDashboardCard, updateDashboardCard, removeDashboardCard, duplicateDashboardCard and
updateDashboardLayout."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app.domain import cards as service
from app.domain.records import PlacementRecord, Position
from app.domain.revisions import revision_note
from app.domain.widgets import WidgetType
from app.graphql.context import Info
from app.graphql.errors import UserError, attempt
from app.graphql.ids import to_global_id
from app.graphql.mutations.inputs import optional, required_id
from app.graphql.mutations.placements import PositionInput
from app.graphql.mutations.revisions import revision_message_field
from app.graphql.types.dashboard import Dashboard, DashboardCard


def _position(value: PositionInput) -> Position:
    return Position(value.x, value.y, value.w, value.h)


@strawberry.input
class AddDashboardCardInput:
    dashboard_id: strawberry.ID
    card_type: WidgetType
    layout: PositionInput = strawberry.field(description="Where on the 12-column grid.")
    config: JSON = strawberry.field(
        default_factory=dict, description="Checked against the card type's schema."
    )
    page: int | None = strawberry.field(
        default=None, description="The page's number; the first when null."
    )
    name: str | None = strawberry.field(
        default=None, description="Defaults to config.title or the type."
    )
    data_source: JSON | None = strawberry.field(
        default=None,
        description="Where the card's data comes from: {sql, cache_ttl_seconds} or a "
        "structured query on a dataset (docs/tile-data.md); null for none.",
    )
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input(description="Only the fields sent change.")
class UpdateDashboardCardInput:
    dashboard_id: strawberry.ID
    card_id: strawberry.ID
    config: JSON | None = strawberry.UNSET
    layout: PositionInput | None = strawberry.UNSET
    page: int | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    data_source: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it: the card shows no data."
    )
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input
class DashboardCardRefInput:
    dashboard_id: strawberry.ID
    card_id: strawberry.ID
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.input
class CardLayoutInput:
    card_id: strawberry.ID
    x: int
    y: int
    w: int
    h: int


@strawberry.input(description="New positions for some cards; the others keep theirs.")
class UpdateDashboardLayoutInput:
    dashboard_id: strawberry.ID
    cards: list[CardLayoutInput]
    expected_version: int | None = None
    revision_message: str | None = revision_message_field()


@strawberry.type
class DashboardCardPayload:
    card: DashboardCard | None
    user_errors: list[UserError]


@strawberry.type
class RemoveDashboardCardPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class UpdateDashboardLayoutPayload:
    dashboard: Dashboard | None
    user_errors: list[UserError]


def _card(card: service.Card | None) -> DashboardCard | None:
    return DashboardCard.from_card(card) if card else None


def _ids(dashboard_id: str, card_id: str) -> tuple[int, int]:
    return (
        required_id(dashboard_id, "Dashboard", ("dashboard_id",)),
        required_id(card_id, "DashboardCard", ("card_id",)),
    )


@strawberry.type
class CardMutations:
    @strawberry.mutation
    async def add_dashboard_card(
        self, info: Info, input: AddDashboardCardInput
    ) -> DashboardCardPayload:
        async def run() -> service.Card:
            draft = service.CardDraft(
                card_type=input.card_type.value,
                config=input.config,
                layout=_position(input.layout),
                page=input.page,
                name=input.name,
                data_source=input.data_source,
            )
            return await service.add_card(
                info.context.request,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                draft,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            card, errors = await attempt(run())
        info.context.after_write()
        return DashboardCardPayload(card=_card(card), user_errors=errors)

    @strawberry.mutation
    async def update_dashboard_card(
        self, info: Info, input: UpdateDashboardCardInput
    ) -> DashboardCardPayload:
        async def run() -> service.Card:
            layout = optional(input.layout)
            changes = service.CardChanges(
                config=optional(input.config),
                layout=_position(layout) if isinstance(layout, PositionInput) else layout,
                page=optional(input.page),
                name=optional(input.name),
                data_source=optional(input.data_source),
            )
            return await service.update_card(
                info.context.request,
                *_ids(input.dashboard_id, input.card_id),
                changes,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            card, errors = await attempt(run())
        info.context.after_write()
        return DashboardCardPayload(card=_card(card), user_errors=errors)

    @strawberry.mutation
    async def remove_dashboard_card(
        self, info: Info, input: DashboardCardRefInput
    ) -> RemoveDashboardCardPayload:
        async def run() -> int:
            return await service.remove_card(
                info.context.request,
                *_ids(input.dashboard_id, input.card_id),
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            deleted, errors = await attempt(run())
        info.context.after_write()
        return RemoveDashboardCardPayload(
            deleted_id=strawberry.ID(to_global_id("DashboardCard", deleted)) if deleted else None,
            user_errors=errors,
        )

    @strawberry.mutation(description="A copy of the card (and its config) on the same page.")
    async def duplicate_dashboard_card(
        self, info: Info, input: DashboardCardRefInput
    ) -> DashboardCardPayload:
        async def run() -> service.Card:
            return await service.duplicate_card(
                info.context.request,
                *_ids(input.dashboard_id, input.card_id),
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            card, errors = await attempt(run())
        info.context.after_write()
        return DashboardCardPayload(card=_card(card), user_errors=errors)

    @strawberry.mutation(description="Move many cards at once, atomically.")
    async def update_dashboard_layout(
        self, info: Info, input: UpdateDashboardLayoutInput
    ) -> UpdateDashboardLayoutPayload:
        ctx = info.context.request

        async def run() -> list[PlacementRecord]:
            moves = [
                service.CardMove(
                    required_id(item.card_id, "DashboardCard", (index, "card_id")),
                    Position(item.x, item.y, item.w, item.h),
                )
                for index, item in enumerate(input.cards)
            ]
            return await service.update_layout(
                ctx,
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",)),
                moves,
                expected_version=input.expected_version,
            )

        with revision_note(input.revision_message):
            placed, errors = await attempt(run(), list_field="cards")
        info.context.after_write()
        dashboard = None
        if placed is not None:
            record = await info.context.loaders.dashboard(
                required_id(input.dashboard_id, "Dashboard", ("dashboard_id",))
            )
            dashboard = Dashboard.from_record(record) if record else None
        return UpdateDashboardLayoutPayload(dashboard=dashboard, user_errors=errors)
