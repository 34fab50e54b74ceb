"""Migration 0002 backfills pages: a database holding data of revision 0001 comes out of the
upgrade with exactly one page, "Page 1" at position 1, per dashboard, holding all of that
dashboard's placements (db/migrations/versions/0002_collections_pages_shares.py)."""

from __future__ import annotations

import json
import uuid

from alembic.script import ScriptDirectory
from sqlalchemy import text

from db.engine import create_engine
from db.migrate import alembic_config, upgrade
from db.provision import drop_database, ensure_database
from db.urls import with_database

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_upgrading_data_of_0001_gives_every_dashboard_one_page_with_its_placements(
    database_url: str,
) -> None:
    # given a fresh database at revision 0001
    server = with_database(database_url, "postgres")
    name = f"dashboards_backfill_{uuid.uuid4().hex[:8]}"
    url = await ensure_database(server, name)
    engine = create_engine(url, pool_size=1)
    try:
        await upgrade(url, "0001")

        # holding a tenant with two dashboards: one with two placements, one with one
        async with engine.begin() as conn:
            tenant = await conn.scalar(
                text("INSERT INTO tenants (name) VALUES ('acme') RETURNING id")
            )
            boards = {}
            for code in ("sales", "ops"):
                boards[code] = await conn.scalar(
                    text(
                        "INSERT INTO dashboards (tenant_id, code, name, owner_id) "
                        "VALUES (:tenant, :code, :name, 'alice') RETURNING id"
                    ),
                    {"tenant": tenant, "code": code, "name": code.title()},
                )
            widgets = [
                await conn.scalar(
                    text(
                        "INSERT INTO dashboard_widgets (tenant_id, name, widget_type, owner_id) "
                        "VALUES (:tenant, :name, 'bar_chart', 'alice') RETURNING id"
                    ),
                    {"tenant": tenant, "name": f"w{i}"},
                )
                for i in range(2)
            ]
            placed = [
                (boards["sales"], widgets[0], {"x": 0, "y": 0, "w": 6, "h": 3}, 0),
                (boards["sales"], widgets[1], {}, 1),
                (boards["ops"], widgets[0], {"x": 6, "y": 2, "w": 6, "h": 2}, 0),
            ]
            for dashboard_id, widget_id, position, ordinal in placed:
                await conn.execute(
                    text(
                        "INSERT INTO dashboard_widget_placements "
                        "(tenant_id, dashboard_id, widget_id, position, ordinal) "
                        "VALUES (:tenant, :dashboard, :widget, CAST(:position AS jsonb), :ordinal)"
                    ),
                    {
                        "tenant": tenant,
                        "dashboard": dashboard_id,
                        "widget": widget_id,
                        "position": json.dumps(position),
                        "ordinal": ordinal,
                    },
                )

        # when
        await upgrade(url)

        # then every dashboard has exactly one page, "Page 1" at position 1, of its tenant
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
            pages = (
                await conn.execute(
                    text(
                        "SELECT tenant_id, dashboard_id, id, name, position "
                        "FROM dashboard_pages ORDER BY dashboard_id"
                    )
                )
            ).all()
            assert sorted((p.dashboard_id, p.name, p.position) for p in pages) == sorted(
                (board, "Page 1", 1) for board in boards.values()
            )
            assert {p.tenant_id for p in pages} == {tenant}
            page_of = {p.dashboard_id: p.id for p in pages}

            # and it holds every placement of its dashboard, otherwise unchanged
            rows = (
                await conn.execute(
                    text(
                        "SELECT dashboard_id, widget_id, position, ordinal, page_id "
                        "FROM dashboard_widget_placements ORDER BY dashboard_id, ordinal"
                    )
                )
            ).all()
            assert sorted(
                (r.dashboard_id, r.widget_id, json.dumps(r.position, sort_keys=True), r.ordinal)
                for r in rows
            ) == sorted(
                (board, widget, json.dumps(position, sort_keys=True), ordinal)
                for board, widget, position, ordinal in placed
            )
            assert all(r.page_id == page_of[r.dashboard_id] for r in rows)

            # and the other new columns got their defaults
            assert (
                await conn.execute(text("SELECT DISTINCT parameters FROM dashboards"))
            ).scalars().all() == [{}]
            assert (
                await conn.execute(text("SELECT DISTINCT in_library FROM dashboard_widgets"))
            ).scalars().all() == [True]
    finally:
        await engine.dispose()
        await drop_database(server, name)
