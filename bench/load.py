"""Load generation with wrk (Debian's `wrk`): one fixed request replayed over loopback by N
connections on one wrk thread (the two cores are shared with the server and PostgreSQL).

`bench/wrk/request.lua` reads the method, body and headers from files named in environment
variables, so bodies of any size (200 placements) go through unchanged."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.scenarios import Request

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk" / "request.lua"

# wrk gives up on a request after this long (its default, 2 s, would count the slow
# 1,000-card reads under load as socket timeouts instead of measuring them).
DEFAULT_TIMEOUT_SECONDS = 30


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors: connect + read + write + timeout
    non_2xx: int  # answers with a status of 400 or more (wrk's "Non-2xx or 3xx")
    requests: int
    p90_ms: float = 0.0
    mean_ms: float = 0.0
    max_ms: float = 0.0
    duration_s: float = 0.0
    bytes_read: int = 0
    connections: int = 0
    timeouts: int = 0

    @property
    def failed(self) -> int:
        """Every request that did not get a successful answer."""
        return self.errors + self.non_2xx

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        return cls(**data)


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkError("wrk is not installed: apt-get install -y wrk (or run `make bench`)")
    return path


def run_wrk(
    url: str,
    request: Request,
    connections: int,
    duration: float,
    threads: int = 1,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> LoadResult:
    """Replay `request` against the server at `url` (scheme, host and port; the request
    carries the path) with `connections` connections for `duration` seconds."""
    target = url.rstrip("/") + request.path
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        env = dict(os.environ)
        env["WRK_METHOD"] = request.method.upper()
        env.pop("WRK_BODY_FILE", None)
        if request.body is not None:
            body_file = Path(tmp) / "body"
            body_file.write_bytes(request.body)
            env["WRK_BODY_FILE"] = str(body_file)
        headers_file = Path(tmp) / "headers"
        headers_file.write_text(
            "".join(f"{name}: {value}\n" for name, value in request.headers.items())
        )
        env["WRK_HEADERS_FILE"] = str(headers_file)
        argv = [
            wrk_path(),
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            f"--timeout={max(1, round(timeout))}s",
            "--latency",
            f"--script={LUA_SCRIPT}",
            target,
        ]
        completed = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=duration + timeout + 30
        )
    if completed.returncode != 0:
        raise WrkError(
            f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}"
        )
    return parse_wrk_output(completed.stdout, connections=connections)


# --- parsing ---------------------------------------------------------------------------------

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _TIME_UNITS_MS[match.group(2)]


def _bytes(text: str) -> int:
    match = re.fullmatch(r"([\d.]+)([KMGT]?B)", text.strip())
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)]) if match else 0


def parse_wrk_output(text: str, *, connections: int = 0) -> LoadResult:
    """wrk's report: the `done()` line of request.lua when present (exact microseconds),
    else its text ("Latency Distribution", "Socket errors", "Non-2xx or 3xx responses",
    "Requests/sec")."""
    exact = re.search(r"^BENCH_RESULT (\{.*\})$", text, re.MULTILINE)
    if exact:
        data = json.loads(exact.group(1))
        duration_s = data["duration_us"] / 1e6
        errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
        return LoadResult(
            rps=data["requests"] / duration_s if duration_s else 0.0,
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            errors=errors,
            non_2xx=data["status"],
            requests=data["requests"],
            p90_ms=data["p90_us"] / 1000,
            mean_ms=data["mean_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            duration_s=duration_s,
            bytes_read=data["bytes"],
            connections=connections,
            timeouts=data["timeout"],
        )
    return _parse_text(text, connections)


def _parse_text(text: str, connections: int) -> LoadResult:
    percentiles = {
        int(m.group(1)): _ms(m.group(2))
        for m in re.finditer(r"^\s+(\d+)(?:\.\d+)?%\s+([\d.]+\w+)\s*$", text, re.MULTILINE)
    }
    total = re.search(r"^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    if not (total and rps and 50 in percentiles and 99 in percentiles):
        raise WrkError(f"cannot read wrk's report:\n{text}")
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    socket_errors = [int(g) for g in socket.groups()] if socket else [0, 0, 0, 0]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    latency = re.search(r"^\s+Latency\s+([\d.]+\w+)\s+[\d.]+\w+\s+([\d.]+\w+)", text, re.MULTILINE)
    return LoadResult(
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        errors=sum(socket_errors),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        requests=int(total.group(1)),
        p90_ms=percentiles.get(90, 0.0),
        mean_ms=_ms(latency.group(1)) if latency else 0.0,
        max_ms=_ms(latency.group(2)) if latency else 0.0,
        duration_s=_ms(total.group(2)) / 1000,
        bytes_read=_bytes(total.group(3)),
        connections=connections,
        timeouts=socket_errors[3],
    )
