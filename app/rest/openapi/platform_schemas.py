"""Seed 002's bodies and answers: collections, dashboards with their pages, cards and share
grants, renders, templates, datasets."""

from __future__ import annotations

from app.rest.openapi._build import (
    BOOLEAN,
    INTEGER,
    OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    array,
    closed,
    enum,
    nullable,
    ref,
)
from app.rest.openapi._models import model_components
from app.rest.platform import bodies

PREFIX = "Platform"
LAYOUT = ref("PlatformLayout")

_SUMMARY: dict[str, Schema] = {
    "id": INTEGER,
    "code": STRING,
    "name": STRING,
    "description": nullable(STRING),
    "collection_id": nullable(INTEGER),
    "is_active": BOOLEAN,
    "is_default": BOOLEAN,
    "role_ids": array(INTEGER),
    "owner_id": STRING,
    "version": INTEGER,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
_CARD: dict[str, Schema] = {
    "card_id": INTEGER,
    "card_type": STRING,
    "name": STRING,
    "config": OBJECT,
    "layout": nullable(LAYOUT),
    "widget_id": INTEGER,
    "data_source": nullable(OBJECT),
}
_TILE_DATA = closed(
    {
        "columns": array(closed({"name": STRING, "type": STRING})),
        "rows": array(OBJECT),
        "row_count": INTEGER,
        "truncated": BOOLEAN,
    }
)
CARD_ERROR = closed({"code": STRING, "message": STRING})

RESPONSES: dict[str, Schema] = {
    "PlatformCollection": closed(
        {
            "id": INTEGER,
            "name": STRING,
            "description": nullable(STRING),
            "parent_id": nullable(INTEGER),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "PlatformDashboardSummary": closed(_SUMMARY),
    "PlatformDashboardFields": closed({**_SUMMARY, "parameters": OBJECT}),
    "PlatformDashboard": closed(
        {
            **_SUMMARY,
            "parameters": OBJECT,
            "pages": array(ref("PlatformPageWithCards")),
            "shares": array(ref("PlatformShare")),
            "public_link": nullable(ref("PlatformPublicLink")),
        }
    ),
    "PlatformCard": closed(_CARD, {"page": INTEGER}),
    "PlatformPage": closed({"id": INTEGER, "name": STRING, "position": INTEGER}),
    "PlatformPageWithCards": closed(
        {"id": INTEGER, "name": STRING, "position": INTEGER, "cards": array(closed(_CARD))}
    ),
    "PlatformShare": closed(
        {
            "share_id": INTEGER,
            "subject_type": enum("user", "group"),
            "subject_id": STRING,
            "access_level": enum("viewer", "commenter", "editor"),
            "granted_by": STRING,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "PlatformPublicLink": closed({"slug": STRING, "url": STRING, "created_at": TIMESTAMP}),
    "PlatformPlacedCards": closed(
        {
            "cards": array(
                closed({"card_id": INTEGER, "page_id": INTEGER, "layout": nullable(LAYOUT)})
            )
        }
    ),
    "PlatformRendering": closed(
        {
            "dashboard": closed({"id": INTEGER, "name": STRING, "parameters": OBJECT}),
            "page": INTEGER,
            "cards": array(ref("PlatformRenderedCard")),
        }
    ),
    "PlatformRenderedCard": closed(
        {
            "card_id": nullable(INTEGER),
            "widget_id": INTEGER,
            "card_type": STRING,
            "title": STRING,
            "data": nullable(_TILE_DATA),
            "error": nullable(CARD_ERROR),
            "cached": BOOLEAN,
            "computed_at": nullable(TIMESTAMP),
        }
    ),
    "PlatformTemplate": closed(
        {"id": STRING, "name": STRING, "description": STRING, "requirements": array(STRING)}
    ),
    "Dataset": closed(
        {
            "id": INTEGER,
            "name": STRING,
            "description": nullable(STRING),
            "source_kind": enum("table", "view", "sql"),
            "source": STRING,
            "columns": array(
                closed(
                    {
                        "name": STRING,
                        "type": enum("number", "string", "date", "datetime", "boolean", "other"),
                        "db_type": STRING,
                    }
                )
            ),
            "owner_id": STRING,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
}

BODIES = model_components(
    {
        "PlatformCollectionCreate": bodies.CollectionCreate,
        "PlatformCollectionPatch": bodies.CollectionPatch,
        "PlatformDashboardCreate": bodies.DashboardCreate,
        "PlatformDashboardPatch": bodies.DashboardPatch,
        "PlatformDuplicate": bodies.DuplicateBody,
        "PlatformCardCreate": bodies.CardCreate,
        "PlatformCardPatch": bodies.CardPatch,
        "PlatformLayoutUpdate": bodies.LayoutBody,
        "PlatformPageCreate": bodies.PageCreate,
        "PlatformPagePatch": bodies.PagePatch,
        "PlatformShareCreate": bodies.ShareCreate,
        "PlatformFromTemplate": bodies.TemplateDashboardCreate,
        "DatasetCreate": bodies.DatasetCreate,
        "DatasetPatch": bodies.DatasetPatch,
    },
    PREFIX,
)
