"""The schema: the exported SDL (`schema`) and executable schemas with limits (`build_schema`)."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
)
from strawberry.relay import GlobalIDValueError
from strawberry.schema.config import StrawberryConfig

from app.graphql.cost import CostEstimator, CostLimiter, CostLimits
from app.graphql.document_limits import alias_limit, depth_limit
from app.graphql.errors import PublicQueryError
from app.graphql.mutations import Mutation
from app.graphql.operation_name import RequireOperationName
from app.graphql.queries import Query
from app.graphql.request_reader import CloseRequestReader
from app.graphql.subscription_checks import RefuseCheckedSubscriptions
from app.graphql.subscriptions import Subscription
from app.graphql.unavailable import UnavailableDatabase
from app.graphql.validation_cache import ValidationByDocument, Validations
from app.graphql.versioned_results import KeptAnswerExecutionContext
from app.observability import current_request_id
from app.observability.graphql_operation import OperationNoter
from app.settings import Settings

log = logging.getLogger(__name__)

CONFIG = StrawberryConfig(relay_max_results=100)

# The SDL in schema.graphql is exported from this object (`make schema`).
schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription, config=CONFIG)

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
    # Factories: strawberry builds fresh extension instances for every operation. The rule
    # classes are made once here: the validation cache keys on them, and a class made per
    # request (as a QueryDepthLimiter factory did) would never hit it.
    rules = _limit_rules(settings)
    # Validation results are kept per parsed document (the parser cache shares it).
    validations = Validations(max_documents=512)
    # Cost plans are cached per document, in the estimator, shared across requests.
    estimator = CostEstimator(
        CostLimits(
            max_cost=settings.graphql_max_cost,
            page_size_default=settings.page_size_default,
            page_size_max=settings.page_size_max,
            list_size=settings.graphql_cost_list_size,
        ),
    )
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationByDocument(validations),
        RequireOperationName,
        lambda: CostLimiter(estimator, report=settings.graphql_cost_in_response),
        # After the checks above: a subscription they refused is not subscribed.
        RefuseCheckedSubscriptions,
        lambda: MaskErrors(
            should_mask_error=_should_mask,
            error_message="Unexpected error; quote the X-Request-ID when reporting it.",
        ),
        # Outages become 503 answers (docs/faults.md), not masked errors.
        UnavailableDatabase,
        # The operation's name and type, for metrics, logs and traces.
        OperationNoter,
        # The loaders' read connection goes back to the pool when the operation ends.
        CloseRequestReader,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=CONFIG,
        extensions=extensions,
        execution_context_class=KeptAnswerExecutionContext,
    )


def _limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    rules: list[type[ASTValidationRule]] = [
        depth_limit(settings.graphql_max_depth),
        alias_limit(settings.graphql_max_aliases),
    ]
    if not settings.graphql_introspection:
        rules.extend(DisableIntrospection().validation_rules)
    return rules
