"""The benchmark, in one command: `python -m bench.run [--quick] [--duration S]
[--connections 1,16,32] [--keep]` (or `make bench BENCH_ARGS=...`).

A fresh database `bench_<timestamp>` on the server of BENCH_DATABASE_URL (else
TEST_DATABASE_URL, else the embedded PostgreSQL the tests use) is migrated and filled by
bench.generate; SQL statements per request are counted in process; then our service, the raw
baseline and PostGraphile serve the same database, each scenario is warmed up and driven by wrk
at each concurrency level against every server it has a request for, scenario 2 is driven once
more against our service with 2 workers, and bench/RESULTS.md is written. The database is
dropped at the end unless --keep."""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import secrets
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench import report as reporting
from bench import servers as srv
from bench.load import LoadResult, WrkError, run_wrk, wrk_path
from bench.report import (
    OURS,
    OURS_SCALED,
    POSTGRAPHILE,
    RAW,
    Check,
    Measurement,
    MemoryFigure,
    Results,
    ScenarioInfo,
)
from bench.statements import answer_problem

if TYPE_CHECKING:
    from bench.scenarios import Request

REPO = Path(__file__).resolve().parent.parent
SCALING_SCENARIO = "2-dashboard-50"
SCALING_CONNECTIONS = reporting.P99_CONNECTIONS
SCALED_WORKERS = 2
WARMUP_CONNECTIONS = 4
# A measurement too short to see one answer per connection is repeated, longer, up to this long.
MAX_EXTENDED_DURATION = 60.0
BENCH_USER = "bench-user"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="16 connections only, 3 s each")
    parser.add_argument(
        "--duration", type=float, help="seconds per measurement (default 10; --quick: 3)"
    )
    parser.add_argument(
        "--connections",
        help="comma-separated concurrency levels (default 1,16,32; --quick: 16)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        help="seconds of warm-up per scenario and server (default 2; --quick: 1)",
    )
    parser.add_argument("--scenarios", help="comma-separated scenario keys (default: all)")
    parser.add_argument("--no-postgraphile", action="store_true", help="skip PostGraphile")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 2-worker run")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its URL)")
    parser.add_argument(
        "--output", type=Path, default=reporting.RESULTS_MD, help="the report (bench/RESULTS.md)"
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    levels = args.connections or ("16" if args.quick else "1,16,32")
    try:
        args.levels = sorted({int(c) for c in levels.split(",") if c.strip()})
    except ValueError:
        parser.error(f"--connections: not a list of integers: {levels!r}")
    if not args.levels or min(args.levels) < 1:
        parser.error("--connections: at least one level, each at least 1")
    args.only = {k.strip() for k in args.scenarios.split(",")} if args.scenarios else None
    return args


def command_line(argv: list[str]) -> str:
    """How this run was started, to print in the report."""
    prefix = ""
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        if os.environ.get(name):
            prefix = f"{name}={_mask(os.environ[name])} "
            break
    if os.environ.get("MAKELEVEL"):
        extra = os.environ.get("BENCH_ARGS", "").strip()
        return f"{prefix}make bench" + (f" BENCH_ARGS={shlex.quote(extra)}" if extra else "")
    return f"{prefix}python -m bench.run" + (" " + shlex.join(argv) if argv else "")


def _mask(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a report must not fail on a URL it cannot parse
        return "<url>"


# --- the database -----------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from db.embedded import start_embedded_server

    log("no BENCH_DATABASE_URL or TEST_DATABASE_URL: starting the embedded PostgreSQL (.data)")
    return start_embedded_server(REPO / ".data")


async def postgres_version(url: str) -> str:
    import asyncpg

    from app.data.roles import plain_url

    conn = await asyncpg.connect(plain_url(url))
    try:
        version: str = await conn.fetchval("SELECT version()")
        return version.split(" on ")[0]
    finally:
        await conn.close()


# --- checks and load ------------------------------------------------------------------------


def check(url: str, request: Request) -> tuple[int, str, int]:
    """Send `request` once: (status, problem or "", response bytes)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    try:
        conn.request(request.method, request.path, body=request.body, headers=request.headers)
        response = conn.getresponse()
        body = response.read()
    except OSError as exc:
        return 0, f"no answer: {exc}", 0
    finally:
        conn.close()
    return response.status, answer_problem(response.status, body), len(body)


class DatabaseActivity:
    """Whether statements still run in the benchmark's database (other than this check)."""

    def __init__(self, url: str) -> None:
        import asyncpg

        from app.data.roles import plain_url

        self._loop = asyncio.new_event_loop()
        self._conn = self._loop.run_until_complete(asyncpg.connect(plain_url(url)))

    def busy(self) -> bool:
        active = self._loop.run_until_complete(
            self._conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
        )
        return bool(active)

    def close(self) -> None:
        self._loop.run_until_complete(self._conn.close())
        self._loop.close()


class Runner:
    def __init__(
        self,
        args: argparse.Namespace,
        results: Results,
        servers: list[srv.Server],
        activity: DatabaseActivity,
    ) -> None:
        self.args = args
        self.results = results
        self.servers = servers
        self.activity = activity

    def settle(self) -> None:
        """Let every server finish the requests of the last run before the next one."""
        waited = srv.wait_idle(self.servers, self.activity.busy)
        if waited > 5:
            log(f"  (waited {waited:.0f} s for the servers to finish the last run's requests)")

    def measure(
        self, scenario: str, server_key: str, server: srv.Server, request: Request, connections: int
    ) -> Measurement | None:
        duration = self.args.duration
        while True:
            self.settle()
            cpu_before = server.cpu_seconds()
            machine_before = srv.machine_cpu_times()
            try:
                load = run_wrk(server.url, request, connections, duration)
            except WrkError as exc:
                log(f"  {scenario} {server_key} c={connections}: wrk failed: {exc}")
                self.results.notes.append(
                    f"{scenario}, {server_key}, {connections} connections: wrk failed: {exc}"
                )
                return None
            cpu = server.cpu_seconds() - cpu_before
            busy = srv.busy_fraction(machine_before, srv.machine_cpu_times())
            server.sample()
            # Fewer answers than connections: the run was too short to see even one round of
            # them, and its percentiles say little. Run again, longer, up to a minute.
            if load.requests >= connections or duration >= MAX_EXTENDED_DURATION:
                break
            longer = min(MAX_EXTENDED_DURATION, max(4 * duration, 20.0))
            log(
                f"  {scenario:<22} {server_key:<12} c={connections:<3} only {load.requests} "
                f"answers in {duration:g} s: measuring again for {longer:g} s"
            )
            self.results.notes.append(
                f"{scenario}, {server_name(server_key)}, {connections} "
                f"connections: {load.requests} answers in {duration:g} s, measured again for "
                f"{longer:g} s (the figures shown)."
            )
            duration = longer
        measurement = Measurement(scenario, server_key, connections, load, cpu, busy)
        self.results.measurements.append(measurement)
        log(f"  {scenario:<22} {server_key:<12} c={connections:<3} {_summary(load)}")
        return measurement

    def warm(self, server: srv.Server, request: Request) -> None:
        if self.args.warmup <= 0:
            return
        self.settle()
        try:
            run_wrk(server.url, request, WARMUP_CONNECTIONS, self.args.warmup)
        except WrkError as exc:
            log(f"  warm-up failed: {exc}")


def _summary(load: LoadResult) -> str:
    failed = f", {load.failed} failed" if load.failed else ""
    if not load.requests:
        return f"no answer within {load.duration_s:.0f} s{failed}"
    return f"{load.rps:8.1f} req/s  p50 {load.p50_ms:7.2f} ms  p99 {load.p99_ms:7.2f} ms{failed}"


# --- the run -------------------------------------------------------------------------------------


async def prepare(url: str, secret: str):  # type: ignore[no-untyped-def]
    from bench.generate import generate
    from db.migrate import upgrade

    log("migrating")
    await upgrade(url)
    log("generating data")
    began = time.monotonic()
    fixture = await generate(url, secret)
    return fixture, time.monotonic() - began


def run(args: argparse.Namespace, argv: list[str]) -> int:
    from app.auth import EDIT_SCOPE, mint_token
    from db.provision import ensure_database

    wrk_path()  # fail early without wrk
    load_before = reporting.current_load_average()
    results = Results(
        command=command_line(argv),
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        quick=args.quick,
        duration_s=args.duration,
        connections=list(args.levels),
    )
    base_url = server_url()
    name = f"bench_{datetime.now():%Y%m%d_%H%M%S}_{secrets.token_hex(2)}"
    results.database = name
    secret = "bench-" + secrets.token_hex(24)
    started: list[srv.Server] = []
    activity: DatabaseActivity | None = None
    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    url = ""
    try:
        log(f"database {name}")
        url = asyncio.run(ensure_database(base_url, name))
        fixture, generate_seconds = asyncio.run(prepare(url, secret))
        results.generate_seconds = generate_seconds
        results.fixture = {k: v for k, v in vars(fixture).items() if k != "secret"}
        log(
            f"generated in {generate_seconds:.1f} s: tenant {fixture.tenant} "
            f"({fixture.dashboard_count} dashboards)"
        )
        token = mint_token(
            secret,
            subject=BENCH_USER,
            tenants=[fixture.tenant],
            scopes=[EDIT_SCOPE],
            ttl_seconds=7 * 24 * 3600,
        )
        from bench.scenarios import build_scenarios

        scenarios = build_scenarios(fixture, token)
        if args.only:
            unknown = args.only - {s.key for s in scenarios}
            if unknown:
                raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
            scenarios = [s for s in scenarios if s.key in args.only]

        log("counting SQL statements per request (in process)")
        from bench.statements import measure as measure_statements

        results.statements = asyncio.run(measure_statements(url, secret, scenarios, fixture))
        for key, count in results.statements.counts.items():
            log(
                f"  {key:<22} {count.label():>12}"
                + (f"  ⚠ {count.problem[:100]}" if count.problem else "")
            )
        for variant in results.statements.variants:
            log(f"  {variant.scenario:<22} {variant.count.label():>12}  ({variant.description})")

        # The servers.
        servers: dict[str, srv.Server] = {}
        ours = srv.ours(url, secret, data_dir=log_dir / "data")
        servers[OURS] = ours
        try:
            from bench import baseline  # noqa: F401

            servers[RAW] = srv.raw(url, secret)
        except ImportError as exc:
            results.notes.append(
                f"The raw baseline was skipped: bench.baseline is missing ({exc})."
            )
        if args.no_postgraphile:
            results.notes.append("PostGraphile was skipped (--no-postgraphile).")
        else:
            available, why = srv.postgraphile_available()
            if available:
                servers[POSTGRAPHILE] = srv.postgraphile(url)
            else:
                results.notes.append(f"PostGraphile was skipped: {why}.")
        for key, server in list(servers.items()):
            log(f"starting {key}: {server.describe().replace(secret, '<secret>')}")
            try:
                server.start(log_dir)
            except srv.ServerError as exc:
                log(f"  {key} did not start: {exc}")
                results.notes.append(
                    f"{server_name(key)} did not start and was skipped: {str(exc).splitlines()[0]}"
                )
                servers.pop(key)
                continue
            started.append(server)
            results.servers[key] = server.describe().replace(secret, "<secret>")
        if OURS not in servers:
            raise SystemExit("our service did not start: " + ours.log_tail())

        node = None
        if POSTGRAPHILE in servers:
            node = servers[POSTGRAPHILE].argv[0]
        results.machine = reporting.machine_info(
            asyncio.run(postgres_version(url)), node, load_before
        )

        requests = {
            s.key: {OURS: s.ours, RAW: s.raw, POSTGRAPHILE: s.postgraphile} for s in scenarios
        }
        results.scenarios = [
            ScenarioInfo(
                s.key,
                s.title,
                s.write,
                [k for k, r in requests[s.key].items() if r is not None and k in servers],
            )
            for s in scenarios
        ]

        log("checking every request once against every server")
        for s in scenarios:
            for key, request in requests[s.key].items():
                if request is None or key not in servers:
                    continue
                status, problem, size = check(servers[key].url, request)
                results.checks.append(Check(s.key, key, status, problem, size))
                if problem:
                    log(f"  ⚠ {s.key} {key}: {problem[:200]}")

        activity = DatabaseActivity(url)
        runner = Runner(args, results, started, activity)
        total = sum(
            len(args.levels)
            * sum(1 for k, r in requests[s.key].items() if r is not None and k in servers)
            for s in scenarios
        )
        log(f"load: {total} measurements of {args.duration:g} s at connections {args.levels}")
        for s in scenarios:
            log(f"{s.key}: {s.title}")
            for key in (OURS, RAW, POSTGRAPHILE):
                request = requests[s.key][key]
                if request is None or key not in servers:
                    continue
                runner.warm(servers[key], request)
                for connections in args.levels:
                    runner.measure(s.key, key, servers[key], request, connections)

        # Scaling: scenario 2 with one worker and with two, at 32 connections.
        scaling = next((s for s in scenarios if s.key == SCALING_SCENARIO), None)
        if scaling is not None and not args.no_scaling:
            if results.find(SCALING_SCENARIO, OURS, SCALING_CONNECTIONS) is None:
                log(f"{SCALING_SCENARIO}: 1 worker at {SCALING_CONNECTIONS} connections")
                runner.measure(SCALING_SCENARIO, OURS, ours, scaling.ours, SCALING_CONNECTIONS)
            results.memory.append(_memory(OURS, ours))
            ours.stop()
            started.remove(ours)
            scaled = srv.ours(url, secret, workers=SCALED_WORKERS, data_dir=log_dir / "data")
            log(f"starting {OURS_SCALED}: {scaled.describe()}")
            try:
                scaled.start(log_dir)
            except srv.ServerError as exc:
                results.notes.append(
                    f"ours with {SCALED_WORKERS} workers did not start: {str(exc).splitlines()[0]}"
                )
            else:
                started.append(scaled)
                results.servers[OURS_SCALED] = scaled.describe().replace(secret, "<secret>")
                runner.warm(scaled, scaling.ours)
                log(f"{SCALING_SCENARIO}: {SCALED_WORKERS} workers")
                runner.measure(
                    SCALING_SCENARIO, OURS_SCALED, scaled, scaling.ours, SCALING_CONNECTIONS
                )
                results.memory.append(_memory(OURS_SCALED, scaled))
        else:
            results.memory.append(_memory(OURS, ours))
        for key in (RAW, POSTGRAPHILE):
            if key in servers:
                results.memory.append(_memory(key, servers[key]))
    except BaseException:
        log(f"failed; the servers' logs are in {log_dir}")
        raise
    finally:
        if activity is not None:
            activity.close()
        for server in reversed(started):
            server.stop()
        if url:
            if args.keep:
                log(f"kept the database: {_mask(url)}")
            else:
                log(f"dropping {name}")
                asyncio.run(drop(base_url, name, url))

    shutil.rmtree(log_dir, ignore_errors=True)
    results.finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    reporting.write(results, args.output, args.output.with_name("results.json"))
    log(f"wrote {args.output}")
    print()
    _print_summary(results)
    return 0


def server_name(key: str) -> str:
    return reporting.SERVER_LABELS.get(key, key)


def _memory(key: str, server: srv.Server) -> MemoryFigure:
    memory = server.memory()
    return MemoryFigure(
        key, memory.per_process_mb, memory.total_mb, memory.processes, memory.workers
    )


async def drop(base_url: str, name: str, url: str) -> None:
    from app.data.provision import drop_tenant_roles
    from app.data.roles import role_prefix
    from db.provision import drop_database

    await drop_database(base_url, name)
    # Roles belong to the server, not the database: drop this database's tenant data roles.
    await drop_tenant_roles(base_url, role_prefix(url))


def _print_summary(results: Results) -> None:
    for line in reporting._targets(results):
        print(line)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    return run(args, argv)


if __name__ == "__main__":
    sys.exit(main())
