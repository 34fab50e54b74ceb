"""The database is unavailable: which errors mean it, and how a client is told.

A request that fails because PostgreSQL is down, restarting, refusing connections, killed
its connection or did not answer in time, or because every pooled connection stayed busy
for DB_POOL_TIMEOUT_SECONDS, is answered 503 with `Retry-After` and a code
(`DATABASE_UNAVAILABLE`, `POOL_EXHAUSTED`), never a 500: it is not a bug, and retrying
later succeeds. The message names no internals (no SQL, no host names)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
from sqlalchemy import exc as sa

log = logging.getLogger(__name__)

STATUS = 503


@dataclass(frozen=True, slots=True)
class Unavailable:
    code: str
    message: str
    retry_after_seconds: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}

    @property
    def body(self) -> dict[str, str]:
        return {"error": self.message, "code": self.code}


# No promise that nothing was changed: the connection may have died during a COMMIT, or
# while the answer to a committed write was being read back.
DATABASE_UNAVAILABLE = Unavailable(
    "DATABASE_UNAVAILABLE", "the database is unavailable at the moment; retry in 5 seconds", 5
)
POOL_EXHAUSTED = Unavailable(
    "POOL_EXHAUSTED", "every database connection is busy; retry in 1 second", 1
)
CODES = frozenset({DATABASE_UNAVAILABLE.code, POOL_EXHAUSTED.code})
BY_CODE = {u.code: u for u in (DATABASE_UNAVAILABLE, POOL_EXHAUSTED)}

# SQLSTATE classes that mean "the server, not the request": 08 connection exception,
# 53 insufficient resources (too many connections, out of memory, disk full),
# 57 operator intervention (admin/crash shutdown, cannot connect now, statement timeout).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
# How far down the chain of causes to look (SQLAlchemy → driver adapter → asyncpg → OS).
_MAX_CHAIN = 8
# Only errors of the database's own layers are looked into: a domain error or a GraphQL
# error *caused* by an outage somewhere (a tile's data source, say) has been handled
# already, and says what it means itself.
_DRIVER_ERRORS = (
    sa.SQLAlchemyError,
    sa.EmulatedDBAPIException,  # the driver adapter's errors, between SQLAlchemy and asyncpg
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    BaseExceptionGroup,
)


def classify(error: BaseException) -> Unavailable | None:
    """What `error` says of the database's availability: None when it is not an outage."""
    for cause in _chain(error):
        if isinstance(cause, sa.TimeoutError):
            return POOL_EXHAUSTED  # QueuePool's wait for a connection ran out
        if _means_outage(cause):
            return DATABASE_UNAVAILABLE
    return None


def recognise(error: BaseException) -> Unavailable | None:
    """`classify`, logged when it is an outage: one warning line, no traceback (an outage
    is not a bug, and a traceback per request would flood the log while it lasts)."""
    unavailable = classify(error)
    if unavailable is not None:
        log.warning("%s: %s: %s", unavailable.code, type(error).__name__, _first_line(error))
    return unavailable


def _means_outage(error: BaseException) -> bool:
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, asyncpg.InterfaceError):
        # "connection is closed", "connection was closed in the middle of operation";
        # other interface errors (a misuse of the driver) are bugs, not outages.
        return "closed" in str(error)
    # ConnectionRefusedError, ConnectionResetError, a missing unix socket, a name that does
    # not resolve, and TimeoutError (asyncpg's connect and command timeouts).
    if isinstance(error, OSError):
        return True
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then, for database-layer errors, what they wrap: SQLAlchemy's `orig`,
    `__cause__`, `__context__`, the members of an exception group; each once, at most
    _MAX_CHAIN deep."""
    seen: set[int] = set()
    pending: list[tuple[BaseException, int]] = [(error, 0)]
    while pending:
        current, depth = pending.pop(0)
        if id(current) in seen or depth > _MAX_CHAIN:
            continue
        seen.add(id(current))
        yield current
        if not isinstance(current, _DRIVER_ERRORS):
            continue
        wrapped: list[BaseException | None] = [
            getattr(current, "orig", None),
            current.__cause__,
            current.__context__,
        ]
        if isinstance(current, BaseExceptionGroup):
            wrapped.extend(current.exceptions)
        pending.extend((w, depth + 1) for w in wrapped if isinstance(w, BaseException))


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "-"
