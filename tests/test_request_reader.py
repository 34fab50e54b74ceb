"""A GraphQL request's DataLoader batches share one read connection, which goes back to the
pool when the operation ends, whatever happened in it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from app.graphql.request_reader import RequestReader
from app.services import Services
from tests.conftest import Caller, new_tenant
from tests.helpers import context_for, create_dashboard, create_widget, place_widgets

NESTED = """{ dashboards(first: 20) { nodes { name pages { cards { name dashboardWidget { name } } }
              shares { subjectId } collection { name } } } }"""


async def test_requests_return_their_read_connection_to_the_pool(
    editor: Caller, services: Services
) -> None:
    dashboard = await create_dashboard(editor)
    widget = await create_widget(editor)
    await place_widgets(editor, dashboard["id"], [widget["id"]])
    pool = services.db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    await asyncio.gather(*(editor.graphql(NESTED) for _ in range(8)))
    await editor.graphql("{ dashboard(id: 999999999) { name } }")  # nothing found
    await editor.post_graphql("{ dashboards { nodes { nope } } }")  # refused before execution
    await create_dashboard(editor)  # a mutation: fresh loaders after the write
    assert pool.checkedout() == before  # type: ignore[attr-defined]


async def test_batches_take_turns_on_one_connection(services: Services) -> None:
    ctx = await context_for(services, new_tenant())
    reader = RequestReader(ctx.db)
    seen: list[int] = []

    async def read() -> None:
        async with reader.connection() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            seen.append(pid)

    await asyncio.gather(*(read() for _ in range(5)))
    await reader.close()
    assert len(seen) == 5
    assert len(set(seen)) == 1


async def test_a_failed_statement_starts_a_fresh_connection(services: Services) -> None:
    ctx = await context_for(services, new_tenant())
    reader = RequestReader(ctx.db)
    with pytest.raises(Exception, match="division by zero"):
        async with reader.connection() as conn:
            await conn.execute(text("SELECT 1 / 0"))
    async with reader.connection() as conn:  # the failed transaction is not reused
        assert (await conn.execute(text("SELECT 2"))).scalar_one() == 2
        # and the new connection is bound to the tenant, like the first
        tenant = (await conn.execute(text("SELECT current_setting('app.tenant_id')"))).scalar()
        assert tenant == str(ctx.tenant_id)
    await reader.close()


async def test_a_connection_the_server_killed_is_dropped_quietly(services: Services) -> None:
    """The operation has its answer by the time the reader closes: a broken connection must
    not turn it into an error (its message would name the driver), nor go back to the pool."""
    ctx = await context_for(services, new_tenant())
    pool = services.db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    reader = RequestReader(ctx.db)
    async with reader.connection() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with services.db.reader() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await reader.close()
    assert pool.checkedout() == before  # type: ignore[attr-defined]
