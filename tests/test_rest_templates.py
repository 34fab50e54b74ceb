"""Built-in dashboard templates: `GET /api/dashboards/templates` and `POST
/api/dashboards/from-template`. Every template is made over a dataset on the sample `sales`
table and rendered: each of its data cards must come back with data and no error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.domain.templates import list_templates
from app.services import Services
from tests.conftest import Caller
from tests.test_rest_platform import SUMMARY_KEYS, assert_error, new_collection, read
from tests.test_rest_render import rendered, sales_dataset
from tests.tile_data import SALES_ROWS, run_as_service, tenant_schema

TEMPLATE_IDS = [t.id for t in list_templates()]
TOTAL_REVENUE = round(sum(row[3] for row in SALES_ROWS), 2)
TOTAL_UNITS = sum(row[4] for row in SALES_ROWS)


async def from_template(caller: Caller, **body: Any) -> httpx.Response:
    return await caller.request("POST", "/api/dashboards/from-template", json=body)


async def templates_of(caller: Caller) -> list[dict[str, Any]]:
    response = await caller.request("GET", "/api/dashboards/templates")
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"templates"}
    items: list[dict[str, Any]] = response.json()["templates"]
    return items


async def text_only_dataset(caller: Caller, services: Services) -> dict[str, Any]:
    schema = await tenant_schema(services, caller.tenant)
    await run_as_service(
        services,
        f'CREATE TABLE "{schema}".notes (body text)',
        f"INSERT INTO \"{schema}\".notes VALUES ('hello')",
    )
    response = await caller.request(
        "POST", "/api/datasets", json={"name": "notes", "source_kind": "table", "source": "notes"}
    )
    assert response.status_code == 201, response.text
    dataset: dict[str, Any] = response.json()
    return dataset


# --- the list ---------------------------------------------------------------------------------


async def test_the_templates_are_listed_with_what_they_need(reader: Caller) -> None:
    templates = await templates_of(reader)

    assert len(templates) >= 6
    ids = [t["id"] for t in templates]
    assert {"kpi_summary", "profile_detail"} <= set(ids)
    assert len(set(ids)) == len(ids)
    for template in templates:
        assert set(template) == {"id", "name", "description", "requirements"}, template
        assert template["name"], template
        assert template["description"], template
        assert isinstance(template["requirements"], list), template
        assert template["requirements"], template
        assert all(isinstance(r, str) for r in template["requirements"]), template
    kpi = next(t for t in templates if t["id"] == "kpi_summary")
    assert kpi["name"] == "KPI summary"
    assert "a number column" in kpi["requirements"]


async def test_the_templates_need_a_valid_token(editor: Caller, http: httpx.AsyncClient) -> None:
    expired = Caller(http, editor.tenant, user="alice", ttl=-100)
    body = {"template_id": "kpi_summary", "dataset_id": 1, "name": "x"}

    for response in (
        await http.get("/api/dashboards/templates"),
        await http.post("/api/dashboards/from-template", json=body),
        await expired.request("GET", "/api/dashboards/templates"),
        await from_template(expired, **body),
    ):
        assert_error(response, 401, "unauthenticated", code="UNAUTHENTICATED")


# --- dashboards from templates ----------------------------------------------------------------


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
async def test_every_template_makes_a_dashboard_whose_cards_all_render(
    editor: Caller, services: Services, template_id: str
) -> None:
    dataset = await sales_dataset(editor, services)

    response = await from_template(
        editor, template_id=template_id, dataset_id=dataset["id"], name=f"From {template_id}"
    )

    assert response.status_code == 201, response.text
    board = response.json()
    assert set(board) == SUMMARY_KEYS | {"parameters", "pages", "shares", "public_link"}
    assert response.headers["location"] == f"/api/dashboards/{board['id']}"
    assert response.headers["etag"] == f'"v{board["version"]}"'
    assert board["name"] == f"From {template_id}"
    assert board["owner_id"] == "alice"
    assert board["public_link"] is None
    assert board == await read(editor, board["id"])
    cards = [c for page in board["pages"] for c in page["cards"]]
    assert cards
    data_cards = [c for c in cards if c["card_type"] != "text"]
    assert data_cards
    for card in data_cards:
        assert card["data_source"]["dataset_id"] == dataset["id"], card
    for number in range(1, len(board["pages"]) + 1):
        rendering = await rendered(editor, board["id"], f"?page={number}")
        for card in rendering["cards"]:
            assert card["error"] is None, (template_id, card)
            if card["card_type"] == "text":
                continue
            assert card["data"] is not None, (template_id, card)
            assert card["data"]["row_count"] > 0, (template_id, card)


async def test_a_kpi_summary_shows_the_datasets_totals(editor: Caller, services: Services) -> None:
    dataset = await sales_dataset(editor, services)
    response = await from_template(
        editor, template_id="kpi_summary", dataset_id=dataset["id"], name="KPIs"
    )
    assert response.status_code == 201, response.text

    rendering = await rendered(editor, response.json()["id"])

    values = {
        c["title"]: c["data"]["rows"] for c in rendering["cards"] if c["card_type"] == "kpi_card"
    }
    assert values == {
        "Total revenue": [{"sum_revenue": TOTAL_REVENUE}],
        "Total units": [{"sum_units": TOTAL_UNITS}],
        "Rows": [{"count": len(SALES_ROWS)}],
    }


async def test_a_profile_is_narrowed_by_its_parameter(editor: Caller, services: Services) -> None:
    dataset = await sales_dataset(editor, services)
    response = await from_template(
        editor, template_id="profile_detail", dataset_id=dataset["id"], name="Profiles"
    )
    assert response.status_code == 201, response.text
    board = response.json()
    assert list(board["parameters"]) == ["region"]

    rendering = await rendered(editor, board["id"], "?param.region=EU")

    rows = {
        c["title"]: c["data"]["rows"] for c in rendering["cards"] if c["card_type"] == "kpi_card"
    }
    assert rows["Rows"] == [{"count": 2}]
    assert rows["Total revenue"] == [{"sum_revenue": 200.5}]


async def test_a_template_goes_into_the_collection_named(
    editor: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)
    folder = await new_collection(editor, "Made from templates")

    response = await from_template(
        editor,
        template_id="data_table",
        dataset_id=dataset["id"],
        name="Rows",
        collection_id=folder["id"],
    )

    assert response.status_code == 201, response.text
    assert response.json()["collection_id"] == folder["id"]


async def test_a_dataset_without_the_columns_a_template_needs_is_refused(
    editor: Caller, services: Services
) -> None:
    dataset = await text_only_dataset(editor, services)

    response = await from_template(
        editor, template_id="kpi_summary", dataset_id=dataset["id"], name="KPIs"
    )
    fits = await from_template(
        editor, template_id="data_table", dataset_id=dataset["id"], name="Notes"
    )

    body = assert_error(response, 422, "invalid", code="INVALID", field="dataset_id")
    assert "KPI summary" in body["message"]
    assert "a number column" in body["message"]
    assert "notes" in body["message"]
    assert fits.status_code == 201, fits.text


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"template_id": "no_such_template"}, 404, "template_not_found", "template_id"),
        ({"dataset_id": 987654321}, 422, "unknown_reference", "dataset_id"),
        ({"dataset_id": 0}, 422, "invalid", "dataset_id"),
        ({"dataset_id": "1"}, 422, "invalid", "dataset_id"),
        ({"name": " "}, 422, "required", "name"),
        ({"name": "n" * 51}, 422, "too_long", "name"),
        ({"collection_id": 987654321}, 422, "unknown_reference", "collection_id"),
        ({"colour": "red"}, 422, "invalid", "colour"),
    ],
)
async def test_a_refused_template_request_creates_nothing(
    editor: Caller,
    services: Services,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str,
) -> None:
    dataset = await sales_dataset(editor, services)
    values = {"template_id": "kpi_summary", "dataset_id": dataset["id"], "name": "KPIs"} | body

    response = await from_template(editor, **values)

    assert_error(response, status, error, field=field)
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 0


async def test_a_reader_may_not_make_dashboards_from_templates(
    editor: Caller, reader: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)

    response = await from_template(
        reader, template_id="kpi_summary", dataset_id=dataset["id"], name="KPIs"
    )

    assert_error(response, 403, "permission_denied", code="FORBIDDEN")
    assert (await editor.request("GET", "/api/dashboards")).json()["total"] == 0


async def test_another_tenants_dataset_is_unknown(
    editor: Caller, outsider: Caller, services: Services
) -> None:
    dataset = await sales_dataset(editor, services)

    response = await from_template(
        outsider, template_id="kpi_summary", dataset_id=dataset["id"], name="KPIs"
    )

    assert_error(response, 422, "unknown_reference", code="UNKNOWN_REFERENCE", field="dataset_id")
    assert (await outsider.request("GET", "/api/dashboards")).json()["total"] == 0
