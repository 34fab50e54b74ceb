"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is configured."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pgserver

log = logging.getLogger(__name__)


def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose files live in `data_dir/pg` and return a
    plain `postgresql://` URL to its maintenance database, over a unix socket.

    The server outlives this process (pgserver reuses it next time), so a restart of the
    service does not pay for a database start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "pg").resolve()
    server = pgserver.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
    log.info("embedded PostgreSQL serving from %s", pgdata)
    return str(server.get_uri())


def stop_embedded_server(data_dir: Path) -> None:
    """Stop the server of `data_dir/pg` if it runs (for CI and `make stop-db`)."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    pgdata = (data_dir / "pg").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return
    # As root, pgserver runs PostgreSQL as its own `pgserver` user; pg_ctl must run as it too.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="manage the embedded PostgreSQL")
    parser.add_argument("--stop", type=Path, metavar="DATA_DIR", required=True)
    stop_embedded_server(parser.parse_args().stop)
