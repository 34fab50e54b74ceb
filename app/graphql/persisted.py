"""Persisted documents (GraphQL over HTTP, appendix A): a request names a trusted document by
`documentId` instead of sending its text. The documents come from a manifest that
`dashboards-api persist-operations <dir>` builds from the front end's `.graphql` files; with
`GRAPHQL_PERSISTED_ONLY` nothing else runs, which makes the manifest an allow-list."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = "dashboards-api-persisted-operations"
MANIFEST_VERSION = 1

DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
DOCUMENT_REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
DOCUMENT_MISMATCH = "PERSISTED_DOCUMENT_MISMATCH"
INVALID_DOCUMENT_ID = "INVALID_DOCUMENT_ID"

_UNRESERVED = r"[A-Za-z0-9\-._~]+"
# sha256:<hex>, x-<prefix>:<payload>, or a custom identifier without a colon (appendix A).
_DOCUMENT_ID = re.compile(rf"sha256:[0-9a-f]{{64}}|x-{_UNRESERVED}:{_UNRESERVED}|{_UNRESERVED}")
_SHA256 = "sha256:"


def sha256_document_id(source: str) -> str:
    """The SHA256 hex document identifier of a document's source text."""
    return _SHA256 + hashlib.sha256(source.encode()).hexdigest()


class PersistedDocumentError(Exception):
    """A request's documentId or query that cannot run: always a 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ManifestError(Exception):
    """The manifest cannot be used; the service does not start with it."""


@dataclass(frozen=True)
class PersistedOperation:
    id: str
    name: str
    type: str
    body: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "type": self.type, "body": self.body}


class PersistedDocuments:
    def __init__(self, documents: Mapping[str, str], *, required: bool) -> None:
        self._documents = dict(documents)
        self.required = required

    def __len__(self) -> int:
        return len(self._documents)

    @classmethod
    def load(cls, path: Path, *, required: bool) -> PersistedDocuments:
        """The manifest at `path`; none when the file does not exist, unless persisted
        documents are required (then the service cannot run without one)."""
        if not path.exists():
            if required:
                raise ManifestError(
                    f"GRAPHQL_PERSISTED_ONLY is on but there is no manifest at {path}: build it"
                    " with `dashboards-api persist-operations <dir>`"
                )
            return cls({}, required=required)
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ManifestError(f"{path}: not a readable JSON file ({exc})") from exc
        return cls(read_manifest(manifest, str(path)), required=required)

    def resolve(self, query: object, document_id: object) -> str | None:
        """The document text to run for a request's `query` and `documentId`; None when the
        request has neither."""
        if query is not None and not isinstance(query, str):
            raise PersistedDocumentError(
                "BAD_REQUEST", "The GraphQL operation's `query` must be a string or null."
            )
        if document_id is None:
            if query and self.required:
                raise PersistedDocumentError(
                    DOCUMENT_REQUIRED,
                    "This server runs persisted documents only: send `documentId` (the"
                    " sha256:<hex> of a document in its manifest) instead of `query`.",
                )
            return query
        if not isinstance(document_id, str) or not _DOCUMENT_ID.fullmatch(document_id):
            raise PersistedDocumentError(
                INVALID_DOCUMENT_ID,
                "`documentId` must be a document identifier: sha256:<64 lower-case hex>,"
                " x-<prefix>:<id>, or an id of letters, digits and -._~ without a colon.",
            )
        stored = self._documents.get(document_id)
        if query is not None:
            self._check_same(document_id, query, stored)
            if stored is None and not self.required:
                return query  # an ordinary query that also names its own hash
        if stored is None:
            raise PersistedDocumentError(
                DOCUMENT_NOT_FOUND,
                f"No persisted document has the id {document_id!r}: build the manifest"
                " again from the front end's documents, or send the query.",
            )
        return stored

    def _check_same(self, document_id: str, query: str, stored: str | None) -> None:
        if stored is not None:
            same = query == stored
        elif document_id.startswith(_SHA256):
            same = sha256_document_id(query) == document_id
        else:
            same = True  # a custom id of an unknown document: nothing to compare with
        if not same:
            raise PersistedDocumentError(
                DOCUMENT_MISMATCH,
                f"`query` is not the document {document_id!r} names; send one or the other.",
            )


def read_manifest(manifest: object, where: str) -> dict[str, str]:
    """documentId -> document text, from a manifest's JSON; the ids of sha256 are checked."""
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{where}: not a manifest (format {MANIFEST_FORMAT!r} expected)")
    if manifest.get("version") != MANIFEST_VERSION:
        raise ManifestError(f"{where}: version {manifest.get('version')!r} is not supported")
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{where}: `operations` must be a list")
    documents: dict[str, str] = {}
    for index, entry in enumerate(operations):
        document_id, body = _entry(entry, f"{where}: operations[{index}]")
        if document_id in documents:
            raise ManifestError(f"{where}: {document_id} appears twice")
        documents[document_id] = body
    return documents


def _entry(entry: Any, where: str) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where} is not an object")
    document_id, body = entry.get("id"), entry.get("body")
    if not isinstance(document_id, str) or not _DOCUMENT_ID.fullmatch(document_id):
        raise ManifestError(f"{where}: `id` is not a document identifier")
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{where}: `body` must be the document's text")
    if document_id.startswith(_SHA256) and sha256_document_id(body) != document_id:
        raise ManifestError(f"{where}: {document_id} is not the SHA-256 of its body")
    return document_id, body
