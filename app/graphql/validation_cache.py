"""Validation results kept by the parsed document's identity.

strawberry's ValidationCache keys an lru_cache on the document itself, and graphql-core's AST
nodes are dataclasses whose hash walks the whole tree, on every lookup: a page-load query's
hundred nodes were hashed at every request. The parser cache (ParserCache, before this)
hands the same document object to every request sending the same text, so its identity is a
key that costs nothing; the document is held with its result, so the identity cannot be
reused while the entry lives."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


class Validations:
    """Validation results of the most recently used `max_documents` documents, per schema
    and rule set."""

    def __init__(self, max_documents: int) -> None:
        self._max_documents = max_documents
        self._results: OrderedDict[tuple[int, int, Rules], tuple[DocumentNode, Any]] = OrderedDict()

    def errors(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        kept = self._results.get(key)
        if kept is not None and kept[0] is document:
            self._results.move_to_end(key)
            return list(kept[1])
        errors = validate_document(schema, document, rules)
        self._results[key] = (document, tuple(errors))
        if len(self._results) > self._max_documents:
            self._results.popitem(last=False)
        return errors


class ValidationByDocument(SchemaExtension):
    """Replaces strawberry's ValidationCache: pass `lambda: ValidationByDocument(validations)`."""

    def __init__(self, validations: Validations) -> None:
        super().__init__()
        self._validations = validations

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:  # strawberry validates nothing it could not parse
            context.pre_execution_errors = self._validations.errors(
                context.schema._schema, document, context.validation_rules
            )
        yield
