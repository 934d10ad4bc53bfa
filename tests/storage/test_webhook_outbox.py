"""The webhook outbox in every store: idempotent enqueueing, exclusive claims, fenced attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain import BatchOptions, BatchStatus, CompanyOutcome, CompanyState
from server.storage.base import BatchChange, NewBatch, NewCompany
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory
from server.webhooks.events import plan

T0 = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
HOOK = BatchOptions(
    webhook_url="https://hooks.example/in", webhook_events=("company.finished", "batch.completed")
)


async def _finished(store: BatchStore, batch_id: str = "batch_w") -> None:
    await store.create_batch(NewBatch(batch_id, HOOK, (NewCompany("Acme"),), T0))
    await store.mark_started(batch_id, 0, T0)
    done = T0 + timedelta(seconds=2)
    outcome = CompanyOutcome("Acme", CompanyState.SUCCESS, {"domain": "acme.example"}, None, T0, done)
    await store.finish_company(
        batch_id, 0, outcome, BatchChange(batch_id, BatchStatus.COMPLETED, done, completed_at=done)
    )


async def test_two_replicas_enqueue_each_event_once_and_the_backlog_empties(
    store_factory: StoreFactory,
) -> None:
    one, two = await store_factory(), await store_factory()
    await _finished(one)
    first, second = await one.webhook_backlog(10), await two.webhook_backlog(10)
    assert [b.batch.batch_id for b in first] == ["batch_w"] and len(first[0].unannounced) == 1
    for store, backlog in ((one, first[0]), (two, second[0])):  # both read it before either wrote
        planned = plan(backlog, T0 + timedelta(seconds=3))
        await store.enqueue_webhooks(backlog, planned.deliveries, planned.announced, planned.settled)
    deliveries = await one.webhook_deliveries("batch_w")
    assert [d.event_type for d in deliveries] == ["company.finished", "batch.completed"]
    assert {d.state for d in deliveries} == {"pending"}
    assert await one.webhook_backlog(10) == []


async def test_a_claimed_delivery_is_leased_to_one_claimer_and_fenced_by_attempt(
    store_factory: StoreFactory,
) -> None:
    one, two = await store_factory(), await store_factory()
    await _finished(one)
    (backlog,) = await one.webhook_backlog(10)
    planned = plan(backlog, T0)
    await one.enqueue_webhooks(backlog, planned.deliveries, planned.announced, planned.settled)
    now = T0 + timedelta(seconds=5)
    claimed = await one.claim_webhooks(now, 30.0, 10)
    assert [d.attempt for d in claimed] == [1, 1]
    assert await two.claim_webhooks(now, 30.0, 10) == []  # leased
    later = now + timedelta(seconds=31)
    reclaimed = await two.claim_webhooks(later, 30.0, 10)  # the first claimer died: its lease ran out
    assert [d.attempt for d in reclaimed] == [2, 2]
    late = await one.record_webhook_attempt(claimed[0], now, 500, "HTTP 500", 0.1, now, False)
    assert late is False  # the first claimer's attempt no longer decides the state
    assert await two.record_webhook_attempt(reclaimed[0], later, 204, "", 0.1, None, True)
    retry_at = later + timedelta(seconds=60)
    assert await two.record_webhook_attempt(reclaimed[1], later, None, "refused", 0.1, retry_at, False)
    states = {d.delivery_id: d for d in await one.webhook_deliveries("batch_w")}
    delivered, pending = states[reclaimed[0].delivery_id], states[reclaimed[1].delivery_id]
    assert (delivered.state, delivered.attempts, delivered.last_status_code) == ("delivered", 2, 204)
    assert delivered.delivered_at == later
    assert (pending.state, pending.next_attempt_at, pending.last_error) == ("pending", retry_at, "refused")
    assert await one.claim_webhooks(later, 30.0, 10) == []  # not due before retry_at
    assert [d.delivery_id for d in await one.claim_webhooks(retry_at, 30.0, 10)] == [pending.delivery_id]


async def test_a_purged_batch_takes_its_deliveries_along(store: BatchStore) -> None:
    await _finished(store)
    (backlog,) = await store.webhook_backlog(10)
    planned = plan(backlog, T0)
    await store.enqueue_webhooks(backlog, planned.deliveries, planned.announced, planned.settled)
    assert await store.purge_finished(T0 + timedelta(days=1)) == 1
    assert await store.webhook_deliveries("batch_w") == []
