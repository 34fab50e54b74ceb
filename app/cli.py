"""`dashboards-api`: serve, migrate, token, tenant-data, export-schema, persist-operations,
prune-revisions."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from app.observability.logs import configure_logging, logging_config
from app.settings import Settings, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dashboards-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve HTTP")
    serve.add_argument("--host", help="default: HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: PORT or 8000")
    serve.add_argument("--workers", type=int, help="default: WORKERS or 1")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")

    commands.add_parser("migrate", help="apply pending database migrations")

    token = commands.add_parser("token", help="mint a development access token (HS256)")
    token.add_argument("--tenant", action="append", default=[], help="repeatable")
    token.add_argument("--user", default="dev-user", help="the token's sub")
    token.add_argument("--role", action="append", type=int, default=[], help="repeatable")
    token.add_argument("--group", action="append", default=[], help="repeatable")
    token.add_argument(
        "--scope",
        action="append",
        default=[],
        help="repeatable; dashboard.edit, dashboard.admin (default: both)",
    )
    token.add_argument("--ttl", type=int, default=12 * 3600, help="seconds (default 12 h)")

    tenant_data = commands.add_parser(
        "tenant-data", help="create a tenant's data schema and role; print their names"
    )
    tenant_data.add_argument("--tenant", required=True)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write to this file instead")

    persist = commands.add_parser(
        "persist-operations",
        help="build the persisted-operations manifest from a folder of .graphql documents",
    )
    persist.add_argument("directory", type=Path, help="searched for *.graphql, recursively")
    persist.add_argument("--output", type=Path, help="default: GRAPHQL_PERSISTED_OPERATIONS_PATH")

    prune = commands.add_parser(
        "prune-revisions", help="delete the dashboard revisions retention lets go; print how many"
    )
    prune.add_argument("--keep-last", type=int, help="default: REVISION_KEEP_LAST")
    prune.add_argument("--keep-days", type=int, help="default: REVISION_KEEP_DAYS")

    from app.transfer_cli import add_commands

    transfer_handlers = add_commands(commands)  # export, import

    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings)
    handler = {
        "serve": _serve,
        "migrate": _migrate,
        "token": _token,
        "tenant-data": _tenant_data,
        "export-schema": _export_schema,
        "persist-operations": _persist_operations,
        "prune-revisions": _prune_revisions,
        **transfer_handlers,
    }[args.command]
    return handler(args, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.main import resolve_database_url
    from app.observability.metrics import prepare_multiprocess_metrics
    from db.migrate import upgrade

    url = asyncio.run(resolve_database_url(settings))
    asyncio.run(upgrade(url))
    if settings.environment == "development" and settings.seed_demo:
        from app.demo import seed_demo

        if asyncio.run(seed_demo(url, settings)):
            print("  Created demo data in tenant 'demo'.", file=sys.stderr)
    # Workers are separate processes: hand them the resolved database through the environment.
    os.environ["DATABASE_URL"] = url
    os.environ["MIGRATE_ON_START"] = "false"
    get_settings.cache_clear()
    host = args.host or settings.host
    port = args.port or settings.port
    print(
        f"\n  Dashboards API on http://{host}:{port}"
        f"\n  GraphiQL:        http://{host}:{port}/graphql"
        f"\n  A token:         make token   (or: dashboards-api token --tenant demo)\n",
        file=sys.stderr,
    )
    signal.signal(signal.SIGTERM, _exit_cleanly)
    workers = args.workers or settings.workers
    prepare_multiprocess_metrics(workers, settings.data_dir)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=args.reload,
        proxy_headers=False,
        # Every worker logs as LOG_FORMAT says; the app writes one access line per request.
        log_config=logging_config(settings),
        log_level=settings.log_level.lower(),
        access_log=False,
        # On SIGTERM: stop accepting connections, let requests in flight finish (this long
        # at most), then run the lifespan's shutdown (docs/faults.md).
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )
    return 0


def _exit_cleanly(signum: int, frame: object) -> None:
    """After its graceful shutdown uvicorn raises the signal that stopped it once more, for
    the handler that was there before: a stop that was asked for is a clean exit (0)."""
    raise SystemExit(0)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.main import resolve_database_url
    from db.migrate import upgrade

    async def run() -> None:
        await upgrade(await resolve_database_url(settings))

    asyncio.run(run())
    print("migrations applied", file=sys.stderr)
    return 0


def _prune_revisions(args: argparse.Namespace, settings: Settings) -> int:
    from app.domain.revisions.retention import Retention, prune_database
    from app.main import resolve_database_url

    retention = Retention.from_settings(settings)
    if args.keep_last is not None:
        if args.keep_last < 1:
            print("--keep-last must be at least 1 (the newest is always kept)", file=sys.stderr)
            return 2
        retention = replace(retention, keep_last=args.keep_last)
    if args.keep_days is not None:
        if args.keep_days < 0:
            print("--keep-days must be 0 or more", file=sys.stderr)
            return 2
        retention = replace(retention, keep_days=args.keep_days)

    async def run() -> int:
        return await prune_database(await resolve_database_url(settings), retention)

    print(f"{asyncio.run(run())} revisions pruned")
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from app.auth import ADMIN_SCOPE, EDIT_SCOPE, jwt_secret, mint_token

    if not args.tenant:
        print("give at least one --tenant", file=sys.stderr)
        return 2
    print(
        mint_token(
            jwt_secret(settings),
            subject=args.user,
            tenants=args.tenant,
            roles=args.role,
            groups=args.group,
            scopes=args.scope or [EDIT_SCOPE, ADMIN_SCOPE],
            ttl_seconds=args.ttl,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
        )
    )
    return 0


def _tenant_data(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli_tenant import open_tenant, tenant_name

    name = tenant_name(args.tenant)
    if name is None:
        return 2

    async def run() -> tuple[str, str]:
        async with open_tenant(settings, name, pool_size=1) as opened:
            role = await opened.data.sandbox.ensure_tenant(opened.tenant_id)
            return role.schema, role.role

    schema, role = asyncio.run(run())
    print(f"tenant {name}: schema {schema}, read by role {role}")
    print(
        f"Load tables into {schema}; those the service's database user creates are readable"
        f" by {role}, others need: GRANT SELECT ON <table> TO {role}",
        file=sys.stderr,
    )
    return 0


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from app.graphql.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output:
        args.output.write_text(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def _persist_operations(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from app.graphql.persisted_build import BuildError, build_manifest
    from app.graphql.schema import schema

    if not args.directory.is_dir():
        print(f"not a directory: {args.directory}", file=sys.stderr)
        return 2
    try:
        manifest = build_manifest(args.directory, schema._schema)
    except BuildError as error:
        print(f"no manifest written:\n{error}", file=sys.stderr)
        return 2
    output: Path = args.output or settings.graphql_persisted_operations_path
    output.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"{len(manifest['operations'])} persisted operations written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
