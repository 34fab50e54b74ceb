"""bench/RESULTS.md, generated from one run's results (never edited by hand): the machine, the
command, per scenario a table of every server and concurrency level with the ratios to both
baselines, and the issue's targets with the measured figures.

`python -m bench.report [bench/results.json]` regenerates RESULTS.md from the JSON a run saved."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.load import LoadResult
from bench.statements import StatementReport

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_JSON = BENCH_DIR / "results.json"

OURS, RAW, POSTGRAPHILE, OURS_SCALED = "ours", "raw", "postgraphile", "ours-w2"
SERVER_LABELS = {
    OURS: "ours (1 worker)",
    RAW: "raw baseline",
    POSTGRAPHILE: "PostGraphile",
    OURS_SCALED: "ours (2 workers)",
}

# The targets.
RAW_SHARE_TARGET = 0.5  # scenario 2: at least 50% of the raw baseline's req/s
LATENCY_FACTOR_TARGET = 3.0  # scenario 4: p50 within 3x of the raw baseline's
P99_TARGET_MS = 50.0  # scenario 2 at 32 connections
P99_CONNECTIONS = 32
MEMORY_TARGET_MB = 200.0  # peak per worker
# Two workers on two cores that also run PostgreSQL and wrk cannot double throughput; "scales"
# is read as: the second worker adds at least a quarter of one worker's throughput.
SCALING_TARGET = 1.25


@dataclass
class ScenarioInfo:
    key: str
    title: str
    write: bool
    servers: list[str]  # those the scenario has a request for


@dataclass
class Measurement:
    scenario: str
    server: str
    connections: int
    load: LoadResult
    cpu_seconds: float = 0.0  # the server's CPU time (all its processes) during the run
    machine_busy: float = 0.0  # how busy all the cores were during the run (0 to 1)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.load.requests if self.load.requests else 0.0


@dataclass
class Check:
    """One request sent before the load: does the server answer it properly?"""

    scenario: str
    server: str
    status: int
    problem: str
    response_bytes: int


@dataclass
class MemoryFigure:
    server: str
    per_process_mb: float
    total_mb: float
    processes: int
    workers: int


@dataclass
class Results:
    command: str
    started: str
    finished: str = ""
    quick: bool = False
    duration_s: float = 0.0
    connections: list[int] = field(default_factory=list)
    database: str = ""
    generate_seconds: float = 0.0
    fixture: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    servers: dict[str, str] = field(default_factory=dict)  # server -> its command line
    scenarios: list[ScenarioInfo] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    memory: list[MemoryFigure] = field(default_factory=list)
    statements: StatementReport = field(default_factory=StatementReport)
    notes: list[str] = field(default_factory=list)

    def find(self, scenario: str, server: str, connections: int) -> Measurement | None:
        for m in self.measurements:
            if (m.scenario, m.server, m.connections) == (scenario, server, connections):
                return m
        return None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["statements"] = self.statements.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        data = dict(data)
        data["scenarios"] = [ScenarioInfo(**s) for s in data["scenarios"]]
        data["measurements"] = [
            Measurement(
                m["scenario"],
                m["server"],
                m["connections"],
                LoadResult.from_json(m["load"]),
                m.get("cpu_seconds", 0.0),
                m.get("machine_busy", 0.0),
            )
            for m in data["measurements"]
        ]
        data["checks"] = [Check(**c) for c in data["checks"]]
        data["memory"] = [MemoryFigure(**m) for m in data["memory"]]
        data["statements"] = StatementReport.from_json(data["statements"])
        return cls(**data)


# --- the machine -----------------------------------------------------------------------------


def _first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (
        (out.stdout or out.stderr).strip().splitlines()[0]
        if (out.stdout or out.stderr).strip()
        else ""
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def current_load_average() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine_info(
    postgres_version: str = "", node: str | None = None, load_average: str = ""
) -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info = {
        "cores (nproc)": str(os.cpu_count() or "?"),
        "CPU": cpu or platform.processor() or "?",
        "memory": memory or "?",
        "kernel": f"{platform.system()} {platform.release()}",
        "PostgreSQL": postgres_version or "?",
        "Python": platform.python_version(),
        "uvicorn": _version("uvicorn"),
        "uvloop": _version("uvloop"),
        "httptools": _version("httptools"),
        "starlette": _version("starlette"),
        "strawberry-graphql": _version("strawberry-graphql"),
        "graphql-core": _version("graphql-core"),
        "SQLAlchemy": _version("SQLAlchemy"),
        "asyncpg": _version("asyncpg"),
        "orjson": _version("orjson"),
        "wrk": _first_line(["wrk", "--version"]).split(" Copyright")[0] or "?",
        # Anything else running on the machine skews every figure: this shows whether it did.
        "load average before the run (1, 5, 15 min)": load_average or current_load_average(),
    }
    if node:
        info["Node (PostGraphile)"] = _first_line([node, "--version"]) or "?"
    package = BENCH_DIR / "postgraphile" / "node_modules" / "postgraphile" / "package.json"
    try:
        info["PostGraphile"] = json.loads(package.read_text())["version"]
    except (OSError, ValueError, KeyError):
        info["PostGraphile"] = "not installed"
    return info


# --- formatting ------------------------------------------------------------------------------


_SECRET = re.compile(r"--secret \S+")
_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+@")


def _masked(command: str) -> str:
    """A command line without the run's secret or a database password."""
    return _PASSWORD.sub(r"\1***@", _SECRET.sub("--secret <secret>", command))


def _n(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "—"


def _statements_for(results: Results, scenario: str, server: str) -> str:
    if server in (OURS, OURS_SCALED):
        count = results.statements.counts.get(scenario)
        return count.label() if count else "—"
    if server == RAW:
        value = results.statements.raw.get(scenario)
        return str(value) if value is not None else "—"
    return "n/m"


def _scenario_table(results: Results, info: ScenarioInfo) -> list[str]:
    lines = [
        "| server | connections | req/s | p50 ms | p99 ms | errors | statements/request "
        "| ratio req/s vs raw | ratio vs PostGraphile | server CPU ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    servers = [
        s for s in (OURS, OURS_SCALED, RAW, POSTGRAPHILE) if s in info.servers or s == OURS_SCALED
    ]
    for connections in sorted(
        {m.connections for m in results.measurements if m.scenario == info.key}
    ):
        for server in servers:
            m = results.find(info.key, server, connections)
            if m is None:
                continue
            raw = results.find(info.key, RAW, connections)
            pg = results.find(info.key, POSTGRAPHILE, connections)
            load = m.load
            errors = str(load.failed)
            if load.failed:
                errors += f" ({load.non_2xx} non-2xx, {load.errors} socket)"
            lines.append(
                f"| {SERVER_LABELS.get(server, server)} | {connections} | {_n(load.rps)} "
                f"| {_latency(load, 'p50', unit='')} | {_latency(load, 'p99', unit='')} | {errors} "
                f"| {_statements_for(results, info.key, server)} "
                f"| {_ratio(load.rps, raw.load.rps) if raw else '—'} "
                f"| {_ratio(load.rps, pg.load.rps) if pg else '—'} "
                f"| {_n(m.cpu_ms_per_request, 2) if load.requests else '—'} |"
            )
    return lines


def _latency(load: LoadResult, which: str, unit: str = " ms") -> str:
    """A percentile, or a dash when no request completed within the measurement."""
    if not load.requests:
        return "— (none completed)"
    value = load.p50_ms if which == "p50" else load.p99_ms
    return f"{value:,.2f}{unit}" if not unit else f"{value:,.1f}{unit}"


def _verdict(ok: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "not measured"}[ok]


def _targets(results: Results) -> list[str]:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    levels = sorted({m.connections for m in results.measurements if m.server == OURS})

    # 1. Statements constant in the size of the answer.
    variants = results.statements.variants
    if variants:
        figures, constant = [], True
        for v in variants:
            base = results.statements.counts.get(v.scenario)
            if base is None:
                continue
            same = v.count.statements == base.statements and v.count.ok and base.ok
            constant &= same
            figures.append(
                f"{v.scenario}: {base.statements} → {v.count.statements} ({v.description})"
            )
        lines.append(
            "| SQL statements per request are constant in the number of dashboards, cards and "
            f"shares returned | {'; '.join(figures)} | {_verdict(constant)} |"
        )
    else:
        lines.append(
            "| SQL statements per request are constant "
            "| no size variants could be built | not measured |"
        )

    # 2. Scenario 2 throughput against both baselines.
    key = "2-dashboard-50"
    figures, ok_raw, ok_pg, any_raw, any_pg = [], True, True, False, False
    for c in levels:
        ours, raw, pg = (results.find(key, s, c) for s in (OURS, RAW, POSTGRAPHILE))
        if ours and raw:
            any_raw = True
            share = ours.load.rps / raw.load.rps if raw.load.rps else 0.0
            ok_raw &= share >= RAW_SHARE_TARGET
            figures.append(f"c={c}: {share:.0%} of raw")
        if ours and pg:
            any_pg = True
            ratio = ours.load.rps / pg.load.rps if pg.load.rps else 0.0
            ok_pg &= ratio >= 1.0
            figures.append(f"c={c}: {ratio:.2f}x PostGraphile")
    against_raw = "; ".join(f for f in figures if "raw" in f) or "—"
    against_pg = "; ".join(f for f in figures if "PostGraphile" in f) or "—"
    lines.append(
        f"| Scenario 2: at least {RAW_SHARE_TARGET:.0%} of the raw baseline's throughput "
        f"| {against_raw} | {_verdict(ok_raw if any_raw else None)} |"
    )
    lines.append(
        "| Scenario 2: at least PostGraphile's throughput "
        f"| {against_pg} | {_verdict(ok_pg if any_pg else None)} |"
    )

    # 3. Scenario 4 latency against the raw baseline.
    key = "4-dashboard-1000"
    figures, ok, measured = [], True, False
    for c in levels:
        ours, raw = results.find(key, OURS, c), results.find(key, RAW, c)
        if ours and not ours.load.requests:
            measured, ok = True, False
            figures.append(f"c={c}: no answer within the {results.duration_s:g} s measured")
        elif ours and raw and raw.load.p50_ms:
            measured = True
            factor = ours.load.p50_ms / raw.load.p50_ms
            ok &= factor <= LATENCY_FACTOR_TARGET
            figures.append(
                f"c={c}: p50 {ours.load.p50_ms:,.1f} ms vs {raw.load.p50_ms:,.1f} ms "
                f"({factor:.2f}x)"
            )
    lines.append(
        f"| Scenario 4: within {LATENCY_FACTOR_TARGET:g}x of the raw baseline's latency "
        f"| {'; '.join(figures) or '—'} | {_verdict(ok if measured else None)} |"
    )

    # 4. p99 of scenario 2 at 32 connections.
    m = results.find("2-dashboard-50", OURS, P99_CONNECTIONS)
    figure = "—"
    if m is not None:
        figure = f"{_latency(m.load, 'p99')} (1 worker)"
        if m.load.failed:
            figure += f", {m.load.failed} failed"
    met = m.load.requests > 0 and m.load.p99_ms < P99_TARGET_MS and not m.load.failed if m else None
    lines.append(
        f"| p99 under {P99_TARGET_MS:g} ms for scenario 2 at {P99_CONNECTIONS} concurrent clients "
        f"| {figure} | {_verdict(met)} |"
    )

    # 5. Peak memory per worker.
    ours_memory = [f for f in results.memory if f.server in (OURS, OURS_SCALED)]
    if ours_memory:
        worst = max(f.per_process_mb for f in ours_memory)
        figure = "; ".join(
            f"{SERVER_LABELS[f.server]}: {f.per_process_mb:.0f} MB per worker "
            f"({f.total_mb:.0f} MB in all)"
            for f in ours_memory
        )
        lines.append(
            f"| Peak memory per worker under {MEMORY_TARGET_MB:g} MB | {figure} "
            f"| {_verdict(worst < MEMORY_TARGET_MB)} |"
        )
    else:
        lines.append(f"| Peak memory per worker under {MEMORY_TARGET_MB:g} MB | — | not measured |")

    # 6. Scaling with workers.
    one = results.find("2-dashboard-50", OURS, P99_CONNECTIONS)
    two = results.find("2-dashboard-50", OURS_SCALED, P99_CONNECTIONS)
    if one and two and one.load.rps:
        factor = two.load.rps / one.load.rps
        lines.append(
            f"| Throughput scales with workers up to the core count ({os.cpu_count()} cores; "
            f"read as ≥ {SCALING_TARGET:g}x with 2 workers, as PostgreSQL and wrk share the cores) "
            f"| scenario 2 at {P99_CONNECTIONS} connections: {one.load.rps:,.0f} → "
            f"{two.load.rps:,.0f} req/s ({factor:.2f}x); p99 {_latency(one.load, 'p99')} → "
            f"{_latency(two.load, 'p99')}; the cores were {one.machine_busy:.0%} busy with one "
            f"worker (the server, PostgreSQL, wrk and the kernel) and {two.machine_busy:.0%} "
            f"with two | {_verdict(factor >= SCALING_TARGET)} |"
        )
    else:
        lines.append("| Throughput scales with workers up to the core count | — | not measured |")
    return lines


def render(results: Results) -> str:
    out: list[str] = [
        "# Benchmark results",
        "",
        "Generated by `bench/report.py` from one run of the harness (issue 7); do not edit by "
        "hand: run the command below again. How to read it: [bench/README.md](README.md).",
        "",
        f"- **Command:** `{results.command}`",
        f"- **Date:** {results.started} to {results.finished}",
        f"- **Load:** wrk, 1 thread, {results.duration_s:g} s per measurement, connections "
        f"{', '.join(str(c) for c in results.connections)}"
        + (" (`--quick`)" if results.quick else ""),
        f"- **Data:** database `{results.database}`, "
        f"generated in {results.generate_seconds:.1f} s: "
        + ", ".join(
            f"{k} = {v}" for k, v in results.fixture.items() if k not in ("secret", "widget_ids")
        )
        + (
            f", {len(results.fixture.get('widget_ids', []))} library widgets"
            if results.fixture
            else ""
        ),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in results.machine.items()]
    out += ["", "## Servers", "", "| server | command |", "|---|---|"]
    out += [f"| {SERVER_LABELS.get(k, k)} | `{_masked(v)}` |" for k, v in results.servers.items()]
    if results.notes:
        out += ["", "## Notes", ""]
        out += [f"- {note}" for note in results.notes]
    out += ["", "## Targets", ""]
    out += _targets(results)

    out += ["", "## Scenarios", ""]
    for info in results.scenarios:
        out += [f"### {info.key}: {info.title}" + (" (write)" if info.write else ""), ""]
        problems = [c for c in results.checks if c.scenario == info.key and c.problem]
        for c in problems:
            out.append(f"- ⚠ {SERVER_LABELS.get(c.server, c.server)} answered badly: {c.problem}")
        count = results.statements.counts.get(info.key)
        if count is not None and count.problem:
            out.append(f"- ⚠ in-process statement count: {count.problem}")
        sizes = [
            f"{SERVER_LABELS.get(c.server, c.server)} {c.response_bytes:,} B"
            for c in results.checks
            if c.scenario == info.key and not c.problem
        ]
        if sizes:
            out.append("- Response sizes: " + ", ".join(sizes))
        if problems or sizes or (count and count.problem):
            out.append("")
        out += _scenario_table(results, info)
        out.append("")

    out += ["## Memory (peak resident set, VmHWM, over the whole run)", ""]
    out += [
        "| server | per process (largest) MB | all processes MB | processes |",
        "|---|---:|---:|---:|",
    ]
    out += [
        f"| {SERVER_LABELS.get(f.server, f.server)} | {f.per_process_mb:.1f} "
        f"| {f.total_mb:.1f} | {f.processes} |"
        for f in results.memory
    ]

    report = results.statements
    out += [
        "",
        "## SQL statements per request (ours, measured in process)",
        "",
        "Counted on the second of two identical requests (the first warms the caches a running "
        "server has warm; its count is in parentheses when it differs). `+ N tile` are tile "
        "queries run by the sandbox on the tenant's data role (outside SQLAlchemy).",
        "",
        "| scenario | statements | raw baseline (declared) | answer |",
        "|---|---:|---:|---|",
    ]
    for key, count in report.counts.items():
        first = ""
        if (count.first_statements, count.first_tile_queries) != (
            count.statements,
            count.tile_queries,
        ):
            first = f" (first: {count.first_statements} + {count.first_tile_queries} tile)"
            if not (count.first_tile_queries or count.tile_queries):
                first = f" (first: {count.first_statements})"
        answer = "ok" if count.ok else f"⚠ {count.problem[:120]}"
        out.append(
            f"| {key} | {count.label()}{first} | {report.raw.get(key, '—')} "
            f"| {answer} ({count.response_bytes:,} B) |"
        )
    if report.variants:
        out += ["", "| scenario | variant | statements | answer |", "|---|---|---:|---|"]
        for v in report.variants:
            answer = "ok" if v.count.ok else f"⚠ {v.count.problem[:120]}"
            out.append(
                f"| {v.scenario} | {v.description} | {v.count.label()} "
                f"| {answer} ({v.count.response_bytes:,} B) |"
            )
    if report.notes:
        out += [""] + [f"- {n}" for n in report.notes]
    out.append("")
    return "\n".join(out)


def write(results: Results, markdown: Path = RESULTS_MD, data: Path | None = RESULTS_JSON) -> None:
    markdown.write_text(render(results))
    if data is not None:
        data.write_text(json.dumps(results.to_json(), indent=1) + "\n")


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS_JSON
    loaded = Results.from_json(json.loads(source.read_text()))
    RESULTS_MD.write_text(render(loaded))
    print(f"wrote {RESULTS_MD}")
