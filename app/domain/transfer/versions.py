"""Reading a document of any known version: the format and version are checked first, a
version 1 document is upgraded to version 2, then the whole shape is validated. Every problem
comes with its path into the document, e.g. ("dashboards", 3, "cards", 12, "widget").

Version 1 (the first export format) had no pages, collections, datasets, library widgets or
grants: each dashboard listed its `widgets`, each a widget of its own with a grid `position`,
and a data source could only be SQL:

    {"format": "dashboards-api.export", "version": 1, "exportedAt": "…", "tenant": "acme",
     "dashboards": [{"code", "name", "description", "isActive", "isDefault", "roleIds",
                     "parameters", "widgets": [{"name", "widgetType", "description",
                                                "config", "dataSource", "position"}]}]}

The upgrade puts each dashboard's widgets, in order, as cards with widgets of their own on
one page "Page 1"; everything version 2 added takes its default."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.domain.transfer.document import FORMAT, VERSION, ExportDocument
from app.errors import DomainError, ErrorCode, FieldPath, Problem

V1_PAGE_KEY = "page-1"
V1_PAGE_NAME = "Page 1"
_V1_TOP = {"format", "version", "exportedAt", "tenant", "dashboards"}


def _path_text(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the document"


def _refuse(code: ErrorCode, message: str, *path: str | int) -> DomainError:
    return DomainError(Problem(code, message, tuple(path)))


def read_document(raw: Any) -> ExportDocument:
    """The document as version 2, or a DomainError with every problem found."""
    if not isinstance(raw, dict):
        raise _refuse(ErrorCode.INVALID, "the document must be a JSON object")
    if raw.get("format") != FORMAT:
        raise _refuse(
            ErrorCode.INVALID,
            f"not an export of this service: format must be {FORMAT!r}",
            "format",
        )
    version = raw.get("version")
    if version == 1:
        raw = upgrade_v1(raw)
    elif version != VERSION:
        raise _refuse(
            ErrorCode.INVALID,
            f"version {version!r} is not one this service reads (it reads 1 and {VERSION}); "
            "a newer service exported it",
            "version",
        )
    try:
        return ExportDocument.model_validate(raw)
    except ValidationError as error:
        raise DomainError(*_problems(error)) from error


def _problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = tuple(part for part in item["loc"] if isinstance(part, str | int))
        code = ErrorCode.REQUIRED if item["type"] == "missing" else ErrorCode.INVALID
        problems.append(Problem(code, f"{_path_text(path)}: {item['msg']}", path))
    return problems


def upgrade_v1(raw: dict[str, Any]) -> dict[str, Any]:
    """A version 1 document in version 2's shape (validated afterwards, as version 2)."""
    unknown = sorted(set(raw) - _V1_TOP)
    if unknown:
        raise _refuse(ErrorCode.INVALID, f"unknown key {unknown[0]!r} in a version 1 document")
    dashboards = raw.get("dashboards", [])
    if not isinstance(dashboards, list):
        raise _refuse(ErrorCode.INVALID, "dashboards must be a list", "dashboards")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": raw.get("exportedAt", ""),
        "source": {"tenant": raw.get("tenant", ""), "scope": "tenant", "includesGrants": False},
        "dashboards": [_dashboard_v1(d) for d in dashboards],
    }


def _dashboard_v1(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw  # version 2's validation names what is wrong with it
    upgraded = {key: value for key, value in raw.items() if key != "widgets"}
    upgraded["pages"] = [{"key": V1_PAGE_KEY, "name": V1_PAGE_NAME}]
    widgets = raw.get("widgets", [])
    upgraded["cards"] = [_card_v1(w) for w in widgets] if isinstance(widgets, list) else widgets
    return upgraded


def _card_v1(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    body = {key: value for key, value in raw.items() if key != "position"}
    return {"page": V1_PAGE_KEY, "position": raw.get("position"), "card": body}
