"""The raw baseline: the physical limit of this stack. A bare Starlette app that answers each
scenario with the same rows and fields as our service, read with the fewest sensible asyncpg
statements (tenant-filtered, batched with ANY), and serialised with orjson; stored JSON is
passed through as it is (orjson.Fragment), never decoded. It checks no token: the tenant is
the one the X-Clarus-Subdomain header names (the fixture's), looked up once per process.

    python -m bench.baseline --port N --database-url URL --secret S [--workers W]

`--secret` is the servers' secret, which derives the tenant data role's password: renders run
the cards' SQL as that role, with the sandbox's settings, at most 4 at once, like ours (and,
having no tile cache, every time)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.data.roles import plain_url, role_prefix, tenant_data_role, with_login

TILE_CONCURRENCY, TILE_POOL_SIZE, TILE_ROW_LIMIT, TILE_TIMEOUT_MS = 4, 4, 5_000, 5_000
POOL_SIZE = 20
ENV_URL, ENV_SECRET = "BENCH_BASELINE_DATABASE_URL", "BENCH_BASELINE_SECRET"

# Statements each route sends per request, by scenario key (BEGIN and COMMIT not counted, as
# they are not for ours). The render's are its 2 reads and the 20 cards' SQL.
STATEMENTS = {
    "1-widgets": 1,
    "2-dashboard-50": 3,
    "3-dashboards-100": 2,
    "4-dashboard-1000": 3,
    "5-placements-200": 3,
    "6-render-cold": 2 + 20,
    "7-rest-dashboard-50": 3,
    "7-rest-dashboards": 1,
}

Json = orjson.Fragment
Handler = Callable[[Request, "Db", int], Awaitable[Response]]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = orjson.dumps(body, default=_default)
    return Response(content, status, headers=headers, media_type="application/json")


def gid(type_name: str, database_id: int) -> str:
    """A GraphQL global id, as strawberry's relay writes it."""
    return base64.b64encode(f"{type_name}:{database_id}".encode()).decode()


def cursor(database_id: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:v1:{database_id}".encode()).decode()


def layout(position: str) -> Json | None:
    return None if position == "{}" else Json(position)


# --- reads --------------------------------------------------------------------------------------

CARDS = """
SELECT pl.dashboard_id, pl.id, pl.page_id, pl.position, w.id AS widget_id, w.widget_type,
       w.name, w.config, w.data_source, w.kind
FROM dashboard_widget_placements pl
JOIN dashboard_widgets w ON w.tenant_id = pl.tenant_id AND w.id = pl.widget_id
WHERE pl.tenant_id = $1 AND pl.dashboard_id = ANY($2::bigint[])
ORDER BY pl.dashboard_id, pl.ordinal, pl.id
"""

DASHBOARD_WITH_PAGES = """
SELECT d.*, p.id AS page_id, p.name AS page_name, p.position AS page_position,
       l.slug, l.created_at AS link_created_at
FROM dashboards d
JOIN dashboard_pages p ON p.tenant_id = d.tenant_id AND p.dashboard_id = d.id
LEFT JOIN public_links l ON l.tenant_id = d.tenant_id AND l.dashboard_id = d.id
WHERE d.tenant_id = $1 AND d.id = $2
ORDER BY p.position
"""

SHARES = """
SELECT id, subject_type, subject_id, access_level, granted_by, created_at, updated_at
FROM share_grants WHERE tenant_id = $1 AND dashboard_id = $2 ORDER BY id
"""


def graphql_card(c: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": gid("DashboardCard", c["id"]),
        "databaseId": c["id"],
        "layout": layout(c["position"]),
        "cardType": c["widget_type"].upper(),
        "name": c["name"],
        "config": Json(c["config"]),
        "dashboardWidget": {
            "id": gid("DashboardWidget", c["widget_id"]),
            "databaseId": c["widget_id"],
            "dataSource": c["data_source"] and Json(c["data_source"]),
            "kind": c["kind"],
        },
    }


async def widgets(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 1: the library's first widgets and how many there are (1 statement)."""
    first = int(request.query_params.get("first", "100"))
    rows = await db.pool.fetch(
        "SELECT id, name, widget_type, description, config, data_source, kind, updated_at, "
        "count(*) OVER () AS total FROM dashboard_widgets WHERE tenant_id = $1 AND in_library "
        "ORDER BY id LIMIT $2",
        tenant_id,
        first + 1,
    )
    page = rows[:first]
    nodes = [
        {
            "id": gid("DashboardWidget", w["id"]),
            "databaseId": w["id"],
            "name": w["name"],
            "widgetType": w["widget_type"].upper(),
            "description": w["description"],
            "config": Json(w["config"]),
            "dataSource": w["data_source"] and Json(w["data_source"]),
            "kind": w["kind"],
            "updatedAt": w["updated_at"],
        }
        for w in page
    ]
    connection = {
        "totalCount": rows[0]["total"] if rows else 0,
        "pageInfo": {
            "hasNextPage": len(rows) > first,
            "endCursor": cursor(page[-1]["id"]) if page else None,
        },
        "edges": [{"node": node} for node in nodes],
    }
    return answer({"data": {"dashboardWidgets": connection}})


async def read_dashboard(
    db: Db, tenant_id: int, dashboard_id: int
) -> tuple[list[asyncpg.Record], list[asyncpg.Record], list[asyncpg.Record]]:
    """The dashboard's row once per page (none: not in the tenant), its cards, its shares."""
    async with db.pool.acquire() as conn:
        rows = await conn.fetch(DASHBOARD_WITH_PAGES, tenant_id, dashboard_id)
        if not rows:
            return [], [], []
        cards = await conn.fetch(CARDS, tenant_id, [dashboard_id])
        shares = await conn.fetch(SHARES, tenant_id, dashboard_id)
    return rows, cards, shares


async def dashboard(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenarios 2 and 4: a dashboard, its pages, cards with widgets, shares (3 statements)."""
    rows, cards, shares = await read_dashboard(
        db, tenant_id, int(request.path_params["dashboard_id"])
    )
    if not rows:
        return answer({"data": {"dashboard": None}})
    d = rows[0]
    by_page: dict[int, list[dict[str, Any]]] = {r["page_id"]: [] for r in rows}
    for c in cards:
        by_page[c["page_id"]].append(graphql_card(c))
    body = {
        "id": gid("Dashboard", d["id"]),
        "databaseId": d["id"],
        "code": d["code"],
        "name": d["name"],
        "description": d["description"],
        "version": d["version"],
        "isDefault": d["is_default"],
        "visibility": d["visibility"].upper(),
        "tags": d["tags"],
        "type": d["type"],
        "refreshInterval": d["refresh_interval"],
        "updatedAt": d["updated_at"],
        "parameters": Json(d["parameters"]),
        "pages": [
            {
                "id": gid("DashboardPage", r["page_id"]),
                "databaseId": r["page_id"],
                "name": r["page_name"],
                "position": r["page_position"],
                "cards": by_page[r["page_id"]],
            }
            for r in rows
        ],
        "shares": [
            {
                "id": gid("ShareGrant", s["id"]),
                "databaseId": s["id"],
                "subjectType": s["subject_type"].upper(),
                "subjectId": s["subject_id"],
                "accessLevel": s["access_level"].upper(),
                "grantedBy": s["granted_by"],
                "createdAt": s["created_at"],
            }
            for s in shares
        ],
    }
    return answer({"data": {"dashboard": body}})


async def dashboards(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 3: the first dashboards with their cards and widgets (2 statements)."""
    first = int(request.query_params.get("first", "100"))
    async with db.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id, code, name, description, version, visibility, tags, type, updated_at, "
            "count(*) OVER () AS total FROM dashboards WHERE tenant_id = $1 ORDER BY id LIMIT $2",
            tenant_id,
            first + 1,
        )
        page = rows[:first]
        found = await conn.fetch(CARDS, tenant_id, [d["id"] for d in page])
    cards: dict[int, list[dict[str, Any]]] = {d["id"]: [] for d in page}
    for c in found:
        cards[c["dashboard_id"]].append(graphql_card(c))
    edges = [
        {
            "node": {
                "id": gid("Dashboard", d["id"]),
                "databaseId": d["id"],
                "code": d["code"],
                "name": d["name"],
                "description": d["description"],
                "version": d["version"],
                "visibility": d["visibility"].upper(),
                "tags": d["tags"],
                "type": d["type"],
                "updatedAt": d["updated_at"],
                "cards": cards[d["id"]],
            }
        }
        for d in page
    ]
    connection = {
        "totalCount": rows[0]["total"] if rows else 0,
        "pageInfo": {
            "hasNextPage": len(rows) > first,
            "endCursor": cursor(page[-1]["id"]) if page else None,
        },
        "edges": edges,
    }
    return answer({"data": {"dashboards": connection}})


# --- the placement write ------------------------------------------------------------------------

REPLACE_PLACEMENTS = """
INSERT INTO dashboard_widget_placements (tenant_id, dashboard_id, page_id, widget_id, position,
                                         ordinal)
SELECT $1, $2,
       (SELECT id FROM dashboard_pages WHERE tenant_id = $1 AND dashboard_id = $2 AND position = 1),
       p.widget_id, p.position, p.ordinal - 1
FROM unnest($3::bigint[], $4::jsonb[]) WITH ORDINALITY AS p(widget_id, position, ordinal)
"""


async def placements(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 5: replace every placement, in one transaction that holds the dashboard's row
    lock (taken by the version bump); the foreign keys check the widgets (3 statements)."""
    dashboard_id = int(request.path_params["dashboard_id"])
    body = orjson.loads(await request.body())
    items = body["placements"]
    widget_ids = [int(p["dashboardWidgetId"]) for p in items]
    positions = [orjson.dumps(p.get("position") or {}).decode() for p in items]
    async with db.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "UPDATE dashboards SET version = version + 1, updated_at = now() "
            "WHERE tenant_id = $1 AND id = $2 RETURNING id, version, updated_at",
            tenant_id,
            dashboard_id,
        )
        if row is None:
            return answer({"error": "dashboard not found"}, 404)
        await conn.execute(
            "DELETE FROM dashboard_widget_placements WHERE tenant_id = $1 AND dashboard_id = $2",
            tenant_id,
            dashboard_id,
        )
        await conn.execute(REPLACE_PLACEMENTS, tenant_id, dashboard_id, widget_ids, positions)
    result = {
        "dashboard": {
            "id": gid("Dashboard", row["id"]),
            "databaseId": row["id"],
            "version": row["version"],
            "updatedAt": row["updated_at"],
        },
        "userErrors": [],
    }
    return answer({"data": {"setDashboardWidgetPlacements": result}})


# --- render ---------------------------------------------------------------------------------------

# PostgreSQL type names as the service's tile columns type them (app/data/values.py).
COLUMN_TYPES = {
    **dict.fromkeys(("int2", "int4", "int8", "numeric", "float4", "float8", "oid"), "number"),
    **dict.fromkeys(("text", "varchar", "bpchar", "char", "name", "citext", "uuid"), "string"),
    "date": "date",
    "timestamp": "datetime",
    "timestamptz": "datetime",
    "bool": "boolean",
}

PAGE_CARDS = """
SELECT pl.id, w.id AS widget_id, w.widget_type, w.name, w.data_source ->> 'sql' AS sql
FROM dashboard_widget_placements pl
JOIN dashboard_widgets w ON w.tenant_id = pl.tenant_id AND w.id = pl.widget_id
WHERE pl.tenant_id = $1 AND pl.page_id = $2
ORDER BY pl.ordinal, pl.id
"""


async def tile(
    db: Db, pool: asyncpg.Pool, semaphore: asyncio.Semaphore, sql: str
) -> dict[str, Any]:
    """One card's SQL as the tenant's role: its columns, at most TILE_ROW_LIMIT rows. The
    statement is asyncpg's cached one; its column types are described once per process."""
    async with semaphore, pool.acquire() as conn:
        records = await conn.fetch(sql)
        columns = db.columns.get(sql)
        if columns is None:
            attributes = (await conn.prepare(sql)).get_attributes()
            columns = [
                {"name": a.name, "type": COLUMN_TYPES.get(a.type.name, "other")} for a in attributes
            ]
            db.columns[sql] = columns
    rows = [dict(r.items()) for r in records[:TILE_ROW_LIMIT]]
    return {
        "columns": columns,
        "rows": rows,
        "row_count": len(rows),
        "truncated": len(records) > TILE_ROW_LIMIT,
    }


async def card(
    db: Db, pool: asyncpg.Pool, semaphore: asyncio.Semaphore, c: asyncpg.Record
) -> dict[str, Any]:
    data, error = None, None
    if c["sql"] is not None:
        try:
            data = await tile(db, pool, semaphore, c["sql"])
        except asyncpg.PostgresError as exc:
            error = {"code": "TILE_SQL_ERROR", "message": str(exc)}
    return {
        "card_id": c["id"],
        "widget_id": c["widget_id"],
        "card_type": c["widget_type"],
        "title": c["name"],
        "data": data,
        "error": error,
        "cached": False,
        "computed_at": datetime.now(UTC) if data is not None else None,
    }


async def render(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 6: a page's cards with their data (2 statements, then each card's SQL). The
    render dashboards declare no parameters, so there are none to resolve or bind."""
    dashboard_id = int(request.path_params["dashboard_id"])
    page = int(request.query_params.get("page", "1"))
    async with db.pool.acquire() as conn:
        head = await conn.fetchrow(
            "SELECT d.id, d.name, p.id AS page_id FROM dashboards d JOIN dashboard_pages p "
            "ON p.tenant_id = d.tenant_id AND p.dashboard_id = d.id AND p.position = $3 "
            "WHERE d.tenant_id = $1 AND d.id = $2",
            tenant_id,
            dashboard_id,
            page,
        )
        if head is None:
            return answer({"error": "dashboard or page not found"}, 404)
        cards = await conn.fetch(PAGE_CARDS, tenant_id, head["page_id"])
    pool, semaphore = await db.tiles(tenant_id), asyncio.Semaphore(TILE_CONCURRENCY)
    rendered = await asyncio.gather(*(card(db, pool, semaphore, c) for c in cards))
    return answer(
        {
            "dashboard": {"id": head["id"], "name": head["name"], "parameters": {}},
            "page": page,
            "cards": rendered,
        }
    )


# --- the REST shim's reads ------------------------------------------------------------------------


def summary(d: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": d["id"],
        "code": d["code"],
        "name": d["name"],
        "description": d["description"],
        "collection_id": d["collection_id"],
        "is_active": d["is_active"],
        "is_default": d["is_default"],
        "role_ids": d["role_ids"],
        "owner_id": d["owner_id"],
        "version": d["version"],
        "created_at": d["created_at"],
        "updated_at": d["updated_at"],
    }


async def rest_dashboard(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 7: the full configuration, as GET /api/dashboards/{id} (3 statements)."""
    rows, cards, shares = await read_dashboard(
        db, tenant_id, int(request.path_params["dashboard_id"])
    )
    if not rows:
        return answer({"error": "dashboard_not_found"}, 404)
    d = rows[0]
    by_page: dict[int, list[dict[str, Any]]] = {r["page_id"]: [] for r in rows}
    for c in cards:
        by_page[c["page_id"]].append(
            {
                "card_id": c["id"],
                "card_type": c["widget_type"],
                "name": c["name"],
                "config": Json(c["config"]),
                "layout": layout(c["position"]),
                "widget_id": c["widget_id"],
                "data_source": c["data_source"] and Json(c["data_source"]),
            }
        )
    link = None
    if d["slug"] is not None:
        url = f"/api/public/dashboards/{d['slug']}/render"
        link = {"slug": d["slug"], "url": url, "created_at": d["link_created_at"]}
    body = {
        **summary(d),
        "parameters": Json(d["parameters"]),
        "pages": [
            {
                "id": r["page_id"],
                "name": r["page_name"],
                "position": r["page_position"],
                "cards": by_page[r["page_id"]],
            }
            for r in rows
        ],
        "shares": [
            {
                "share_id": s["id"],
                "subject_type": s["subject_type"],
                "subject_id": s["subject_id"],
                "access_level": s["access_level"],
                "granted_by": s["granted_by"],
                "created_at": s["created_at"],
                "updated_at": s["updated_at"],
            }
            for s in shares
        ],
        "public_link": link,
    }
    return answer(body, headers={"ETag": f'"v{d["version"]}"'})


LISTED = """
SELECT listed.*,
       (SELECT count(*) FROM dashboard_widget_placements pl
        WHERE pl.tenant_id = $1 AND pl.dashboard_id = listed.id) AS widget_count
FROM (SELECT id, code, name, description, collection_id, is_active, is_default, role_ids,
             owner_id, version, created_at, updated_at, type, count(*) OVER () AS total
      FROM dashboards WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3) AS listed
ORDER BY listed.id
"""


def utc_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def rest_dashboards(request: Request, db: Db, tenant_id: int) -> Response:
    """Scenario 7: GET /api/dashboards?limit=N, in both dialects' shapes (1 statement)."""
    limit = int(request.query_params.get("limit", "20"))
    offset = int(request.query_params.get("offset", "0"))
    rows = await db.pool.fetch(LISTED, tenant_id, limit, offset)
    total = rows[0]["total"] if rows else 0
    value = [
        {
            "id": f"dashboard_{d['id']}",
            "name": d["name"],
            "type": d["type"],
            "widgetCount": d["widget_count"],
            "createdAt": utc_z(d["created_at"]),
        }
        for d in rows
    ]
    body = {
        "dashboards": [summary(d) for d in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
        "value": value,
        "count": total,
    }
    return answer(body)


# --- the application ------------------------------------------------------------------------------


class Db:
    """The service's database, and per tenant a pool logging in as its data role."""

    def __init__(self, pool: asyncpg.Pool, database_url: str, secret: str) -> None:
        self.pool = pool
        self._url, self._secret = database_url, secret
        self._prefix = role_prefix(database_url)
        self._tenants: dict[str, int | None] = {}
        self._tiles: dict[int, asyncpg.Pool] = {}
        self.columns: dict[str, list[dict[str, str]]] = {}  # a tile SQL's columns
        self._opening = asyncio.Lock()

    async def tenant_id(self, name: str) -> int | None:
        name = name.strip().lower()
        if name not in self._tenants:
            self._tenants[name] = await self.pool.fetchval(
                "SELECT id FROM tenants WHERE name = $1", name
            )
        return self._tenants[name]

    async def tiles(self, tenant_id: int) -> asyncpg.Pool:
        """The sandbox's settings: search path, read-only transactions, statement timeout."""
        if (pool := self._tiles.get(tenant_id)) is not None:
            return pool
        async with self._opening:
            if tenant_id not in self._tiles:
                role = tenant_data_role(tenant_id, prefix=self._prefix, secret=self._secret)
                self._tiles[tenant_id] = await asyncpg.create_pool(
                    with_login(self._url, role),
                    min_size=0,
                    max_size=TILE_POOL_SIZE,
                    server_settings={
                        "application_name": "bench-baseline-tiles",
                        "search_path": role.schema,
                        "default_transaction_read_only": "on",
                        "statement_timeout": str(TILE_TIMEOUT_MS),
                    },
                )
        return self._tiles[tenant_id]

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self._tiles.values()))
        await self.pool.close()


def _route(path: str, handler: Handler, method: str = "GET") -> Route:
    async def endpoint(request: Request) -> Response:
        db: Db = request.app.state.db
        tenant_id = await db.tenant_id(request.headers.get("x-clarus-subdomain", ""))
        if tenant_id is None:
            return answer({"error": "no such tenant"}, 404)
        return await handler(request, db, tenant_id)

    return Route(path, endpoint, methods=[method])


def create_app(database_url: str, secret: str) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(plain_url(database_url), min_size=2, max_size=POOL_SIZE)
        app.state.db = Db(pool, database_url, secret)
        try:
            yield
        finally:
            await app.state.db.close()

    async def healthz(request: Request) -> Response:
        return answer({"status": "ok"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            _route("/raw/widgets", widgets),
            _route("/raw/dashboards", dashboards),
            _route("/raw/dashboards/{dashboard_id:int}", dashboard),
            _route("/raw/dashboards/{dashboard_id:int}/placements", placements, "POST"),
            _route("/raw/dashboards/{dashboard_id:int}/render", render),
            _route("/raw/rest/dashboards", rest_dashboards),
            _route("/raw/rest/dashboards/{dashboard_id:int}", rest_dashboard),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """For uvicorn's workers, which import the app by name."""
    return create_app(os.environ[ENV_URL], os.environ[ENV_SECRET])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret", required=True, help="the servers' HS256 secret")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ[ENV_URL], os.environ[ENV_SECRET] = args.database_url, args.secret
    uvicorn.run(
        "bench.baseline:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
