"""`dashboards-api export` and `dashboards-api import`: the export document of a tenant (or
one dashboard or collection of it) to a file, and a file imported into a tenant, run as the
service itself (a tenant admin). Progress goes to stderr: bars on a terminal, lines with
`--progress` otherwise, nothing when neither."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import orjson
from sqlalchemy import select
from tqdm import tqdm

from app.auth import ADMIN_SCOPE, EDIT_SCOPE, Principal
from app.cli_tenant import open_tenant, tenant_name
from app.context import Database, RequestContext
from app.settings import Settings

SERVICE_USER = "dashboards-api"

T = TypeVar("T")


def add_commands(commands: Any) -> dict[str, Callable[[argparse.Namespace, Settings], int]]:
    """The two sub-commands on the CLI's parser; their handlers by name."""
    export = commands.add_parser("export", help="write a tenant's export document")
    export.add_argument("--tenant", required=True)
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--dashboard", metavar="CODE", help="only this dashboard")
    scope.add_argument("--collection", type=int, metavar="ID", help="only this collection")
    export.add_argument("--grants", action="store_true", help="with share grants")
    export.add_argument("-o", "--output", type=Path, help="default: stdout")
    export.add_argument("--progress", action="store_true", help="progress even without a TTY")
    export.add_argument("--user", default=SERVICE_USER, help="who the export runs as")

    imports = commands.add_parser("import", help="import an export document into a tenant")
    imports.add_argument("--tenant", required=True)
    imports.add_argument("file", type=Path)
    imports.add_argument("--mode", choices=["copy", "overwrite"], default="copy")
    imports.add_argument("--dry-run", action="store_true", help="report, change nothing")
    imports.add_argument("--grants", action="store_true", help="import the share grants")
    imports.add_argument("--progress", action="store_true", help="progress even without a TTY")
    imports.add_argument("--user", default=SERVICE_USER, help="owner of what is created")
    return {"export": run_export, "import": run_import}


class _Bars:
    """One tqdm bar per phase on stderr, or nothing."""

    def __init__(self, enabled: bool, stream: TextIO) -> None:
        self.enabled, self.stream = enabled, stream
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(phase)
        if bar is None:
            bar = tqdm(
                total=total,
                desc=phase,
                unit="obj",
                file=self.stream,
                # Without a terminal, print a line now and then instead of redrawing.
                mininterval=0.1 if self.stream.isatty() else 1.0,
                dynamic_ncols=self.stream.isatty(),
            )
            self.bars[phase] = bar
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@asynccontextmanager
async def _service_context(
    settings: Settings, tenant: str, user: str
) -> AsyncIterator[RequestContext]:
    async with open_tenant(settings, tenant, pool_size=2) as opened:
        scopes = frozenset({EDIT_SCOPE, ADMIN_SCOPE})
        yield RequestContext(
            principal=Principal(user, frozenset({tenant}), frozenset(), frozenset(), scopes),
            tenant_name=tenant,
            tenant_id=opened.tenant_id,
            db=Database(opened.engine).for_tenant(opened.tenant_id),
            settings=settings,
            request_id=f"cli-{uuid.uuid4().hex[:8]}",
            data=opened.data,
        )


def _run(work: Coroutine[Any, Any, T], bars: _Bars) -> T | None:
    """The command's work, run; None when the domain refused it (said on stderr)."""
    from app.errors import DomainError

    try:
        return asyncio.run(work)
    except DomainError as error:
        for problem in error.problems:
            print(f"{problem.code.value}: {problem.message}", file=sys.stderr)
        return None
    finally:
        bars.close()


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from app.domain import transfer
    from app.domain.transfer import ExportScope
    from app.errors import not_found
    from db.models import dashboards

    tenant = tenant_name(args.tenant)
    if tenant is None:
        return 2
    bars = _Bars(args.progress or sys.stderr.isatty(), sys.stderr)

    async def run() -> bytes:
        async with _service_context(settings, tenant, args.user) as ctx:
            scope, target = ExportScope.TENANT, None
            if args.collection is not None:
                scope, target = ExportScope.COLLECTION, args.collection
            elif args.dashboard is not None:
                async with ctx.db.reader() as conn:
                    target = await conn.scalar(
                        select(dashboards.c.id).where(
                            dashboards.c.tenant_id == ctx.tenant_id,
                            dashboards.c.code == args.dashboard,
                        )
                    )
                if target is None:
                    raise not_found("dashboard", repr(args.dashboard))
                scope = ExportScope.DASHBOARD
            document = await transfer.export_document(
                ctx, scope, target, include_grants=args.grants, progress=bars
            )
            return transfer.dump_document(document)

    content = _run(run(), bars)
    if content is None:
        return 1
    if args.output:
        args.output.write_bytes(content + b"\n")
    else:
        sys.stdout.buffer.write(content + b"\n")
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.domain import transfer
    from app.domain.transfer import ImportMode

    tenant = tenant_name(args.tenant)
    if tenant is None:
        return 2
    size = args.file.stat().st_size if args.file.is_file() else -1
    if size < 0:
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    if size > settings.import_max_bytes:
        print(
            f"{args.file} is {size} bytes; imports take at most {settings.import_max_bytes} "
            "(IMPORT_MAX_BYTES)",
            file=sys.stderr,
        )
        return 2
    try:
        raw = orjson.loads(args.file.read_bytes())
    except orjson.JSONDecodeError as error:
        print(f"{args.file} is not JSON: {error}", file=sys.stderr)
        return 2
    bars = _Bars(args.progress or sys.stderr.isatty(), sys.stderr)

    async def run() -> transfer.ImportReport:
        async with _service_context(settings, tenant, args.user) as ctx:
            return await transfer.import_document(
                ctx,
                raw,
                mode=ImportMode(args.mode),
                dry_run=args.dry_run,
                include_grants=args.grants,
                progress=bars,
            )

    report = _run(run(), bars)
    if report is None:
        return 1
    heading = "dry run, nothing changed" if report.dry_run else "imported"
    print(f"{heading} into {tenant} ({report.mode.value}):")
    for counts in report.counts():
        print(
            f"  {counts.kind.value + 's':12} created {counts.created:5}  updated "
            f"{counts.updated:5}  unchanged {counts.unchanged:5}  skipped {counts.skipped:5}"
        )
    return 0
