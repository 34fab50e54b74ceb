"""OData `$filter` parsing (app/domain/odata_filter.py). Accepted filters are run against real
PostgreSQL over a VALUES list of dashboards and must select exactly the expected names;
rejected ones must fail with ODataFilterError at the right position; request text must only
ever reach SQL as bound values; and no input at all may raise anything else."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Boolean, ColumnElement, DateTime, Integer, String, column, select, values
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.odata_filter import FieldType, FilterField, ODataFilterError, parse_filter
from app.services import Services


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


SALES = "Sales Overview"
PIPELINE = "sales pipeline"
GROWTH = "100% Growth"
SNAKE = "snake_case"
OBRIEN = "O'Brien"
OPS = "Ops"
MARKETING = "Marketing"
SNAKEX = "snakeXcase"
ROWS = [  # name, type, widgetCount, createdAt, active, description
    (SALES, "report", 5, at("2026-01-15T09:00:00Z"), True, "Quarterly sales"),
    (PIPELINE, "report", 3, at("2026-03-01T00:00:00Z"), False, None),
    (GROWTH, "kpi", 1, at("2026-06-02T00:00:00Z"), True, "Growth of 100%"),
    (SNAKE, "kpi", 0, at("2026-06-02T10:30:00Z"), None, "under_score"),
    (OBRIEN, "team", 12, at("2025-12-31T23:59:59.5Z"), True, None),
    (OPS, "ops", 20, at("2026-06-02T12:00:00+02:00"), False, "It's 50/50"),
    (MARKETING, None, 7, at("2024-02-29T00:00:00Z"), True, "Campaigns"),
    (SNAKEX, "ops", 2, at("2026-07-01T00:00:00Z"), True, "back\\slash"),
]
ALL = {row[0] for row in ROWS}
DIALECT = postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
DASHBOARDS = values(
    column("name", String),
    column("type", String),
    column("widgetCount", Integer),
    column("createdAt", DateTime(timezone=True)),
    column("active", Boolean),
    column("description", String),
    name="dashboards",
).data(ROWS)
C = DASHBOARDS.c
FIELDS = {
    "name": FilterField(C.name, FieldType.STRING),
    "type": FilterField(C.type, FieldType.STRING),
    "widgetCount": FilterField(C.widgetCount, FieldType.NUMBER),
    "createdAt": FilterField(C.createdAt, FieldType.DATETIME),
    "active": FilterField(C.active, FieldType.BOOLEAN),
    "description": FilterField(C.description, FieldType.STRING),
}


@pytest.fixture
async def conn(services: Services) -> AsyncIterator[AsyncConnection]:
    async with services.db.engine.connect() as connection:
        yield connection


async def names(conn: AsyncConnection, text: str) -> set[str]:
    rows = await conn.execute(select(C.name).where(parse_filter(text, FIELDS)))
    return set(rows.scalars())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name eq 'Ops'", {OPS}),
        ("name eq 'ops'", set()),  # eq is case-sensitive
        ("type ne 'report'", ALL - {SALES, PIPELINE}),  # null type is ne
        ("widgetCount gt 5", {OBRIEN, OPS, MARKETING}),
        ("widgetCount ge 5", {SALES, OBRIEN, OPS, MARKETING}),
        ("widgetCount lt 2", {GROWTH, SNAKE}),
        ("widgetCount le 2", {GROWTH, SNAKE, SNAKEX}),
        ("widgetCount gt 2.5", {SALES, PIPELINE, OBRIEN, OPS, MARKETING}),
        ("widgetCount gt -1", ALL),
        ("widgetCount lt 99999999999999999999", ALL),  # beyond bigint: bound as numeric
        ("active eq true", {SALES, GROWTH, OBRIEN, MARKETING, SNAKEX}),
        ("active eq false", {PIPELINE, OPS}),
        ("active ne true", {PIPELINE, SNAKE, OPS}),
        ("active eq null", {SNAKE}),
        ("description eq null", {PIPELINE, OBRIEN}),
        ("description ne null", ALL - {PIPELINE, OBRIEN}),
        ("contains(name, 'SALES')", {SALES, PIPELINE}),
        ("startswith(name,'snake')", {SNAKE, SNAKEX}),
        ("endswith(name, 'VIEW')", {SALES}),
        ("contains(name, '%')", {GROWTH}),
        ("contains(name, '_')", {SNAKE}),
        ("startswith(name, 'snake_')", {SNAKE}),
        ("contains(description, '\\')", {SNAKEX}),
        ("contains(description, '''')", {OPS}),
        ("name eq 'O''Brien'", {OBRIEN}),
        ("type eq 'kpi' or type eq 'report' and active eq true", {SALES, GROWTH, SNAKE}),
        ("(type eq 'kpi' or type eq 'report') and active eq true", {SALES, GROWTH}),
        ("not active eq true", {PIPELINE, SNAKE, OPS}),  # null active included
        ("not contains(description, 'o')", ALL - {GROWTH, SNAKE}),
        ("not (widgetCount gt 5 or active eq false)", {SALES, GROWTH, SNAKE, SNAKEX}),
        ("not not name eq 'Ops'", {OPS}),
        ("type eq null or widgetCount eq 20", {MARKETING, OPS}),
        ("  (  name eq 'Ops'  )  ", {OPS}),
        ("contains(name,'sales')and(active eq true)", {SALES}),
        ("createdAt eq 2026-06-02", {GROWTH}),  # a date is midnight UTC
        ("createdAt ge 2026-06-02 and createdAt lt 2026-06-03", {GROWTH, SNAKE, OPS}),
        ("createdAt eq 2026-06-02T12:00:00+02:00", {OPS}),
        ("createdAt eq 2026-06-02T10:00:00Z", {OPS}),
        ("createdAt eq 2025-12-31T23:59:59.500Z", {OBRIEN}),
        ("createdAt gt 2026-06-02T10:15Z", {SNAKE, SNAKEX}),
        ("createdAt lt 2026-01-01T00:00:00-00:30", {OBRIEN, MARKETING}),
    ],
)
async def test_filters_select_exactly_the_expected_rows(
    conn: AsyncConnection, text: str, expected: set[str]
) -> None:
    assert await names(conn, text) == expected


@pytest.mark.parametrize(
    ("text", "position", "phrase"),
    [
        ("nme eq 'x'", 0, "unknown field 'nme' at position 0"),
        ("nme eq 'x'", 0, "fields: active, createdAt, description, name, type, widgetCount"),
        ("Name eq 'x'", 0, "did you mean 'name'"),
        ("name like 'x'", 5, "expected an operator (eq, ne, gt, ge, lt, le) after 'name'"),
        ("name EQ 'x'", 5, "write 'eq'"),
        ("name eq 'a' AND active eq true", 12, "write 'and'"),
        ("name eq", 7, "expected a value after 'eq' at position 7"),
        ("name eq and active eq true", 8, "expected a value after 'eq'"),
        ("name eq x' or '1'='1", 8, "text values need single quotes"),
        ("(name eq 'x'", 12, "expected ')' at position 12 to close the '(' at position 0"),
        ("name eq 'x')", 11, "unexpected ')' at position 11"),
        (")", 0, "unexpected ')'"),
        ("()", 1, "unexpected ')'"),
        ("name eq 'x", 8, "unterminated text value"),
        ("widgetCount eq '5'", 15, "cannot compare widgetCount (number) with '5' (text)"),
        ("name eq 5", 8, "cannot compare name (text) with '5' (number)"),
        ("name eq true", 8, "cannot compare name (text) with 'true' (boolean)"),
        ("createdAt eq 'yesterday'", 13, "cannot compare createdAt (date/time)"),
        ("name eq 2026-06-02", 8, "cannot compare name (text) with '2026-06-02' (date/time)"),
        ("active gt true", 7, "'gt' does not apply to active (boolean)"),
        ("active lt null", 10, "null can only be compared with eq or ne"),
        ("createdAt gt 2026-02-30", 13, "invalid date or time '2026-02-30'"),
        ("createdAt gt 2026-06-02T10:30:00", 13, "invalid date or time"),  # no offset
        ("createdAt gt 2026-06-02T10:30:00 05:00", 13, "%2B"),  # '+' decoded to a space
        ("createdAt gt 9999-12-31T23:00:00-05:00", 13, "invalid date or time"),  # past year 9999
        ("contains(widgetCount, '5')", 9, "'contains' needs a text field"),
        ("contains(widgetCount, '5')", 9, "widgetCount is a number"),
        ("contains(name, 5)", 15, "'contains' needs a text value in quotes"),
        ("contains(name 'x')", 14, "expected ','"),
        ("contains(name, 'x'", 18, "expected ')'"),
        ("substringof('x', name)", 0, "unknown function 'substringof'"),
        ("name eq 'x' garbage", 12, "unexpected 'garbage' at position 12"),
        ("widgetCount gt 12abc", 17, "unexpected 'abc'"),
        ("name eq 'a'; DROP TABLE t", 11, "unexpected ';'"),
        ("name eq 'a\x00'", 10, "not allowed"),
        ("", 0, "$filter is empty"),
        ("   ", 0, "$filter is empty"),
        ("name eq '" + "a" * 2000 + "'", 2000, "longer than 2000 characters"),
        ("not " * 100 + "name eq 'x'", 4 * 32, "nested deeper than 32 levels"),
        ("(" * 100 + "name eq 'x'" + ")" * 100, 32, "nested deeper than 32 levels"),
        (" or ".join(["name eq 'x'"] * 101), 1500, "more than 100 conditions"),
    ],
)  # fmt: skip
def test_bad_filters_say_what_and_where(text: str, position: int, phrase: str) -> None:
    with pytest.raises(ODataFilterError) as caught:
        parse_filter(text, FIELDS)
    assert phrase in caught.value.message
    assert caught.value.position == position
    assert str(caught.value) == caught.value.message


def test_limits_are_parameters() -> None:
    parse_filter("name eq 'x' and not (type eq 'y')", FIELDS, max_length=33, max_depth=2)
    with pytest.raises(ODataFilterError, match="longer than 10"):
        parse_filter("name eq 'x'", FIELDS, max_length=10)
    with pytest.raises(ODataFilterError, match="nested deeper than 1"):
        parse_filter("not (name eq 'x')", FIELDS, max_depth=1)
    with pytest.raises(ODataFilterError, match="more than 1 conditions"):
        parse_filter("name eq 'x' or contains(name, 'y')", FIELDS, max_terms=1)


@pytest.mark.parametrize(
    ("text", "expected", "attack"),
    [
        ("name eq 'x'' OR 1=1 --'", set(), "OR 1=1"),
        ("name eq 'x'' or ''1''=''1'", set(), "'1'"),
        ("contains(name, ''') OR true --')", set(), "OR true"),
        ("name eq 'Ops' or name eq 'x\"; DROP TABLE t; --'", {"Ops"}, "DROP"),
        ("name eq 'x'; DROP TABLE t; --'", None, "DROP"),
        ("name eq x' or '1'='1", None, "'1'"),
        ("(name) eq 'a'", None, "'a'"),
        ("name eq 'a' union select 1", None, "union"),
        ("name eq 'a' or 1 eq 1", None, "1 = 1"),
        ("widgetCount eq 1;select 1", None, "select"),
    ],
)
async def test_request_text_is_only_ever_a_bound_value(
    conn: AsyncConnection, text: str, expected: set[str] | None, attack: str
) -> None:
    if expected is None:
        with pytest.raises(ODataFilterError):
            parse_filter(text, FIELDS)
        return
    compiled = parse_filter(text, FIELDS).compile(dialect=DIALECT)
    assert attack not in str(compiled)
    assert any(attack in str(value) for value in compiled.params.values())  # bound instead
    assert await names(conn, text) == expected


def test_values_are_bound_with_their_types() -> None:
    compiled = parse_filter(
        "name eq 'O''Brien' or createdAt eq 2026-06-02 or widgetCount gt 2.5", FIELDS
    ).compile(dialect=DIALECT)
    assert "Brien" not in str(compiled)
    assert "2026" not in str(compiled)
    assert sorted(map(str, compiled.params.values())) == [
        "2.5",
        "2026-06-02 00:00:00+00:00",
        "O'Brien",
    ]
    offset = parse_filter("createdAt eq 2026-06-02T10:30:00.25+05:30", FIELDS)
    bound = offset.compile().params["createdAt_1"]
    assert bound == datetime(
        2026, 6, 2, 10, 30, 0, 250000, timezone(timedelta(hours=5, minutes=30))
    )
    assert bound.tzinfo == UTC


# Pieces the fuzzer strings together: valid tokens, near misses and hostile characters.
PIECES = [
    *FIELDS, "nme", "Name", "eq", "ne", "gt", "ge", "lt", "le", "EQ", "like", "and", "or", "not",
    "AND", "contains", "startswith", "endswith", "Contains", "true", "false", "null", "TRUE",
    "'x'", "'%_\\'", "'O''Brien'", "''", "'", "'''", "5", "-3", "2.5", "1e3", "1" * 25,
    "2026-06-02", "2026-06-02T10:30:00Z", "2026-06-02T10:30:00+05:30", "2026-13-45", "T10:30",
    "(", ")", ",", " ", "  ", "\t", ";", "--", "%", "\x00", "\ud800", "é", "+", ":", ".", "Z",
]  # fmt: skip


def well_formed(rng: random.Random, depth: int = 0) -> str:
    """A random filter from the grammar, with random (and hostile) values."""
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        joiner = rng.choice([" and ", " or "])
        return joiner.join(well_formed(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    if depth < 3 and roll < 0.4:
        return "not " + well_formed(rng, depth + 1)
    if depth < 3 and roll < 0.5:
        return "(" + well_formed(rng, depth + 1) + ")"
    text = "".join(rng.choices(["a", "%", "_", "\\", "''", "é", " ", "O"], k=rng.randint(0, 5)))
    if roll < 0.65:
        function = rng.choice(["contains", "startswith", "endswith"])
        field = rng.choice(["name", "type", "description"])
        return f"{function}({field}, '{text}')"
    op = rng.choice(["eq", "ne", "gt", "ge", "lt", "le"])
    field, value = rng.choice(
        [
            ("name", f"'{text}'"),
            ("widgetCount", rng.choice(["0", "-7", "2.25", "99999999999999999999"])),
            ("createdAt", rng.choice(["2026-06-02", "0001-01-01T00:00:00Z", "2026-06-02T10:30Z"])),
            ("description", "null"),
        ]
    )
    return f"{field} {'eq' if value == 'null' else op} {value}"


def mutate(rng: random.Random, text: str) -> str:
    """`text` with a random slice of up to 3 characters replaced by a random piece."""
    cut = rng.randrange(len(text) + 1)
    return text[:cut] + rng.choice(PIECES) + text[cut + rng.randint(0, 3) :]


def fuzz_cases(seed: int, count: int) -> list[str]:
    """Token soup, and well-formed filters with a few random mutations."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        if rng.random() < 0.5:
            pieces = rng.choices(PIECES, k=rng.randint(0, 14))
            cases.append("".join(piece + rng.choice(["", " ", " "]) for piece in pieces))
            continue
        text = well_formed(rng)
        for _ in range(rng.randint(0, 3)):
            text = mutate(rng, text)
        cases.append(text)
    return cases


def attempt(text: str) -> ColumnElement[bool] | ODataFilterError:
    """The condition for `text`, or the ODataFilterError; any other exception escapes."""
    try:
        return parse_filter(text, FIELDS)
    except ODataFilterError as error:
        return error


def test_fuzzed_text_raises_only_filter_errors() -> None:
    accepted = 0
    for text in fuzz_cases(seed=2026, count=4000):
        outcome = attempt(text)
        if isinstance(outcome, ODataFilterError):
            assert 0 <= outcome.position <= len(text), (text, outcome.position)
            assert outcome.message
        else:
            outcome.compile(dialect=DIALECT)
            accepted += 1
    assert 500 < accepted < 3500  # both paths are well exercised


async def test_accepted_fuzzed_filters_run_in_postgresql(conn: AsyncConnection) -> None:
    """What parses must also run: no driver or database error may turn into a 500."""
    ran = 0
    for text in fuzz_cases(seed=7, count=2000):
        if not isinstance(condition := attempt(text), ODataFilterError):
            rows = await conn.execute(select(C.name).where(condition))
            assert set(rows.scalars()) <= ALL
            ran += 1
    assert ran > 200
