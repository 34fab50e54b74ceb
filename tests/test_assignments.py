"""Dashboards assigned to users, in the domain (app/domain/assignments.py): who may assign,
which dashboards, one default per user even under concurrent requests, and the user's list
as the caller may see it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.auth import ADMIN_SCOPE, EDIT_SCOPE
from app.context import RequestContext
from app.domain.assignments import (
    AssignedDashboard,
    assign_dashboard,
    unassign_dashboard,
    user_dashboards,
)
from app.domain.dashboards import DashboardDraft, create_dashboard, delete_dashboard
from app.domain.users import UserDirectory
from app.errors import DomainError
from app.services import Services
from tests.conftest import new_tenant
from tests.helpers import context_for


async def admin_of(services: Services, tenant: str) -> RequestContext:
    return await context_for(services, tenant, user="root", scopes=(ADMIN_SCOPE,))


async def editor_of(services: Services, tenant: str, user: str = "alice") -> RequestContext:
    return await context_for(services, tenant, user=user, scopes=(EDIT_SCOPE,))


async def board(ctx: RequestContext, name: str = "Board", **fields: Any) -> int:
    record = await create_dashboard(ctx, DashboardDraft(code=None, name=name, **fields))
    return record.id


def listed(assigned: list[AssignedDashboard]) -> list[tuple[str, bool]]:
    return [(a.dashboard.name, a.is_default) for a in assigned]


def refusal(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[Any, str, str | None]]:
    return [(p.field, p.code.value, p.resource) for p in error.value.problems]


# --- assigning -----------------------------------------------------------------------------


async def test_an_admin_assigns_a_dashboard_to_a_user_the_tenant_did_not_know(
    services: Services, tenant: str
) -> None:
    # given
    admin = await admin_of(services, tenant)
    dashboard_id = await board(admin, "Executive Summary", type="executive")

    # when
    assigned = await assign_dashboard(admin, "bob", dashboard_id)

    # then
    assert (assigned.dashboard.id, assigned.dashboard.type) == (dashboard_id, "executive")
    assert (assigned.is_default, assigned.assigned_by) == (False, "root")
    [listing] = await user_dashboards(admin, "bob")
    assert listing == assigned


async def test_a_user_assigns_a_dashboard_to_themself(services: Services, tenant: str) -> None:
    alice = await editor_of(services, tenant)
    dashboard_id = await board(alice)

    assigned = await assign_dashboard(alice, "alice", dashboard_id, is_default=True)

    assert (assigned.is_default, assigned.assigned_by) == (True, "alice")
    assert listed(await user_dashboards(alice, "alice")) == [("Board", True)]


async def test_assigning_again_changes_only_whether_it_is_the_default(
    services: Services, tenant: str
) -> None:
    admin = await admin_of(services, tenant)
    bob = await context_for(services, tenant, user="bob")
    dashboard_id = await board(admin)
    first = await assign_dashboard(admin, "bob", dashboard_id)

    again = await assign_dashboard(bob, "bob", dashboard_id, is_default=True)
    back = await assign_dashboard(admin, "bob", dashboard_id)

    assert (again.is_default, back.is_default) == (True, False)
    assert again.created_at == back.created_at == first.created_at
    assert again.assigned_by == back.assigned_by == "root"
    assert listed(await user_dashboards(admin, "bob")) == [("Board", False)]


async def test_a_new_default_replaces_the_previous_one(services: Services, tenant: str) -> None:
    # given three dashboards of bob's, the first his default
    admin = await admin_of(services, tenant)
    first, second, third = [await board(admin, name) for name in ("First", "Second", "Third")]
    await assign_dashboard(admin, "bob", first, is_default=True)
    await assign_dashboard(admin, "bob", second)
    await assign_dashboard(admin, "bob", third)

    # when
    await assign_dashboard(admin, "bob", third, is_default=True)

    # then the default comes first, the others in the order they were assigned
    assert listed(await user_dashboards(admin, "bob")) == [
        ("Third", True),
        ("First", False),
        ("Second", False),
    ]


async def test_defaults_are_per_user(services: Services, tenant: str) -> None:
    admin = await admin_of(services, tenant)
    shared = await board(admin, "Shared")

    await assign_dashboard(admin, "bob", shared, is_default=True)
    await assign_dashboard(admin, "carol", shared, is_default=True)

    assert listed(await user_dashboards(admin, "bob")) == [("Shared", True)]
    assert listed(await user_dashboards(admin, "carol")) == [("Shared", True)]


async def test_twelve_concurrent_default_assignments_leave_exactly_one_default(
    services: Services, tenant: str
) -> None:
    # given twelve dashboards
    admin = await admin_of(services, tenant)
    boards = [await board(admin, f"B{i}") for i in range(12)]

    # when each is made bob's default at the same moment
    results = await asyncio.gather(
        *(assign_dashboard(admin, "bob", b, is_default=True) for b in boards),
        return_exceptions=True,
    )

    # then every request succeeded, and bob has one default among twelve
    assert [r for r in results if isinstance(r, BaseException)] == []
    assigned = await user_dashboards(admin, "bob")
    assert len(assigned) == 12
    assert sum(a.is_default for a in assigned) == 1


# --- refusals ------------------------------------------------------------------------------


async def test_a_non_admin_may_not_manage_or_read_another_users_assignments(
    services: Services, tenant: str
) -> None:
    admin = await admin_of(services, tenant)
    alice = await editor_of(services, tenant)
    dashboard_id = await board(alice)
    await assign_dashboard(admin, "bob", dashboard_id)

    with pytest.raises(DomainError) as assigning:
        await assign_dashboard(alice, "bob", dashboard_id)
    with pytest.raises(DomainError) as unassigning:
        await unassign_dashboard(alice, "bob", dashboard_id)
    with pytest.raises(DomainError) as reading:
        await user_dashboards(alice, "bob")
    with pytest.raises(DomainError) as reading_unknown:
        await user_dashboards(alice, "nobody")

    for refused in (assigning, unassigning, reading, reading_unknown):
        assert refusal(refused) == [((), "FORBIDDEN", None)]
    assert listed(await user_dashboards(admin, "bob")) == [("Board", False)]


async def test_a_user_the_tenant_does_not_know_is_not_found(
    services: Services, tenant: str
) -> None:
    admin = await admin_of(services, tenant)
    elsewhere = await admin_of(services, new_tenant())
    await assign_dashboard(elsewhere, "bob", await board(elsewhere))

    for unknown in ("nobody", "bob", "", "x" * 256, "nul\x00"):
        with pytest.raises(DomainError) as refused:
            await user_dashboards(admin, unknown)
        assert refusal(refused) == [(("user_id",), "NOT_FOUND", "user")], unknown
    assert str(refused.value) == "user 'nul\\x00' not found"


async def test_a_dashboard_the_caller_does_not_see_cannot_be_assigned(
    services: Services, tenant: str
) -> None:
    alice = await editor_of(services, tenant)
    bob = await editor_of(services, tenant, user="bob")
    private = await board(alice, "Alice's", visibility="private")
    theirs = await board(await admin_of(services, new_tenant()), "Theirs")

    for dashboard_id in (private, theirs, 999_999_999):
        with pytest.raises(DomainError) as refused:
            await assign_dashboard(bob, "bob", dashboard_id)
        assert refusal(refused) == [(("dashboard_id",), "NOT_FOUND", "dashboard")]
        with pytest.raises(DomainError) as unassigning:
            await unassign_dashboard(bob, "bob", dashboard_id)
        assert refusal(unassigning) == [(("dashboard_id",), "NOT_FOUND", "dashboard")]
    assert await user_dashboards(bob, "bob") == []


@pytest.mark.parametrize("user_id", ["", "x" * 256, "tab\there", "nul\x00"])
async def test_a_malformed_user_id_is_invalid(
    services: Services, tenant: str, user_id: str
) -> None:
    admin = await admin_of(services, tenant)
    dashboard_id = await board(admin)

    with pytest.raises(DomainError) as assigning:
        await assign_dashboard(admin, user_id, dashboard_id)
    with pytest.raises(DomainError) as unassigning:
        await unassign_dashboard(admin, user_id, dashboard_id)

    assert refusal(assigning) == refusal(unassigning) == [(("user_id",), "INVALID", None)]


# --- the user's list -----------------------------------------------------------------------


async def test_the_list_shows_only_the_dashboards_the_caller_sees(
    services: Services, tenant: str
) -> None:
    # given an admin assigned bob a team dashboard and a private one he cannot see
    admin = await admin_of(services, tenant)
    bob = await context_for(services, tenant, user="bob")
    team = await board(admin, "Team")
    private = await board(admin, "Private", visibility="private")
    await assign_dashboard(admin, "bob", private, is_default=True)
    await assign_dashboard(admin, "bob", team)

    # when / then
    assert listed(await user_dashboards(admin, "bob")) == [("Private", True), ("Team", False)]
    assert listed(await user_dashboards(bob, "bob")) == [("Team", False)]


async def test_callers_read_their_own_list_even_before_anything_was_assigned(
    services: Services, tenant: str
) -> None:
    rita = await context_for(services, tenant, user="rita")

    assert await user_dashboards(rita, "rita") == []


async def test_a_deleted_dashboard_leaves_the_list(services: Services, tenant: str) -> None:
    admin = await admin_of(services, tenant)
    kept, deleted = await board(admin, "Kept"), await board(admin, "Deleted")
    await assign_dashboard(admin, "bob", deleted, is_default=True)
    await assign_dashboard(admin, "bob", kept)

    await delete_dashboard(admin, deleted)

    assert listed(await user_dashboards(admin, "bob")) == [("Kept", False)]


# --- unassigning ---------------------------------------------------------------------------


async def test_unassigning_removes_it_once(services: Services, tenant: str) -> None:
    admin = await admin_of(services, tenant)
    bob = await context_for(services, tenant, user="bob")
    first, second = await board(admin, "First"), await board(admin, "Second")
    await assign_dashboard(admin, "bob", first, is_default=True)
    await assign_dashboard(admin, "bob", second)

    removed = await unassign_dashboard(bob, "bob", first)
    again = await unassign_dashboard(admin, "bob", first)

    assert (removed, again) == (True, False)
    assert listed(await user_dashboards(admin, "bob")) == [("Second", False)]


# --- users the tenant knows ----------------------------------------------------------------


async def test_the_directory_remembers_a_user_per_tenant(services: Services, tenant: str) -> None:
    directory = UserDirectory(services.db.engine, cache_size=2)
    tenant_id = await services.tenants.id_for(tenant)
    other_id = await services.tenants.id_for(new_tenant())

    await directory.remember(tenant_id, "dora")
    await directory.remember(tenant_id, "dora")

    async with services.db.reader() as conn:
        assert await directory.knows(conn, tenant_id, "dora")
        assert not await directory.knows(conn, other_id, "dora")
        assert not await directory.knows(conn, tenant_id, "nul\x00")


async def test_the_directory_asks_the_database_once_per_user(
    services: Services, tenant: str, count_statements: Any
) -> None:
    directory = UserDirectory(services.db.engine, cache_size=2)
    tenant_id = await services.tenants.id_for(tenant)

    with count_statements() as first:
        await directory.remember(tenant_id, "dora")
    with count_statements() as repeated:
        await directory.remember(tenant_id, "dora")
    for other in ("eve", "finn"):  # push dora out of a cache of two
        await directory.remember(tenant_id, other)
    with count_statements() as forgotten:
        await directory.remember(tenant_id, "dora")

    assert (first.count, repeated.count, forgotten.count) == (1, 0, 1)
