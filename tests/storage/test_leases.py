"""Work claiming through the store, on both backends: leases, fencing, priority, aging, max_concurrent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from server.domain import BatchOptions, BatchStatus, CompanyOutcome, CompanyState, Priority
from server.storage.base import BatchChange, ClaimedCompany, NewBatch, NewCompany
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
LEASE = 30.0
AGING = 60.0


async def add_batch(
    store: BatchStore,
    batch_id: str,
    count: int,
    *,
    priority: Priority = Priority.NORMAL,
    max_concurrent: int = 10,
    at: datetime = T0,
) -> None:
    options = BatchOptions(priority=priority, max_concurrent=max_concurrent)
    companies = tuple(NewCompany(f"{batch_id}-{i}") for i in range(count))
    await store.create_batch(NewBatch(batch_id, options, companies, at))


def only(claims: list[ClaimedCompany]) -> ClaimedCompany | None:
    """The one company a ``limit=1`` claim returns, or None."""
    assert len(claims) <= 1
    return claims[0] if claims else None


def success(name: str, at: datetime) -> CompanyOutcome:
    return CompanyOutcome(
        name, CompanyState.SUCCESS, profile={"company_name": name}, started_at=at, finished_at=at
    )


async def test_claim_marks_the_company_running_under_the_owners_lease(store: BatchStore) -> None:
    await add_batch(store, "b1", 2)
    claim = only(await store.claim("replica-a", T0, LEASE, AGING))
    assert claim is not None
    assert (claim.batch_id, claim.position, claim.name, claim.attempt) == ("b1", 0, "b1-0", 1)
    assert claim.batch_started
    batch = await store.get_batch("b1")
    assert batch is not None and batch.status is BatchStatus.PROCESSING and batch.started_at == T0
    assert [c.state for c in await store.list_companies("b1")] == [CompanyState.RUNNING, CompanyState.PENDING]
    held = await store.extend_leases("replica-a", T0 + timedelta(seconds=LEASE))
    assert [(h.batch_id, h.position, h.attempt) for h in held] == [("b1", 0, 1)]
    assert await store.extend_leases("replica-b", T0) == []


async def test_max_concurrent_counts_the_running_companies_of_every_replica(
    store_factory: StoreFactory,
) -> None:
    first, second = await store_factory(), await store_factory()
    await add_batch(first, "b1", 10, max_concurrent=3)
    # Claims racing on one batch: some lose the row lock and get nothing, none go past the limit.
    raced = await asyncio.gather(*(s.claim("racer", T0, LEASE, AGING) for s in [first, second] * 4))
    won = [c for claims in raced for c in claims]
    assert 1 <= len(won) <= 3
    while (claim := only(await second.claim("racer", T0, LEASE, AGING))) is not None:
        won.append(claim)
    assert len(won) == 3
    assert len({c.position for c in won}) == 3
    assert only(await first.claim("other", T0, LEASE, AGING)) is None
    done = won[0]
    assert await first.finish_claimed(
        "b1", done.position, success(done.name, T0), attempt=done.attempt, owner="racer"
    )
    assert only(await first.claim("other", T0, LEASE, AGING)) is not None


async def test_one_claim_takes_several_companies_up_to_the_batchs_room(store: BatchStore) -> None:
    await add_batch(store, "b1", 6, max_concurrent=4)
    claims = await store.claim("r", T0, LEASE, AGING, limit=3)
    assert [c.position for c in claims] == [0, 1, 2]
    assert [c.position for c in await store.claim("r", T0, LEASE, AGING, limit=3)] == [3]
    assert await store.claim("r", T0, LEASE, AGING, limit=3) == []


async def test_no_claim_from_paused_or_cancelled_batches(store: BatchStore) -> None:
    await add_batch(store, "b1", 2)
    await store.set_batch_status(BatchChange("b1", BatchStatus.PAUSED, T0))
    assert only(await store.claim("r", T0, LEASE, AGING)) is None
    await store.set_batch_status(BatchChange("b1", BatchStatus.QUEUED, T0))
    assert only(await store.claim("r", T0, LEASE, AGING)) is not None


async def test_higher_priority_is_claimed_first_and_aging_lifts_old_low_batches(store: BatchStore) -> None:
    await add_batch(store, "low", 1, priority=Priority.LOW, at=T0)
    await add_batch(store, "urgent", 1, priority=Priority.URGENT, at=T0 + timedelta(seconds=1))
    await add_batch(store, "normal", 1, priority=Priority.NORMAL, at=T0 + timedelta(seconds=2))
    soon = T0 + timedelta(seconds=5)
    order = [(only(await store.claim("r", soon, LEASE, AGING))) for _ in range(3)]
    assert [c.batch_id for c in order if c is not None] == ["urgent", "normal", "low"]

    await add_batch(store, "old-low", 1, priority=Priority.LOW, at=T0)
    await add_batch(store, "new-urgent", 1, priority=Priority.URGENT, at=T0 + timedelta(seconds=3 * AGING))
    later = T0 + timedelta(seconds=3 * AGING + 1)
    # After 3 aging periods the low batch competes as urgent, and it has waited longer.
    claim = only(await store.claim("r", later, LEASE, AGING))
    assert claim is not None and claim.batch_id == "old-low"


async def test_a_late_result_from_an_expired_lease_is_refused(store: BatchStore) -> None:
    await add_batch(store, "b1", 1)
    stale = only(await store.claim("replica-a", T0, LEASE, AGING))
    assert stale is not None
    expired_at = T0 + timedelta(seconds=LEASE + 1)
    assert await store.release_expired(expired_at) == ["b1"]
    retry = only(await store.claim("replica-b", expired_at, LEASE, AGING))
    assert retry is not None and retry.position == stale.position and retry.attempt == stale.attempt + 1
    # replica-a's heartbeat now finds its lease gone ...
    assert await store.extend_leases("replica-a", expired_at) == []
    # ... and its result, arriving late, is not recorded.
    assert not await store.finish_claimed(
        "b1", 0, success("b1-0", expired_at), attempt=stale.attempt, owner="replica-a"
    )
    assert await store.finish_claimed(
        "b1", 0, success("b1-0", expired_at), attempt=retry.attempt, owner="replica-b"
    )
    # A repeated write of the same result changes nothing either.
    assert not await store.finish_claimed(
        "b1", 0, success("b1-0", expired_at), attempt=retry.attempt, owner="replica-b"
    )
    # The replica's result was the batch's last: recording it completed the batch.
    assert await store.complete_if_done("b1", expired_at) is None
    batch = await store.get_batch("b1")
    assert batch is not None and batch.status is BatchStatus.COMPLETED
    assert batch is not None and batch.count(CompanyState.SUCCESS) == 1 and batch.total_companies == 1
    stats = await store.stats_since(T0 - timedelta(days=1), expired_at + timedelta(days=1))
    assert stats.companies_processed == 1


async def test_live_leases_are_not_released(store: BatchStore) -> None:
    await add_batch(store, "b1", 1)
    assert only(await store.claim("replica-a", T0, LEASE, AGING)) is not None
    assert await store.release_expired(T0 + timedelta(seconds=LEASE - 1)) == []
    assert await store.count_pending() == 0


async def test_released_leases_make_companies_pending_again(store: BatchStore) -> None:
    await add_batch(store, "b1", 3)
    for _ in range(2):
        assert only(await store.claim("replica-a", T0, LEASE, AGING)) is not None
    assert await store.count_pending() == 1
    assert await store.release_owned("replica-a") == 2
    assert await store.count_pending() == 3


async def test_the_last_recorded_result_completes_the_batch_once(store: BatchStore) -> None:
    await add_batch(store, "b1", 2)
    claims = [only(await store.claim("r", T0, LEASE, AGING)) for _ in range(2)]
    first, second = [c for c in claims if c is not None]
    await store.finish_claimed("b1", first.position, success(first.name, T0), first.attempt, "r")
    assert await store.complete_if_done("b1", T0) is None
    batch = await store.get_batch("b1")
    assert batch is not None and batch.status is BatchStatus.PROCESSING
    await store.finish_claimed(
        "b1", second.position, success(second.name, T0), attempt=second.attempt, owner="r"
    )
    batch = await store.get_batch("b1")
    assert batch is not None and batch.status is BatchStatus.COMPLETED and batch.completed_at == T0
    assert await store.complete_if_done("b1", T0) is None  # written once


async def test_complete_if_done_finishes_a_batch_left_without_work(store: BatchStore) -> None:
    """The sweep's path: the last result was recorded by a replica that crashed before completing."""
    await add_batch(store, "b1", 1)
    claim = only(await store.claim("r", T0, LEASE, AGING))
    assert claim is not None
    # Written as the in-memory scheduler writes (no owner): nothing completes the batch but the check.
    await store.finish_company("b1", 0, success(claim.name, T0))
    assert await store.unfinished_without_work() == ["b1"]
    assert await store.complete_if_done("b1", T0) is BatchStatus.COMPLETED
    assert await store.complete_if_done("b1", T0) is None
    # A pause arriving after completion does not reopen the batch.
    await store.set_batch_status(BatchChange("b1", BatchStatus.PAUSED, T0))
    batch = await store.get_batch("b1")
    assert batch is not None and batch.status is BatchStatus.COMPLETED


async def test_change_listeners_hear_submits_claims_and_status_changes(store: BatchStore) -> None:
    heard: list[tuple[str, BatchStatus | None]] = []
    got_three = asyncio.Event()

    def listener(batch_id: str, status: BatchStatus | None) -> None:
        heard.append((batch_id, status))
        if len(heard) >= 3:
            got_three.set()

    await store.add_change_listener(listener)
    await add_batch(store, "b1", 1)
    only(await store.claim("r", T0, LEASE, AGING))
    await store.set_batch_status(BatchChange("b1", BatchStatus.PAUSED, T0))
    async with asyncio.timeout(5):
        await got_three.wait()
    # A new batch is announced too: idle replicas start on it without waiting for their next poll.
    assert heard == [("b1", BatchStatus.QUEUED), ("b1", BatchStatus.PROCESSING), ("b1", BatchStatus.PAUSED)]


async def test_a_recorded_result_is_announced_and_a_refused_one_is_not(store: BatchStore) -> None:
    await add_batch(store, "b1", 2)  # the first result is progress, not the batch's completion
    claim = only(await store.claim("r", T0, LEASE, AGING))
    assert claim is not None
    heard: list[tuple[str, BatchStatus | None]] = []
    announced = asyncio.Event()

    def listener(batch_id: str, status: BatchStatus | None) -> None:
        heard.append((batch_id, status))
        announced.set()

    await store.add_change_listener(listener)
    assert not await store.finish_claimed("b1", 0, success("b1-0", T0), attempt=claim.attempt + 1, owner="r")
    assert await store.finish_claimed("b1", 0, success("b1-0", T0), attempt=claim.attempt, owner="r")
    async with asyncio.timeout(5):
        await announced.wait()
    assert heard == [("b1", None)]


async def test_results_finished_at_once_are_each_recorded_once_and_stale_ones_refused(
    store: BatchStore,
) -> None:
    """Many workers finishing together (on PostgreSQL one statement per round): each verdict is its own."""
    await add_batch(store, "b1", 30, max_concurrent=30)
    await add_batch(store, "b2", 10, max_concurrent=10)
    claims = await store.claim("r", T0, LEASE, AGING, limit=30) + await store.claim("r", T0, LEASE, AGING, 10)
    assert len(claims) == 40
    finishes = [
        store.finish_claimed(c.batch_id, c.position, success(c.name, T0), attempt=c.attempt, owner="r")
        for c in claims
    ]
    # Interleaved with them: the same companies under a wrong attempt or a wrong owner.
    stale = [
        store.finish_claimed(c.batch_id, c.position, success(c.name, T0), attempt=c.attempt + 1, owner="r")
        for c in claims[:5]
    ] + [
        store.finish_claimed(c.batch_id, c.position, success(c.name, T0), attempt=c.attempt, owner="other")
        for c in claims[5:10]
    ]
    verdicts = await asyncio.gather(*finishes, *stale)
    assert verdicts == [True] * 40 + [False] * 10
    for batch_id, total in (("b1", 30), ("b2", 10)):
        batch = await store.get_batch(batch_id)
        assert batch is not None and batch.status is BatchStatus.COMPLETED
        assert batch.count(CompanyState.SUCCESS) == total
    stats = await store.stats_since(T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert stats.companies_processed == 40


async def test_two_replicas_claiming_and_finishing_at_full_speed_keep_every_limit(
    store_factory: StoreFactory,
) -> None:
    """Claims and grouped results racing: no batch past max_concurrent, each company done once."""
    stores = [await store_factory(), await store_factory()]
    for index in range(3):
        await add_batch(stores[0], f"b{index}", 25, max_concurrent=4)
    peak: dict[str, int] = {}

    async def watch_running() -> None:
        while True:
            for index in range(3):
                companies = await stores[0].list_companies(f"b{index}")
                running = sum(c.state is CompanyState.RUNNING for c in companies)
                peak[f"b{index}"] = max(peak.get(f"b{index}", 0), running)
            await asyncio.sleep(0)

    async def replica(store: BatchStore, owner: str) -> int:
        recorded = 0

        async def finish(claim: ClaimedCompany) -> bool:
            outcome = success(claim.name, T0)
            return await store.finish_claimed(
                claim.batch_id, claim.position, outcome, attempt=claim.attempt, owner=owner
            )

        while claims := await store.claim(owner, T0, LEASE, AGING, limit=6):
            recorded += sum(await asyncio.gather(*(finish(c) for c in claims)))
        return recorded

    watcher = asyncio.create_task(watch_running())
    try:
        async with asyncio.timeout(60):
            counts = await asyncio.gather(replica(stores[0], "a"), replica(stores[1], "b"))
    finally:
        watcher.cancel()
    assert sum(counts) == 75
    assert max(peak.values()) <= 4
    for index in range(3):
        batch = await stores[1].get_batch(f"b{index}")
        assert batch is not None and batch.status is BatchStatus.COMPLETED
        assert batch.count(CompanyState.SUCCESS) == 25
