"""Datasets under /api/datasets: created from a table, a view or a SQL query of the tenant's
data schema with their columns read from the database, listed, read, changed (a new source is
described again) and deleted (not while a widget reads them); who may do what, and tenancy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services import Services
from tests.conftest import Caller
from tests.test_rest_platform import assert_error, new_board
from tests.test_rest_render import add_data_card, rendered, rows_of, sales_dataset
from tests.tile_data import run_as_service, seed_sales

DATASET_KEYS = {
    "id",
    "name",
    "description",
    "source_kind",
    "source",
    "columns",
    "owner_id",
    "created_at",
    "updated_at",
}
SALES_COLUMNS = [
    {"name": "region", "type": "string", "db_type": "text"},
    {"name": "product", "type": "string", "db_type": "text"},
    {"name": "order_date", "type": "date", "db_type": "date"},
    {"name": "revenue", "type": "number", "db_type": "numeric"},
    {"name": "units", "type": "number", "db_type": "int4"},
]


async def create(caller: Caller, **body: Any) -> httpx.Response:
    return await caller.request("POST", "/api/datasets", json=body)


async def created(caller: Caller, **body: Any) -> dict[str, Any]:
    response = await create(caller, **body)
    assert response.status_code == 201, response.text
    dataset: dict[str, Any] = response.json()
    return dataset


async def listed(caller: Caller) -> list[dict[str, Any]]:
    response = await caller.request("GET", "/api/datasets")
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"datasets"}
    items: list[dict[str, Any]] = response.json()["datasets"]
    return items


# --- creating ---------------------------------------------------------------------------------


async def test_a_table_dataset_reads_the_tables_columns(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)

    response = await create(
        editor, name=" Sales ", source_kind="table", source="sales", description="All orders"
    )

    assert response.status_code == 201, response.text
    dataset = response.json()
    assert set(dataset) == DATASET_KEYS
    assert response.headers["location"] == f"/api/datasets/{dataset['id']}"
    assert dataset["name"] == "Sales"
    assert dataset["description"] == "All orders"
    assert (dataset["source_kind"], dataset["source"]) == ("table", "sales")
    assert dataset["columns"] == SALES_COLUMNS
    assert dataset["owner_id"] == "alice"
    one = await editor.request("GET", f"/api/datasets/{dataset['id']}")
    assert one.status_code == 200, one.text
    assert one.json() == dataset
    assert await listed(editor) == [dataset]


async def test_a_view_dataset(editor: Caller, services: Services) -> None:
    schema = await seed_sales(services, editor.tenant)
    await run_as_service(
        services,
        f'CREATE VIEW "{schema}".eu_sales AS '
        f"SELECT product, revenue, order_date FROM \"{schema}\".sales WHERE region = 'EU'",
    )

    dataset = await created(editor, name="EU sales", source_kind="view", source="eu_sales")
    as_table = await create(editor, name="EU again", source_kind="table", source="eu_sales")

    assert dataset["source_kind"] == "view"
    assert [(c["name"], c["type"]) for c in dataset["columns"]] == [
        ("product", "string"),
        ("revenue", "number"),
        ("order_date", "date"),
    ]
    assert_error(as_table, 422, "invalid", code="INVALID", field="source_kind")


async def test_a_sql_dataset_and_a_card_reading_it(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    sql = (
        "SELECT region, SUM(revenue) AS total, MAX(order_date) AS latest, "
        "bool_or(units > 4) AS has_big FROM sales GROUP BY region"
    )

    dataset = await created(editor, name="Totals", source_kind="sql", source=sql)
    board = await new_board(editor)
    query = {"dataset_id": dataset["id"], "columns": ["region", "total"], "sort": ["region"]}
    card = await add_data_card(editor, board["id"], query)
    body = await rendered(editor, board["id"])

    assert (dataset["source_kind"], dataset["source"]) == ("sql", sql)
    assert [(c["name"], c["type"]) for c in dataset["columns"]] == [
        ("region", "string"),
        ("total", "number"),
        ("latest", "date"),
        ("has_big", "boolean"),
    ]
    assert rows_of(body, card) == [
        {"region": "APAC", "total": 159.75},
        {"region": "EU", "total": 200.5},
        {"region": "US", "total": 245.25},
    ]


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        ({"source": "no_such_table"}, "invalid", "source"),
        ({"source_kind": "view"}, "invalid", "source_kind"),
        ({"source_kind": "file"}, "invalid", "source_kind"),
        ({"source_kind": "sql", "source": "DELETE FROM sales"}, "invalid", "source"),
        ({"source_kind": "sql", "source": "INSERT INTO sales VALUES ('X')"}, "invalid", "source"),
        ({"source_kind": "sql", "source": "SELECT 1; SELECT 2"}, "invalid", "source"),
        ({"source_kind": "sql", "source": "SELECT 1; DROP TABLE sales"}, "invalid", "source"),
        ({"source_kind": "sql", "source": "SELEC region FROM sales"}, "invalid", "source"),
        ({"source_kind": "sql", "source": "SELECT nothing FROM sales"}, "invalid", "source"),
        (
            {"source_kind": "sql", "source": "SELECT * FROM sales WHERE region = :region"},
            "invalid",
            "source",
        ),
        (
            {"source_kind": "sql", "source": "SELECT * FROM pg_catalog.pg_roles"},
            "invalid",
            "source",
        ),
        ({"name": " "}, "required", "name"),
        ({"name": "n" * 101}, "too_long", "name"),
        ({"description": "d" * 256}, "too_long", "description"),
        ({"source": ""}, "required", "source"),
        ({"name": 5}, "invalid", "name"),
        ({"colour": "red"}, "invalid", "colour"),
    ],
)
async def test_a_dataset_that_cannot_be_read_is_refused(
    editor: Caller, services: Services, body: dict[str, Any], error: str, field: str
) -> None:
    await seed_sales(services, editor.tenant)

    response = await create(
        editor, **({"name": "d", "source_kind": "table", "source": "sales"} | body)
    )

    assert_error(response, 422, error, field=field)
    assert await listed(editor) == []


async def test_a_body_without_its_required_fields_is_refused(editor: Caller) -> None:
    response = await create(editor, name="d")

    body = assert_error(response, 422, "invalid", code="INVALID")
    assert {d["field"] for d in body["details"]} == {"source_kind", "source"}


async def test_names_are_unique_in_a_tenant(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    await sales_dataset(editor, services, name="sales")
    await seed_sales(services, outsider.tenant)

    again = await create(editor, name="sales", source_kind="table", source="sales")
    elsewhere = await create(outsider, name="sales", source_kind="table", source="sales")

    assert_error(again, 409, "already_exists", code="ALREADY_EXISTS", field="name")
    assert elsewhere.status_code == 201, elsewhere.text


# --- changing and deleting --------------------------------------------------------------------


async def test_changing_the_source_reads_the_columns_again(
    editor: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)
    schema = await seed_sales(services, editor.tenant, table="returns")
    await run_as_service(services, f'ALTER TABLE "{schema}".returns ADD COLUMN reason varchar(40)')
    url = f"/api/datasets/{dataset['id']}"

    renamed = await editor.request("PATCH", url, json={"name": "Orders", "description": "Mine"})
    moved = await editor.request("PATCH", url, json={"source": "returns"})
    to_sql = await editor.request(
        "PATCH", url, json={"source_kind": "sql", "source": "SELECT COUNT(*) AS n FROM returns"}
    )
    cleared = await editor.request("PATCH", url, json={"description": None})

    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == dataset | {
        "name": "Orders",
        "description": "Mine",
        "updated_at": renamed.json()["updated_at"],
    }
    assert renamed.json()["updated_at"] > dataset["updated_at"]
    assert moved.status_code == 200, moved.text
    assert moved.json()["source"] == "returns"
    assert moved.json()["columns"] == [
        *SALES_COLUMNS,
        {"name": "reason", "type": "string", "db_type": "varchar"},
    ]
    assert to_sql.status_code == 200, to_sql.text
    assert to_sql.json()["columns"] == [{"name": "n", "type": "number", "db_type": "int8"}]
    assert cleared.json()["description"] is None
    assert (await editor.request("GET", url)).json() == cleared.json()


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"source": "no_such_table"}, 422, "invalid", "source"),
        ({"source_kind": "view"}, 422, "invalid", "source_kind"),
        ({"source_kind": "sql"}, 422, "invalid", "source"),
        ({"source": None}, 422, "required", "source"),
        ({"name": None}, 422, "required", "name"),
        ({"name": "taken"}, 409, "already_exists", "name"),
        ({"owner_id": "bob"}, 422, "invalid", "owner_id"),
    ],
)
async def test_a_refused_change_changes_nothing(
    editor: Caller,
    services: Services,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str,
) -> None:
    dataset = await sales_dataset(editor, services)
    await created(editor, name="taken", source_kind="table", source="sales")
    url = f"/api/datasets/{dataset['id']}"

    response = await editor.request("PATCH", url, json=body)

    assert_error(response, status, error, field=field)
    assert (await editor.request("GET", url)).json() == dataset


async def test_a_dataset_a_widget_reads_cannot_be_deleted(
    editor: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)
    board = await new_board(editor)
    card = await add_data_card(
        editor, board["id"], {"dataset_id": dataset["id"], "columns": ["region"]}
    )
    url = f"/api/datasets/{dataset['id']}"

    in_use = await editor.request("DELETE", url)
    removed = await editor.request(
        "DELETE", f"/api/dashboards/{board['id']}/cards/{card['card_id']}"
    )
    deleted = await editor.request("DELETE", url)
    gone = await editor.request("GET", url)
    again = await editor.request("DELETE", url)

    assert_error(in_use, 409, "in_use", code="IN_USE")
    assert removed.status_code == 204, removed.text
    assert deleted.status_code == 204, deleted.text
    assert_error(gone, 404, "dataset_not_found", code="NOT_FOUND")
    assert_error(again, 404, "dataset_not_found", code="NOT_FOUND")
    assert await listed(editor) == []


# --- who may do what --------------------------------------------------------------------------


async def test_a_reader_lists_and_reads_but_does_not_write(
    editor: Caller, reader: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)
    url = f"/api/datasets/{dataset['id']}"

    assert await listed(reader) == [dataset]
    assert (await reader.request("GET", url)).json() == dataset
    for response in (
        await create(reader, name="mine", source_kind="table", source="sales"),
        await reader.request("PATCH", url, json={"name": "mine"}),
        await reader.request("DELETE", url),
    ):
        assert_error(response, 403, "permission_denied", code="FORBIDDEN")
    assert await listed(editor) == [dataset]


async def test_another_tenant_sees_none_of_a_tenants_datasets_or_data(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)
    url = f"/api/datasets/{dataset['id']}"

    assert await listed(outsider) == []
    for response in (
        await outsider.request("GET", url),
        await outsider.request("PATCH", url, json={"name": "stolen"}),
        await outsider.request("DELETE", url),
    ):
        assert_error(response, 404, "dataset_not_found", code="NOT_FOUND")
    # the other tenant's schema has no `sales`, and naming this tenant's schema is refused
    own_schema = await seed_sales(services, editor.tenant, table="more_sales")
    for source in ("sales", f"{own_schema}.sales"):
        refused = await create(outsider, name="x", source_kind="table", source=source)
        assert_error(refused, 422, "invalid", field="source")
    sql = f'SELECT * FROM "{own_schema}".sales'
    refused = await create(outsider, name="x", source_kind="sql", source=sql)
    assert_error(refused, 422, "invalid", field="source")
    assert (await editor.request("GET", url)).json() == dataset


async def test_datasets_need_a_valid_token(editor: Caller, http: httpx.AsyncClient) -> None:
    expired = Caller(http, editor.tenant, user="alice", ttl=-100)
    body = {"name": "d", "source_kind": "table", "source": "sales"}

    for response in (
        await http.get("/api/datasets"),
        await http.post("/api/datasets", json=body),
        await http.get("/api/datasets/1"),
        await http.patch("/api/datasets/1", json={"name": "x"}),
        await http.delete("/api/datasets/1"),
        await expired.request("GET", "/api/datasets"),
        await expired.request("POST", "/api/datasets", json=body),
    ):
        assert_error(response, 401, "unauthenticated", code="UNAUTHENTICATED")


@pytest.mark.parametrize("dataset_id", ["abc", "0", "999999999"])
async def test_a_dataset_that_does_not_exist_is_not_found(editor: Caller, dataset_id: str) -> None:
    for method in ("GET", "DELETE"):
        response = await editor.request(method, f"/api/datasets/{dataset_id}")
        assert_error(response, 404, "dataset_not_found", code="NOT_FOUND")
    patched = await editor.request("PATCH", f"/api/datasets/{dataset_id}", json={"name": "x"})
    assert_error(patched, 404, "dataset_not_found", code="NOT_FOUND")
