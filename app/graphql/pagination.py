"""Cursor connections (Relay): `first`/`after`, capped page size, lazily counted totals."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from app.graphql.errors import PublicQueryError
from app.ids import parse_database_id
from app.settings import Settings

NodeT = TypeVar("NodeT")
_CURSOR_PREFIX = "cursor:v1:"


def encode_cursor(database_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{database_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise PublicQueryError(f"'after' is not a cursor this API gave out: {cursor!r}") from exc
    database_id = parse_database_id(raw.removeprefix(_CURSOR_PREFIX))
    if not raw.startswith(_CURSOR_PREFIX) or database_id is None:
        raise PublicQueryError(f"'after' is not a cursor this API gave out: {cursor!r}")
    return database_id


def page_window(first: int | None, after: str | None, settings: Settings) -> tuple[int, int | None]:
    """(limit, after_id) from the arguments, refusing sizes outside 0..page_size_max."""
    limit = settings.page_size_default if first is None else first
    if not 0 <= limit <= settings.page_size_max:
        raise PublicQueryError(
            f"'first' must be between 0 and {settings.page_size_max} (got {limit})"
        )
    return limit, decode_cursor(after) if after is not None else None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The nodes of this page, without their edges.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection(
    nodes: Sequence[NodeT],
    ids: Sequence[int],
    *,
    has_next: bool,
    had_cursor: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    edges = [Edge(cursor=encode_cursor(i), node=node) for i, node in zip(ids, nodes, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=had_cursor,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )
