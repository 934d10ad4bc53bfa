"""ReplicaScheduler: several schedulers on one database share one queue, one set of results and events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from scheduling_fakes import ScriptedExtractor, eventually

from server.domain import BatchEventType, BatchOptions, BatchSpec, BatchStatus
from server.scheduling.replicas import ReplicaScheduler
from server.storage.base import ClaimedCompany, NewBatch, StoredBatch
from server.storage.roles import BatchStore
from server.storage.testing import POSTGRES, StoreFactory

ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param(POSTGRES, marks=pytest.mark.postgres, id=POSTGRES)], indirect=True
)
"""Cross-replica tests: only PostgreSQL carries one replica's notifications to another process."""

ReplicaFactory = Callable[..., Awaitable[ReplicaScheduler]]


@pytest.fixture
async def make_replica(
    store_factory: StoreFactory, extractor: ScriptedExtractor
) -> AsyncIterator[ReplicaFactory]:
    """Start replicas, each on its own store connection to the test's database; stopped at teardown."""
    started: list[ReplicaScheduler] = []

    async def factory(name: str, **kwargs: object) -> ReplicaScheduler:
        options: dict[str, object] = {
            "workers": 4,
            "aging_seconds": 30.0,
            "replica_id": name,
            "lease_seconds": 5.0,
            "heartbeat_seconds": 0.5,
            "poll_seconds": 0.2,
        }
        options.update(kwargs)
        replica = ReplicaScheduler(await store_factory(), extractor, **options)  # type: ignore[arg-type]
        await replica.start()
        started.append(replica)
        return replica

    yield factory
    for replica in started:
        await replica.stop()


async def finished(replica: ReplicaScheduler, batch_id: str) -> bool:
    return (await replica.get(batch_id)).status.is_final


async def test_a_single_replica_runs_a_batch_to_completion(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    replica = await make_replica("solo")
    names = tuple(f"S-{i}" for i in range(6))
    outcome = await replica.submit(BatchSpec(names, BatchOptions(max_concurrent=2)))
    batch_id = outcome.batch.batch_id
    await eventually(lambda: finished(replica, batch_id), "the batch finishes")
    view = await replica.get(batch_id)
    assert view.status is BatchStatus.COMPLETED
    assert view.progress.completed == 6
    assert sorted(extractor.started) == sorted(names)
    assert extractor.max_by_group["S"] <= 2
    results = await replica.results(batch_id, None)
    assert [r.company_name for r in results.results] == list(names)


async def test_a_listed_running_batch_carries_the_estimate_its_status_has(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    gate = asyncio.Event()
    extractor.hold_all = gate
    replica = await make_replica("lister", workers=1)
    names = tuple(f"L-{i}" for i in range(4))
    batch_id = (await replica.submit(BatchSpec(names, BatchOptions(max_concurrent=1)))).batch.batch_id
    await eventually(lambda: extractor.active == 1, "a company runs")
    status = await replica.get(batch_id)
    (listed,), _ = await replica.list_batches(10, "")
    gate.set()
    assert status.estimated_processing_time > 0
    assert listed.batch_id == batch_id
    assert listed.estimated_processing_time == status.estimated_processing_time


@ON_POSTGRES
async def test_two_replicas_share_one_batch_within_its_max_concurrent(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    gate = asyncio.Event()
    extractor.hold_all = gate
    # Two workers each: four companies at once only happen when both replicas run some.
    first, second = await make_replica("a", workers=2), await make_replica("b", workers=2)
    names = tuple(f"M-{i}" for i in range(12))
    batch_id = (await first.submit(BatchSpec(names, BatchOptions(max_concurrent=4)))).batch.batch_id
    await eventually(lambda: extractor.active == 4, "four companies run")
    await eventually(lambda: first.held_leases > 0 and second.held_leases > 0, "both replicas hold work")
    gate.set()
    await eventually(lambda: finished(second, batch_id), "the batch finishes")
    assert extractor.max_by_group["M"] == 4
    assert sorted(extractor.started) == sorted(names)  # each company extracted exactly once
    view = await second.get(batch_id)
    assert view.status is BatchStatus.COMPLETED and view.progress.completed == 12


@ON_POSTGRES
async def test_watch_on_one_replica_streams_progress_made_on_another(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    worker, watcher = await make_replica("worker"), await make_replica("watcher")
    await watcher.drain(0)  # this replica claims nothing: all progress is made by the other
    gate = asyncio.Event()
    extractor.hold_all = gate
    names = ("W-0", "W-1", "W-2")
    batch_id = (await worker.submit(BatchSpec(names, BatchOptions(max_concurrent=3)))).batch.batch_id
    stream = await watcher.watch(batch_id)
    events = []
    async with asyncio.timeout(10):
        async for event in stream:
            events.append(event)
            if event.type is BatchEventType.SNAPSHOT:
                await eventually(lambda: extractor.active == 3, "the worker runs all three")
                gate.set()
    assert events[0].type is BatchEventType.SNAPSHOT
    succeeded = [e.company_name for e in events if e.type is BatchEventType.COMPANY_SUCCEEDED]
    assert sorted(succeeded) == sorted(names)
    assert events[-1].type is BatchEventType.STATUS_CHANGED
    assert events[-1].batch.status is BatchStatus.COMPLETED
    assert [e.sequence for e in events] == list(range(len(events)))
    completed = [e.batch.progress.completed for e in events]
    assert completed == sorted(completed)  # progress never goes backwards
    assert watcher.held_leases == 0


@ON_POSTGRES
async def test_cancel_on_one_replica_stops_extractions_running_on_another(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    worker, commander = await make_replica("worker"), await make_replica("commander")
    await commander.drain(0)
    extractor.hold_all = asyncio.Event()  # never set: only the cancel ends these extractions
    names = ("C-0", "C-1", "C-2", "C-3")
    batch_id = (await worker.submit(BatchSpec(names, BatchOptions(max_concurrent=2)))).batch.batch_id
    await eventually(lambda: extractor.active == 2, "two companies run on the worker")
    view = await commander.cancel(batch_id)
    assert view.status is BatchStatus.CANCELLED
    # The worker hears the notification and stops its extractions (the wait bound is a readiness limit).
    await eventually(lambda: sorted(extractor.cancelled) == ["C-0", "C-1"], "the worker stops both")
    assert worker.held_leases == 0
    progress = (await worker.get(batch_id)).progress
    assert (progress.cancelled, progress.failed, progress.remaining) == (4, 0, 0)


@ON_POSTGRES
async def test_pause_and_resume_on_one_replica_hold_and_release_another(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    worker, commander = await make_replica("worker"), await make_replica("commander")
    await commander.drain(0)
    gates = {f"P-{i}": asyncio.Event() for i in range(4)}
    extractor.gates.update(gates)
    batch_id = (await worker.submit(BatchSpec(tuple(gates), BatchOptions(max_concurrent=1)))).batch.batch_id
    await eventually(lambda: extractor.started == ["P-0"], "the first company runs")
    await commander.pause(batch_id)
    gates["P-0"].set()
    await eventually(
        lambda: _progress(commander, batch_id, lambda p: p.completed == 1 and p.in_progress == 0),
        "the running company finishes while paused",
    )
    await worker._queue.heartbeat()  # a heartbeat's worth of time passes: still nothing new is claimed
    assert extractor.started == ["P-0"]
    await commander.resume(batch_id)
    await eventually(lambda: extractor.started == ["P-0", "P-1"], "the worker continues")
    for gate in gates.values():
        gate.set()
    await eventually(lambda: finished(commander, batch_id), "the batch finishes")


@ON_POSTGRES
async def test_a_crashed_replicas_companies_are_rerun_elsewhere_and_recorded_once(
    make_replica: ReplicaFactory, extractor: ScriptedExtractor
) -> None:
    doomed = await make_replica("doomed", lease_seconds=1.0, heartbeat_seconds=0.3)
    extractor.hold_all = asyncio.Event()
    names = tuple(f"K-{i}" for i in range(4))
    batch_id = (await doomed.submit(BatchSpec(names, BatchOptions(max_concurrent=2)))).batch.batch_id
    await eventually(lambda: extractor.active == 2, "two companies run on the doomed replica")
    await doomed.stop()  # like a crash: no lease is handed back
    assert doomed.held_leases == 2
    extractor.hold_all = None
    survivor = await make_replica("survivor", lease_seconds=1.0, heartbeat_seconds=0.3)
    await eventually(lambda: finished(survivor, batch_id), "the survivor finishes the batch")
    results = await survivor.results(batch_id, True)
    assert sorted(r.company_name for r in results.results) == sorted(names)
    assert results.batch.progress.completed == 4
    assert results.batch.status is BatchStatus.COMPLETED


class ClaimedElsewhereFirst:
    """A store whose new batches another replica claims from before this replica claims anything.

    This replica's claims wait for the other's. Raced instead, the other claim could meet this
    replica's dispatcher (woken by the submit's own notification) holding the batch's row, skip it
    (``SKIP LOCKED``) and, being one call rather than a replica that claims again on notifications,
    leave a company no one claims.
    """

    def __init__(self, store: BatchStore, other: BatchStore) -> None:
        self._store, self._other = store, other
        self._other_claimed = asyncio.Event()
        self.claimed_elsewhere: list[ClaimedCompany] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def create_batch(self, batch: NewBatch) -> tuple[StoredBatch, bool]:
        created = await self._store.create_batch(batch)
        self.claimed_elsewhere = await self._other.claim("elsewhere", datetime.now(UTC), 30.0, 30.0, 2)
        self._other_claimed.set()
        return created

    async def claim(
        self, owner: str, now: datetime, lease_seconds: float, aging_seconds: float, limit: int = 1
    ) -> list[ClaimedCompany]:
        await self._other_claimed.wait()
        return await self._store.claim(owner, now, lease_seconds, aging_seconds, limit)


async def test_submit_answers_with_the_batch_as_submitted_even_if_another_replica_starts_it_first(
    store_factory: StoreFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    store = ClaimedElsewhereFirst(await store_factory(), await store_factory())
    replica = ReplicaScheduler(
        store,  # type: ignore[arg-type]
        extractor,
        workers=2,
        aging_seconds=30.0,
        replica_id="submitter",
        lease_seconds=5.0,
        heartbeat_seconds=0.5,
    )
    await replica.start()
    try:
        outcome = await replica.submit(BatchSpec(("Q-0", "Q-1", "Q-2"), BatchOptions(max_concurrent=3)))
        assert [c.name for c in store.claimed_elsewhere] == ["Q-0", "Q-1"]  # started elsewhere first
        # The answer is the batch as submitted, whatever the queue did meanwhile (the contract's 202).
        assert outcome.batch.status is BatchStatus.QUEUED
        assert outcome.batch.progress.in_progress == 0
        # The submit claimed the rest before answering (itself, or after the dispatcher's claim it waited
        # for): the store had moved on before the answer was given.
        assert replica.held_leases == 1
        view = await replica.get(outcome.batch.batch_id)
        assert view.status is BatchStatus.PROCESSING and view.progress.in_progress == 3
    finally:
        await replica.stop()


async def _progress(replica: ReplicaScheduler, batch_id: str, check: Callable[..., bool]) -> bool:
    return check((await replica.get(batch_id)).progress)


def test_heartbeat_must_be_shorter_than_the_lease() -> None:
    with pytest.raises(ValueError, match="heartbeat"):
        ReplicaScheduler(
            None,  # type: ignore[arg-type]
            ScriptedExtractor(),
            workers=1,
            aging_seconds=1.0,
            replica_id="x",
            lease_seconds=1.0,
            heartbeat_seconds=1.0,
        )
