"""Datasets through GraphQL: created from a table or SQL with their columns read from the
database, the refusals (missing table, writing SQL, duplicate names, readers, datasets in
use), updates, `node`/`dataset`/`datasets`, and tenancy."""

from __future__ import annotations

from typing import Any

from app.services import Services
from tests.conftest import Caller
from tests.helpers import create_widget
from tests.tile_data import seed_sales

DATASET_FIELDS = """
  id databaseId name description sourceKind source ownerId createdAt updatedAt
  columns { name type dbType }
"""

CREATE_DATASET = f"""
mutation CreateDataset($input: CreateDatasetInput!) {{
  createDataset(input: $input) {{
    dataset {{ {DATASET_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_DATASET = f"""
mutation UpdateDataset($input: UpdateDatasetInput!) {{
  updateDataset(input: $input) {{
    dataset {{ {DATASET_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

DELETE_DATASET = """
mutation DeleteDataset($input: DeleteDatasetInput!) {
  deleteDataset(input: $input) { deletedId userErrors { field message code } }
}
"""

DATASET = f"query One($id: ID!) {{ dataset(id: $id) {{ {DATASET_FIELDS} }} }}"
DATASETS = "{ datasets { databaseId name } }"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Dataset { name sourceKind } } }"

SALES_COLUMNS = [
    {"name": "region", "type": "STRING", "dbType": "text"},
    {"name": "product", "type": "STRING", "dbType": "text"},
    {"name": "order_date", "type": "DATE", "dbType": "date"},
    {"name": "revenue", "type": "NUMBER", "dbType": "numeric"},
    {"name": "units", "type": "NUMBER", "dbType": "int4"},
]


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def try_create(caller: Caller, **values: Any) -> dict[str, Any]:
    fields = {"name": "Sales", "sourceKind": "TABLE", "source": "sales"} | values
    data = await caller.graphql(CREATE_DATASET, {"input": fields})
    payload: dict[str, Any] = data["createDataset"]
    return payload


async def create_dataset(caller: Caller, **values: Any) -> dict[str, Any]:
    payload = await try_create(caller, **values)
    assert payload["userErrors"] == [], payload["userErrors"]
    dataset: dict[str, Any] = payload["dataset"]
    return dataset


async def test_create_from_a_table_reads_its_columns(editor: Caller, services: Services) -> None:
    # given
    await seed_sales(services, editor.tenant)

    # when
    dataset = await create_dataset(editor, description="Orders by region")

    # then
    assert dataset["name"] == "Sales"
    assert dataset["description"] == "Orders by region"
    assert (dataset["sourceKind"], dataset["source"]) == ("TABLE", "sales")
    assert dataset["ownerId"] == "alice"
    assert dataset["columns"] == SALES_COLUMNS
    assert isinstance(dataset["databaseId"], int)
    fetched = await editor.graphql(DATASET, {"id": dataset["id"]})
    assert fetched["dataset"] == dataset


async def test_create_from_sql_reads_the_query_columns(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)

    dataset = await create_dataset(
        editor,
        name="Revenue by region",
        sourceKind="SQL",
        source="SELECT region, SUM(revenue) AS total, COUNT(*) AS orders FROM sales "
        "GROUP BY region",
    )

    assert dataset["sourceKind"] == "SQL"
    assert [(c["name"], c["type"]) for c in dataset["columns"]] == [
        ("region", "STRING"),
        ("total", "NUMBER"),
        ("orders", "NUMBER"),
    ]


async def test_a_missing_table_is_refused_on_source(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)

    payload = await try_create(editor, source="no_such_table")

    assert payload["dataset"] is None
    assert problems(payload) == [(("source",), "INVALID")]
    assert "no_such_table" in payload["userErrors"][0]["message"]
    assert (await editor.graphql(DATASETS))["datasets"] == []


async def test_a_view_named_as_a_table_is_refused_on_source_kind(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)

    payload = await try_create(editor, sourceKind="VIEW")

    assert problems(payload) == [(("sourceKind",), "INVALID")]
    assert payload["userErrors"][0]["message"] == "'sales' is a table"


async def test_sql_that_writes_is_refused(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)

    for sql in ("DELETE FROM sales", "SELECT 1; DROP TABLE sales", "UPDATE sales SET units = 0"):
        payload = await try_create(editor, name="Writer", sourceKind="SQL", source=sql)
        assert payload["dataset"] is None, sql
        assert problems(payload) == [(("source",), "INVALID")], (sql, payload)

    rows = await editor.graphql(DATASETS)
    assert rows["datasets"] == []


async def test_broken_sql_is_refused_with_the_database_message(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)

    payload = await try_create(editor, sourceKind="SQL", source="SELECT nope FROM sales")

    assert problems(payload) == [(("source",), "INVALID")]
    assert "nope" in payload["userErrors"][0]["message"]


async def test_a_blank_name_and_source_are_required(editor: Caller) -> None:
    payload = await try_create(editor, name=" ", source="")

    assert sorted(problems(payload)) == [(("name",), "REQUIRED"), (("source",), "REQUIRED")]


async def test_a_name_is_unique_in_the_tenant(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    await create_dataset(editor)

    payload = await try_create(editor, sourceKind="SQL", source="SELECT 1 AS one")

    assert payload["dataset"] is None
    assert problems(payload) == [(("name",), "ALREADY_EXISTS")]


async def test_a_reader_may_list_but_not_create(
    editor: Caller, reader: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    created = await create_dataset(editor)

    payload = await try_create(reader, name="Mine")

    assert payload["dataset"] is None
    assert problems(payload) == [(None, "FORBIDDEN")]
    listed = await reader.graphql(DATASETS)
    assert listed["datasets"] == [{"databaseId": created["databaseId"], "name": "Sales"}]


async def test_update_renames_and_reads_a_new_source_again(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    dataset = await create_dataset(editor)

    data = await editor.graphql(
        UPDATE_DATASET,
        {
            "input": {
                "id": dataset["databaseId"],
                "name": "EU sales",
                "sourceKind": "SQL",
                "source": "SELECT region, revenue FROM sales WHERE region = 'EU'",
            }
        },
    )

    payload = data["updateDataset"]
    assert payload["userErrors"] == []
    updated = payload["dataset"]
    assert (updated["id"], updated["name"], updated["sourceKind"]) == (
        dataset["id"],
        "EU sales",
        "SQL",
    )
    assert updated["description"] is None
    assert [c["name"] for c in updated["columns"]] == ["region", "revenue"]
    assert updated["updatedAt"] > dataset["updatedAt"]


async def test_update_refusals(editor: Caller, reader: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    first = await create_dataset(editor)
    second = await create_dataset(editor, name="Other", sourceKind="SQL", source="SELECT 1 AS a")

    async def update(caller: Caller, **values: Any) -> dict[str, Any]:
        data = await caller.graphql(UPDATE_DATASET, {"input": values})
        payload: dict[str, Any] = data["updateDataset"]
        return payload

    taken = await update(editor, id=second["id"], name="Sales")
    assert problems(taken) == [(("name",), "ALREADY_EXISTS")]
    missing = await update(editor, id=first["id"], source="gone")
    assert problems(missing) == [(("source",), "INVALID")]
    unknown = await update(editor, id="999999999", name="X")
    assert problems(unknown) == [(("id",), "NOT_FOUND")]
    forbidden = await update(reader, id=first["id"], name="X")
    assert problems(forbidden) == [(None, "FORBIDDEN")]
    # nothing changed
    assert (await editor.graphql(DATASET, {"id": first["id"]}))["dataset"] == first


async def test_delete_an_unused_dataset(editor: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    dataset = await create_dataset(editor)

    data = await editor.graphql(DELETE_DATASET, {"input": {"id": dataset["id"]}})

    assert data["deleteDataset"] == {"deletedId": dataset["id"], "userErrors": []}
    assert (await editor.graphql(DATASET, {"id": dataset["id"]}))["dataset"] is None
    again = await editor.graphql(DELETE_DATASET, {"input": {"id": dataset["id"]}})
    assert problems(again["deleteDataset"]) == [(("id",), "NOT_FOUND")]


async def test_a_dataset_a_widget_reads_cannot_be_deleted(
    editor: Caller, reader: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    dataset = await create_dataset(editor)
    await create_widget(
        editor,
        dataSource={
            "dataset_id": dataset["databaseId"],
            "measures": [{"aggregate": "count"}],
        },
    )

    data = await editor.graphql(DELETE_DATASET, {"input": {"id": dataset["databaseId"]}})
    by_reader = await reader.graphql(DELETE_DATASET, {"input": {"id": dataset["id"]}})

    payload = data["deleteDataset"]
    assert payload["deletedId"] is None
    assert problems(payload) == [(("id",), "IN_USE")]
    assert "read by 1 widget" in payload["userErrors"][0]["message"]
    assert problems(by_reader["deleteDataset"]) == [(None, "FORBIDDEN")]
    assert (await editor.graphql(DATASET, {"id": dataset["id"]}))["dataset"] is not None


async def test_node_resolves_a_dataset(editor: Caller, reader: Caller, services: Services) -> None:
    await seed_sales(services, editor.tenant)
    dataset = await create_dataset(editor)

    data = await reader.graphql(NODE, {"id": dataset["id"]})
    plain = await reader.graphql(NODE, {"id": str(dataset["databaseId"])})

    assert data["node"] == {"id": dataset["id"], "name": "Sales", "sourceKind": "TABLE"}
    assert plain["node"] is None  # node takes global ids only


async def test_another_tenant_never_sees_a_dataset(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    # given a dataset in each tenant
    await seed_sales(services, editor.tenant)
    await seed_sales(services, outsider.tenant)
    mine = await create_dataset(editor)
    theirs = await create_dataset(outsider, name="Their sales")

    # then neither sees the other's, by global id, integer id, node or list
    for caller, other in ((outsider, mine), (editor, theirs)):
        assert (await caller.graphql(DATASET, {"id": other["id"]}))["dataset"] is None
        assert (await caller.graphql(DATASET, {"id": str(other["databaseId"])}))["dataset"] is None
        assert (await caller.graphql(NODE, {"id": other["id"]}))["node"] is None
    assert (await editor.graphql(DATASETS))["datasets"] == [
        {"databaseId": mine["databaseId"], "name": "Sales"}
    ]
    assert (await outsider.graphql(DATASETS))["datasets"] == [
        {"databaseId": theirs["databaseId"], "name": "Their sales"}
    ]
    # nor change or delete it
    update = await outsider.graphql(UPDATE_DATASET, {"input": {"id": mine["id"], "name": "X"}})
    assert problems(update["updateDataset"]) == [(("id",), "NOT_FOUND")]
    delete = await outsider.graphql(DELETE_DATASET, {"input": {"id": mine["id"]}})
    assert problems(delete["deleteDataset"]) == [(("id",), "NOT_FOUND")]


async def test_a_table_of_another_tenant_cannot_back_a_dataset(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    # given only the other tenant has a sales table
    theirs = await seed_sales(services, outsider.tenant)
    await seed_sales(services, editor.tenant)

    # when naming it, or the service's own tables, through SQL
    for sql in (
        f'SELECT * FROM "{theirs}".sales',
        "SELECT * FROM public.dashboards",
        "SELECT * FROM dashboards",
    ):
        payload = await try_create(editor, name="Peek", sourceKind="SQL", source=sql)

        # then it is refused: the tenant's role reads its own schema only
        assert payload["dataset"] is None, sql
        assert problems(payload) == [(("source",), "INVALID")], sql
    assert (await editor.graphql(DATASETS))["datasets"] == []
