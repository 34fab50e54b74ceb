"""Every REST route (and each dialect a shared route serves), called on the victim's objects.
Which route a request reaches is read from the app's own route table by the matrix test, so
an operation cannot claim a route it does not call."""

from __future__ import annotations

from tests.isolation.answers import SEED_000, SEED_002, SEED_003, SEED_004
from tests.isolation.callers import (
    INACTIVE_READER,
    MEMBER_WITHOUT_EDIT,
    NON_OWNER_EDITOR,
    OTHER_TENANT_OWN_BOARD,
    ROLELESS_EDITOR,
    ROLELESS_READER,
    SAME_TENANT,
    UNGRANTED_EDITOR,
    UNGRANTED_READER,
)
from tests.isolation.operations import (
    Op,
    Rest,
    content_refusals,
    fresh,
    manage_refusals,
    mixed_refusals,
    read_refusals,
)
from tests.isolation.transfer import IMPORTED_DOCUMENT
from tests.isolation.victim import ASSIGNEE, EDITOR, READER, Board, Victim

FORBIDDEN = "403 FORBIDDEN"
NOT_FOUND = "404 NOT_FOUND"
NO_DASHBOARD = "404 DASHBOARD_NOT_FOUND"  # seed 004
CREATED, LISTED = "201", "200"
CONTENT = content_refusals(FORBIDDEN, NOT_FOUND)
# Duplicating needs dashboard.edit before the dashboard is looked up (GraphQL's SCOPE_FIRST).
SCOPE_FIRST = {**CONTENT, INACTIVE_READER: FORBIDDEN}
MANAGE = manage_refusals(FORBIDDEN, NOT_FOUND)
UNSEEN = read_refusals(NOT_FOUND, LISTED)
LIBRARY = {MEMBER_WITHOUT_EDIT: FORBIDDEN}
LISTED_WITHOUT_PRIVATE = read_refusals(LISTED, LISTED)
ADMIN_OR_SELF = {MEMBER_WITHOUT_EDIT: FORBIDDEN, NON_OWNER_EDITOR: FORBIDDEN}

BI = "/api/v1/bi/dashboards"


def _board(b: Board) -> str:
    return f"/api/dashboards/{b.id}"


def _card(b: Board) -> str:
    return f"{_board(b)}/cards/{b.card}"


def _envelope(attributes: dict[str, object]) -> dict[str, object]:
    return {"data": {"type": "dashboards", "attributes": attributes}}


def _victim_sql(v: Victim) -> str:
    return f'SELECT * FROM "{v.schema}".sales'


def _user(b: Board) -> str:
    return f"/api/users/{ASSIGNEE}/dashboards/dashboard_{b.id}"


REST_OPS: dict[str, Op] = {
    # seeds 000 and 001: the Clarus envelopes
    "POST /api/dashboards (seed 000)": Op(
        SEED_000,
        lambda v, b: Rest(
            "POST",
            "/api/dashboards",
            _envelope({"code": fresh("planted").replace(" ", "-"), "name": fresh("Planted")}),
        ),
        other_tenant=CREATED,  # in its own tenant: the victim's is unchanged
        same_tenant=LIBRARY,
    ),
    "PUT /api/dashboards/{id}/widgets (seed 001)": Op(
        SEED_000,
        lambda v, b: Rest(
            "PUT",
            f"{_board(b)}/widgets",
            _envelope(
                {
                    "placements": [
                        {"dashboard_widget_id": v.widget},
                        {"dashboard_widget_id": b.card_widget},
                    ]
                }
            ),
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals("422 UNKNOWN_REFERENCE"),
    ),
    # seed 002
    "POST /api/dashboards (seed 002) in the victim's collection": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST", "/api/dashboards", {"name": fresh("Planted"), "collection_id": v.collection}
        ),
        other_tenant="422 UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "GET /api/dashboards (seed 002)": Op(
        SEED_002,
        lambda v, b: Rest("GET", "/api/dashboards?limit=100"),
        other_tenant=LISTED,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "GET /api/dashboards?collection_id= (the victim's)": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"/api/dashboards?limit=100&collection_id={v.collection}"),
        other_tenant=LISTED,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "GET /api/dashboards/{id}": Op(
        SEED_002,
        lambda v, b: Rest("GET", _board(b)),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "PATCH /api/dashboards/{id}": Op(
        SEED_002,
        lambda v, b: Rest(
            "PATCH", _board(b), {"name": "Taken over", "collection_id": v.collection}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed={OTHER_TENANT_OWN_BOARD: "422 UNKNOWN_REFERENCE"},
    ),
    "DELETE /api/dashboards/{id}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", _board(b)),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "POST /api/dashboards/{id}/duplicate": Op(
        SEED_002,
        lambda v, b: Rest("POST", f"{_board(b)}/duplicate", {"name": "Copied"}),
        other_tenant=NOT_FOUND,
        same_tenant=SCOPE_FIRST,
    ),
    "POST /api/dashboards/{id}/cards": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST",
            f"{_board(b)}/cards",
            {
                "card_type": "table",
                "layout": {"x": 0, "y": 6, "w": 6, "h": 2},
                "data_source": {
                    "dataset_id": v.dataset,
                    "dimensions": ["region"],
                    "measures": [{"aggregate": "sum", "column": "revenue"}],
                },
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed={OTHER_TENANT_OWN_BOARD: "422 UNKNOWN_REFERENCE"},
    ),
    "PATCH /api/dashboards/{id}/cards/{card_id}": Op(
        SEED_002,
        lambda v, b: Rest("PATCH", _card(b), {"name": "Taken over"}),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "DELETE /api/dashboards/{id}/cards/{card_id}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", _card(b)),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "POST /api/dashboards/{id}/cards/{card_id}/duplicate": Op(
        SEED_002,
        lambda v, b: Rest("POST", f"{_card(b)}/duplicate"),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "PATCH /api/dashboards/{id}/layout": Op(
        SEED_002,
        lambda v, b: Rest(
            "PATCH", f"{_board(b)}/layout", [{"card_id": b.card, "x": 0, "y": 8, "w": 6, "h": 2}]
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "POST /api/dashboards/{id}/pages": Op(
        SEED_002,
        lambda v, b: Rest("POST", f"{_board(b)}/pages", {"name": fresh("Planted")}),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "PATCH /api/dashboards/{id}/pages/{page_number}": Op(
        SEED_002,
        lambda v, b: Rest("PATCH", f"{_board(b)}/pages/{b.last_page}", {"name": "Taken over"}),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "DELETE /api/dashboards/{id}/pages/{page_number}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", f"{_board(b)}/pages/{b.last_page}"),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "GET /api/dashboards/{id}/shares": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"{_board(b)}/shares"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "POST /api/dashboards/{id}/shares": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST",
            f"{_board(b)}/shares",
            {"subject_type": "user", "subject_id": "mallory", "access_level": "editor"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "DELETE /api/dashboards/{id}/shares/{share_id}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", f"{_board(b)}/shares/{b.share}"),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "GET /api/dashboards/{id}/revisions": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"{_board(b)}/revisions"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "GET /api/dashboards/{id}/revisions/{version}": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"{_board(b)}/revisions/1"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "GET /api/dashboards/{id}/revisions/diff": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"{_board(b)}/revisions/diff?from=1"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "POST /api/dashboards/{id}/revisions/{version}/restore": Op(
        SEED_002,
        lambda v, b: Rest("POST", f"{_board(b)}/revisions/1/restore"),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "GET /api/dashboards/collections": Op(
        SEED_002,
        lambda v, b: Rest("GET", "/api/dashboards/collections"),
        other_tenant=LISTED,
        members_may="every member sees the tenant's collections",
    ),
    "POST /api/dashboards/collections in the victim's collection": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST",
            "/api/dashboards/collections",
            {"name": fresh("Planted"), "parent_id": v.collection},
        ),
        other_tenant="422 UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "PATCH /api/dashboards/collections/{id}": Op(
        SEED_002,
        lambda v, b: Rest(
            "PATCH", f"/api/dashboards/collections/{v.collection}", {"name": "Taken over"}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "DELETE /api/dashboards/collections/{id}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", f"/api/dashboards/collections/{v.collection}"),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "GET /api/dashboards/templates": Op(
        SEED_002,
        lambda v, b: Rest("GET", "/api/dashboards/templates"),
        other_tenant=LISTED,
        members_may="templates are built in, the same for every tenant",
    ),
    "POST /api/dashboards/from-template over the victim's dataset": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST",
            "/api/dashboards/from-template",
            {"template_id": "kpi_summary", "dataset_id": v.dataset, "name": fresh("Planted")},
        ),
        other_tenant="422 UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "GET /api/dashboards/{id}/render": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"{_board(b)}/render?page=1"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "POST /api/dashboards/{id}/public": Op(
        SEED_002,
        lambda v, b: Rest("POST", f"{_board(b)}/public"),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "DELETE /api/dashboards/{id}/public": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", f"{_board(b)}/public"),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "GET /api/datasets": Op(
        SEED_002,
        lambda v, b: Rest("GET", "/api/datasets"),
        other_tenant=LISTED,
        members_may="every member sees the tenant's datasets",
    ),
    "POST /api/datasets reading the victim's schema": Op(
        SEED_002,
        lambda v, b: Rest(
            "POST",
            "/api/datasets",
            {"name": fresh("Planted"), "source_kind": "sql", "source": _victim_sql(v)},
        ),
        other_tenant="422 INVALID",
        same_tenant=LIBRARY,
    ),
    "GET /api/datasets/{id}": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"/api/datasets/{v.dataset}"),
        other_tenant=NOT_FOUND,
        members_may="every member sees the tenant's datasets",
    ),
    "PATCH /api/datasets/{id}": Op(
        SEED_002,
        lambda v, b: Rest("PATCH", f"/api/datasets/{v.dataset}", {"name": "Taken over"}),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "DELETE /api/datasets/{id}": Op(
        SEED_002,
        lambda v, b: Rest("DELETE", f"/api/datasets/{v.dataset}"),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    # seed 003
    "GET /api/v1/bi/dashboards": Op(
        SEED_003,
        lambda v, b: Rest("GET", f"{BI}?limit=100"),
        other_tenant=LISTED,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "POST /api/v1/bi/dashboards": Op(
        SEED_003,
        lambda v, b: Rest("POST", BI, {"name": fresh("Planted")}),
        other_tenant=CREATED,  # in its own tenant: the victim's is unchanged
        same_tenant=LIBRARY,
    ),
    "GET /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda v, b: Rest("GET", f"{BI}/{b.id}"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "PUT /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda v, b: Rest("PUT", f"{BI}/{b.id}", {"name": "Taken over", "visibility": "team"}),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,  # owner or admin only
    ),
    "DELETE /api/v1/bi/dashboards/{id}": Op(
        SEED_003,
        lambda v, b: Rest("DELETE", f"{BI}/{b.id}"),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "POST /api/v1/bi/dashboards/{id}/widgets": Op(
        SEED_003,
        lambda v, b: Rest(
            "POST",
            f"{BI}/{b.id}/widgets",
            {
                "name": fresh("Planted"),
                "widget_type": "table",
                "position": {"x": 0, "y": 6, "width": 6, "height": 2},
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "PUT /api/v1/bi/dashboards/{id}/widgets/{widget_id}": Op(
        SEED_003,
        lambda v, b: Rest("PUT", f"{BI}/{b.id}/widgets/{b.card}", {"name": "Taken over"}),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "DELETE /api/v1/bi/dashboards/{id}/widgets/{widget_id}": Op(
        SEED_003,
        lambda v, b: Rest("DELETE", f"{BI}/{b.id}/widgets/{b.card}"),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "POST /api/v1/bi/dashboards/{id}/share": Op(
        SEED_003,
        lambda v, b: Rest(
            "POST",
            f"{BI}/{b.id}/share",
            {"visibility": "public", "shared_with": ["mallory"], "permissions": "edit"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    # seed 004
    "POST /api/dashboards (seed 004) with the victim's widget kind": Op(
        SEED_004,
        lambda v, b: Rest(
            "POST",
            "/api/dashboards",
            {"name": fresh("Planted"), "type": "sales", "widgets": [{"id": "w1", "type": v.kind}]},
        ),
        other_tenant="400 INVALID_WIDGET_TYPE",
        same_tenant=LIBRARY,
    ),
    "GET /api/dashboards?$top= (seed 004)": Op(
        SEED_004,
        lambda v, b: Rest("GET", "/api/dashboards?$top=100"),
        other_tenant=LISTED,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "GET /api/dashboards/dashboard_{id}": Op(
        SEED_004,
        lambda v, b: Rest("GET", f"/api/dashboards/dashboard_{b.id}"),
        other_tenant=NO_DASHBOARD,
        same_tenant=read_refusals(NO_DASHBOARD, LISTED),
    ),
    "PUT /api/dashboards/dashboard_{id}": Op(
        SEED_004,
        lambda v, b: Rest(
            "PUT",
            f"/api/dashboards/dashboard_{b.id}",
            {"name": "Taken over", "widgets": [{"id": "w1", "type": v.kind}]},
        ),
        other_tenant=NO_DASHBOARD,
        same_tenant=content_refusals(FORBIDDEN, NO_DASHBOARD),
        mixed={OTHER_TENANT_OWN_BOARD: "400 INVALID_WIDGET_TYPE"},
    ),
    "DELETE /api/dashboards/dashboard_{id}": Op(
        SEED_004,
        lambda v, b: Rest("DELETE", f"/api/dashboards/dashboard_{b.id}"),
        other_tenant=NO_DASHBOARD,
        same_tenant=manage_refusals(FORBIDDEN, NO_DASHBOARD),
    ),
    "GET /api/users/{userId}/dashboards": Op(
        SEED_004,
        lambda v, b: Rest("GET", f"/api/users/{ASSIGNEE}/dashboards"),
        other_tenant="404 USER_NOT_FOUND",
        same_tenant=ADMIN_OR_SELF,
    ),
    "GET /api/users/{userId}/dashboards of the member": Op(
        SEED_004,
        lambda v, b: Rest("GET", f"/api/users/{READER}/dashboards"),
        other_tenant="404 USER_NOT_FOUND",
        # the private and restricted dashboards are assigned to her: still unseen
        same_tenant={UNGRANTED_READER: LISTED, ROLELESS_READER: LISTED},
    ),
    "PUT /api/users/{userId}/dashboards/{id}": Op(
        SEED_004,
        lambda v, b: Rest("PUT", _user(b), {"isDefault": False}),
        other_tenant=NO_DASHBOARD,
        same_tenant=ADMIN_OR_SELF,
    ),
    "PUT /api/users/{userId}/dashboards/{id} for the editor": Op(
        SEED_004,
        lambda v, b: Rest(
            "PUT", f"/api/users/{EDITOR}/dashboards/dashboard_{b.id}", {"isDefault": True}
        ),
        other_tenant=NO_DASHBOARD,
        same_tenant={UNGRANTED_EDITOR: NO_DASHBOARD, ROLELESS_EDITOR: NO_DASHBOARD},
    ),
    "DELETE /api/users/{userId}/dashboards/{id}": Op(
        SEED_004,
        lambda v, b: Rest("DELETE", _user(b)),
        other_tenant=NO_DASHBOARD,
        same_tenant=ADMIN_OR_SELF,
    ),
    # Export and import (docs/export-import.md); imports are dry runs.
    "GET /api/export of a dashboard": Op(
        SEED_002,
        lambda v, b: Rest("GET", f"/api/export?scope=dashboard&id={b.id}&include_grants=true"),
        other_tenant=NOT_FOUND,
        same_tenant=UNSEEN,
    ),
    "GET /api/export of the tenant": Op(
        SEED_002,
        lambda v, b: Rest("GET", "/api/export?scope=tenant&include_grants=true"),
        other_tenant=LISTED,  # its own tenant
        same_tenant=dict.fromkeys(SAME_TENANT, FORBIDDEN),  # tenant admins only
    ),
    "POST /api/import (dry run)": Op(
        SEED_002,
        lambda v, b: Rest("POST", "/api/import?mode=overwrite&dry_run=true", IMPORTED_DOCUMENT),
        other_tenant=LISTED,  # into its own tenant
        same_tenant={
            **LIBRARY,
            INACTIVE_READER: FORBIDDEN,
            UNGRANTED_READER: FORBIDDEN,
            ROLELESS_READER: FORBIDDEN,
        },
    ),
}
