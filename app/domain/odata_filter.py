"""OData `$filter` expressions (a v4 subset) compiled to SQLAlchemy Core conditions.

The grammar, lowest precedence first (keywords are lower-case only, as in OData):

    filter     := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | primary
    primary    := "(" or_expr ")" | function | comparison
    function   := ("contains" | "startswith" | "endswith") "(" FIELD "," STRING ")"
    comparison := FIELD ("eq" | "ne" | "gt" | "ge" | "lt" | "le") literal
    literal    := STRING | NUMBER | DATE | DATETIME | "true" | "false" | "null"

STRING is single-quoted with `''` for a quote; NUMBER is `-12` or `12.5`; DATE is `2026-06-02`
(midnight UTC) and DATETIME `2026-06-02T10:30:00Z` (an offset is required; seconds and their
fraction are optional). Values only ever reach SQL as bound parameters, checked against the
field's type. Nulls follow OData's two-valued logic: a comparison with a null field is false,
`ne` is true, and so `not` also matches rows where the field is null. Unlike OData, the three
functions match case-insensitively; their text is matched literally (`%` and `_` included).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, Numeric, and_, literal, or_, true


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class FilterField:
    """A filterable field: the SQL to compare, and the kind of values it accepts."""

    column: ColumnElement[Any]
    type: FieldType


class ODataFilterError(Exception):
    """A `$filter` that cannot be used: `message` says what and where (for a 400 answer),
    `position` is the 0-based offset of the problem in the filter text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_NOUNS = {
    FieldType.STRING: "text",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATETIME: "date/time",
}
_OPERATORS: dict[str, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    "eq": operator.eq,
    "ne": lambda column, value: column.is_distinct_from(value),  # true when the field is null
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_PATTERNS = {"contains": "%{}%", "startswith": "{}%", "endswith": "%{}"}
_KEYWORDS = {"and", "or", "not", "true", "false", "null", *_OPERATORS, *_PATTERNS}
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]*(?:Z|[+-][0-9:]*)?)?)"
    r"|(?P<number>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<punct>[(),])",
    re.ASCII,
)
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2}))?",
    re.ASCII,
)
# NUL cannot be stored in PostgreSQL text, and lone surrogates cannot be encoded as UTF-8.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_INT64 = 2**63


class _Token(NamedTuple):
    kind: str  # date, number, word, string, "(", ")", "," or end
    text: str
    pos: int


class _Literal(NamedTuple):
    type: FieldType | None  # None for null
    value: Any
    token: _Token


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the filter"
    text = token.text if len(token.text) <= 40 else token.text[:37] + "..."
    return text if token.kind == "string" else f"'{text}'"


def _error(what: str, at: _Token | int, detail: str = "") -> ODataFilterError:
    """`what` is wrong at `at`; a keyword spelled in the wrong case earns a hint."""
    if isinstance(at, _Token):
        lower = at.text.lower()
        if at.kind == "word" and lower != at.text and lower in _KEYWORDS:
            detail += f" (keywords are lower-case: write '{lower}')"
        at = at.pos
    return ODataFilterError(f"{what} at position {at}{detail}", at)


def _tokens(text: str) -> Iterator[_Token]:
    """The tokens of `text`, lazily: errors come in reading order, wherever they are."""
    if forbidden := _FORBIDDEN.search(text):
        raise _error(f"character {forbidden.group()!r} not allowed", forbidden.start())
    pos = 0
    while pos < len(text):
        if (match := _TOKEN.match(text, pos)) is None:
            quote = text[pos] == "'"
            raise _error("unterminated text value" if quote else f"unexpected {text[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            yield _Token(match.group() if kind == "punct" else kind, match.group(), pos)
        pos = match.end()
    yield _Token("end", "", pos)


def _number(token: _Token) -> _Literal:
    value = Decimal(token.text)
    # Typed binds: an integer column compared with 12.5 or 2**70 must not fail in the driver.
    if "." not in token.text and -_INT64 <= value < _INT64:
        return _Literal(FieldType.NUMBER, literal(int(value), BigInteger()), token)
    return _Literal(FieldType.NUMBER, literal(value, Numeric()), token)


def _datetime(token: _Token) -> _Literal:
    try:
        if _ISO_DATETIME.fullmatch(token.text) is None:
            raise ValueError(token.text)
        if "T" not in token.text:
            value = datetime.combine(date.fromisoformat(token.text), time(), UTC)
        else:  # normalised to UTC here, so an out-of-range instant fails now, not in the driver
            value = datetime.fromisoformat(token.text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise _error(
            f"invalid date or time {_describe(token)}",
            token,
            "; write 2026-06-02 or 2026-06-02T10:30:00Z (send a '+' in an offset as %2B)",
        ) from None
    return _Literal(FieldType.DATETIME, value, token)


def _compare(name: str, field: FilterField, op: _Token, value: _Literal) -> ColumnElement[bool]:
    if value.type is None:
        if op.text not in ("eq", "ne"):
            raise _error("null can only be compared with eq or ne", value.token)
        return field.column.is_(None) if op.text == "eq" else field.column.is_not(None)
    if value.type is not field.type:
        nouns = _NOUNS[field.type], _describe(value.token), _NOUNS[value.type]
        raise _error("cannot compare {} ({}) with {} ({})".format(name, *nouns), value.token)
    if field.type is FieldType.BOOLEAN and op.text not in ("eq", "ne"):
        raise _error(f"'{op.text}' does not apply to {name} (boolean)", op, "; use eq or ne")
    return _OPERATORS[op.text](field.column, value.value)


def _like(function: str, column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(_PATTERNS[function].format(escaped), escape="\\")


def _unquote(token: _Token) -> str:
    return token.text[1:-1].replace("''", "'")


class _Parser:
    """Recursive descent over the tokens; `depth` bounds the recursion, `terms` the size."""

    def __init__(
        self, text: str, fields: Mapping[str, FilterField], max_depth: int, max_terms: int
    ) -> None:
        self.source, self.fields, self.index = _tokens(text), fields, 0
        self.tokens: list[_Token] = []
        self.max_depth, self.max_terms, self.depth, self.terms = max_depth, max_terms, 0, 0

    def peek(self, ahead: int = 0) -> _Token:
        while len(self.tokens) <= self.index + ahead and (token := next(self.source, None)):
            self.tokens.append(token)
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def at_word(self, word: str) -> bool:
        return self.peek().kind == "word" and self.peek().text == word

    def parse(self) -> ColumnElement[bool]:
        condition = self.or_expr()
        if (token := self.peek()).kind != "end":
            detail = "; expected 'and', 'or' or the end of the filter"
            raise _error(f"unexpected {_describe(token)}", token, detail)
        return condition

    def or_expr(self) -> ColumnElement[bool]:
        parts = [self.and_expr()]
        while self.at_word("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else or_(*parts)

    def and_expr(self) -> ColumnElement[bool]:
        parts = [self.unary()]
        while self.at_word("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else and_(*parts)

    def unary(self) -> ColumnElement[bool]:
        if not self.at_word("not"):
            return self.primary()
        self.enter(self.take())
        inner = self.unary()
        self.depth -= 1
        return inner.is_not(true())  # unlike NOT, also true where `inner` is NULL

    def primary(self) -> ColumnElement[bool]:
        token = self.peek()
        if token.kind == "(":
            self.enter(self.take())
            inner = self.or_expr()
            self.depth -= 1
            self.expect(")", f" to close the '(' at position {token.pos}")
            return inner
        if token.kind == ")":
            raise _error("unexpected ')'", token)
        self.count_term(token)
        if token.kind == "word" and self.peek(1).kind == "(":
            return self.function()
        name, field = self.field()
        if (op := self.take()).kind != "word" or op.text not in _OPERATORS:
            what = f"expected an operator (eq, ne, gt, ge, lt, le) after '{name}'"
            raise _error(what, op, f", found {_describe(op)}")
        return _compare(name, field, op, self.literal(op))

    def function(self) -> ColumnElement[bool]:
        function = self.take()
        if function.text not in _PATTERNS:
            detail = "; supported: contains, endswith, startswith"
            raise _error(f"unknown function '{function.text}'", function, detail)
        self.take()  # the "(" that made this a function call
        at = self.peek()
        name, field = self.field()
        if field.type is not FieldType.STRING:
            noun = _NOUNS[field.type]
            raise _error(f"'{function.text}' needs a text field", at, f"; {name} is a {noun}")
        self.expect(",", f" after '{name}'")
        if (text := self.take()).kind != "string":
            what = f"'{function.text}' needs a text value in quotes"
            raise _error(what, text, f", found {_describe(text)}")
        self.expect(")", f" to close '{function.text}('")
        return _like(function.text, field.column, _unquote(text))

    def field(self) -> tuple[str, FilterField]:
        token = self.take()
        if token.kind == "word" and token.text in self.fields:
            return token.text, self.fields[token.text]
        if token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise _error("expected a field name", token, f", found {_describe(token)}")
        names = sorted(self.fields)
        near = [name for name in names if name.lower() == token.text.lower()]
        hint = f" (names are case-sensitive: did you mean '{near[0]}'?)" if near else ""
        raise _error(
            f"unknown field '{token.text}'", token, f"{hint}; filterable fields: {', '.join(names)}"
        )

    def literal(self, op: _Token) -> _Literal:
        token = self.take()
        if token.kind == "string":
            return _Literal(FieldType.STRING, _unquote(token), token)
        if token.kind == "number":
            return _number(token)
        if token.kind == "date":
            return _datetime(token)
        if token.kind == "word" and token.text in ("true", "false", "null"):
            kind = None if token.text == "null" else FieldType.BOOLEAN
            return _Literal(kind, token.text == "true", token)
        unquoted = token.kind == "word" and token.text.lower() not in _KEYWORDS
        hint = " (text values need single quotes)" if unquoted else ""
        raise _error(
            f"expected a value after '{op.text}'", token, f", found {_describe(token)}{hint}"
        )

    def expect(self, kind: str, why: str) -> None:
        if (token := self.take()).kind != kind:
            raise _error(f"expected '{kind}'", token, f"{why}, found {_describe(token)}")

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _error(f"filter is nested deeper than {self.max_depth} levels", token)

    def count_term(self, token: _Token) -> None:
        self.terms += 1
        if self.terms > self.max_terms:
            raise _error(f"filter has more than {self.max_terms} conditions", token)


def parse_filter(
    text: str,
    fields: Mapping[str, FilterField],
    *,
    max_length: int = 2000,
    max_depth: int = 32,
    max_terms: int = 100,
) -> ColumnElement[bool]:
    """The SQL condition for the OData `$filter` `text` over `fields` (keyed by API name).
    `max_depth` bounds nested parentheses and `not`s together, `max_terms` the comparisons and
    function calls. Raises ODataFilterError, and nothing else, for any text that is not a
    usable filter."""
    if len(text) > max_length:
        raise ODataFilterError(f"$filter is longer than {max_length} characters", max_length)
    if not text.strip():
        raise ODataFilterError("$filter is empty", 0)
    return _Parser(text, fields, max_depth, max_terms).parse()
