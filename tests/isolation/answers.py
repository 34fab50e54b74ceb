"""Reading an answer as one short outcome string, and checking a refusal is worded as its
dialect words them (README, "Errors" and the dialect tables).

Outcomes: an HTTP refusal is "<status> <code>" ("401 UNAUTHENTICATED", "404 NOT_FOUND");
a REST success is its status ("200"). A GraphQL answer that ran is "ok", "null" (the field is
null: not visible), "error" (null with an error), or the mutation's userError codes."""

from __future__ import annotations

from typing import Any

import httpx

OK, NULL, ERROR = "ok", "null", "error"

# The status each refusal code is documented with.
STATUS = {
    "UNAUTHENTICATED": 401,
    "TENANT_FORBIDDEN": 403,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "DASHBOARD_NOT_FOUND": 404,
    "USER_NOT_FOUND": 404,
    "INVALID": 422,
    "UNKNOWN_REFERENCE": 422,
    "INVALID_WIDGET_TYPE": 400,
    "METHOD_NOT_ALLOWED": 405,
}

SEED_000, SEED_002, SEED_003, SEED_004 = "seed 000/001", "seed 002", "seed 003", "seed 004"


def graphql_outcome(field: str, response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    if response.status_code != 200:  # refused before the operation ran
        assert body.get("data") is None, body
        error = body["errors"][0]
        assert error["message"], body
        code: str = error["extensions"]["code"]
        assert STATUS[code] == response.status_code, body
        return f"{response.status_code} {code}"
    answer = (body.get("data") or {}).get(field)
    if body.get("errors"):
        assert answer is None, body
        assert all(e["message"] for e in body["errors"]), body
        return ERROR
    if answer is None:
        return NULL
    if isinstance(answer, dict) and "userErrors" in answer:
        errors = answer["userErrors"]
        if not errors:
            return OK
        assert all(e["message"] for e in errors), errors
        # a refused mutation returns nothing but its errors
        assert all(v in (None, False) for k, v in answer.items() if k != "userErrors"), answer
        return "|".join(sorted({e["code"] for e in errors}))
    return OK


def rest_outcome(dialect: str, response: httpx.Response) -> str:
    if response.is_success:
        return str(response.status_code)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    code: str = body["code"]
    assert STATUS[code] == response.status_code, (response.status_code, body)
    _assert_dialect_wording(dialect, body)
    return f"{response.status_code} {code}"


def _assert_dialect_wording(dialect: str, body: dict[str, Any]) -> None:
    error, code = body["error"], body["code"]
    assert isinstance(error, str), body
    assert error, body
    if dialect == SEED_002:  # `error` names the error, the text is in `message`
        assert isinstance(body["message"], str), body
        assert body["message"], body
        if code == "NOT_FOUND":
            assert error.endswith("_not_found"), body
        elif code == "FORBIDDEN":
            assert error == "permission_denied", body
        else:
            assert error == code.lower(), body
    elif dialect == SEED_004:  # the text in both `error` and `message`
        assert body.get("message") == error, body
    else:  # `error` is the text
        assert set(body) <= {"error", "code", "field", "details"}, body


def shown(response: httpx.Response) -> str:
    """Everything the caller gets to read: the body and the header values."""
    return response.text + "\n" + "\n".join(response.headers.values())
