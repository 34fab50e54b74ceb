"""The schema: the exported SDL (`schema`) and executable schemas with limits (`build_schema`)."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.relay import GlobalIDValueError
from strawberry.schema.config import StrawberryConfig

from app.graphql.errors import PublicQueryError
from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.observability import current_request_id
from app.observability.graphql_operation import OperationNoter
from app.settings import Settings

log = logging.getLogger(__name__)

CONFIG = StrawberryConfig(relay_max_results=100)

# The SDL in schema.graphql is exported from this object (`make schema`).
schema = strawberry.Schema(query=Query, mutation=Mutation, config=CONFIG)

_PUBLIC_ERRORS = (GraphQLError, PublicQueryError, GlobalIDValueError)


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, _PUBLIC_ERRORS):
        return False
    log.error(
        "unexpected error in a GraphQL resolver (request %s)",
        current_request_id(),
        exc_info=original,
    )
    return True


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories: strawberry builds fresh extension instances for every operation.
    # The parser and validation caches live at module level, shared across requests.
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaskErrors(
            should_mask_error=_should_mask,
            error_message="Unexpected error; quote the X-Request-ID when reporting it.",
        ),
        # The operation's name and type, for metrics, logs and traces.
        OperationNoter,
    ]
    if not settings.graphql_introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=Query, mutation=Mutation, config=CONFIG, extensions=extensions)
