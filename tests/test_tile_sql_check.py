"""The tile SQL check (app/data/sql_check.py): one read-only SELECT, parsed by PostgreSQL's own
parser, with `:name` placeholders turned into bound, typed `$n` parameters. Pure unit tests:
the database walls that hold on their own are in test_sandbox_walls.py."""

from __future__ import annotations

import pytest

from app.data.sql_check import CheckedSql, check_tile_sql
from app.errors import DomainError, ErrorCode

SCHEMA = "tenant_data_7"
MAX_CHARS = 2_000
FIELD = ("data_source", "sql")


def check(sql: object, *, max_chars: int = MAX_CHARS) -> CheckedSql:
    return check_tile_sql(sql, tenant_schema=SCHEMA, max_chars=max_chars, field=FIELD)


def refusal(sql: object, *, max_chars: int = MAX_CHARS) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check(sql, max_chars=max_chars)
    error = caught.value
    assert all(p.field == FIELD for p in error.problems)
    return error


def messages(error: DomainError) -> str:
    return " | ".join(p.message for p in error.problems)


# Accepted.


@pytest.mark.parametrize(
    ("sql", "names"),
    [
        ("SELECT 1", ()),
        ("select region, sum(revenue) from sales group by region order by 2 desc", ()),
        ("WITH eu AS (SELECT * FROM sales WHERE region = 'EU') SELECT count(*) FROM eu", ()),
        (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
            "SELECT i FROM n",
            (),
        ),
        ("SELECT region FROM sales UNION SELECT product FROM sales", ()),
        ("SELECT 1 INTERSECT SELECT 1 EXCEPT SELECT 2", ()),
        (
            "SELECT region, revenue, rank() OVER (PARTITION BY region ORDER BY revenue DESC), "
            "sum(revenue) OVER w FROM sales WINDOW w AS (ORDER BY order_date)",
            (),
        ),
        ("SELECT * FROM sales s JOIN LATERAL (SELECT s.units * 2 AS twice) t ON true", ()),
        (f"SELECT * FROM {SCHEMA}.sales", ()),
        ("SELECT pg_sleep(0)", ()),  # the timeout stops it, not the check
        ("SELECT * FROM sales WHERE region = :region", ("region",)),
        ("SELECT * FROM sales WHERE region = ANY(:regions)", ("regions",)),
        ("SELECT * FROM sales WHERE order_date >= :since AND units > :min", ("since", "min")),
        ("SELECT :a, :b, :a, :b", ("a", "b")),
        ("SELECT :limit, :select", ("limit", "select")),  # keywords are fine names
        ("SELECT units::int, :a::int FROM sales", ("a",)),
        ("SELECT units :: int FROM sales", ()),
        ("SELECT ':x', E'\\':y', 'it''s :z' FROM sales", ()),
        ("SELECT $$ :x $$, $tag$ :y ; DROP TABLE t $tag$", ()),
        ("SELECT 1 -- :x\n, 2 /* :y */", ()),
        ('SELECT ":x" FROM (SELECT 1 AS ":x") t', ()),
        ("SELECT 'héllo €', :after_unicode", ("after_unicode",)),
    ],
)
def test_accepted(sql: str, names: tuple[str, ...]) -> None:
    checked = check(sql)
    assert checked.parameter_names == names
    assert checked.text == sql


def test_trailing_semicolons_and_comments_are_cut_so_a_query_can_go_around_it() -> None:
    # A dashboard filter or a dataset puts the SQL in a subquery: a `;` there breaks it.
    assert check("SELECT 1;").text == "SELECT 1"
    assert check("SELECT 1 ; -- done\n;  ").text == "SELECT 1 "
    assert check("SELECT 1 -- note\n;").text == "SELECT 1 -- note\n"
    assert check("SELECT ';' -- ;").text == "SELECT ';' -- ;"


# Placeholders.


def test_placeholders_record_their_places() -> None:
    sql = "SELECT :a::int + 1 WHERE x = :bb"
    checked = check(sql)
    assert [(sql[p.start : p.end], p.name) for p in checked.placeholders] == [
        (":a", "a"),
        (":bb", "bb"),
    ]


def test_positional_numbers_names_in_order_and_casts_each() -> None:
    checked = check("SELECT :b, :a::int, ':c', :b -- :d")
    casts = {"a": "bigint", "b": "text[]"}
    text, names = checked.positional(casts.__getitem__)
    assert names == ("b", "a")
    assert text == "SELECT ($1::text[]), ($2::bigint)::int, ':c', ($1::text[]) -- :d"


def test_positional_without_placeholders_is_the_text() -> None:
    checked = check("SELECT 1::int")
    assert checked.positional(lambda _: "text") == ("SELECT 1::int", ())


def test_positional_keeps_non_ascii_text_in_place() -> None:
    checked = check("SELECT 'Ünïcødé 😀' AS x, :p")
    assert checked.positional(lambda _: "date") == ("SELECT 'Ünïcødé 😀' AS x, ($1::date)", ("p",))


def test_a_cast_never_becomes_a_placeholder() -> None:
    checked = check("SELECT now()::date, '1'::int, :n::numeric(10, 2)")
    assert checked.parameter_names == ("n",)
    assert len(checked.placeholders) == 1


# Refused.


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("INSERT INTO sales VALUES ('EU')", "only a SELECT"),
        ("UPDATE sales SET units = 0", "only a SELECT"),
        ("DELETE FROM sales", "only a SELECT"),
        (
            "MERGE INTO sales s USING sales t ON s.region = t.region WHEN MATCHED THEN DELETE",
            "only a SELECT",
        ),
        ("TRUNCATE sales", "only a SELECT"),
        ("CREATE TABLE x (a int)", "only a SELECT"),
        ("DROP TABLE sales", "only a SELECT"),
        ("SET ROLE postgres", "only a SELECT"),
        ("SET statement_timeout = 0", "only a SELECT"),
        ("COPY sales TO STDOUT", "only a SELECT"),
        ("EXPLAIN ANALYZE SELECT 1", "only a SELECT"),
        ("DO $$ BEGIN PERFORM 1; END $$", "only a SELECT"),
        ("BEGIN", "only a SELECT"),
        ("WITH d AS (DELETE FROM sales RETURNING *) SELECT * FROM d", "may not write data"),
        ("WITH i AS (INSERT INTO sales DEFAULT VALUES RETURNING 1) SELECT 1", "may not write"),
        ("WITH u AS (UPDATE sales SET units = 1 RETURNING 1) SELECT * FROM u", "may not write"),
        ("SELECT 1; SELECT 2", "exactly one statement (got 2)"),
        ("SELECT 1; DROP TABLE sales", "exactly one statement (got 2)"),
        ("SELECT 1; DROP TABLE sales;", "exactly one statement (got 2)"),
        ("SELECT * INTO copy FROM sales", "SELECT … INTO"),
        ("SELECT * FROM sales FOR UPDATE", "FOR UPDATE/SHARE"),
        ("SELECT * FROM sales FOR SHARE SKIP LOCKED", "FOR UPDATE/SHARE"),
        ("SELECT * FROM (SELECT * FROM sales FOR NO KEY UPDATE) s", "FOR UPDATE/SHARE"),
        ("SELECT set_config('role', 'postgres', false)", "set_config() is not allowed"),
        ("SELECT pg_catalog.set_config('statement_timeout', '0', false)", "set_config()"),
        ("SELECT \"set_config\"('x.y', '1', true)", "set_config()"),
        ("SELECT pg_advisory_lock(1)", "pg_advisory_lock() is not allowed"),
        ("SELECT pg_try_advisory_xact_lock(1)", "pg_try_advisory_xact_lock()"),
        ("SELECT query_to_xml('select * from public.tenants', true, true, '')", "query_to_xml()"),
        ("SELECT * FROM sales WHERE query_to_xmlschema('x', true, true, '') IS NULL", "query_to"),
        ("SELECT table_to_xml('public.dashboards', true, true, '')", "table_to_xml()"),
        ("SELECT ts_stat('select 1')", "ts_stat()"),
        ("SELECT ts_rewrite('a'::tsquery, 'SELECT * FROM public.tenants')", "ts_rewrite()"),
        ("SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", "dblink()"),
        ("SELECT dblink_exec('drop table x')", "dblink_exec()"),
        ("SELECT pg_read_file('/etc/passwd')", "pg_read_file() is not allowed"),
        ("SELECT pg_read_binary_file('/etc/passwd')", "pg_read_binary_file()"),
        ("SELECT pg_ls_dir('.')", "pg_ls_dir()"),
        ("SELECT lo_import('/etc/passwd')", "lo_import()"),
        ("SELECT nextval('s')", "nextval()"),
        ("SELECT pg_notify('c', 'x')", "pg_notify()"),
        ("SELECT pg_terminate_backend(1)", "pg_terminate_backend()"),
        ("SELECT pg_cancel_backend(1)", "pg_cancel_backend()"),
        ("SELECT txid_current()", "txid_current()"),
        ("SELECT * FROM pg_class", "system catalog pg_class"),
        ("SELECT * FROM pg_roles", "system catalog pg_roles"),
        ("SELECT * FROM pg_stat_activity", "system catalog pg_stat_activity"),
        ("SELECT * FROM pg_catalog.pg_roles", "system catalog pg_catalog.pg_roles"),
        ('SELECT * FROM "pg_catalog"."pg_authid"', "system catalog pg_catalog.pg_authid"),
        ("SELECT * FROM information_schema.tables", "information_schema.tables"),
        ("SELECT * FROM pg_toast.pg_toast_1", "system catalog"),
        ('SELECT * FROM U&"\\0070g_class"', "system catalog pg_class"),
        ("SELECT * FROM sales WHERE EXISTS (SELECT 1 FROM pg_shadow)", "pg_shadow"),
        ("SELECT * FROM public.dashboards", "public.dashboards is outside your data"),
        ("SELECT * FROM ONLY public.tenants", "public.tenants is outside your data"),
        ("SELECT (SELECT count(*) FROM public.tenants)", "public.tenants is outside"),
        ("TABLE public.dashboards", "public.dashboards is outside"),
        ("SELECT * FROM tenant_data_999.x", "tenant_data_999.x is outside your data"),
        ("SELECT * FROM sales JOIN tenant_data_8.sales o USING (region)", "tenant_data_8.sales"),
        ("WITH s AS (SELECT * FROM tenant_data_8.sales) SELECT * FROM s", "tenant_data_8.sales"),
        ("SELECT * FROM otherdb.public.dashboards", "public.dashboards is outside"),
    ],
)
def test_refused(sql: str, expected: str) -> None:
    error = refusal(sql)
    assert error.code is ErrorCode.INVALID
    assert expected in messages(error), messages(error)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT $1",
        "SELECT * FROM sales WHERE region = $1 AND units > 2",
        "SELECT * FROM sales WHERE region = $2 OR :x IS NULL",
    ],
)
def test_positional_parameters_are_refused(sql: str) -> None:
    error = refusal(sql)
    assert "positional parameters ($1) are not allowed" in messages(error)


def test_every_problem_is_reported_once() -> None:
    error = refusal(
        "SELECT set_config('a', 'b', false), set_config('a', 'b', false) FROM public.dashboards"
    )
    assert sorted(p.message for p in error.problems) == [
        "public.dashboards is outside your data; name tables without a schema",
        "the function set_config() is not allowed in tile SQL",
    ]


@pytest.mark.parametrize("sql", ["", "   \n\t", None, 42, ["SELECT 1"]])
def test_empty_or_not_a_string_is_required(sql: object) -> None:
    error = refusal(sql)
    assert error.code is ErrorCode.REQUIRED
    assert messages(error) == "sql must be a non-empty string"


def test_too_long() -> None:
    sql = "SELECT 1" + " " * 200
    assert check(sql, max_chars=len(sql)).text == sql
    error = refusal(sql + " ", max_chars=len(sql))
    assert error.code is ErrorCode.TOO_LONG
    assert messages(error) == f"sql may be at most {len(sql)} characters"


def test_nul_is_refused() -> None:
    error = refusal("SELECT 1\x00; DROP TABLE sales")
    assert messages(error) == "sql may not contain NUL characters"


@pytest.mark.parametrize(
    ("sql", "postgres_says"),
    [
        ("SELEC 1", 'syntax error at or near "SELEC"'),
        ("SELECT * FROM", "syntax error at end of input"),
        ("SELECT 'unterminated", "unterminated quoted string"),
        ("SELECT (1", "syntax error at end of input"),
        ("SELECT :1", 'syntax error at or near ":"'),
        ("SELECT 1 \\; SELECT 2", "syntax error"),
    ],
)
def test_syntax_errors_quote_postgresql(sql: str, postgres_says: str) -> None:
    error = refusal(sql)
    assert error.code is ErrorCode.INVALID
    assert messages(error).startswith("the SQL does not parse: ")
    assert postgres_says in messages(error)
