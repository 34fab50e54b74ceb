"""The pieces of the fan-out without a socket: what counts as a notice, and a subscriber's
bounded queue (order, old news skipped, nothing after the end, overflow)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.auth import Principal
from app.context import Database, RequestContext
from app.domain.records import DashboardRecord
from app.live.hub import Delivery, Hub, Outcome, Subscriber, SubscriberOverflow
from app.live.notices import ChangeNotice, parse_notice
from app.services import Services


def test_a_notice_is_parsed_and_anything_else_is_ignored() -> None:
    assert parse_notice('{"tenant": 1, "dashboard": 2, "version": 3, "deleted": false}') == (
        ChangeNotice(1, 2, 3, False)
    )
    assert parse_notice('{"tenant": 1, "dashboard": 2, "version": null, "deleted": true}') == (
        ChangeNotice(1, 2, None, True)
    )
    for junk in (
        "",
        "not json",
        "[]",
        '{"tenant": "1", "dashboard": 2, "version": 3}',
        '{"tenant": 1, "dashboard": true, "version": 3}',
        '{"tenant": 1, "dashboard": 2, "version": -1}',
        '{"tenant": 1, "dashboard": 2, "version": 3, "deleted": "yes"}',
        '{"tenant": 1, "dashboard": 99999999999999999999, "version": 3}',
    ):
        assert parse_notice(junk) is None, junk


def _subscriber(services: Services, capacity: int = 3) -> Subscriber:
    principal = Principal("u", frozenset({"t"}), frozenset(), frozenset(), frozenset())
    ctx = RequestContext(
        principal=principal,
        tenant_name="t",
        tenant_id=1,
        db=Database(services.db.engine, 1),
        settings=services.settings,
        request_id="r",
        data=services.data,
    )
    return Subscriber(ctx, dashboard_id=7, version=1, capacity=capacity)


def _changed(version: int) -> Delivery:
    now = datetime.now(UTC)
    record = DashboardRecord(
        id=7,
        code="c",
        name=f"v{version}",
        description=None,
        is_active=True,
        is_default=False,
        role_ids=(),
        owner_id="u",
        version=version,
        collection_id=None,
        parameters={},
        created_at=now,
        updated_at=now,
    )
    return Delivery(Outcome.CHANGED, version, record)


async def test_changes_come_out_in_order_without_old_news(services: Services) -> None:
    subscriber = _subscriber(services)
    assert [subscriber.offer(_changed(v)) for v in (2, 2, 1, 3)] == [True, False, False, True]
    assert [(await subscriber.next()).version for _ in range(2)] == [2, 3]
    waiting = asyncio.create_task(subscriber.next())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    subscriber.offer(_changed(4))
    assert (await waiting).version == 4


async def test_nothing_is_queued_after_a_deletion_or_a_lost_access(services: Services) -> None:
    for end in (Outcome.DELETED, Outcome.UNSEEN):
        subscriber = _subscriber(services)
        assert subscriber.offer(Delivery(end))
        assert not subscriber.offer(_changed(5))
        assert (await subscriber.next()).outcome is end


async def test_a_lost_access_drops_the_changes_not_yet_sent(services: Services) -> None:
    subscriber = _subscriber(services)
    subscriber.offer(_changed(2))
    subscriber.offer(_changed(3))
    subscriber.offer(Delivery(Outcome.UNSEEN))
    assert (await subscriber.next()).outcome is Outcome.UNSEEN


async def test_a_subscriber_that_falls_behind_is_ended_instead_of_growing(
    services: Services,
) -> None:
    subscriber = _subscriber(services, capacity=3)
    for version in range(2, 6):  # one more than it holds
        subscriber.offer(_changed(version))
    with pytest.raises(SubscriberOverflow):
        await subscriber.next()
    assert not subscriber.offer(_changed(9))


def test_the_hub_forgets_a_dashboard_when_its_last_subscriber_leaves(services: Services) -> None:
    hub = Hub()
    first, second = _subscriber(services), _subscriber(services)
    hub.add(first)
    hub.add(second)
    assert hub.watched((1, 7))
    assert len(hub) == 2
    hub.remove(first)
    assert hub.subscribers((1, 7)) == [second]
    hub.remove(second)
    hub.remove(second)  # twice is harmless
    assert not hub.watched((1, 7))
    assert hub.watched_dashboards() == []
