"""Dashboard parameters (app/domain/parameters.py): declarations, request values checked
against them, and their JSON form. Pure unit tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from app.domain.parameters import (
    LIST_MAX,
    TEXT_MAX,
    FilterOperator,
    ParameterDef,
    ParameterType,
    as_json,
    check_definitions,
    coerce,
    definitions,
    resolve,
)
from app.domain.validation import Problems
from app.errors import DomainError, ErrorCode, Problem


def problems_of(raw: Any) -> list[Problem]:
    problems = Problems()
    check_definitions(problems, raw)
    with pytest.raises(DomainError) as caught:
        problems.raise_if_any()
    return list(caught.value.problems)


def no_problems(raw: Any) -> None:
    problems = Problems()
    check_definitions(problems, raw)
    assert not problems.found


# Declarations.


def test_the_documented_example() -> None:
    raw = {
        "region": {
            "type": "string",
            "multiple": True,
            "default": ["EU", "US"],
            "public": True,
            "field": "region",
            "operator": "in",
            "label": "Region",
        },
        "since": {"type": "date", "default": "2026-01-01"},
        "year": 2026,
    }
    no_problems(raw)
    declared = definitions(raw)
    assert declared == {
        "region": ParameterDef(
            "region",
            ParameterType.STRING,
            multiple=True,
            default=["EU", "US"],
            public=True,
            field="region",
            operator=FilterOperator.IN,
            label="Region",
        ),
        "since": ParameterDef("since", ParameterType.DATE, default=dt.date(2026, 1, 1)),
        "year": ParameterDef("year", ParameterType.INTEGER, default=2026),
    }
    assert declared["region"].pg_type == "text[]"
    assert declared["since"].pg_type == "date"
    assert declared["year"].pg_type == "bigint"


@pytest.mark.parametrize(
    ("kind", "pg_type"),
    [
        ("string", "text"),
        ("integer", "bigint"),
        ("number", "numeric"),
        ("boolean", "boolean"),
        ("date", "date"),
        ("datetime", "timestamptz"),
    ],
)
def test_every_type_and_its_postgresql_type(kind: str, pg_type: str) -> None:
    declared = definitions({"p": {"type": kind}, "ps": {"type": kind, "multiple": True}})
    assert declared["p"].type is ParameterType(kind)
    assert declared["p"].pg_type == pg_type
    assert declared["ps"].pg_type == pg_type + "[]"


def test_the_type_defaults_to_string() -> None:
    assert definitions({"p": {}})["p"] == ParameterDef("p", ParameterType.STRING)


@pytest.mark.parametrize(
    ("bare", "expected"),
    [
        (2026, ParameterDef("p", ParameterType.INTEGER, default=2026)),
        (1.5, ParameterDef("p", ParameterType.NUMBER, default=Decimal("1.5"))),
        (True, ParameterDef("p", ParameterType.BOOLEAN, default=True)),
        (False, ParameterDef("p", ParameterType.BOOLEAN, default=False)),
        ("EU", ParameterDef("p", ParameterType.STRING, default="EU")),
        (
            ["EU", "US"],
            ParameterDef("p", ParameterType.STRING, multiple=True, default=["EU", "US"]),
        ),
        ([1, 2], ParameterDef("p", ParameterType.INTEGER, multiple=True, default=[1, 2])),
        ([True], ParameterDef("p", ParameterType.BOOLEAN, multiple=True, default=[True])),
        (None, ParameterDef("p", ParameterType.STRING)),
    ],
)
def test_a_bare_value_declares_its_type_with_it_as_default(bare: Any, expected: Any) -> None:
    no_problems({"p": bare})
    assert definitions({"p": bare})["p"] == expected


def test_allowed_values_and_defaults_are_coerced_to_the_type() -> None:
    declared = definitions(
        {
            "n": {"type": "integer", "values": [1, "2", 3], "default": "2"},
            "x": {"type": "number", "default": "1.25"},
            "d": {"type": "date", "multiple": True, "default": ["2026-01-01", "2026-02-01"]},
            "t": {"type": "datetime", "default": "2026-01-01T10:00:00"},
            "b": {"type": "boolean", "default": "false"},
        }
    )
    assert declared["n"].allowed == (1, 2, 3)
    assert declared["n"].default == 2
    assert declared["x"].default == Decimal("1.25")
    assert declared["d"].default == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert declared["t"].default == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    assert declared["b"].default is False


def test_flags_and_filters() -> None:
    declared = definitions(
        {
            "one": {"field": "region"},
            "many": {"field": "region", "multiple": True},
            "since": {"type": "date", "field": "order_date", "operator": "gte"},
            "set": {"required": True, "public": True, "label": "Set"},
        }
    )
    assert (declared["one"].field, declared["one"].operator) == ("region", FilterOperator.EQ)
    assert (declared["many"].field, declared["many"].operator) == ("region", FilterOperator.IN)
    assert declared["since"].operator is FilterOperator.GTE
    assert declared["set"].required
    assert declared["set"].public
    assert declared["set"].label == "Set"
    assert declared["set"].field is None
    assert declared["set"].operator is None


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        (
            {"p": {"type": "colour"}},
            ("parameters", "p", "type"),
            "parameter p: type must be one of string, integer, number, boolean, date, datetime",
        ),
        ({"p": {"type": ["string"]}}, ("parameters", "p", "type"), "type must be one of"),
        (
            {"p": {"type": "date", "default": "tomorrow"}},
            ("parameters", "p", "default"),
            "default must be an ISO 8601 date (got 'tomorrow')",
        ),
        (
            {"p": {"type": "integer", "default": "twelve"}},
            ("parameters", "p", "default"),
            "default must be an integer",
        ),
        (
            {"p": {"type": "integer", "values": [1, 2], "default": 3}},
            ("parameters", "p", "default"),
            "default must be one of 1, 2",
        ),
        (
            {"p": {"type": "integer", "values": [1, "x"]}},
            ("parameters", "p", "values"),
            "values: each must be an integer",
        ),
        ({"p": {"values": []}}, ("parameters", "p", "values"), "values must be a non-empty list"),
        ({"p": {"values": "EU"}}, ("parameters", "p", "values"), "values must be a non-empty"),
        (
            {"p": {"multiple": "yes"}},
            ("parameters", "p", "multiple"),
            "multiple must be true or false",
        ),
        ({"p": {"public": 1}}, ("parameters", "p", "public"), "public must be true or false"),
        ({"p": {"field": 5}}, ("parameters", "p", "field"), "field must be a column name"),
        ({"p": {"field": ""}}, ("parameters", "p", "field"), "field must be a column name"),
        (
            {"p": {"field": "x", "operator": "like"}},
            ("parameters", "p", "operator"),
            "operator must be one of eq, neq, in, not_in",
        ),
        (
            {"1st": 1},
            ("parameters", "1st"),
            "parameter name '1st' must be a letter or _ then letters, digits or _",
        ),
        ({"a-b": 1}, ("parameters", "a-b"), "must be a letter or _"),
        ({"x" * 64: 1}, ("parameters", "x" * 64), "(at most 63)"),
        (
            {"p": {"type": "string", "default": "x" * (TEXT_MAX + 1)}},
            ("parameters", "p", "default"),
            f"default must be at most {TEXT_MAX} characters",
        ),
        (
            {"p": {"multiple": True, "default": ["x"] * (LIST_MAX + 1)}},
            ("parameters", "p", "default"),
            f"default may have at most {LIST_MAX} values",
        ),
    ],
)
def test_unusable_declarations_are_problems_with_their_path(
    raw: Any, path: tuple[str, ...], message: str
) -> None:
    problems = problems_of(raw)
    assert [p.field for p in problems] == [path]
    assert problems[0].code is ErrorCode.INVALID
    assert message in problems[0].message


def test_every_problem_is_reported_and_the_good_ones_kept() -> None:
    raw = {"good": 1, "bad_type": {"type": "x"}, "bad_default": {"type": "date", "default": 3}}
    assert {p.field for p in problems_of(raw)} == {
        ("parameters", "bad_type", "type"),
        ("parameters", "bad_default", "default"),
    }
    # Stored declarations were checked on write; reading them keeps the usable ones.
    assert set(definitions(raw)) == {"good", "bad_default"}
    assert definitions(raw)["bad_default"].default is None


def test_not_an_object_is_left_to_the_caller() -> None:
    no_problems(None)
    no_problems([1, 2])


# Values.


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("string", "EU", "EU"),
        ("string", "", ""),
        ("string", "EU' OR '1'='1", "EU' OR '1'='1"),
        ("integer", "42", 42),
        ("integer", "-7", -7),
        ("integer", " 12 ", 12),
        ("integer", "9223372036854775807", 2**63 - 1),
        ("number", "1.25", Decimal("1.25")),
        ("number", "-3", Decimal("-3")),
        ("number", "1e3", Decimal("1e3")),
        ("boolean", "true", True),
        ("boolean", "TRUE", True),
        ("boolean", "1", True),
        ("boolean", "false", False),
        ("boolean", "0", False),
        ("date", "2026-02-14", dt.date(2026, 2, 14)),
        ("datetime", "2026-02-14T10:30:00", dt.datetime(2026, 2, 14, 10, 30, tzinfo=dt.UTC)),
        (
            "datetime",
            "2026-02-14T10:30:00+02:00",
            dt.datetime(2026, 2, 14, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("datetime", "2026-02-14", dt.datetime(2026, 2, 14, tzinfo=dt.UTC)),
    ],
)
def test_request_text_is_coerced_for_every_type(kind: str, text: str, value: Any) -> None:
    resolved = resolve({"p": {"type": kind}}, {"p": text})
    assert resolved.errors == {}
    assert resolved.values["p"] == value
    assert type(resolved.values["p"]) is type(value)
    # A query string repeats keys, so one value may come as a list of one.
    assert resolve({"p": {"type": kind}}, {"p": [text]}).values["p"] == value


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        ("string", True, "parameter p must be a string"),
        ("string", {"a": 1}, "parameter p must be a string"),
        ("string", "x" * (TEXT_MAX + 1), f"must be at most {TEXT_MAX} characters"),
        ("string", "a\x00b", "without NUL"),
        ("integer", "4.5", "parameter p must be an integer"),
        ("integer", "--5", "parameter p must be an integer"),
        ("integer", "٣", "parameter p must be an integer"),
        ("integer", "1e3", "parameter p must be an integer"),
        ("integer", "", "parameter p must be an integer"),
        ("integer", 4.0, "parameter p must be an integer"),
        ("integer", True, "not a boolean"),
        ("integer", "9223372036854775808", "parameter p is out of range"),
        ("integer", 2**63, "parameter p is out of range"),
        ("number", "abc", "parameter p must be a number"),
        ("number", "NaN", "parameter p must be a number"),
        ("number", "Infinity", "parameter p must be a number"),
        ("number", "1" * 41, "parameter p must be a number"),
        ("boolean", "yes", "parameter p must be true or false"),
        ("boolean", 1, "parameter p must be true or false"),
        ("date", "2026-13-01", "parameter p must be an ISO 8601 date (got '2026-13-01')"),
        ("date", 20260101, "must be an ISO 8601 date string"),
        ("datetime", "noon", "must be an ISO 8601 datetime (got 'noon')"),
        ("string", ["a", "b"], "parameter p takes one value"),
        ("string", [], "parameter p takes one value"),
    ],
)
def test_an_invalid_value_is_an_error_of_that_parameter_not_an_exception(
    kind: str, given: Any, message: str
) -> None:
    resolved = resolve({"p": {"type": kind, "default": None}, "other": 1}, {"p": given})
    assert message in resolved.errors["p"]
    assert "p" not in resolved.values
    # The other parameters are fine.
    assert resolved.values == {"other": 1}
    assert resolved.errors.keys() == {"p"}


def test_defaults_apply_when_nothing_is_sent() -> None:
    resolved = resolve(
        {"year": 2026, "region": ["EU", "US"], "since": {"type": "date"}, "flag": False}, {}
    )
    assert resolved.values == {
        "year": 2026,
        "region": ["EU", "US"],
        "since": None,
        "flag": False,
    }
    assert resolved.errors == {}


def test_multiple_values() -> None:
    declared = {"regions": {"multiple": True}, "ids": {"type": "integer", "multiple": True}}
    resolved = resolve(declared, {"regions": ["EU", "APAC"], "ids": ["3", "1", "3"]})
    assert resolved.values == {"regions": ["EU", "APAC"], "ids": [3, 1, 3]}
    # One value for a multiple parameter is a list of one.
    assert resolve(declared, {"regions": "EU"}).values["regions"] == ["EU"]
    too_many = resolve(declared, {"ids": ["1"] * (LIST_MAX + 1)})
    assert too_many.errors == {"ids": f"parameter ids may have at most {LIST_MAX} values"}
    bad_item = resolve(declared, {"ids": ["1", "x"]})
    assert bad_item.errors == {"ids": "parameter ids must be an integer"}


def test_allowed_values() -> None:
    declared = {
        "region": {"values": ["EU", "US"]},
        "regions": {"values": ["EU", "US"], "multiple": True},
        "n": {"type": "integer", "values": [1, 2]},
    }
    assert resolve(declared, {"region": "EU", "regions": ["US", "EU"], "n": "2"}).values == {
        "region": "EU",
        "regions": ["US", "EU"],
        "n": 2,
    }
    refused = resolve(declared, {"region": "APAC", "regions": ["EU", "APAC"], "n": "3"})
    assert refused.errors == {
        "region": "parameter region must be one of EU, US",
        "regions": "parameter regions must be one of EU, US",
        "n": "parameter n must be one of 1, 2",
    }


def test_required_without_a_value_is_an_error() -> None:
    declared = {"p": {"required": True}, "q": {"required": True, "default": "x"}}
    resolved = resolve(declared, {})
    assert resolved.errors == {"p": "parameter p is required"}
    assert resolved.values == {"q": "x"}
    assert resolve(declared, {"p": "given"}).values == {"p": "given", "q": "x"}


def test_an_undeclared_parameter_refuses_the_request() -> None:
    with pytest.raises(DomainError) as caught:
        resolve({"year": 2026, "region": "EU"}, {"year": "2025", "colour": "red", "size": "1"})
    problems = caught.value.problems
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.INVALID, ("parameters", "colour")),
        (ErrorCode.INVALID, ("parameters", "size")),
    ]
    assert problems[0].message == "parameter 'colour' is not declared (declared: region, year)"
    with pytest.raises(DomainError) as caught:
        resolve({}, {"x": "1"})
    assert caught.value.problems[0].message == "parameter 'x' is not declared (declared: none)"


def test_public_only_refuses_non_public_and_undeclared_alike() -> None:
    declared = {"region": {"public": True}, "secret": {"default": "s"}}
    assert resolve(declared, {"region": "EU"}, public_only=True).values == {
        "region": "EU",
        "secret": "s",
    }
    messages = []
    for name in ("secret", "undeclared"):
        with pytest.raises(DomainError) as caught:
            resolve(declared, {name: "x"}, public_only=True)
        (problem,) = caught.value.problems
        assert problem.code is ErrorCode.INVALID
        assert problem.field == ("parameters", name)
        messages.append(problem.message.replace(repr(name), "NAME"))
    # A public link's caller cannot tell a hidden parameter from one that does not exist.
    assert messages[0] == messages[1] == "parameter NAME cannot be set on this public dashboard"


def test_shown_values_and_filters() -> None:
    declared = {
        "region": {"public": True, "field": "region", "multiple": True, "default": ["EU"]},
        "since": {"type": "date", "default": "2026-01-01", "field": "order_date"},
        "ratio": {"type": "number", "default": "0.5"},
    }
    resolved = resolve(declared, {})
    assert resolved.shown() == {"region": ["EU"], "since": "2026-01-01", "ratio": 0.5}
    assert resolved.shown(public_only=True) == {"region": ["EU"]}
    assert [d.name for d in resolved.filters()] == ["region", "since"]


# JSON.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("EU", "EU"),
        (True, True),
        (7, 7),
        (Decimal("2"), 2),
        (Decimal("2.50"), 2.5),
        (dt.date(2026, 1, 2), "2026-01-02"),
        (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2026-01-02T03:04:05+00:00"),
        ([Decimal("1.5"), dt.date(2026, 1, 1)], [1.5, "2026-01-01"]),
        ([], []),
    ],
)
def test_as_json(value: Any, expected: Any) -> None:
    result = as_json(value)
    assert result == expected
    assert type(result) is type(expected)


def test_coerce_directly() -> None:
    single = ParameterDef("p", ParameterType.INTEGER)
    assert coerce(single, "5") == 5
    with pytest.raises(ValueError, match="takes one value"):
        coerce(single, [1, 2])
    many = ParameterDef("p", ParameterType.INTEGER, multiple=True)
    assert coerce(many, 5) == [5]
    assert coerce(many, []) == []
