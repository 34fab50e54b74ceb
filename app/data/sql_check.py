"""Tile SQL is untrusted: it must be one read-only SELECT, checked with PostgreSQL's own parser
(pglast). `:name` placeholders refer to dashboard parameters and become bound `$n` parameters;
nothing from a request is ever pasted into the text.

The walls that hold whatever this check misses are the tenant's own database role, the READ
ONLY transaction and the statement timeout (app/data/sandbox.py); this check turns the common
mistakes and the known tricks into clear errors before anything runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from pglast import parse_sql
from pglast.parser import ParseError, scan
from pglast.visitors import Visitor

from app.errors import DomainError, ErrorCode, FieldPath, Problem

# Functions that write, wait on or signal other sessions, change settings, or run SQL given
# as a string (which would escape this check).
_DENIED_FUNCTIONS = frozenset(
    {
        "set_config",
        "pg_notify",
        "nextval",
        "setval",
        "txid_current",
        "pg_current_xact_id",
        "ts_stat",
        "ts_rewrite",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_stat_file",
    }
)
_DENIED_PREFIXES = (
    "pg_advisory",
    "pg_try_advisory",
    "dblink",
    "lo_",
    "pg_read",
    "pg_ls_",
    "pg_logical",
    "pg_replication",
    "pg_create",
    "pg_drop",
    "query_to_xml",
    "cursor_to_xml",
    "table_to_xml",
    "schema_to_xml",
    "database_to_xml",
)
_WRITES = ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt")
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})


@dataclass(frozen=True, slots=True)
class Placeholder:
    start: int
    end: int  # exclusive
    name: str


@dataclass(frozen=True, slots=True)
class CheckedSql:
    """SQL that passed the check, with the places of its `:name` placeholders."""

    text: str
    placeholders: tuple[Placeholder, ...]

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.name for p in self.placeholders))

    def positional(self, cast_for: Callable[[str], str]) -> tuple[str, tuple[str, ...]]:
        """The text with `$n::type` for each placeholder (one number per name) and the names
        in number order. `cast_for(name)` gives the PostgreSQL type to cast to."""
        names = self.parameter_names
        number = {name: index + 1 for index, name in enumerate(names)}
        text = self.text
        for p in sorted(self.placeholders, key=lambda p: p.start, reverse=True):
            text = f"{text[: p.start]}(${number[p.name]}::{cast_for(p.name)}){text[p.end :]}"
        return text, names


def _refuse(message: str, field: FieldPath) -> DomainError:
    return DomainError(Problem(ErrorCode.INVALID, message, field))


_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})


def _placeholders(sql: str, field: FieldPath) -> tuple[tuple[Placeholder, ...], int]:
    """The `:name` placeholders, and where the statement ends: before its trailing `;` (and
    comments), which would break a query put around it (a dashboard filter, a dataset)."""
    try:
        tokens = list(scan(sql))
    except ParseError as exc:
        raise _refuse(f"the SQL does not parse: {exc}", field) from exc
    found = []
    for token, following in itertools.pairwise(tokens):
        if token.name == "PARAM":
            raise _refuse(
                "positional parameters ($1) are not allowed; name dashboard parameters as :name",
                field,
            )
        # ':' directly followed by a name (not '::', which scans as one TYPECAST token).
        if token.name == "ASCII_58" and following.start == token.end + 1:
            name = sql[following.start : following.end + 1]
            if name.isidentifier():
                found.append(Placeholder(token.start, following.end + 1, name))
    if tokens and tokens[-1].name == "PARAM":
        raise _refuse("positional parameters ($1) are not allowed", field)
    end = len(sql)
    for token in reversed(tokens):
        if token.name == "ASCII_59":  # ';'
            end = token.start
        elif token.name not in _COMMENTS:
            break
    return tuple(found), end


class _Inspector(Visitor):
    def __init__(self, tenant_schema: str) -> None:
        super().__init__()
        self.tenant_schema = tenant_schema
        self.problems: list[str] = []

    def visit(self, ancestors: object, node: object) -> None:
        kind = type(node).__name__
        if kind in _WRITES:
            self.problems.append("only SELECT is allowed: the query may not write data")
        elif kind == "SelectStmt":
            if getattr(node, "intoClause", None) is not None:
                self.problems.append("SELECT … INTO creates a table and is not allowed")
            if getattr(node, "lockingClause", None):
                self.problems.append("FOR UPDATE/SHARE locks rows and is not allowed")
        elif kind == "FuncCall":
            self._function(node)
        elif kind == "RangeVar":
            self._relation(node)

    def _function(self, node: object) -> None:
        name = ".".join(part.sval for part in node.funcname).lower()  # type: ignore[attr-defined]
        bare = name.rsplit(".", 1)[-1]
        if bare in _DENIED_FUNCTIONS or bare.startswith(_DENIED_PREFIXES):
            self.problems.append(f"the function {name}() is not allowed in tile SQL")

    def _relation(self, node: object) -> None:
        schema = node.schemaname  # type: ignore[attr-defined]
        relation = node.relname  # type: ignore[attr-defined]
        if schema in _SYSTEM_SCHEMAS or (schema is None and relation.startswith("pg_")):
            name = f"{schema}.{relation}" if schema else relation
            self.problems.append(f"system catalog {name} is not readable from tile SQL")
        elif schema is not None and schema != self.tenant_schema:
            self.problems.append(
                f"{schema}.{relation} is outside your data; name tables without a schema"
            )


def check_tile_sql(
    sql: object, *, tenant_schema: str, max_chars: int, field: FieldPath
) -> CheckedSql:
    """The SQL if it is a single read-only SELECT, else a refusal saying why."""
    if not isinstance(sql, str) or not sql.strip():
        raise DomainError(Problem(ErrorCode.REQUIRED, "sql must be a non-empty string", field))
    if len(sql) > max_chars:
        raise DomainError(
            Problem(ErrorCode.TOO_LONG, f"sql may be at most {max_chars} characters", field)
        )
    if "\x00" in sql:
        raise _refuse("sql may not contain NUL characters", field)
    placeholders, end = _placeholders(sql, field)
    # Parse with $n in place of :name, which is what PostgreSQL will see.
    parsable = CheckedSql(sql, placeholders).positional(lambda _: "text")[0]
    try:
        statements = parse_sql(parsable)
    except ParseError as exc:
        raise _refuse(f"the SQL does not parse: {exc}", field) from exc
    if len(statements) != 1:
        raise _refuse(f"send exactly one statement (got {len(statements)})", field)
    if type(statements[0].stmt).__name__ != "SelectStmt":
        raise _refuse("only a SELECT (or WITH … SELECT) is allowed", field)
    inspector = _Inspector(tenant_schema)
    inspector(statements)
    if inspector.problems:
        raise DomainError(
            *(Problem(ErrorCode.INVALID, m, field) for m in dict.fromkeys(inspector.problems))
        )
    return CheckedSql(sql[:end], placeholders)
