"""Mutations: one `input` argument each, a payload with the result and `userErrors`."""

from __future__ import annotations

from strawberry.tools import merge_types

from app.graphql.mutations.assignments import AssignmentMutations
from app.graphql.mutations.cards import CardMutations
from app.graphql.mutations.collections import CollectionMutations
from app.graphql.mutations.dashboards import DashboardMutations
from app.graphql.mutations.datasets import DatasetMutations
from app.graphql.mutations.pages import PageMutations
from app.graphql.mutations.placements import PlacementMutations
from app.graphql.mutations.public_links import PublicLinkMutations
from app.graphql.mutations.revisions import RevisionMutations
from app.graphql.mutations.shares import ShareMutations
from app.graphql.mutations.templates import TemplateMutations
from app.graphql.mutations.widgets import WidgetMutations
from app.graphql.transfer import TransferMutations

Mutation = merge_types(
    "Mutation",
    (
        DashboardMutations,
        WidgetMutations,
        PlacementMutations,
        CollectionMutations,
        PageMutations,
        CardMutations,
        ShareMutations,
        DatasetMutations,
        TemplateMutations,
        PublicLinkMutations,
        AssignmentMutations,
        RevisionMutations,
        TransferMutations,
    ),
)
