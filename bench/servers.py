"""The three servers of a run: ours (uvicorn), the raw baseline (bench.baseline) and
PostGraphile. Each starts in a session of its own (so its whole process tree can be signalled),
is polled until it answers, is sampled for memory (VmHWM of every process of its tree) and CPU
time, and stops with SIGTERM, then SIGKILL."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = (
    str(REPO / ".venv" / "bin" / "python")
    if (REPO / ".venv" / "bin" / "python").exists()
    else sys.executable
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- /proc ----------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants that are alive."""
    children = _children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if os.path.exists(f"/proc/{pid}"):
            tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    # utime and stime are fields 14 and 15 of stat(5); `fields` starts at field 3.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_times() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def busy_fraction(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How busy the cores were between two `machine_cpu_times` (0 to 1)."""
    elapsed = after[1] - before[1]
    return (after[0] - before[0]) / elapsed if elapsed else 0.0


# --- readiness probes ------------------------------------------------------------------------

Probe = Callable[[int], bool]


def http_probe(
    method: str, path: str, body: bytes | None = None, ok: Callable[[int], bool] = lambda s: s < 500
) -> Probe:
    def probe(port: int) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            return ok(conn.getresponse().status)
        except OSError:
            return False
        finally:
            conn.close()

    return probe


# --- servers -------------------------------------------------------------------------------


@dataclass
class Memory:
    """Peak resident memory (VmHWM) of a server's processes, in MiB."""

    per_process_mb: float  # the largest process (a worker)
    total_mb: float  # all processes of the tree together
    processes: int
    workers: int


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    probe: Probe
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = REPO
    workers: int = 1
    startup_timeout: float = 90.0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _peaks_kb: dict[int, int] = field(default_factory=dict)
    _cpu: dict[int, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"{self.name}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 (the child writes to it)
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            if self.probe(self.port) and self._workers_up():
                return
            time.sleep(0.2)
        self.stop()
        raise ServerError(
            f"{self.name} did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}"
        )

    def _workers_up(self) -> bool:
        # uvicorn's supervisor answers through whichever worker is up first; wait for all.
        if self.workers <= 1 or self.process is None:
            return True
        return len(self.pids()) >= self.workers + 1

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process is not None else []

    def sample(self) -> None:
        """Remember each process's peak memory so far (read before processes go away)."""
        for pid in self.pids():
            self._peaks_kb[pid] = max(self._peaks_kb.get(pid, 0), _status_kb(pid, "VmHWM"))

    def memory(self) -> Memory:
        self.sample()
        peaks = [kb for kb in self._peaks_kb.values() if kb > 0]
        return Memory(
            per_process_mb=max(peaks, default=0) / 1024,
            total_mb=sum(peaks) / 1024,
            processes=len(peaks),
            workers=self.workers,
        )

    def cpu_seconds(self) -> float:
        """CPU time (user + system) its processes have used so far, including those gone."""
        for pid in self.pids():
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), _cpu_seconds(pid))
        return sum(self._cpu.values())

    def describe(self) -> str:
        return " ".join(self.argv)

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.sample()
        group = self.process.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader, or the group never looks empty
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def wait_idle(
    servers: list[Server],
    busy: Callable[[], bool] = lambda: False,
    *,
    timeout: float = 120.0,
    window: float = 0.5,
    threshold: float = 0.05,
) -> float:
    """Wait until the servers have finished what they still work on (a request whose
    connection the last load run closed is still served to its end, and would slow the next
    measurement): together they use less than `threshold` of a core over two windows in a row
    and `busy()` (the database's active queries) is false. Returns the seconds waited."""
    began = time.monotonic()
    quiet = 0
    before = sum(server.cpu_seconds() for server in servers)
    while time.monotonic() - began < timeout:
        time.sleep(window)
        now = sum(server.cpu_seconds() for server in servers)
        quiet = quiet + 1 if now - before < threshold * window and not busy() else 0
        before = now
        if quiet >= 2:
            break
    return time.monotonic() - began


def ours(
    database_url: str,
    secret: str,
    *,
    workers: int = 1,
    port: int | None = None,
    data_dir: Path | None = None,
) -> Server:
    port = port or free_port()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="bench-data-"))
    return Server(
        name=f"ours-w{workers}",
        argv=[
            PYTHON,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
        ],
        port=port,
        probe=http_probe("GET", "/readyz", ok=lambda s: s == 200),
        env={
            "DATABASE_URL": database_url,
            "AUTH_JWT_SECRET": secret,
            "MIGRATE_ON_START": "false",
            "SEED_DEMO": "false",
            "DATA_DIR": str(data_dir),
            "ENVIRONMENT": "development",
            # The load generator is one user: per-user rate limits would measure the limiter.
            "RATE_LIMIT_ENABLED": "false",
        },
        workers=workers,
    )


def raw(database_url: str, secret: str, *, port: int | None = None) -> Server:
    port = port or free_port()
    return Server(
        name="raw",
        argv=[
            PYTHON,
            "-m",
            "bench.baseline",
            "--port",
            str(port),
            "--database-url",
            database_url,
            "--secret",
            secret,
        ],
        port=port,
        # Any HTTP answer (a 404 for "/") means it serves.
        probe=http_probe("GET", "/"),
    )


def postgraphile_available() -> tuple[bool, str]:
    """Whether PostGraphile can run, and why not."""
    try:
        from bench.postgraphile import server as pg_server
    except ImportError as exc:
        return False, f"bench.postgraphile.server is missing ({exc})"
    try:
        if not pg_server.installed():
            return False, "PostGraphile is not installed (cd bench/postgraphile && npm install)"
    except Exception as exc:  # a broken check is a reason to skip it, and is reported
        return False, f"bench.postgraphile.server.installed() failed: {exc}"
    return True, ""


def postgraphile(database_url: str, *, port: int | None = None) -> Server:
    from bench.postgraphile import server as pg_server

    port = port or free_port()
    return Server(
        name="postgraphile",
        argv=list(pg_server.command(database_url, port)),
        port=port,
        probe=http_probe("POST", "/graphql", b'{"query":"{__typename}"}', ok=lambda s: s == 200),
        cwd=REPO / "bench" / "postgraphile",
        env={"NODE_ENV": "production"},
        startup_timeout=120.0,
    )
