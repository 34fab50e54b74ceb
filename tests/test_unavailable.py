"""Which errors mean the database is unavailable (app/unavailable.py). The end-to-end
behaviour, against a real server that is stopped, killed and starved, is in test_faults."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from app.errors import DomainError, ErrorCode, Problem
from app.unavailable import DATABASE_UNAVAILABLE, POOL_EXHAUSTED, Unavailable, classify


def wrapped(error: Exception) -> sa.DBAPIError:
    """As SQLAlchemy raises an asyncpg error: a DBAPIError whose `orig` is the driver
    adapter's error, raised from asyncpg's."""
    adapter_error = AsyncAdapt_asyncpg_dbapi.Error(str(error), error)
    adapter_error.__cause__ = error
    return sa.DBAPIError("SELECT 1", None, adapter_error)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "Connection refused"), DATABASE_UNAVAILABLE),
        (FileNotFoundError(2, "No such file or directory"), DATABASE_UNAVAILABLE),
        (TimeoutError(), DATABASE_UNAVAILABLE),
        (wrapped(asyncpg.AdminShutdownError("terminating connection")), DATABASE_UNAVAILABLE),
        (
            wrapped(asyncpg.CannotConnectNowError("the database is starting up")),
            DATABASE_UNAVAILABLE,
        ),
        (wrapped(asyncpg.TooManyConnectionsError("too many clients")), DATABASE_UNAVAILABLE),
        (wrapped(asyncpg.QueryCanceledError("statement timeout")), DATABASE_UNAVAILABLE),
        (
            wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")),
            DATABASE_UNAVAILABLE,
        ),
        (wrapped(asyncpg.InterfaceError("connection is closed")), DATABASE_UNAVAILABLE),
        (sa.TimeoutError("QueuePool limit of size 1 overflow 0 reached"), POOL_EXHAUSTED),
        (
            ExceptionGroup("loaders", [ValueError("x"), ConnectionResetError()]),
            DATABASE_UNAVAILABLE,
        ),
    ],
)
def test_outages_are_recognised(error: Exception, expected: Unavailable) -> None:
    assert classify(error) is expected


def _caused_by(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("a bug"),
        wrapped(asyncpg.UniqueViolationError("duplicate key")),
        wrapped(asyncpg.UndefinedTableError("relation does not exist")),
        # A misuse of the driver is a bug, not an outage.
        wrapped(
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
        ),
        # Handled already: a domain refusal that an outage elsewhere (a tile's data) caused.
        _caused_by(
            DomainError(Problem(ErrorCode.DATA_UNAVAILABLE, "the data is unavailable")), OSError()
        ),
    ],
)
def test_other_errors_are_not_outages(error: Exception) -> None:
    assert classify(error) is None


def test_the_answer_names_no_internals() -> None:
    for unavailable in (DATABASE_UNAVAILABLE, POOL_EXHAUSTED):
        assert unavailable.headers["Retry-After"].isdigit()
        assert unavailable.body == {"error": unavailable.message, "code": unavailable.code}
        assert "sql" not in unavailable.message.lower()
