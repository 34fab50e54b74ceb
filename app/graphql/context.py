"""The GraphQL context: the domain's RequestContext plus this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as StrawberryInfo

from app.context import RequestContext
from app.graphql.loaders import Loaders
from app.graphql.request_reader import RequestReader
from app.graphql.version_cache import VersionCache


@dataclass
class GraphQLContext:
    request: RequestContext
    # Dashboards' cards, pages and grants by version, shared by this process's requests.
    version_cache: VersionCache | None = None
    # Dashboards whose content this request read at another version than their row's
    # (a write committed between the reads): their answers are not kept (execution.py).
    read_elsewhere: set[int] = field(default_factory=set)
    loaders: Loaders = field(init=False)
    # The connection the loaders read on, closed when the operation ends.
    reader: RequestReader = field(init=False)

    def __post_init__(self) -> None:
        self.reader = RequestReader(self.request.db)
        self.loaders = Loaders(self.request, self.reader)

    def after_write(self) -> None:
        """Fresh loaders after a mutation, so nothing read before it is served stale."""
        self.loaders = Loaders(self.request, self.reader)


Info = StrawberryInfo[GraphQLContext, None]
