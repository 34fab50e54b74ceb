"""What the GraphQL fuzzer (tests/test_fuzz_graphql.py) found, each kept as a plain test; and
the fuzzer's own judge, shown to reject the answers it must reject."""

from __future__ import annotations

import json
from typing import Any

import graphql
import pytest

from tests.conftest import Caller, graphql_data
from tests.graphql_conformance import problems, with_typenames
from tests.helpers import (
    CREATE_DASHBOARD,
    DASHBOARD_COUNT,
    create_dashboard,
    create_widget,
    place_widgets,
)
from tests.test_fuzz_graphql import SCHEMA

# The judge ------------------------------------------------------------------------------------

DOCUMENT = with_typenames(
    graphql.parse('{ node(id: "x") { id ... on Dashboard { tags version } } viewer { userId } }')
)
GOOD: dict[str, Any] = {
    "data": {
        "__typename": "Query",
        "node": {"__typename": "Dashboard", "id": "RDox", "tags": [], "version": 1},
        "viewer": {"__typename": "Viewer", "userId": "alice"},
    }
}


def test_a_conforming_answer_has_no_problems() -> None:
    assert problems(SCHEMA, DOCUMENT, 200, GOOD) == []
    assert problems(SCHEMA, DOCUMENT, 200, {"data": None, "errors": [{"message": "no"}]}) == []


def test_a_tile_failing_unexpectedly_is_a_failure() -> None:
    # given a rendering whose one card failed with the code of an unexpected exception
    document = graphql.parse('{ dashboardRendering(id: "1") { cards { error { code } } } }')
    card = {"error": {"code": "INTERNAL"}}
    body = {"data": {"dashboardRendering": {"cards": [{"error": {"code": "TILE_TIMEOUT"}}, card]}}}
    # when judged, then the INTERNAL card is named
    assert problems(SCHEMA, document, 200, body) == [
        "data.dashboardRendering.cards[1].error is a masked unexpected error: {'code': 'INTERNAL'}"
    ]


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (500, {"data": None, "errors": [{"message": "x"}]}, "HTTP 500"),
        (200, {"errors": [{"message": "Unexpected error; quote"}]}, "masked"),
        (400, {"errors": [{"message": "bad"}]}, "no extensions.code"),
        (200, {"errors": []}, "non-empty list"),
        (200, {"data": {**GOOD["data"], "viewer": None}}, "non-null"),
        (200, {"data": {**GOOD["data"], "extra": 1}}, "has keys"),
        (
            200,
            {"data": {**GOOD["data"], "node": {**GOOD["data"]["node"], "version": 2**40}}},
            "Int",
        ),
        (
            200,
            {"data": {**GOOD["data"], "node": {**GOOD["data"]["node"], "__typename": "Viewer"}}},
            "not a possible",
        ),
        (200, "<html>", "not a JSON object"),
    ],
)
def test_a_broken_answer_is_named(status: int, body: object, problem: str) -> None:
    found = problems(SCHEMA, DOCUMENT, status, body)
    assert any(problem in p for p in found), found


# What the fuzzer found -------------------------------------------------------------------------


async def test_a_bad_role_id_is_named_at_its_own_index(editor: Caller) -> None:
    # given role ids whose bad one is not the smallest, after a repeat
    role_ids = [7, 7, 2147483647, 0]
    # when a dashboard is created with them
    data = await editor.graphql(CREATE_DASHBOARD, {"input": {"name": "Roles", "roleIds": role_ids}})
    # then the problem names the item as it was sent (it named index 0, the ids being sorted
    # and made unique before they were checked), and nothing was created
    (problem,) = data["createDashboard"]["userErrors"]
    assert problem["field"] == ["roleIds", "3"]
    assert problem["code"] == "INVALID"
    assert (await editor.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0


async def test_role_ids_are_still_stored_sorted_without_repeats(editor: Caller) -> None:
    dashboard = await create_dashboard(editor, roleIds=[9, 3, 9, 1])
    assert dashboard["roleIds"] == [1, 3, 9]


DEEP_VARIABLES = 'query ($p: JSON) { dashboardRendering(id: "1", parameters: $p) { page } }'


async def test_a_body_nested_too_deeply_is_a_bad_request(editor: Caller) -> None:
    # given a body whose variables nest 5,000 lists deep (25 KB, well under the size limit)
    depth = 5_000
    nested = "[" * depth + "]" * depth
    body = (
        '{"query": ' + json.dumps(DEEP_VARIABLES) + ', "variables": {"p": {"x": ' + nested + "}}}"
    )
    # when it is posted
    response = await editor.http.post(
        "/graphql", content=body, headers={**editor.headers, "content-type": "application/json"}
    )
    # then it is refused as a bad request, not answered with a 500
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"]


# JSON text can spell an unpaired surrogate ("\ud800"); Python keeps it, PostgreSQL cannot take
# it, so each of these answered "Unexpected error" before the domain refused such text.
LONE_SURROGATE = "a\ud800b"
SURROGATE_INPUTS = [
    ("createDashboard", "CreateDashboardInput", {"name": LONE_SURROGATE}, ["name"]),
    (
        "createDashboard",
        "CreateDashboardInput",
        {"name": "n", "tags": [LONE_SURROGATE]},
        ["tags", "0"],
    ),
    ("createDashboard", "CreateDashboardInput", {"name": "n", "type": LONE_SURROGATE}, ["type"]),
    (
        "createDashboard",
        "CreateDashboardInput",
        {"name": "n", "description": LONE_SURROGATE},
        ["description"],
    ),
    (
        "createDashboardWidget",
        "CreateDashboardWidgetInput",
        {"name": "w", "widgetType": "TEXT", "config": {"t": LONE_SURROGATE}},
        ["config"],
    ),
    (
        "createDashboardWidget",
        "CreateDashboardWidgetInput",
        {"name": "w", "widgetType": "TEXT", "config": {LONE_SURROGATE: 1}},
        ["config"],
    ),
    ("createCollection", "CreateCollectionInput", {"name": LONE_SURROGATE}, ["name"]),
    (
        "createDataset",
        "CreateDatasetInput",
        {"name": LONE_SURROGATE, "sourceKind": "SQL", "source": "SELECT 1"},
        ["name"],
    ),
    (
        "createDataset",
        "CreateDatasetInput",
        {"name": "d", "sourceKind": "SQL", "source": f"SELECT '{LONE_SURROGATE}'"},
        ["source"],
    ),
]


async def _post_escaped(caller: Caller, document: str, variables: dict[str, Any]) -> Any:
    """Post with every non-ASCII character escaped, as `\\ud800`, the only way JSON carries it."""
    body = json.dumps({"query": document, "variables": variables})
    response = await caller.http.post(
        "/graphql", content=body, headers={**caller.headers, "content-type": "application/json"}
    )
    return graphql_data(response)


@pytest.mark.parametrize(("mutation", "input_type", "values", "field"), SURROGATE_INPUTS)
async def test_an_unpaired_surrogate_is_refused_as_invalid(
    editor: Caller, mutation: str, input_type: str, values: dict[str, Any], field: list[str]
) -> None:
    # when a mutation's input holds an unpaired surrogate (sent as a variable)
    document = (
        f"mutation ($input: {input_type}!) "
        f"{{ {mutation}(input: $input) {{ userErrors {{ field code message }} }} }}"
    )
    data = await _post_escaped(editor, document, {"input": values})
    # then it is refused as INVALID input, naming the field, and nothing was made
    (problem,) = data[mutation]["userErrors"]
    assert problem["code"] == "INVALID"
    assert problem["field"] == field
    assert "surrogates" in problem["message"]
    assert (await editor.graphql(DASHBOARD_COUNT))["dashboards"]["totalCount"] == 0


@pytest.mark.parametrize("argument", ["search", "tag", "type"])
async def test_a_filter_with_an_unpaired_surrogate_matches_nothing(
    editor: Caller, argument: str
) -> None:
    await create_dashboard(editor, tags=["a"], type="a")
    document = f"query ($v: String) {{ dashboards({argument}: $v) {{ totalCount }} }}"
    data = await _post_escaped(editor, document, {"v": LONE_SURROGATE})
    assert data["dashboards"]["totalCount"] == 0


async def test_a_string_parameter_with_an_unpaired_surrogate_fails_only_its_cards(
    editor: Caller,
) -> None:
    # given a dashboard declaring a string parameter and a card that uses it
    widget = await create_widget(editor, "Echo", "TABLE", dataSource={"sql": "SELECT :x AS x"})
    board = await create_dashboard(editor, parameters={"x": {"type": "string"}})
    await place_widgets(editor, board["id"], [widget["id"]])
    # when it renders with an unpaired surrogate for it
    document = (
        "query ($id: ID!, $p: JSON) "
        "{ dashboardRendering(id: $id, parameters: $p) { cards { error { code } } } }"
    )
    data = await _post_escaped(editor, document, {"id": board["id"], "p": {"x": LONE_SURROGATE}})
    # then the card fails as an invalid parameter, not as an unexpected error
    (card,) = data["dashboardRendering"]["cards"]
    assert card["error"]["code"] == "INVALID_PARAMETER"
