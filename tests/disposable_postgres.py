"""A PostgreSQL server of a test's own, from the binaries pgserver ships, that the test may
stop (as hard as it likes) and start again: in a temporary folder, reached over a unix
socket in that folder, listening on no TCP port."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

from pgserver._commands import initdb, pg_ctl  # type: ignore[attr-defined]
from pgserver.utils import ensure_user_exists  # type: ignore[attr-defined]

# Run as root, PostgreSQL refuses to start: pgserver's own system user runs it then.
_SYSTEM_USER = "pgserver"
# Small and fast: a throwaway server needs no durability.
_SERVER_OPTIONS = "-c fsync=off -c shared_buffers=16MB -c max_connections=60"


class DisposablePostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._user = None
        if os.geteuid() == 0:
            ensure_user_exists(_SYSTEM_USER)
            entry = pwd.getpwnam(_SYSTEM_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._user = _SYSTEM_USER
        initdb(
            ["--auth=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=self.data,
            user=self._user,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.root}"

    def start(self) -> None:
        pg_ctl(
            [
                "-w",
                "-o",
                f'-h "" -k {self.root} {_SERVER_OPTIONS}',
                "-l",
                str(self.log),
                "start",
            ],
            pgdata=self.data,
            user=self._user,
            timeout=60,
        )

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as clients see it: every connection is cut at once."""
        pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.data, user=self._user, timeout=60)

    def remove(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
