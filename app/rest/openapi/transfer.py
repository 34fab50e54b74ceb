"""Export and import (docs/export-import.md), in seed 002's error style."""

from __future__ import annotations

from app.rest.openapi._build import (
    BOOLEAN,
    INTEGER,
    OBJECT,
    STRING,
    Dialect,
    Operation,
    Schema,
    array,
    closed,
    enum,
    json_response,
    nullable,
    query,
    ref,
)

DIALECT = Dialect("export and import", "NamedError")
_KINDS = enum("collection", "dataset", "widget", "dashboard", "grant")
_FLAG = enum("true", "false", "1", "0")

SCHEMAS: dict[str, Schema] = {
    "ExportDocument": {
        "type": "object",
        "description": "An export document (version 2 is written; 1 and 2 are read). "
        "docs/export-import.md describes both; an import checks the whole document.",
        "required": ["format", "version"],
        "properties": {
            "format": {"const": "dashboards-api.export"},
            "version": {"enum": [1, 2]},
            "exportedAt": STRING,
            "source": OBJECT,
            "collections": array(OBJECT),
            "datasets": array(OBJECT),
            "widgets": array(OBJECT),
            "dashboards": array(OBJECT),
        },
    },
    "ImportReport": closed(
        {
            "mode": enum("copy", "overwrite"),
            "dry_run": BOOLEAN,
            "objects": array(
                closed(
                    {
                        "kind": _KINDS,
                        "key": STRING,
                        "name": STRING,
                        "action": enum("created", "updated", "unchanged", "skipped"),
                        "database_id": nullable(INTEGER),
                    }
                )
            ),
            "counts": array(
                closed(
                    {
                        "kind": _KINDS,
                        "created": INTEGER,
                        "updated": INTEGER,
                        "unchanged": INTEGER,
                        "skipped": INTEGER,
                    }
                )
            ),
        }
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/export"): DIALECT.operation(
        "Export one dashboard, a collection or the whole tenant",
        {"200": json_response("The document.", ref("ExportDocument"))},
        404,
        parameters=[
            query("scope", enum("dashboard", "collection", "tenant"), "Default: tenant."),
            query("id", STRING, "The dashboard's or collection's id (not for tenant)."),
            query("include_grants", _FLAG, "Add each dashboard's share grants."),
        ],
        description="A tenant export needs `dashboard.admin` (403); a dashboard or "
        "collection the caller cannot see is 404. Only dashboards the caller sees are in it.",
    ),
    ("POST", "/api/import"): DIALECT.operation(
        "Import an export document",
        {"200": json_response("What was (in a dry run: would be) done.", ref("ImportReport"))},
        409,
        body="ExportDocument",
        parameters=[
            query("mode", enum("copy", "overwrite"), "Default: copy."),
            query("dry_run", _FLAG, "Do everything, report it, roll it back."),
            query("include_grants", _FLAG, "Import grants (tenant admins only)."),
        ],
        description="Checked whole before anything is written (422 lists every problem "
        "with its path into the document) and applied in one transaction. The body may be "
        "up to IMPORT_MAX_BYTES.",
    ),
}
