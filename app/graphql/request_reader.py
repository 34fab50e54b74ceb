"""One database connection for all of a GraphQL request's DataLoader reads.

Loaders fire together, and one connection cannot run two statements at once; a connection
per batch (checkout, liveness ping, tenant binding, rollback and return, for every batch)
costs more than the reads themselves on a typical page load. Here the batches take turns on
one connection, opened at the first read, bound to the tenant once, and returned to the pool
when the operation ends (`CloseRequestReader`). Its transaction reads committed data, so the
fresh loaders a mutation makes after its write see that write."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.extensions import SchemaExtension

from app.context import Database

log = logging.getLogger(__name__)


class RequestReader:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._turn = asyncio.Lock()
        self._opened: AbstractAsyncContextManager[AsyncConnection] | None = None
        self._conn: AsyncConnection | None = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection, for one batch at a time."""
        async with self._turn:
            if self._conn is None:
                opened = self._db.reader()
                self._conn = await opened.__aenter__()
                self._opened = opened
            try:
                yield self._conn
            except BaseException:
                # A failed statement leaves the transaction unusable: start afresh next time.
                await self._close()
                raise

    async def close(self) -> None:
        async with self._turn:
            await self._close()

    async def _close(self) -> None:
        opened, conn = self._opened, self._conn
        self._opened, self._conn = None, None
        if opened is None or conn is None:
            return
        try:
            await opened.__aexit__(None, None, None)
        except Exception as error:
            # The connection broke (the server went away): the operation has its answer
            # already, and the pool must not get this connection back.
            log.warning("dropping a broken read connection: %s", type(error).__name__)
            with suppress(Exception):
                await conn.invalidate()


class CloseRequestReader(SchemaExtension):
    """Returns the request's read connection to the pool when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context: Any = self.execution_context.context
            reader = getattr(context, "reader", None)
            if isinstance(reader, RequestReader):
                await reader.close()
