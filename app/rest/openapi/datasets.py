"""Datasets under /api/datasets and the public render of a dashboard, both in seed 002's
error style."""

from __future__ import annotations

from app.rest.openapi._build import (
    DATABASE_ID,
    LOCATION,
    STRING,
    Dialect,
    Operation,
    array,
    closed,
    empty_response,
    json_response,
    path,
    ref,
)
from app.rest.openapi.platform import PAGE_QUERY, RENDER_DESCRIPTION

DIALECT = Dialect("datasets", "NamedError")
PUBLIC = Dialect("public links", "NamedError")
BASE = "/api/datasets"
ONE = BASE + "/{dataset_id}"
DATASET_ID = path("dataset_id", DATABASE_ID, "The dataset's id.")
DATASET = ref("Dataset")

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", BASE): DIALECT.operation(
        "List the tenant's datasets",
        {"200": json_response("All of them.", closed({"datasets": array(DATASET)}))},
    ),
    ("POST", BASE): DIALECT.operation(
        "Create a dataset from a table, a view or SQL of the tenant's data schema",
        {"201": json_response("The dataset with its columns.", DATASET, LOCATION)},
        409,
        503,
        body="DatasetCreate",
    ),
    ("GET", ONE): DIALECT.operation(
        "Read a dataset",
        {"200": json_response("The dataset.", DATASET)},
        404,
        parameters=[DATASET_ID],
    ),
    ("PATCH", ONE): DIALECT.operation(
        "Change a dataset",
        {"200": json_response("The dataset.", DATASET)},
        404,
        409,
        503,
        body="DatasetPatch",
        parameters=[DATASET_ID],
    ),
    ("DELETE", ONE): DIALECT.operation(
        "Delete a dataset no widget reads",
        {"204": empty_response("Deleted.")},
        404,
        409,
        parameters=[DATASET_ID],
        description="409 `in_use` while a widget reads it.",
    ),
    ("GET", "/api/public/dashboards/{slug}/render"): PUBLIC.operation(
        "Render a public dashboard, without a token",
        {
            "200": json_response(
                "The page's cards with their data; never cached (`Cache-Control: no-store`).",
                ref("PlatformRendering"),
            )
        },
        400,
        404,
        422,
        429,
        parameters=[path("slug", STRING, "The public link's slug."), PAGE_QUERY],
        description=RENDER_DESCRIPTION
        + " Only the parameters the dashboard marks `public` may be set. Each slug and each "
        "client address is rate limited (429).",
        public=True,
    ),
}
