"""Every Query and Mutation field, called on the victim's objects. Documents select the fields
that carry the victim's markers, so that an answer that should be empty would show them."""

from __future__ import annotations

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
    GRAPHQL,
    Gql,
    Op,
    content_refusals,
    fresh,
    gql_mutation,
    gql_query,
    manage_refusals,
    mixed_refusals,
    read_refusals,
)
from tests.isolation.transfer import IMPORTED_DOCUMENT
from tests.isolation.victim import ASSIGNEE, EDITOR, READER, Board, Victim

OK, NULL, ERROR = "ok", "null", "error"
FORBIDDEN, NOT_FOUND = "FORBIDDEN", "NOT_FOUND"
CONTENT = content_refusals(FORBIDDEN, NOT_FOUND)
# Duplicating dashboards and changing widgets need dashboard.edit before anything is looked
# up: the refusal is the same whether the object exists or not.
SCOPE_FIRST = {**CONTENT, INACTIVE_READER: FORBIDDEN}
MANAGE = manage_refusals(FORBIDDEN, NOT_FOUND)
UNSEEN = read_refusals(NULL, OK)
LIBRARY = {MEMBER_WITHOUT_EDIT: FORBIDDEN}
LISTED_WITHOUT_PRIVATE = read_refusals(OK, OK)
ADMIN_OR_SELF = {MEMBER_WITHOUT_EDIT: FORBIDDEN, NON_OWNER_EDITOR: FORBIDDEN}

WIDGET = "id databaseId name description config dataSource kind"
DASHBOARD = f"""
  id databaseId code name description tags type parameters visibility
  publicLink {{ slug path }} collection {{ name description }}
  pages {{ name cards {{ name }} }} shares {{ subjectId }}
  cards {{ name config dashboardWidget {{ {WIDGET} }} }}
  placements {{ dashboardWidget {{ {WIDGET} }} }}
  revisions(first: 3) {{ totalCount edges {{ node {{ message changes {{ path }} }} }} }}
"""
NODE = f"""
query N($id: ID!) {{
  node(id: $id) {{
    id
    ... on Dashboard {{ {DASHBOARD} }}
    ... on DashboardWidget {{ {WIDGET} }}
    ... on Collection {{ name description }}
    ... on Dataset {{ name source columns {{ name }} }}
    ... on ShareGrant {{ subjectId }}
    ... on DashboardCard {{ name config }}
    ... on DashboardPage {{ name }}
  }}
}}
"""
REVISION = """
query R($dashboardId: ID!, $version: Int!) {
  dashboardRevision(dashboardId: $dashboardId, version: $version) {
    id version author message changes { kind path } snapshot
  }
}
"""
REVISION_DIFF = """
query D($dashboardId: ID!, $fromVersion: Int!) {
  dashboardRevisionDiff(dashboardId: $dashboardId, fromVersion: $fromVersion) {
    changes { kind path } patch
  }
}
"""
RENDERED_CARD = (
    f"title data error {{ code message }} card {{ name config }} dashboardWidget {{ {WIDGET} }}"
)


def node(pick: str) -> Op:
    """`node(id:)` on one kind of the victim's objects."""

    def build(v: Victim, b: Board) -> Gql:
        ids = {
            "dashboard": b.gid,
            "card": b.card_gid,
            "card widget": b.card_widget_gid,
            "share": b.share_gid,
            "page": b.last_page_gid,
            "library widget": v.widget_gid,
            "dataset": v.dataset_gid,
            "collection": v.collection_gid,
        }
        return gql_query("node", NODE, id=ids[pick])

    of_board = pick in ("dashboard", "card", "card widget", "share", "page")
    return Op(
        GRAPHQL,
        build,
        other_tenant=NULL,
        same_tenant=UNSEEN if of_board else {},
        members_may="" if of_board else "every member sees the tenant's library",
    )


GRAPHQL_OPS: dict[str, Op] = {
    **{
        f"query node: {pick}": node(pick)
        for pick in (
            "dashboard",
            "card",
            "card widget",
            "share",
            "page",
            "library widget",
            "dataset",
            "collection",
        )
    },
    "query dashboard": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboard", f"query D($id: ID!) {{ dashboard(id: $id) {{ {DASHBOARD} }} }}", id=b.gid
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query dashboard by integer id": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboard",
            f"query D($id: ID!) {{ dashboard(id: $id) {{ {DASHBOARD} }} }}",
            id=str(b.id),
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query dashboards": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboards",
            f"{{ dashboards(first: 20) {{ totalCount edges {{ node {{ {DASHBOARD} }} }} }} }}",
        ),
        other_tenant=OK,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "query dashboards in the victim's collection": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboards",
            "query L($c: ID) { dashboards(first: 20, collectionId: $c) "
            f"{{ totalCount edges {{ node {{ {DASHBOARD} }} }} }} }}",
            c=v.collection_gid,
        ),
        other_tenant=OK,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "query collections": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "collections", "{ collections { id name description parent { name } } }"
        ),
        other_tenant=OK,
        members_may="every member sees the tenant's collections",
    ),
    "query collection": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "collection",
            "query C($id: ID!) { collection(id: $id) { name description } }",
            id=v.collection_gid,
        ),
        other_tenant=NULL,
        members_may="every member sees the tenant's collections",
    ),
    "query dashboardWidget: card widget": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboardWidget",
            f"query W($id: ID!) {{ dashboardWidget(id: $id) {{ {WIDGET} }} }}",
            id=b.card_widget_gid,
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query dashboardWidget: library widget": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboardWidget",
            f"query W($id: ID!) {{ dashboardWidget(id: $id) {{ {WIDGET} }} }}",
            id=str(v.widget),
        ),
        other_tenant=NULL,
        members_may="every member sees the tenant's library widgets",
    ),
    "query dashboardWidgets": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboardWidgets",
            f"{{ dashboardWidgets(first: 20) {{ totalCount edges {{ node {{ {WIDGET} }} }} }} }}",
        ),
        other_tenant=OK,
        same_tenant=LISTED_WITHOUT_PRIVATE,
    ),
    "query viewer": Op(
        GRAPHQL,
        lambda v, b: gql_query("viewer", "{ viewer { userId tenant roles groups scopes } }"),
        other_tenant=OK,
        members_may="it describes the caller's own token",
    ),
    "query datasets": Op(
        GRAPHQL,
        lambda v, b: gql_query("datasets", "{ datasets { id name source columns { name } } }"),
        other_tenant=OK,
        members_may="every member sees the tenant's datasets",
    ),
    "query dataset": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dataset", "query S($id: ID!) { dataset(id: $id) { name source } }", id=v.dataset_gid
        ),
        other_tenant=NULL,
        members_may="every member sees the tenant's datasets",
    ),
    "query dashboardTemplates": Op(
        GRAPHQL,
        lambda v, b: gql_query("dashboardTemplates", "{ dashboardTemplates { id requirements } }"),
        other_tenant=OK,
        members_may="templates are built in, the same for every tenant",
    ),
    "query dashboardRendering": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboardRendering",
            "query R($id: ID!) { dashboardRendering(id: $id) "
            f"{{ parameters dashboard {{ name }} cards {{ {RENDERED_CARD} }} }} }}",
            id=b.gid,
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query widgetData: card widget": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "widgetData",
            f"query D($id: ID!) {{ widgetData(id: $id) {{ {RENDERED_CARD} }} }}",
            id=b.card_widget_gid,
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query widgetData: library widget on a dashboard": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "widgetData",
            "query D($id: ID!, $d: ID) { widgetData(id: $id, dashboardId: $d) "
            f"{{ {RENDERED_CARD} }} }}",
            id=v.widget_gid,
            d=b.gid,
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
        mixed={OTHER_TENANT_OWN_BOARD: NULL},
    ),
    "query widgetData: card widget on a dashboard": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "widgetData",
            "query D($id: ID!, $d: ID) { widgetData(id: $id, dashboardId: $d) "
            f"{{ {RENDERED_CARD} }} }}",
            id=b.card_widget_gid,
            d=b.gid,
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
        mixed=mixed_refusals(NULL),
    ),
    "query userDashboards of the member": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "userDashboards",
            "query U($u: String!) { userDashboards(userId: $u) "
            "{ userId dashboards { isDefault dashboard { name description } } } }",
            u=READER,
        ),
        other_tenant=ERROR,  # a user that tenant does not know
        # the private and restricted dashboards are assigned to her: still unseen
        same_tenant={UNGRANTED_READER: OK, ROLELESS_READER: OK},
    ),
    "query userDashboards": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "userDashboards",
            "query U($u: String!) { userDashboards(userId: $u) "
            "{ userId dashboards { isDefault dashboard { name } } } }",
            u=ASSIGNEE,
        ),
        other_tenant=ERROR,  # a user that tenant does not know
        same_tenant={MEMBER_WITHOUT_EDIT: ERROR, NON_OWNER_EDITOR: ERROR},  # another user's
    ),
    # Mutations
    "duplicateDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "duplicateDashboard",
            "DuplicateDashboardInput",
            f"dashboard {{ {DASHBOARD} }}",
            {"id": b.gid, "name": "Copied"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=SCOPE_FIRST,
    ),
    "createDashboard in the victim's collection": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createDashboard",
            "CreateDashboardInput",
            f"dashboard {{ {DASHBOARD} }}",
            {"name": fresh("Planted"), "collectionId": v.collection_gid},
        ),
        other_tenant="UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "updateDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboard",
            "UpdateDashboardInput",
            f"dashboard {{ {DASHBOARD} }}",
            {"id": b.gid, "name": "Taken over", "collectionId": v.collection_gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed={OTHER_TENANT_OWN_BOARD: "UNKNOWN_REFERENCE"},
    ),
    "deleteDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "deleteDashboard", "DeleteDashboardInput", "deletedId", {"id": b.gid}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "query dashboardRevision": Op(
        GRAPHQL,
        lambda v, b: gql_query("dashboardRevision", REVISION, dashboardId=b.gid, version=1),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "query dashboardRevisionDiff": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "dashboardRevisionDiff", REVISION_DIFF, dashboardId=b.gid, fromVersion=1
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "restoreDashboardRevision": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "restoreDashboardRevision",
            "RestoreDashboardRevisionInput",
            f"dashboard {{ {DASHBOARD} }}",
            {"dashboardId": b.gid, "version": 1},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "createDashboardWidget over the victim's dataset": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createDashboardWidget",
            "CreateDashboardWidgetInput",
            f"dashboardWidget {{ {WIDGET} }}",
            {
                "name": fresh("Planted"),
                "widgetType": "BAR_CHART",
                "dataSource": {
                    "dataset_id": v.dataset,
                    "dimensions": ["region"],
                    "measures": [{"aggregate": "sum", "column": "revenue"}],
                },
            },
        ),
        other_tenant="UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "updateDashboardWidget: card widget": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboardWidget",
            "UpdateDashboardWidgetInput",
            f"dashboardWidget {{ {WIDGET} }}",
            {"id": b.card_widget_gid, "name": "Taken over"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=SCOPE_FIRST,
    ),
    "updateDashboardWidget: library widget": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboardWidget",
            "UpdateDashboardWidgetInput",
            f"dashboardWidget {{ {WIDGET} }}",
            {"id": v.widget_gid, "config": {"note": "taken over"}},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "deleteDashboardWidget: card widget": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "deleteDashboardWidget",
            "DeleteDashboardWidgetInput",
            "deletedId",
            {"id": b.card_widget_gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=SCOPE_FIRST,
    ),
    "deleteDashboardWidget: library widget": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "deleteDashboardWidget", "DeleteDashboardWidgetInput", "deletedId", {"id": v.widget}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "setDashboardWidgetPlacements": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "setDashboardWidgetPlacements",
            "SetDashboardWidgetPlacementsInput",
            f"dashboard {{ {DASHBOARD} }}",
            {
                "dashboardId": b.gid,
                "placements": [
                    {"dashboardWidgetId": v.widget_gid},
                    {"dashboardWidgetId": b.card_widget_gid},
                ],
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals("UNKNOWN_REFERENCE"),
    ),
    "createCollection in the victim's collection": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createCollection",
            "CreateCollectionInput",
            "collection { name parent { name description } }",
            {"name": fresh("Planted"), "parentId": v.collection_gid},
        ),
        other_tenant="UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "updateCollection": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateCollection",
            "UpdateCollectionInput",
            "collection { name description }",
            {"id": v.collection_gid, "name": "Taken over"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "deleteCollection": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "deleteCollection", "DeleteCollectionInput", "deletedId", {"id": v.collection_gid}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "addDashboardPage": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "addDashboardPage",
            "AddDashboardPageInput",
            "page { name cards { name } }",
            {"dashboardId": b.gid, "name": fresh("Planted")},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "updateDashboardPage": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboardPage",
            "UpdateDashboardPageInput",
            "page { name cards { name config } }",
            {"dashboardId": b.gid, "page": b.last_page, "name": "Taken over"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "removeDashboardPage": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "removeDashboardPage",
            "RemoveDashboardPageInput",
            "deletedId",
            {"dashboardId": b.gid, "page": b.last_page},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
    ),
    "addDashboardCard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "addDashboardCard",
            "AddDashboardCardInput",
            "card { name config page { name } }",
            {
                "dashboardId": b.gid,
                "cardType": "TABLE",
                "layout": {"x": 0, "y": 6, "w": 6, "h": 2},
                "dataSource": {
                    "dataset_id": v.dataset,
                    "dimensions": ["region"],
                    "measures": [{"aggregate": "sum", "column": "revenue"}],
                },
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed={OTHER_TENANT_OWN_BOARD: "UNKNOWN_REFERENCE"},
    ),
    "addDashboardCard: SQL reading the victim's schema": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "addDashboardCard",
            "AddDashboardCardInput",
            "card { name config dashboardWidget { dataSource } }",
            {
                "dashboardId": b.gid,
                "cardType": "TABLE",
                "layout": {"x": 0, "y": 6, "w": 6, "h": 2},
                "dataSource": {"sql": f'SELECT * FROM "{v.schema}".sales'},
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed={OTHER_TENANT_OWN_BOARD: "INVALID"},
    ),
    "updateDashboardCard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboardCard",
            "UpdateDashboardCardInput",
            "card { name config dashboardWidget { dataSource } }",
            {"dashboardId": b.gid, "cardId": b.card_gid, "name": "Taken over"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "removeDashboardCard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "removeDashboardCard",
            "DashboardCardRefInput",
            "deletedId",
            {"dashboardId": b.gid, "cardId": b.card_gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "duplicateDashboardCard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "duplicateDashboardCard",
            "DashboardCardRefInput",
            "card { name config dashboardWidget { dataSource } }",
            {"dashboardId": b.gid, "cardId": b.card_gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "updateDashboardLayout": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDashboardLayout",
            "UpdateDashboardLayoutInput",
            f"dashboard {{ {DASHBOARD} }}",
            {
                "dashboardId": b.gid,
                "cards": [{"cardId": b.card_gid, "x": 0, "y": 8, "w": 6, "h": 2}],
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=CONTENT,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "shareDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "shareDashboard",
            "ShareDashboardInput",
            "share { subjectId }",
            {
                "dashboardId": b.gid,
                "subjectType": "USER",
                "subjectId": "mallory",
                "accessLevel": "EDITOR",
            },
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "revokeDashboardShare": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "revokeDashboardShare",
            "RevokeDashboardShareInput",
            "deletedId",
            {"dashboardId": b.gid, "shareId": b.share_gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
        mixed=mixed_refusals(NOT_FOUND),
    ),
    "createDataset: the victim's table by schema": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createDataset",
            "CreateDatasetInput",
            "dataset { name source columns { name } }",
            {"name": fresh("Planted"), "sourceKind": "TABLE", "source": f"{v.schema}.sales"},
        ),
        other_tenant="INVALID",
        same_tenant=LIBRARY,
    ),
    "createDataset: SQL reading the victim's schema": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createDataset",
            "CreateDatasetInput",
            "dataset { name source columns { name } }",
            {
                "name": fresh("Planted"),
                "sourceKind": "SQL",
                "source": f'SELECT * FROM "{v.schema}".sales',
            },
        ),
        other_tenant="INVALID",
        same_tenant=LIBRARY,
    ),
    "updateDataset": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "updateDataset",
            "UpdateDatasetInput",
            "dataset { name source columns { name } }",
            {"id": v.dataset_gid, "name": "Taken over"},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "deleteDataset": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "deleteDataset", "DeleteDatasetInput", "deletedId", {"id": v.dataset_gid}
        ),
        other_tenant=NOT_FOUND,
        same_tenant=LIBRARY,
    ),
    "createDashboardFromTemplate over the victim's dataset": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "createDashboardFromTemplate",
            "CreateDashboardFromTemplateInput",
            f"dashboard {{ {DASHBOARD} }}",
            {"templateId": "kpi_summary", "datasetId": v.dataset_gid, "name": fresh("Planted")},
        ),
        other_tenant="UNKNOWN_REFERENCE",
        same_tenant=LIBRARY,
    ),
    "publishDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "publishDashboard",
            "PublishDashboardInput",
            "publicLink { slug path } dashboard { name }",
            {"dashboardId": b.gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "revokePublicLink": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "revokePublicLink",
            "RevokePublicLinkInput",
            "revoked dashboard { name }",
            {"dashboardId": b.gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=MANAGE,
    ),
    "assignDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "assignDashboard",
            "AssignDashboardInput",
            "assignment { isDefault dashboard { name } }",
            {"userId": ASSIGNEE, "dashboardId": b.gid, "isDefault": False},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=ADMIN_OR_SELF,
    ),
    "assignDashboard to the editor": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "assignDashboard",
            "AssignDashboardInput",
            "assignment { isDefault dashboard { name } }",
            {"userId": EDITOR, "dashboardId": b.gid, "isDefault": True},
        ),
        other_tenant=NOT_FOUND,
        same_tenant={UNGRANTED_EDITOR: NOT_FOUND, ROLELESS_EDITOR: NOT_FOUND},
    ),
    "unassignDashboard": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "unassignDashboard",
            "UnassignDashboardInput",
            "removed",
            {"userId": ASSIGNEE, "dashboardId": b.gid},
        ),
        other_tenant=NOT_FOUND,
        same_tenant=ADMIN_OR_SELF,
    ),
    # Export and import (docs/export-import.md). Imports are dry runs: a caller who may
    # import changes nothing, and one who may not is refused before anything is read.
    "exportDashboards of a dashboard": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "exportDashboards",
            "query E($input: ExportDashboardsInput!) "
            "{ exportDashboards(input: $input) { document counts { dashboards } } }",
            input={"scope": "DASHBOARD", "id": b.gid, "includeGrants": True},
        ),
        other_tenant=NULL,
        same_tenant=UNSEEN,
    ),
    "exportDashboards of a collection": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "exportDashboards",
            "query E($input: ExportDashboardsInput!) "
            "{ exportDashboards(input: $input) { document } }",
            input={"scope": "COLLECTION", "id": v.collection_gid, "includeGrants": True},
        ),
        other_tenant=NULL,
        members_may="every member sees the collection; its export has only what they see",
    ),
    "exportDashboards of the tenant": Op(
        GRAPHQL,
        lambda v, b: gql_query(
            "exportDashboards",
            "query E($input: ExportDashboardsInput!) "
            "{ exportDashboards(input: $input) { document } }",
            input={"scope": "TENANT", "includeGrants": True},
        ),
        other_tenant=OK,  # its own tenant
        same_tenant=dict.fromkeys(SAME_TENANT, ERROR),  # tenant admins only
    ),
    "importDashboards (dry run)": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "importDashboards",
            "ImportDashboardsInput",
            "report { objects { name action } }",
            {"document": IMPORTED_DOCUMENT, "mode": "OVERWRITE", "dryRun": True},
        ),
        other_tenant=OK,  # into its own tenant
        same_tenant={
            **LIBRARY,
            INACTIVE_READER: FORBIDDEN,
            UNGRANTED_READER: FORBIDDEN,
            ROLELESS_READER: FORBIDDEN,
        },
    ),
    "importDashboards with grants (dry run)": Op(
        GRAPHQL,
        lambda v, b: gql_mutation(
            "importDashboards",
            "ImportDashboardsInput",
            "report { objects { name action } }",
            {"document": IMPORTED_DOCUMENT, "dryRun": True, "includeGrants": True},
        ),
        other_tenant=OK,
        same_tenant=dict.fromkeys(SAME_TENANT, FORBIDDEN),  # tenant admins only
    ),
}
