"""Benchmark data in a fresh, migrated database, written with bulk SQL (INSERT … SELECT over
generate_series and unnest; a few statements in all, whatever the sizes):

- tenant `bench`: 200 library widgets, 1,000 dashboards (1 to 3 pages, up to 5 shares, most with
  5 to 20 cards, some with fewer), then the scenarios' own: 50 cards on 2 pages with 5 shares; 1,000
  cards on 4 pages; two 20-card dashboards whose SQL cards aggregate a 50,000-row `sales` table
  of the tenant's data schema (cache_ttl_seconds 0 and 300); and the target of the placement
  writes;
- tenant `bench-other`: 50 library widgets and 300 dashboards, interleaved with the bench
  tenant's, so that every read has to filter by tenant.

Every dashboard is `team`-visible, active and without role ids: any member of the tenant sees
all of them, so the rows a scenario returns do not depend on who the token names.

`python -m bench.generate --server-url URL --database bench_x --secret S [--output F]` makes
a fresh database and writes the fixture; `--drop` drops the database and its tenant roles."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.auth import EDIT_SCOPE, mint_token
from app.data.plane import DataPlane
from app.data.provision import drop_tenant_roles
from app.data.roles import plain_url, role_prefix
from app.data.sql_check import check_tile_sql
from app.domain.card_configs import config_problems
from app.main import create_app
from app.settings import Settings
from bench.catalogue import RENDER_CARDS, SALES_TABLE, TEMPLATES
from bench.fixture import Fixture
from db.migrate import upgrade
from db.provision import drop_database, ensure_database
from db.urls import with_database

BENCH_TENANT, OTHER_TENANT = "bench", "bench-other"
BULK_DASHBOARDS, OTHER_DASHBOARDS = 1_000, 300
LIBRARY_WIDGETS, OTHER_LIBRARY_WIDGETS = 200, 50
SALES_ROWS = 50_000
SEED = 7


# Dashboards' parameters, in turn: a dashboard filter on region, a dated one, none.
PARAMETERS: list[dict[str, Any]] = [
    {
        "region": {
            "type": "string",
            "multiple": True,
            "field": "region",
            "values": ["EU", "US", "APAC", "LATAM"],
            "label": "Regions",
        },
    },
    {"since": {"type": "date", "default": "2026-01-01", "label": "Since"}},
    {},
]


@dataclass(frozen=True)
class Board:
    """A dashboard to create, and how much goes on it."""

    tenant_id: int
    number: int  # its number in the tenant: code, name and the rest derive from it
    pages: int
    shares: int
    cards: int
    library_cards: int  # how many of the cards place library widgets (the others: their own)
    code: str = ""
    plain: bool = False  # no parameters (the render dashboards: their SQL is all that runs)

    def row(self) -> tuple[Any, ...]:
        n = self.number
        area = ("Sales", "Marketing", "Operations", "Finance", "Support", "Inventory")[n % 6]
        parameters = {} if self.plain else PARAMETERS[n % len(PARAMETERS)]
        return (
            self.tenant_id,
            self.code or f"dash-{n:04d}",
            f"{area} overview {n}",
            f"{area}: revenue, orders and customers by region and channel (board {n}).",
            f"user-{n % 25:02d}",
            json.dumps(parameters),
            f"{area.lower()},{('weekly', 'monthly', 'kpi', 'ops')[n % 4]}",
            ("executive", "sales", "operations", "finance")[n % 4],
            None if n % 4 == 0 else 300 * (n % 4),
            n % 10 < 7,  # in a collection
        )


def _bulk_plan(tenant_id: int, count: int, library: int, rng: random.Random) -> list[Board]:
    boards = []
    for n in range(1, count + 1):
        cards = rng.randint(5, 20) if rng.random() < 0.85 else rng.randint(0, 4)
        boards.append(
            Board(
                tenant_id,
                n,
                pages=rng.randint(1, 3),
                shares=rng.randint(0, 5),
                cards=cards,
                library_cards=min(library, round(cards * rng.uniform(0.2, 0.5))),
            )
        )
    return boards


# Pages, shares and cards of the dashboards described by the arrays $1..$7 ($8: how many
# templates there are). Cards' own widgets take their ids from the table's sequence first,
# so that their placements can name them.
_CONTENTS = """
WITH spec AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[],
                         $6::int[], $7::int[])
        AS s(dashboard_id, tenant_id, owner_id, pages, shares, cards, library_cards)
), new_pages AS (
    INSERT INTO dashboard_pages (tenant_id, dashboard_id, name, position)
    SELECT s.tenant_id, s.dashboard_id,
           (ARRAY['Overview', 'Details', 'Trends', 'Breakdown'])[1 + (n - 1) % 4]
               || CASE WHEN n > 4 THEN ' ' || n ELSE '' END,
           n
    FROM spec s, generate_series(1, s.pages) AS n
    RETURNING tenant_id, dashboard_id, id, position
), new_shares AS (
    INSERT INTO share_grants (tenant_id, dashboard_id, subject_type, subject_id, access_level,
                              granted_by)
    SELECT s.tenant_id, s.dashboard_id,
           CASE WHEN n % 2 = 1 THEN 'user' ELSE 'group' END,
           CASE WHEN n % 2 = 1 THEN 'user-' || lpad(((s.dashboard_id * 7 + n) % 40)::text, 2, '0')
                ELSE 'team-' || n END,
           (ARRAY['viewer', 'commenter', 'editor'])[1 + (s.dashboard_id + n) % 3],
           s.owner_id
    FROM spec s, generate_series(1, s.shares) AS n
), cards AS (
    -- Library cards spread evenly among a dashboard's cards (the k-th library card is slot
    -- i where floor((i+1)*L/C) first reaches k); each library widget at most once.
    SELECT s.tenant_id, s.dashboard_id, s.owner_id, i AS slot,
           1 + i % s.pages AS page_position, i / s.pages AS cell,
           CASE WHEN (i + 1) * s.library_cards / s.cards > i * s.library_cards / s.cards
                THEN lib.ids[1 + (s.dashboard_id * 37 + (i + 1) * s.library_cards / s.cards - 1)
                               % cardinality(lib.ids)]
           END AS library_widget
    FROM spec s
    JOIN bench_library lib ON lib.tenant_id = s.tenant_id
    CROSS JOIN LATERAL generate_series(0, s.cards - 1) AS i
), placed AS (
    SELECT c.*, COALESCE(c.library_widget,
                         nextval(pg_get_serial_sequence('dashboard_widgets', 'id'))) AS widget_id
    FROM cards c
), own_widgets AS (
    INSERT INTO dashboard_widgets (tenant_id, id, name, widget_type, config, in_library,
                                   data_source, owner_id)
    SELECT p.tenant_id, p.widget_id, t.title, t.widget_type, t.config, false, t.data_source,
           p.owner_id
    FROM placed p JOIN bench_templates t ON t.i = (p.dashboard_id + p.slot) % $8 + 1
    WHERE p.library_widget IS NULL
)
INSERT INTO dashboard_widget_placements (tenant_id, dashboard_id, page_id, widget_id, position,
                                         ordinal)
SELECT p.tenant_id, p.dashboard_id, pg.id, p.widget_id,
       jsonb_build_object('x', (p.cell % 3) * 4, 'y', (p.cell / 3) * 3, 'w', 4, 'h', 3), p.slot
FROM placed p
JOIN new_pages pg ON pg.dashboard_id = p.dashboard_id AND pg.position = p.page_position
"""


async def _insert_boards(conn: asyncpg.Connection, boards: list[Board]) -> list[int]:
    """Dashboards in the order given (which sets their ids); their pages, shares and cards."""
    rows = [b.row() for b in boards]
    columns = list(zip(*rows, strict=True))
    inserted = await conn.fetch(
        """
        INSERT INTO dashboards (tenant_id, code, name, description, owner_id, parameters, tags,
                                type, refresh_interval, collection_id)
        SELECT b.tenant_id, b.code, b.name, b.description, b.owner_id, b.parameters,
               string_to_array(b.tags, ','), b.type, b.refresh,
               CASE WHEN b.in_collection THEN c.ids[1 + b.n % cardinality(c.ids)] END
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                    $7::text[], $8::text[], $9::int[], $10::bool[])
             WITH ORDINALITY AS b(tenant_id, code, name, description, owner_id, parameters,
                                  tags, type, refresh, in_collection, n)
        JOIN bench_collections c ON c.tenant_id = b.tenant_id
        ORDER BY b.n
        RETURNING id, tenant_id, code
        """,
        *columns,
    )
    ids = {(r["tenant_id"], r["code"]): r["id"] for r in inserted}
    dashboard_ids = [ids[(b.tenant_id, row[1])] for b, row in zip(boards, rows, strict=True)]
    spec = (
        dashboard_ids,
        [b.tenant_id for b in boards],
        [row[4] for row in rows],  # owner
        [b.pages for b in boards],
        [b.shares for b in boards],
        [b.cards for b in boards],
        [b.library_cards for b in boards],
        len(TEMPLATES),
    )
    await conn.execute(_CONTENTS, *spec)
    return dashboard_ids


async def _prepare(conn: asyncpg.Connection) -> None:
    """Temporary tables the bulk statements join: widget templates, each tenant's library
    widget ids and collection ids."""
    await conn.execute(
        """
        CREATE TEMP TABLE bench_templates (i int PRIMARY KEY, title text, widget_type text,
                                           config jsonb, data_source jsonb) ON COMMIT DROP;
        CREATE TEMP TABLE bench_library (tenant_id bigint PRIMARY KEY, ids bigint[])
            ON COMMIT DROP;
        CREATE TEMP TABLE bench_collections (tenant_id bigint PRIMARY KEY, ids bigint[])
            ON COMMIT DROP;
        """
    )
    await conn.executemany(
        "INSERT INTO bench_templates VALUES ($1, $2, $3, $4, $5)",
        [
            (
                i,
                t.title,
                t.widget_type,
                json.dumps(t.config),
                json.dumps({"sql": t.sql, "cache_ttl_seconds": 300}) if t.sql else None,
            )
            for i, t in enumerate(TEMPLATES, start=1)
        ],
    )


async def _tenant(conn: asyncpg.Connection, name: str, library: int) -> tuple[int, list[int]]:
    """The tenant, its collections and its library widgets (their ids in order)."""
    tenant_id: int = await conn.fetchval(
        "INSERT INTO tenants (name) VALUES ($1) RETURNING id", name
    )
    await conn.execute(
        """
        WITH made AS (
            INSERT INTO collections (tenant_id, name, description)
            SELECT $1, (ARRAY['Sales', 'Marketing', 'Operations', 'Finance', 'Support',
                              'Inventory', 'Executive', 'Archive'])[n],
                   'Dashboards of team ' || n
            FROM generate_series(1, 8) AS n
            RETURNING id
        )
        INSERT INTO bench_collections SELECT $1, array_agg(id ORDER BY id) FROM made
        """,
        tenant_id,
    )
    rows = await conn.fetch(
        """
        INSERT INTO dashboard_widgets (tenant_id, name, widget_type, description, config,
                                       in_library, data_source, kind, owner_id)
        SELECT $1, t.title || ' ' || n, t.widget_type,
               'Library widget ' || n || ': ' || lower(t.title) || ', for any dashboard.',
               t.config, true, t.data_source,
               CASE WHEN n % 4 = 0 THEN 'library_' || n END, 'user-00'
        FROM generate_series(1, $2) AS n
        JOIN bench_templates t ON t.i = (n - 1) % $3 + 1
        ORDER BY n
        RETURNING id
        """,
        tenant_id,
        library,
        len(TEMPLATES),
    )
    ids = sorted(r["id"] for r in rows)
    await conn.execute("INSERT INTO bench_library VALUES ($1, $2)", tenant_id, ids)
    return tenant_id, ids


async def _render_cards(
    conn: asyncpg.Connection, tenant_id: int, dashboard_id: int, ttl: int
) -> None:
    """The 20 SQL cards of a render dashboard (private widgets), 4 to a row on page 1."""
    types, titles, sqls = (list(c) for c in zip(*RENDER_CARDS, strict=True))
    await conn.execute(
        """
        WITH c AS (
            SELECT c.*, nextval(pg_get_serial_sequence('dashboard_widgets', 'id')) AS widget_id
            FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                AS c(widget_type, title, sql, i)
        ), w AS (
            INSERT INTO dashboard_widgets (tenant_id, id, name, widget_type, config, in_library,
                                           data_source, owner_id)
            SELECT $1, c.widget_id, c.title, c.widget_type, jsonb_build_object('title', c.title),
                   false, jsonb_build_object('sql', c.sql, 'cache_ttl_seconds', $6::int), 'user-00'
            FROM c
        )
        INSERT INTO dashboard_widget_placements (tenant_id, dashboard_id, page_id, widget_id,
                                                 position, ordinal)
        SELECT $1, $2, pg.id, c.widget_id,
               jsonb_build_object('x', ((c.i - 1) % 4) * 3, 'y', ((c.i - 1) / 4) * 3, 'w', 3,
                                  'h', 3),
               c.i - 1
        FROM c JOIN dashboard_pages pg
            ON pg.tenant_id = $1 AND pg.dashboard_id = $2 AND pg.position = 1
        """,
        tenant_id,
        dashboard_id,
        types,
        titles,
        sqls,
        ttl,
    )


def _check_catalogue(schema: str) -> None:
    """Every template config fits its type, and every tile SQL passes the service's check."""
    for t in TEMPLATES:
        if problems := config_problems(t.widget_type, t.config, ("config",)):
            raise ValueError(f"template {t.title!r}: {problems[0].message}")
    for sql in [t.sql for t in TEMPLATES if t.sql] + [sql for _, _, sql in RENDER_CARDS]:
        check_tile_sql(sql, tenant_schema=schema, max_chars=20_000, field=("sql",))


async def _sales(url: str, settings: Settings, tenant_id: int) -> None:
    """The tenant's data schema and role, made by the service's own provisioning, and the
    `sales` table in it, created as the service's user (the role reads it by default
    privileges)."""
    plane = DataPlane.create(url, settings)
    try:
        role = await plane.sandbox.ensure_tenant(tenant_id)
    finally:
        await plane.close()
    schema = '"' + role.schema + '"'
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.execute(SALES_TABLE.format(schema=schema, rows=SALES_ROWS))
        await conn.execute(f"ALTER TABLE {schema}.sales ADD PRIMARY KEY (sale_id)")
        await conn.execute(f"CREATE INDEX sales_sold_at ON {schema}.sales (sold_at)")
        await conn.execute(f"ANALYZE {schema}.sales")
    finally:
        await conn.close()


async def verify_render(url: str, settings: Settings, fixture: Fixture) -> None:
    """Render both render dashboards through the app, in process: every card has rows."""
    app = create_app(settings)
    token = mint_token(
        fixture.secret, subject="bench-verify", tenants=[fixture.tenant], scopes=[EDIT_SCOPE]
    )
    headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": fixture.tenant}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for dashboard_id in (fixture.dashboard_render_cold, fixture.dashboard_render_cached):
                answer = await client.get(f"/api/dashboards/{dashboard_id}/render", headers=headers)
                answer.raise_for_status()
                cards = answer.json()["cards"]
                failed = [c for c in cards if c["error"] or not (c["data"] or {}).get("rows")]
                if len(cards) != len(RENDER_CARDS) or failed:
                    raise RuntimeError(f"dashboard {dashboard_id} renders badly: {failed[:2]}")


async def generate(database_url: str, secret: str) -> Fixture:
    """Fill the (migrated, empty) database at `database_url`; `secret` is the HS256 secret the
    servers will use, which also derives the tenant data role's password."""
    settings = Settings(
        database_url=database_url, auth_jwt_secret=secret, migrate_on_start=False, db_pool_size=4
    )
    rng = random.Random(SEED)  # noqa: S311 (data, not secrets)
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        async with conn.transaction():
            await _prepare(conn)
            bench_id, library = await _tenant(conn, BENCH_TENANT, LIBRARY_WIDGETS)
            other_id, _ = await _tenant(conn, OTHER_TENANT, OTHER_LIBRARY_WIDGETS)
            _check_catalogue(f"tenant_data_{bench_id}")
            boards = _bulk_plan(bench_id, BULK_DASHBOARDS, LIBRARY_WIDGETS, rng)
            boards += _bulk_plan(other_id, OTHER_DASHBOARDS, OTHER_LIBRARY_WIDGETS, rng)
            rng.shuffle(boards)  # the tenants' dashboards interleave in id order
            await _insert_boards(conn, boards)
            n = BULK_DASHBOARDS
            specials = [
                Board(bench_id, n + 1, 1, 2, 200, 200, code="bench-placements"),
                Board(bench_id, n + 2, 2, 5, 50, 20, code="bench-50-cards"),
                Board(bench_id, n + 3, 4, 5, 1000, 200, code="bench-1000-cards"),
                Board(bench_id, n + 4, 1, 1, 0, 0, code="bench-render-cold", plain=True),
                Board(bench_id, n + 5, 1, 1, 0, 0, code="bench-render-cached", plain=True),
            ]
            target, board_50, board_1000, cold, cached = await _insert_boards(conn, specials)
            await _render_cards(conn, bench_id, cold, ttl=0)
            await _render_cards(conn, bench_id, cached, ttl=300)
            count = await conn.fetchval(
                "SELECT count(*) FROM dashboards WHERE tenant_id = $1", bench_id
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    await _sales(database_url, settings, bench_id)
    fixture = Fixture(
        tenant=BENCH_TENANT,
        tenant_id=bench_id,
        secret=secret,
        widget_ids=library,
        dashboard_50=board_50,
        dashboard_1000=board_1000,
        dashboard_render_cold=cold,
        dashboard_render_cached=cached,
        placements_target=target,
        dashboard_count=count,
    )
    await verify_render(database_url, settings, fixture)
    return fixture


async def fresh_database(server_url: str, name: str) -> str:
    """Database `name` (bench_…), dropped first if it exists, migrated; its URL."""
    await drop_bench_database(server_url, name)
    url = await ensure_database(server_url, name)
    await upgrade(url)
    return url


async def drop_bench_database(server_url: str, name: str) -> None:
    """The database and its tenant data roles (roles belong to the server and outlive it)."""
    await drop_database(server_url, name)
    await drop_tenant_roles(server_url, role_prefix(with_database(server_url, name)))


async def _run(args: argparse.Namespace) -> Fixture | None:
    if args.drop:
        await drop_bench_database(args.server_url, args.database)
        return None
    url = await fresh_database(args.server_url, args.database)
    return await generate(url, args.secret)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--server-url", required=True, help="postgresql://… of the server")
    parser.add_argument("--database", required=True, help="the database to (re)create: bench_…")
    parser.add_argument("--secret", default="", help="the servers' HS256 secret")
    parser.add_argument("--output", default="", help="write the fixture here (default: stdout)")
    parser.add_argument("--drop", action="store_true", help="drop the database and its roles")
    args = parser.parse_args()
    if not args.drop and not args.secret:
        parser.error("--secret is required")
    started = time.monotonic()
    fixture = asyncio.run(_run(args))
    if fixture is None:
        return 0
    if args.output:
        Path(args.output).write_text(fixture.to_json() + "\n")
    else:
        print(fixture.to_json())
    print(f"generated {args.database} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
