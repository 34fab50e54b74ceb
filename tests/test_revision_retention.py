"""Retention: pruning keeps exactly the revisions among a dashboard's last N or younger than D
days (the newest always), in bounded batches, without ever waiting for a writer or making
one wait, while the revisions it keeps still read back exactly. Also the CLI command and the
app's periodic prune."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app import cli
from app.domain.access import Action
from app.domain.editing import bump_version, lock_dashboard
from app.domain.revisions.retention import Retention, RevisionPruner, prune_revisions
from app.services import Services
from app.settings import get_settings
from db.models import revisions
from tests.conftest import Caller
from tests.helpers import context_for, create_dashboard
from tests.test_revisions import live_state, revision_rows, run, state_at


async def with_revisions(caller: Caller, count: int) -> dict[str, Any]:
    """A dashboard that reached version `count`, one revision per version."""
    board = await create_dashboard(caller, name="r1")
    for n in range(2, count + 1):
        await run(
            caller, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": f"r{n}"}
        )
    return board


async def age(
    services: Services, dashboard_id: int, *, days: int, up_to: int | None = None
) -> None:
    """Make the dashboard's revisions (up to a version) `days` old, oldest first."""
    async with services.db.transaction() as conn:
        await conn.execute(
            text(
                "UPDATE dashboard_revisions"
                " SET created_at = now() - make_interval(days => :days, secs => 100000 - version)"
                " WHERE dashboard_id = :d"
                " AND (CAST(:up_to AS integer) IS NULL OR version <= :up_to)"
            ),
            {"d": dashboard_id, "days": days, "up_to": up_to},
        )


async def kept(services: Services, dashboard_id: int) -> list[int]:
    return [r.version for r in await revision_rows(services, dashboard_id)]


def retention(keep_last: int, keep_days: int = 30, batch: int = 500) -> Retention:
    return Retention(keep_last=keep_last, keep_days=keep_days, batch=batch)


async def test_retention_keeps_the_last_n_or_the_young(editor: Caller, services: Services) -> None:
    # given 10 revisions, the first 7 forty days old, and 2 old revisions of another board
    board = await with_revisions(editor, 10)
    small = await with_revisions(editor, 2)
    await age(services, board["databaseId"], days=40, up_to=7)
    await age(services, small["databaseId"], days=40)
    state_8 = await state_at(services, editor.tenant, board["databaseId"], 8)

    # when revisions are kept if among the last 2 or younger than 30 days
    await prune_revisions(services.db, retention(keep_last=2))

    # then the young ones stay (8 is young though not among the last 2), the old go, and a
    # dashboard with fewer revisions than N keeps them all
    assert await kept(services, board["databaseId"]) == [8, 9, 10]
    assert await kept(services, small["databaseId"]) == [1, 2]
    assert await state_at(services, editor.tenant, board["databaseId"], 8) == state_8
    assert await state_at(services, editor.tenant, board["databaseId"], 10) == await live_state(
        services, editor.tenant, board["databaseId"]
    )

    # and among the last 5: old revisions among them stay
    await age(services, board["databaseId"], days=40)
    await prune_revisions(services.db, retention(keep_last=5))
    assert await kept(services, board["databaseId"]) == [8, 9, 10]
    await prune_revisions(services.db, retention(keep_last=2))
    assert await kept(services, board["databaseId"]) == [9, 10]
    # the newest is always kept
    await prune_revisions(services.db, retention(keep_last=1))
    assert await kept(services, board["databaseId"]) == [10]
    assert await kept(services, small["databaseId"]) == [2]
    assert await state_at(services, editor.tenant, small["databaseId"], 2) == await live_state(
        services, editor.tenant, small["databaseId"]
    )


async def test_pruning_runs_in_bounded_batches(editor: Caller, services: Services) -> None:
    # (older than any other test's revisions: a prune takes the oldest first)
    board = await with_revisions(editor, 8)
    await age(services, board["databaseId"], days=4000)

    assert await prune_revisions(services.db, retention(keep_last=1, batch=3), max_batches=1) == 3
    assert await kept(services, board["databaseId"]) == [4, 5, 6, 7, 8]
    assert await prune_revisions(services.db, retention(keep_last=1, batch=3)) >= 4
    assert await kept(services, board["databaseId"]) == [8]


async def test_prune_never_waits_for_a_writer(editor: Caller, services: Services) -> None:
    # given old revisions, and a writer holding the dashboard mid-write (its row, and the
    # revision rows its bump updates and inserts, locked until it commits)
    board = await with_revisions(editor, 6)
    await age(services, board["databaseId"], days=40)
    ctx = await context_for(services, editor.tenant, scopes=("dashboard.edit",))
    writer_done = asyncio.Event()
    writer_locked = asyncio.Event()

    async def writer() -> None:
        async with ctx.db.transaction() as conn:
            await lock_dashboard(
                conn, ctx, board["databaseId"], 6, action=Action.EDIT, description="a test write"
            )
            await bump_version(conn, ctx, board["databaseId"], name="during the prune")
            writer_locked.set()
            await writer_done.wait()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(writer_locked.wait(), 5)
    try:
        # when a prune runs meanwhile, it finishes without waiting for the writer
        started = time.monotonic()
        deleted = await asyncio.wait_for(prune_revisions(services.db, retention(keep_last=1)), 5)
        elapsed = time.monotonic() - started
    finally:
        writer_done.set()
        await task

    # then it deleted what it could (not the row the writer holds), and the chain is whole
    assert deleted >= 5  # and any other test's old revisions
    assert elapsed < 2
    assert await kept(services, board["databaseId"]) == [6, 7]
    assert (await state_at(services, editor.tenant, board["databaseId"], 6))["dashboard"][
        "name"
    ] == "r6"
    assert await state_at(services, editor.tenant, board["databaseId"], 7) == await live_state(
        services, editor.tenant, board["databaseId"]
    )


async def test_a_writer_never_waits_for_a_prune(editor: Caller, services: Services) -> None:
    # given a prune's locks on a dashboard's old revisions, held
    board = await with_revisions(editor, 4)
    await age(services, board["databaseId"], days=40)
    release = asyncio.Event()
    locked = asyncio.Event()

    async def pruner_holding_locks() -> None:
        async with services.db.transaction() as conn:
            await conn.execute(
                select(revisions.c.version)
                .where(revisions.c.dashboard_id == board["databaseId"], revisions.c.version < 4)
                .with_for_update(skip_locked=True)
            )
            locked.set()
            await release.wait()

    task = asyncio.create_task(pruner_holding_locks())
    await asyncio.wait_for(locked.wait(), 5)
    try:
        # when the dashboard is written meanwhile, the write completes
        started = time.monotonic()
        await asyncio.wait_for(
            run(
                editor, "updateDashboard", "UpdateDashboardInput", {"id": board["id"], "name": "w"}
            ),
            5,
        )
        elapsed = time.monotonic() - started
    finally:
        release.set()
        await task
    assert elapsed < 2
    assert await kept(services, board["databaseId"]) == [1, 2, 3, 4, 5]


async def _long_history(services: Services, dashboard_id: int, old: int) -> None:
    """Give a fresh dashboard `old` revisions before its current one, sixty days old (all
    the same state: an empty patch), by renumbering: the set-up is not what is measured."""
    async with services.db.transaction() as conn:
        await conn.execute(
            text("UPDATE dashboards SET version = :v WHERE id = :d"),
            {"v": old + 1, "d": dashboard_id},
        )
        await conn.execute(
            text("UPDATE dashboard_revisions SET version = :v WHERE dashboard_id = :d"),
            {"v": old + 1, "d": dashboard_id},
        )
        await conn.execute(
            text(
                "INSERT INTO dashboard_revisions"
                " (tenant_id, dashboard_id, version, created_at, author_id, changes, patch)"
                " SELECT tenant_id, id, n, now() - interval '60 days' + make_interval(secs => n),"
                " owner_id, '[]'::jsonb, '[]'::jsonb"
                " FROM dashboards, generate_series(1, :old) n WHERE id = :d"
            ),
            {"old": old, "d": dashboard_id},
        )


async def test_a_prune_concurrent_with_writes_breaks_nothing(
    editor: Caller, services: Services
) -> None:
    # given a dashboard with 1,500 old revisions
    board = await create_dashboard(editor, name="w0")
    await _long_history(services, board["databaseId"], 1500)

    # when a prune in batches of 100 runs while 20 writes and 20 history reads go on
    async def writes() -> list[float]:
        took = []
        for n in range(1, 21):
            started = time.monotonic()
            await run(
                editor,
                "updateDashboard",
                "UpdateDashboardInput",
                {"id": board["id"], "name": f"w{n}"},
            )
            took.append(time.monotonic() - started)
        return took

    async def reads() -> None:
        for _ in range(20):
            data = await editor.graphql(
                "query H($id: ID!) { dashboard(id: $id) { revisions(first: 5) "
                "{ totalCount edges { node { version snapshot } } } } }",
                {"id": board["id"]},
            )
            assert data["dashboard"]["revisions"]["edges"][0]["node"]["snapshot"] is not None

    deleted, took, _ = await asyncio.gather(
        prune_revisions(services.db, retention(keep_last=5, batch=100)), writes(), reads()
    )

    # then every write succeeded without waiting, the old revisions went, and the
    # revisions the writes recorded read back as the dashboard was
    # (the last few old revisions only fall out of the last 5 as the writes land: the next
    # prune takes them)
    print(f"\npruned {deleted} while writing; slowest write {max(took) * 1000:.0f} ms")
    assert deleted >= 1400
    assert max(took) < 2
    await prune_revisions(services.db, retention(keep_last=5, batch=100))
    versions = await kept(services, board["databaseId"])
    assert versions == list(range(1501, 1522))
    for version in (1501, 1510, 1521):
        state = await state_at(services, editor.tenant, board["databaseId"], version)
        assert state["dashboard"]["name"] == f"w{version - 1501}"


async def test_the_cli_prunes(
    editor: Caller,
    services: Services,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    board = await with_revisions(editor, 4)
    await age(services, board["databaseId"], days=40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUTH_JWT_SECRET", "cli-secret-" + "z" * 32)
    get_settings.cache_clear()
    handlers, level = logging.root.handlers[:], logging.root.level
    try:
        code = await asyncio.to_thread(
            cli.main, ["prune-revisions", "--keep-last", "2", "--keep-days", "30"]
        )
        refused = await asyncio.to_thread(cli.main, ["prune-revisions", "--keep-last", "0"])
    finally:
        get_settings.cache_clear()
        # the command configured logging for a console that the test's capture closes
        logging.root.handlers[:] = handlers
        logging.root.setLevel(level)
    assert code == 0
    assert refused == 2
    assert "revisions pruned" in capsys.readouterr().out
    assert await kept(services, board["databaseId"]) == [3, 4]


async def test_the_app_prunes_periodically(editor: Caller, services: Services) -> None:
    board = await with_revisions(editor, 3)
    await age(services, board["databaseId"], days=40)
    settings = services.settings.model_copy(
        update={"revision_prune_interval_seconds": 0.05, "revision_keep_last": 1}
    )
    pruner = RevisionPruner(services.db, settings)
    pruner.start()
    try:
        for _ in range(100):
            if await kept(services, board["databaseId"]) == [3]:
                break
            await asyncio.sleep(0.05)
    finally:
        await pruner.stop()
    assert await kept(services, board["databaseId"]) == [3]
    off = RevisionPruner(
        services.db, services.settings.model_copy(update={"revision_prune_interval_seconds": 0})
    )
    off.start()
    await off.stop()


async def test_a_prune_passes_the_old_revisions_it_keeps(
    editor: Caller, services: Services
) -> None:
    # given, oldest of all, revisions a retention keeps (fewer than N), then prunable ones
    kept_board = await with_revisions(editor, 2)
    pruned_board = await with_revisions(editor, 4)
    await age(services, kept_board["databaseId"], days=5000)
    await age(services, pruned_board["databaseId"], days=4500)

    # when batches read fewer rows than the kept ones
    await prune_revisions(services.db, retention(keep_last=2, batch=1))

    # then the pass went on past them
    assert await kept(services, kept_board["databaseId"]) == [1, 2]
    assert await kept(services, pruned_board["databaseId"]) == [3, 4]
