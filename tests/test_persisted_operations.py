"""Persisted documents (GraphQL over HTTP, appendix A): the manifest that `persist-operations`
builds from .graphql files, requests by `documentId` (POST and GET), and the persisted-only
mode that refuses any other document."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import cli
from app.graphql.persisted import (
    MANIFEST_FORMAT,
    ManifestError,
    PersistedDocuments,
    sha256_document_id,
)
from app.main import create_app
from app.settings import Settings
from tests.conftest import REPO, Caller
from tests.helpers import create_dashboard

FRAGMENTS = """
fragment Summary on Dashboard {
  id
  name
  ...Stamp
}

fragment Stamp on Dashboard {
  version
}
"""

OPERATIONS = """
query Boards($first: Int = 10) {
  dashboards(first: $first) {
    nodes {
      ...Summary
    }
  }
}

query Me {
  viewer {
    tenant
  }
}

mutation Rename($input: UpdateDashboardInput!) {
  updateDashboard(input: $input) {
    dashboard {
      ...Summary
    }
    userErrors {
      code
    }
  }
}
"""

BOARDS_BODY = (
    "query Boards($first: Int = 10) {\n  dashboards(first: $first) {\n    nodes {\n"
    "      ...Summary\n    }\n  }\n}\n\n"
    "fragment Stamp on Dashboard {\n  version\n}\n\n"
    "fragment Summary on Dashboard {\n  id\n  name\n  ...Stamp\n}"
)


def write_documents(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def persist(directory: Path, output: Path) -> int:
    return cli.main(["persist-operations", str(directory), "--output", str(output)])


@pytest.fixture
def manifest_path(tmp_path: Path) -> Path:
    documents = write_documents(
        tmp_path / "documents", {"fragments.graphql": FRAGMENTS, "app/ops.graphql": OPERATIONS}
    )
    output = tmp_path / "persisted-operations.json"
    assert persist(documents, output) == 0
    return output


def operation(manifest_path: Path, name: str) -> dict[str, str]:
    manifest = json.loads(manifest_path.read_text())
    found: dict[str, str] = next(o for o in manifest["operations"] if o["name"] == name)
    return found


# --- document identifiers -------------------------------------------------------------------


def test_sha256_document_ids_are_those_of_the_spec() -> None:
    # The examples of the GraphQL-over-HTTP spec, appendix A.
    assert (
        sha256_document_id("query ($id: ID!) {\n  user(id: $id) {\n    name\n  }\n}")
        == "sha256:7dba4bd717b41f10434822356a93c32b1fb4907b983e854300ad839f84cdcd6e"
    )
    assert (
        sha256_document_id("query($id:ID!){user(id:$id){name}}")
        == "sha256:71f7dc5758652baac68e4a10c50be732b741c892ade2883a99358f52b555286b"
    )


# --- building the manifest ------------------------------------------------------------------


def test_the_manifest_holds_each_operation_with_the_fragments_it_uses(
    manifest_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads(manifest_path.read_text())

    assert manifest["format"] == MANIFEST_FORMAT
    assert manifest["version"] == 1
    assert [(o["name"], o["type"]) for o in manifest["operations"]] == [
        ("Boards", "query"),
        ("Me", "query"),
        ("Rename", "mutation"),
    ]
    boards = operation(manifest_path, "Boards")
    assert boards["body"] == BOARDS_BODY
    assert boards["id"] == sha256_document_id(BOARDS_BODY)
    assert operation(manifest_path, "Me")["body"] == "query Me {\n  viewer {\n    tenant\n  }\n}"


def test_building_twice_gives_the_same_manifest(manifest_path: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"

    assert persist(tmp_path / "documents", again) == 0

    assert again.read_text() == manifest_path.read_text()


def test_the_example_operations_build_a_manifest(tmp_path: Path) -> None:
    output = tmp_path / "examples.json"

    assert persist(REPO / "examples" / "operations", output) == 0

    manifest = json.loads(output.read_text())
    assert len(manifest["operations"]) >= 10
    PersistedDocuments.load(output, required=True)  # loads as the service would


def test_the_default_output_is_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = write_documents(tmp_path / "d", {"me.graphql": "query Me { viewer { tenant } }"})
    target = tmp_path / "from-setting.json"
    monkeypatch.setenv("GRAPHQL_PERSISTED_OPERATIONS_PATH", str(target))
    cli.get_settings.cache_clear()
    try:
        assert cli.main(["persist-operations", str(documents)]) == 0
    finally:
        cli.get_settings.cache_clear()

    assert json.loads(target.read_text())["operations"][0]["name"] == "Me"


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        pytest.param({"a.graphql": "{ viewer { tenant } }"}, "needs a name", id="anonymous"),
        pytest.param(
            {
                "a.graphql": "query A { viewer { tenant } }",
                "b.graphql": "query A { viewer { userId } }",
            },
            "operation A is also defined at",
            id="duplicate-operation",
        ),
        pytest.param(
            {
                "a.graphql": "query A { viewer { ...V } }\nfragment V on Viewer { tenant }\n"
                "fragment V on Viewer { userId }"
            },
            "fragment V is also defined at",
            id="duplicate-fragment",
        ),
        pytest.param(
            {"a.graphql": "query A { viewer { ...Missing } }"},
            "A uses unknown fragment Missing",
            id="unknown-fragment",
        ),
        pytest.param(
            {"a.graphql": "query A { viewer { password } }"},
            "Cannot query field 'password' on type 'Viewer'",
            id="not-valid-against-the-schema",
        ),
        pytest.param(
            {"a.graphql": "query A { viewer { tenant }"}, "a.graphql: Syntax Error", id="syntax"
        ),
        pytest.param({"a.graphql": "type T { a: Int }"}, "only operations and fragments", id="sdl"),
    ],
)
def test_documents_that_cannot_be_persisted_write_no_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], problem: str
) -> None:
    documents = write_documents(tmp_path / "documents", files)
    output = tmp_path / "out.json"

    assert persist(documents, output) == 2

    assert problem in capsys.readouterr().err
    assert not output.exists()


def test_a_folder_without_documents_writes_no_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.json"

    assert persist(tmp_path, output) == 2
    assert persist(tmp_path / "missing", output) == 2

    assert not output.exists()


# --- loading the manifest -------------------------------------------------------------------


def manifest_of(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"format": MANIFEST_FORMAT, "version": 1, "operations": list(operations)}


ME = "query Me { viewer { tenant } }"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param("{", "not a readable JSON file", id="not-json"),
        pytest.param(json.dumps({"operations": []}), "not a manifest", id="no-format"),
        pytest.param(
            json.dumps({**manifest_of(), "version": 2}), "version 2 is not supported", id="version"
        ),
        pytest.param(
            json.dumps(manifest_of({"id": "sha256:" + "0" * 64, "body": ME})),
            "is not the SHA-256 of its body",
            id="wrong-hash",
        ),
        pytest.param(
            json.dumps(manifest_of({"id": "md5:abc", "body": ME})),
            "not a document identifier",
            id="reserved-prefix",
        ),
        pytest.param(
            json.dumps(manifest_of({"id": "me", "body": ME}, {"id": "me", "body": ME})),
            "me appears twice",
            id="duplicate-id",
        ),
        pytest.param(
            json.dumps(manifest_of({"id": "me", "body": " "})), "`body` must be", id="empty-body"
        ),
    ],
)
def test_a_manifest_that_cannot_be_trusted_stops_the_service(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)

    with pytest.raises(ManifestError, match=problem):
        PersistedDocuments.load(path, required=False)


def test_no_manifest_means_no_persisted_documents_unless_they_are_required(
    tmp_path: Path,
) -> None:
    assert len(PersistedDocuments.load(tmp_path / "none.json", required=False)) == 0

    with pytest.raises(ManifestError, match="GRAPHQL_PERSISTED_ONLY is on but there is no"):
        PersistedDocuments.load(tmp_path / "none.json", required=True)


async def test_the_app_does_not_start_with_a_bad_manifest(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[]")
    application = create_app(
        settings.model_copy(update={"graphql_persisted_operations_path": path})
    )

    with pytest.raises(ManifestError):
        async with application.router.lifespan_context(application):
            pass


# --- requests by documentId -----------------------------------------------------------------


async def client_for(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def persisted_http(
    settings: Settings, manifest_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(settings, graphql_persisted_operations_path=manifest_path):
        yield client


@pytest.fixture
async def persisted_only_http(
    settings: Settings, manifest_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(
        settings, graphql_persisted_operations_path=manifest_path, graphql_persisted_only=True
    ):
        yield client


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_post_by_document_id_runs_the_persisted_document(
    persisted_http: httpx.AsyncClient, editor: Caller, manifest_path: Path
) -> None:
    dashboard = await create_dashboard(editor, name="Sales")
    caller = Caller(persisted_http, editor.tenant)
    boards = operation(manifest_path, "Boards")

    response = await persisted_http.post(
        "/graphql",
        json={"documentId": boards["id"], "variables": {"first": 5}},
        headers=caller.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "dashboards": {
                "nodes": [{"id": dashboard["id"], "name": "Sales", "version": dashboard["version"]}]
            }
        }
    }


async def test_a_get_by_document_id_runs_the_persisted_query(
    persisted_http: httpx.AsyncClient, tenant: str, manifest_path: Path
) -> None:
    caller = Caller(persisted_http, tenant)

    response = await persisted_http.get(
        "/graphql",
        params={"documentId": operation(manifest_path, "Me")["id"]},
        headers=caller.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": {"tenant": tenant}}}


async def test_a_persisted_mutation_by_get_is_405(
    persisted_http: httpx.AsyncClient, editor: Caller, manifest_path: Path
) -> None:
    dashboard = await create_dashboard(editor, name="Before")
    caller = Caller(persisted_http, editor.tenant)
    variables = {"input": {"id": dashboard["id"], "name": "After"}}

    response = await persisted_http.get(
        "/graphql",
        params={
            "documentId": operation(manifest_path, "Rename")["id"],
            "variables": json.dumps(variables),
        },
        headers=caller.headers,
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert error_code(response) == "METHOD_NOT_ALLOWED"
    one = await editor.graphql(
        "query($id: ID!) { dashboard(id: $id) { name } }", {"id": dashboard["id"]}
    )
    assert one["dashboard"]["name"] == "Before"


async def test_a_persisted_mutation_by_post_runs(
    persisted_http: httpx.AsyncClient, editor: Caller, manifest_path: Path
) -> None:
    dashboard = await create_dashboard(editor, name="Before")
    caller = Caller(persisted_http, editor.tenant)

    response = await persisted_http.post(
        "/graphql",
        json={
            "documentId": operation(manifest_path, "Rename")["id"],
            "variables": {"input": {"id": dashboard["id"], "name": "After"}},
        },
        headers=caller.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["updateDashboard"]["dashboard"]["name"] == "After"


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unknown_document_id_is_400_not_found(
    persisted_http: httpx.AsyncClient, tenant: str, method: str
) -> None:
    caller = Caller(persisted_http, tenant)
    document_id = sha256_document_id("query Other { viewer { userId } }")
    if method == "GET":
        response = await persisted_http.get(
            "/graphql", params={"documentId": document_id}, headers=caller.headers
        )
    else:
        response = await persisted_http.post(
            "/graphql", json={"documentId": document_id}, headers=caller.headers
        )

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert document_id in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "document_id",
    ["sha256:ABC", "sha256:" + "a" * 63, "md5:" + "a" * 32, "has space", "", 42, ["x"]],
)
async def test_a_malformed_document_id_is_400(
    persisted_http: httpx.AsyncClient, tenant: str, document_id: object
) -> None:
    caller = Caller(persisted_http, tenant)

    response = await persisted_http.post(
        "/graphql", json={"documentId": document_id}, headers=caller.headers
    )

    assert response.status_code == 400
    assert error_code(response) == "INVALID_DOCUMENT_ID"


async def test_a_query_with_its_own_document_id_runs(
    persisted_http: httpx.AsyncClient, tenant: str, manifest_path: Path
) -> None:
    caller = Caller(persisted_http, tenant)
    me = operation(manifest_path, "Me")
    ad_hoc = "query Mine { viewer { userId } }"

    stored = await persisted_http.post(
        "/graphql", json={"query": me["body"], "documentId": me["id"]}, headers=caller.headers
    )
    unstored = await persisted_http.post(
        "/graphql",
        json={"query": ad_hoc, "documentId": sha256_document_id(ad_hoc)},
        headers=caller.headers,
    )

    assert stored.json() == {"data": {"viewer": {"tenant": tenant}}}
    assert unstored.json() == {"data": {"viewer": {"userId": "alice"}}}


async def test_a_query_that_is_not_its_document_id_is_400_mismatch(
    persisted_http: httpx.AsyncClient, tenant: str, manifest_path: Path
) -> None:
    caller = Caller(persisted_http, tenant)
    me = operation(manifest_path, "Me")
    other = "query Mine { viewer { userId } }"

    known = await persisted_http.post(
        "/graphql", json={"query": other, "documentId": me["id"]}, headers=caller.headers
    )
    unknown = await persisted_http.post(
        "/graphql",
        json={"query": other, "documentId": sha256_document_id(other + " ")},
        headers=caller.headers,
    )

    for response in (known, unknown):
        assert response.status_code == 400
        assert error_code(response) == "PERSISTED_DOCUMENT_MISMATCH"


async def test_a_request_with_neither_query_nor_document_id_is_400(
    persisted_http: httpx.AsyncClient, tenant: str
) -> None:
    caller = Caller(persisted_http, tenant)

    response = await persisted_http.post(
        "/graphql", json={"documentId": None}, headers=caller.headers
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "No GraphQL query found in the request"


# --- persisted only -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_persisted_only_refuses_a_query(
    persisted_only_http: httpx.AsyncClient, tenant: str, method: str
) -> None:
    caller = Caller(persisted_only_http, tenant)
    query = "query Me { viewer { tenant } }"
    if method == "GET":
        response = await persisted_only_http.get(
            "/graphql", params={"query": query}, headers=caller.headers
        )
    else:
        response = await persisted_only_http.post(
            "/graphql", json={"query": query}, headers=caller.headers
        )

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_DOCUMENT_REQUIRED"
    assert "documentId" in response.json()["errors"][0]["message"]


async def test_persisted_only_runs_persisted_documents(
    persisted_only_http: httpx.AsyncClient, tenant: str, manifest_path: Path
) -> None:
    caller = Caller(persisted_only_http, tenant)
    me = operation(manifest_path, "Me")

    by_id = await persisted_only_http.post(
        "/graphql", json={"documentId": me["id"]}, headers=caller.headers
    )
    with_text = await persisted_only_http.post(
        "/graphql", json={"documentId": me["id"], "query": me["body"]}, headers=caller.headers
    )

    assert by_id.json() == {"data": {"viewer": {"tenant": tenant}}}
    assert with_text.json() == by_id.json()


async def test_persisted_only_refuses_a_query_that_names_its_own_hash(
    persisted_only_http: httpx.AsyncClient, tenant: str
) -> None:
    # Hashing one's own query must not get round the allow-list.
    caller = Caller(persisted_only_http, tenant)
    query = "query Mine { viewer { userId } }"

    response = await persisted_only_http.post(
        "/graphql",
        json={"query": query, "documentId": sha256_document_id(query)},
        headers=caller.headers,
    )

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_DOCUMENT_NOT_FOUND"
