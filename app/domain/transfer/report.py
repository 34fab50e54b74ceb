"""What an import did (or, in a dry run, would do) to each object of the document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum


class ImportMode(StrEnum):
    COPY = "copy"  # create new objects; taken codes, kinds and names get a suffix
    OVERWRITE = "overwrite"  # replace the content of objects matched by code, kind or name


class ImportAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


class ObjectKind(StrEnum):
    COLLECTION = "collection"
    DATASET = "dataset"
    WIDGET = "widget"
    DASHBOARD = "dashboard"
    GRANT = "grant"


@dataclass(frozen=True, slots=True)
class ImportedObject:
    kind: ObjectKind
    key: str  # the document's key (a dashboard's code, a grant's "code:type:subject")
    name: str  # what it is called in the target: a suffixed code or name in COPY mode
    action: ImportAction
    database_id: int | None  # None in a dry run, for grants and for what was skipped


@dataclass(frozen=True, slots=True)
class KindCounts:
    kind: ObjectKind
    created: int
    updated: int
    unchanged: int
    skipped: int


@dataclass
class ImportReport:
    mode: ImportMode
    dry_run: bool
    objects: list[ImportedObject] = field(default_factory=list)

    def add(
        self,
        kind: ObjectKind,
        key: str,
        name: str,
        action: ImportAction,
        database_id: int | None = None,
    ) -> None:
        self.objects.append(ImportedObject(kind, key, name, action, database_id))

    def counts(self) -> list[KindCounts]:
        tally = Counter((o.kind, o.action) for o in self.objects)
        return [
            KindCounts(kind, *(tally[(kind, action)] for action in ImportAction))
            for kind in ObjectKind
        ]

    def as_dry_run(self) -> ImportReport:
        """The same report with no database ids: a rolled back run's ids were never kept."""
        return ImportReport(self.mode, True, [replace(o, database_id=None) for o in self.objects])
