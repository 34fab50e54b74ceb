"""Dashboard templates through GraphQL: the list, dashboards made from a template over a
dataset (and rendered), and the refusals: a dataset without the columns a template needs,
unknown templates and datasets, readers, other tenants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.services import Services
from tests.conftest import Caller
from tests.tile_data import SALES_ROWS, seed_sales

TEMPLATES = "{ dashboardTemplates { id name description requirements } }"

CREATE_DATASET = """
mutation CreateDataset($input: CreateDatasetInput!) {
  createDataset(input: $input) { dataset { id databaseId } userErrors { field message code } }
}
"""

FROM_TEMPLATE = """
mutation FromTemplate($input: CreateDashboardFromTemplateInput!) {
  createDashboardFromTemplate(input: $input) {
    dashboard {
      id databaseId name description parameters ownerId
      collection { name }
      pages { name position }
      cards { name cardType dashboardWidget { dataSource } }
    }
    userErrors { field message code }
  }
}
"""

RENDER = """
query Render($id: ID!) {
  dashboardRendering(id: $id) {
    cards { title cardType data error { code message } }
  }
}
"""

CREATE_COLLECTION = """
mutation C($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { id } userErrors { code } }
}
"""


def problems(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [
        (tuple(e["field"]) if e["field"] is not None else None, e["code"])
        for e in payload["userErrors"]
    ]


async def dataset(caller: Caller, name: str, kind: str, source: str) -> dict[str, Any]:
    data = await caller.graphql(
        CREATE_DATASET, {"input": {"name": name, "sourceKind": kind, "source": source}}
    )
    payload = data["createDataset"]
    assert payload["userErrors"] == [], payload["userErrors"]
    result: dict[str, Any] = payload["dataset"]
    return result


async def sales_dataset(caller: Caller, services: Services) -> dict[str, Any]:
    await seed_sales(services, caller.tenant)
    return await dataset(caller, "Sales", "TABLE", "sales")


async def from_template(caller: Caller, **values: Any) -> dict[str, Any]:
    data = await caller.graphql(FROM_TEMPLATE, {"input": {"name": "From a template"} | values})
    payload: dict[str, Any] = data["createDashboardFromTemplate"]
    return payload


async def rendered_cards(caller: Caller, dashboard_id: str) -> list[dict[str, Any]]:
    data = await caller.graphql(RENDER, {"id": dashboard_id})
    cards: list[dict[str, Any]] = data["dashboardRendering"]["cards"]
    return cards


async def test_the_templates_are_listed(reader: Caller) -> None:
    data = await reader.graphql(TEMPLATES)

    templates = {t["id"]: t for t in data["dashboardTemplates"]}
    assert len(templates) >= 6
    assert {"kpi_summary", "profile_detail"} <= set(templates)
    assert templates["kpi_summary"]["name"] == "KPI summary"
    assert templates["kpi_summary"]["requirements"] == [
        "a number column",
        "a date or datetime column (optional: adds a trend)",
    ]
    assert templates["profile_detail"]["requirements"] == ["a string column", "a number column"]
    for template in templates.values():
        assert template["name"]
        assert template["description"]
        assert template["requirements"]


async def test_a_kpi_summary_over_sales_renders_every_card(
    editor: Caller, services: Services
) -> None:
    # given
    sales = await sales_dataset(editor, services)

    # when
    payload = await from_template(
        editor, templateId="kpi_summary", datasetId=sales["id"], name="Sales KPIs"
    )

    # then the dashboard has the template's cards, each querying the dataset
    assert payload["userErrors"] == []
    board = payload["dashboard"]
    assert (board["name"], board["ownerId"]) == ("Sales KPIs", "alice")
    assert board["description"].endswith("Dataset: Sales.")
    assert board["pages"] == [{"name": "Summary", "position": 1}]
    assert [(c["name"], c["cardType"]) for c in board["cards"]] == [
        ("Total revenue", "KPI_CARD"),
        ("Total units", "KPI_CARD"),
        ("Rows", "KPI_CARD"),
        ("Total revenue by month", "LINE_CHART"),
    ]
    for card in board["cards"]:
        assert card["dashboardWidget"]["dataSource"]["dataset_id"] == sales["databaseId"]

    # and its rendering has data in every card, without errors
    cards = await rendered_cards(editor, board["id"])
    assert [c["error"] for c in cards] == [None] * 4
    rows = {c["title"]: c["data"]["rows"] for c in cards}
    revenue = float(sum(Decimal(str(r[3])) for r in SALES_ROWS))
    assert rows["Total revenue"] == [{"sum_revenue": revenue}]
    assert rows["Total units"] == [{"sum_units": sum(r[4] for r in SALES_ROWS)}]
    assert rows["Rows"] == [{"count": len(SALES_ROWS)}]
    by_month = rows["Total revenue by month"]
    assert [r["order_date"][:7] for r in by_month] == ["2026-01", "2026-02", "2026-03"]
    assert [r["sum_revenue"] for r in by_month] == [200.5, 245.25, 159.75]


async def test_every_template_over_sales_renders_without_errors(
    editor: Caller, reader: Caller, services: Services
) -> None:
    sales = await sales_dataset(editor, services)
    templates = (await editor.graphql(TEMPLATES))["dashboardTemplates"]

    for template in templates:
        payload = await from_template(
            editor, templateId=template["id"], datasetId=sales["databaseId"], name=template["id"]
        )
        assert payload["userErrors"] == [], template["id"]
        board = payload["dashboard"]
        with_data = {c["name"] for c in board["cards"] if c["dashboardWidget"]["dataSource"]}
        # a reader sees the new (active, unrestricted) dashboard's render too
        cards = await rendered_cards(reader, board["id"])
        assert [c["error"] for c in cards] == [None] * len(cards), template["id"]
        assert with_data, template["id"]
        for card in cards:
            if card["title"] in with_data:
                assert card["data"]["rows"], (template["id"], card["title"])


async def test_a_dataset_without_the_needed_columns_is_refused(
    editor: Caller, services: Services
) -> None:
    await seed_sales(services, editor.tenant)
    regions = await dataset(editor, "Regions", "SQL", "SELECT DISTINCT region FROM sales")

    payload = await from_template(editor, templateId="kpi_summary", datasetId=regions["id"])

    assert payload["dashboard"] is None
    assert problems(payload) == [(("datasetId",), "INVALID")]
    message = payload["userErrors"][0]["message"]
    assert message.startswith("template 'KPI summary' (kpi_summary) needs a number column")
    assert "dataset 'Regions' has only region (string)" in message
    assert (await editor.graphql("{ dashboards { totalCount } }"))["dashboards"]["totalCount"] == 0


async def test_unknown_templates_and_datasets(editor: Caller, services: Services) -> None:
    sales = await sales_dataset(editor, services)

    no_template = await from_template(editor, templateId="pie_in_the_sky", datasetId=sales["id"])
    no_dataset = await from_template(editor, templateId="kpi_summary", datasetId="999999999")
    not_an_id = await from_template(editor, templateId="kpi_summary", datasetId="sales")

    assert problems(no_template) == [(("templateId",), "NOT_FOUND")]
    assert no_template["userErrors"][0]["message"] == "template 'pie_in_the_sky' not found"
    assert problems(no_dataset) == [(("datasetId",), "UNKNOWN_REFERENCE")]
    assert problems(not_an_id) == [(("datasetId",), "UNKNOWN_REFERENCE")]


async def test_into_a_collection(editor: Caller, services: Services) -> None:
    sales = await sales_dataset(editor, services)
    created = await editor.graphql(CREATE_COLLECTION, {"input": {"name": "Sales team"}})
    collection_id = created["createCollection"]["collection"]["id"]

    payload = await from_template(
        editor, templateId="data_table", datasetId=sales["id"], collectionId=collection_id
    )

    assert payload["userErrors"] == []
    assert payload["dashboard"]["collection"] == {"name": "Sales team"}


async def test_a_reader_may_not_create_from_a_template(
    editor: Caller, reader: Caller, services: Services
) -> None:
    sales = await sales_dataset(editor, services)

    payload = await from_template(reader, templateId="kpi_summary", datasetId=sales["id"])

    assert payload["dashboard"] is None
    assert problems(payload) == [(None, "FORBIDDEN")]


async def test_another_tenants_dataset_is_unknown(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    sales = await sales_dataset(editor, services)

    payload = await from_template(outsider, templateId="kpi_summary", datasetId=sales["id"])

    assert payload["dashboard"] is None
    assert problems(payload) == [(("datasetId",), "UNKNOWN_REFERENCE")]
    data = await outsider.graphql("{ dashboards { totalCount } }")
    assert data["dashboards"]["totalCount"] == 0
