"""SQL statements per request, measured in process for our service: the app is created as the
tests create it, its lifespan runs, a `before_cursor_execute` listener on its engine counts what
SQLAlchemy sends, and a wrapper on the data plane's sandbox counts tile queries (they run on
asyncpg pools of their own, outside SQLAlchemy). Each request is sent once to warm the caches
a running server has warm (tenant ids, known users, cached tiles) and counted the second time.

Constancy is checked the same way on variants of a scenario's request that only change the
size of the answer (the same document on the 1,000-card dashboard, `first: 10` instead of
`first: 100`)."""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.fixture import Fixture
    from bench.scenarios import Request, Scenario


@dataclass
class Count:
    statements: int  # sent through the service's engine (SQLAlchemy)
    tile_queries: int  # tile queries run by the sandbox as the tenant's role
    status: int
    ok: bool  # a 2xx answer without GraphQL errors or userErrors
    problem: str = ""
    first_statements: int = 0  # on the first, cold request
    response_bytes: int = 0
    first_tile_queries: int = 0

    def label(self) -> str:
        if self.tile_queries or self.first_tile_queries:
            return f"{self.statements} + {self.tile_queries} tile"
        return str(self.statements)


@dataclass
class Variant:
    scenario: str
    description: str
    count: Count


@dataclass
class StatementReport:
    counts: dict[str, Count] = field(default_factory=dict)
    variants: list[Variant] = field(default_factory=list)
    raw: dict[str, int] = field(default_factory=dict)  # declared by bench.baseline
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementReport:
        return cls(
            counts={k: Count(**v) for k, v in data["counts"].items()},
            variants=[
                Variant(v["scenario"], v["description"], Count(**v["count"]))
                for v in data["variants"]
            ],
            raw=data["raw"],
            notes=data["notes"],
        )


def raw_statements() -> tuple[dict[str, int], str]:
    """The statements per request the raw baseline declares (bench.baseline.STATEMENTS)."""
    try:
        from bench import baseline
    except ImportError as exc:
        return {}, f"bench.baseline cannot be imported ({exc})"
    declared = getattr(baseline, "STATEMENTS", None)
    if not isinstance(declared, dict):
        return {}, "bench.baseline declares no STATEMENTS: the raw baseline's column is empty"
    return {str(k): int(v) for k, v in declared.items()}, ""


def answer_problem(status: int, body: bytes) -> str:
    """Why an answer is not a success ("" when it is): a status of 400 or more, GraphQL
    `errors`, or a non-empty `userErrors` anywhere in the data."""
    if status >= 400:
        return f"HTTP {status}: {body[:300].decode(errors='replace')}"
    try:
        document = json.loads(body) if body else None
    except ValueError:
        return ""
    if isinstance(document, dict) and document.get("errors"):
        return "GraphQL errors: " + json.dumps(document["errors"])[:300]
    found = _user_errors(document)
    return "userErrors: " + json.dumps(found)[:300] if found else ""


def _user_errors(value: Any) -> list[Any]:
    if isinstance(value, dict):
        found: list[Any] = []
        for key, item in value.items():
            if key == "userErrors" and item:
                found.extend(item)
            else:
                found.extend(_user_errors(item))
        return found
    if isinstance(value, list):
        return [e for item in value for e in _user_errors(item)]
    return []


# --- variants ----------------------------------------------------------------------------


def _global_id(type_name: str, database_id: int) -> str:
    return base64.b64encode(f"{type_name}:{database_id}".encode()).decode()


def _substitute(value: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, mapping) for v in value]
    if not isinstance(value, bool) and value in mapping:
        return mapping[value]
    return value


def with_dashboard(request: Request, old: int, new: int) -> Request | None:
    """`request` about dashboard `new` instead of `old` (None when it does not name `old`)."""
    mapping: dict[Any, Any] = {
        old: new,
        str(old): str(new),
        _global_id("Dashboard", old): _global_id("Dashboard", new),
    }
    path = re.sub(rf"(?<=/){old}(?=/|\?|$)", str(new), request.path)
    body = request.body
    if body:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict):
            changed = dict(document)
            if "variables" in changed:
                changed["variables"] = _substitute(changed["variables"], mapping)
            if isinstance(changed.get("query"), str):
                query = changed["query"]
                for before, after in mapping.items():
                    if isinstance(before, str) and not before.isdigit():
                        query = query.replace(before, after)
                # A literal id argument: `dashboard(id: 12)`, `dashboardId: "12"`.
                query = re.sub(rf'(\b\w*[iI]d:\s*"?){old}\b', rf"\g<1>{new}", query)
                changed["query"] = query
            body = json.dumps(changed).encode()
    if path == request.path and body == request.body:
        return None
    return replace(request, path=path, body=body)


def with_first(request: Request, old: int, new: int) -> Request | None:
    """`request` asking for `first: new` instead of `first: old` (or `limit=`)."""
    path = re.sub(rf"([?&]limit=){old}(?=&|$)", rf"\g<1>{new}", request.path)
    body = request.body
    if body:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict):
            changed = dict(document)
            if isinstance(changed.get("query"), str):
                changed["query"] = re.sub(
                    rf"(\bfirst:\s*){old}\b", rf"\g<1>{new}", changed["query"]
                )
            variables = changed.get("variables")
            if isinstance(variables, dict):
                changed["variables"] = {
                    k: (new if k in ("first", "limit") and v == old else v)
                    for k, v in variables.items()
                }
            body = json.dumps(changed).encode()
    if path == request.path and body == request.body:
        return None
    return replace(request, path=path, body=body)


def variants(scenarios: list[Scenario], fixture: Fixture) -> list[tuple[str, str, Request]]:
    """(scenario key, description, request) for the answers of other sizes."""
    found: list[tuple[str, str, Request]] = []
    by_key = {s.key: s for s in scenarios}
    for key in ("2-dashboard-50", "7-rest-dashboard-50"):
        scenario = by_key.get(key)
        if scenario is None:
            continue
        for target, label in (
            (fixture.dashboard_render_cold, "the same request on a 20-card dashboard"),
            (fixture.dashboard_1000, "the same request on the 1,000-card dashboard"),
        ):
            request = with_dashboard(scenario.ours, fixture.dashboard_50, target)
            if request is not None:
                found.append((key, label, request))
    for key in ("3-dashboards-100", "7-rest-dashboards"):
        scenario = by_key.get(key)
        if scenario is None:
            continue
        for size in (1, 10):
            request = with_first(scenario.ours, 100, size)
            if request is not None:
                found.append(
                    (key, f"the same request for {size} dashboard(s) instead of 100", request)
                )
    return found


# --- measuring -------------------------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.statements = 0
        self.tile_queries = 0
        self.active = False


@contextmanager
def _counting(counter: _Counter) -> Iterator[None]:
    counter.statements = counter.tile_queries = 0
    counter.active = True
    try:
        yield
    finally:
        counter.active = False


async def measure(
    database_url: str,
    secret: str,
    scenarios: list[Scenario],
    fixture: Fixture,
) -> StatementReport:
    import httpx
    from sqlalchemy import event

    from app.main import create_app
    from app.settings import Settings

    report = StatementReport()
    report.raw, note = raw_statements()
    if note:
        report.notes.append(note)

    with tempfile.TemporaryDirectory(prefix="bench-statements-") as data_dir:
        settings = Settings(
            database_url=database_url,
            auth_jwt_secret=secret,
            migrate_on_start=False,
            seed_demo=False,
            data_dir=Path(data_dir),
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            services = app.state.services
            counter = _Counter()

            def before(*args: Any) -> None:
                if counter.active:
                    counter.statements += 1

            sandbox = services.data.sandbox
            real_run, real_describe = sandbox.run, sandbox.describe

            async def counted_run(*args: Any, **kwargs: Any) -> Any:
                if counter.active:
                    counter.tile_queries += 1
                return await real_run(*args, **kwargs)

            async def counted_describe(*args: Any, **kwargs: Any) -> Any:
                if counter.active:
                    counter.tile_queries += 1
                return await real_describe(*args, **kwargs)

            sandbox.run, sandbox.describe = counted_run, counted_describe
            engine = services.db.engine.sync_engine
            event.listen(engine, "before_cursor_execute", before)
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            try:
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://bench", timeout=120
                ) as client:

                    async def count(request: Request) -> Count:
                        with _counting(counter):
                            await _send(client, request)
                        first, first_tiles = counter.statements, counter.tile_queries
                        with _counting(counter):
                            response = await _send(client, request)
                        problem = answer_problem(response.status_code, response.content)
                        return Count(
                            statements=counter.statements,
                            tile_queries=counter.tile_queries,
                            status=response.status_code,
                            ok=not problem,
                            problem=problem,
                            first_statements=first,
                            first_tile_queries=first_tiles,
                            response_bytes=len(response.content),
                        )

                    for scenario in scenarios:
                        report.counts[scenario.key] = await count(scenario.ours)
                    for key, description, request in variants(scenarios, fixture):
                        report.variants.append(Variant(key, description, await count(request)))
            finally:
                event.remove(engine, "before_cursor_execute", before)
                sandbox.run, sandbox.describe = real_run, real_describe
    return report


async def _send(client: Any, request: Request) -> Any:
    return await client.request(
        request.method, request.path, content=request.body, headers=request.headers
    )
