"""WatchBatch's stream: snapshot first, every change in sequence, ends on the final status."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from scheduling_fakes import SchedulerFactory, ScriptedExtractor, eventually

from server.domain import BatchEvent, BatchEventType, BatchOptions, BatchSpec, BatchStatus, CompanyState
from server.scheduling.events import EventChannel
from server.storage.roles import BatchStore


def spec(*names: str, **options: object) -> BatchSpec:
    return BatchSpec(tuple(names), BatchOptions(**options))  # type: ignore[arg-type]


async def collect(stream: object) -> list[BatchEvent]:
    return [event async for event in stream]  # type: ignore[attr-defined]


@pytest.mark.only_queue(
    "local",
    reason="the lease feed re-reads the store: a start and finish between two reads arrive as one change",
)
async def test_watch_streams_snapshot_then_every_change_and_ends_on_final_status(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    outcome = await scheduler.submit(spec("W-0", "W-1"))
    stream = await scheduler.watch(outcome.batch.batch_id)
    collecting = asyncio.create_task(collect(stream))
    await eventually(lambda: extractor.started == ["W-0"], "first company started")
    extractor.hold_all.set()
    events = await collecting

    types = [e.type for e in events]
    assert types[0] is BatchEventType.SNAPSHOT
    assert types[-1] is BatchEventType.STATUS_CHANGED and events[-1].batch.status is BatchStatus.COMPLETED
    assert types.count(BatchEventType.COMPANY_STARTED) == 2
    assert types.count(BatchEventType.COMPANY_SUCCEEDED) == 2
    sequences = [e.sequence for e in events[1:]]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert all(b.sequence - a.sequence == 1 for a, b in itertools.pairwise(events[1:]))
    succeeded = [e for e in events if e.type is BatchEventType.COMPANY_SUCCEEDED]
    assert [e.company_name for e in succeeded] == ["W-0", "W-1"]
    assert all(e.result is not None and e.result.state is CompanyState.SUCCESS for e in succeeded)
    # Only the very last event carries the final status.
    assert all(not e.batch.status.is_final for e in events[:-1])


async def test_every_event_is_persisted_before_it_is_published(
    make_scheduler: SchedulerFactory, store: BatchStore
) -> None:
    scheduler = await make_scheduler(workers=2)
    outcome = await scheduler.submit(spec(*(f"P-{i}" for i in range(6))))
    async for event in await scheduler.watch(outcome.batch.batch_id):
        if event.type in (BatchEventType.COMPANY_SUCCEEDED, BatchEventType.COMPANY_FAILED):
            stored = {c.name: c.state for c in await store.list_companies(outcome.batch.batch_id)}
            assert stored[event.company_name] is CompanyState.SUCCESS
        if event.type is BatchEventType.STATUS_CHANGED:
            stored_batch = await store.get_batch(outcome.batch.batch_id)
            assert stored_batch is not None and stored_batch.status is event.batch.status


async def test_watch_of_a_finished_batch_yields_only_its_final_snapshot(
    make_scheduler: SchedulerFactory,
) -> None:
    scheduler = await make_scheduler()
    outcome = await scheduler.submit(spec("Done"))
    await collect(await scheduler.watch(outcome.batch.batch_id))
    events = await collect(await scheduler.watch(outcome.batch.batch_id))
    assert [e.type for e in events] == [BatchEventType.SNAPSHOT]
    assert events[0].batch.status is BatchStatus.COMPLETED


@pytest.mark.only_queue(
    "local",
    reason="watcher capacity bounds the local queue's in-process event channel; the lease feed has none",
)
async def test_a_slow_watcher_gets_a_fresh_snapshot_and_still_sees_the_end(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=4, watcher_capacity=2)
    outcome = await scheduler.submit(spec(*(f"S-{i}" for i in range(10)), max_concurrent=4))
    stream = await scheduler.watch(outcome.batch.batch_id)
    first = await anext(stream)  # subscribed; now stop reading while the batch runs to the end
    assert first.type is BatchEventType.SNAPSHOT
    extractor.hold_all.set()

    async def done() -> bool:
        return (await scheduler.get(outcome.batch.batch_id)).status.is_final

    await eventually(done, "batch finished")
    rest = await collect(stream)
    assert len(rest) <= 3  # 20+ changes happened; the watcher did not buffer them all
    assert rest[0].type is BatchEventType.SNAPSHOT and rest[0].sequence > first.sequence
    assert rest[-1].batch.status is BatchStatus.COMPLETED


async def test_many_watchers_each_get_the_whole_stream(make_scheduler: SchedulerFactory) -> None:
    scheduler = await make_scheduler()
    outcome = await scheduler.submit(spec("M-0", "M-1", "M-2"))
    streams = [await scheduler.watch(outcome.batch.batch_id) for _ in range(50)]
    results = await asyncio.gather(*(collect(s) for s in streams))
    assert all(events[-1].batch.status is BatchStatus.COMPLETED for events in results)


async def test_channel_keeps_the_final_event_even_when_a_buffer_is_full() -> None:
    from datetime import UTC, datetime

    from server.domain import BatchView, Phase, Progress

    def view(status: BatchStatus) -> BatchView:
        now = datetime.now(UTC)
        return BatchView(
            "b",
            status,
            BatchOptions(),
            Progress(1, 0, 0, 0, 0, Phase.EXTRACTION),
            now,
            None,
            None,
            now,
            0,
            0,
            None,
        )

    channel = EventChannel()
    watcher = channel.subscribe(capacity=1)
    now = datetime.now(UTC)
    channel.publish(BatchEventType.COMPANY_STARTED, lambda: view(BatchStatus.PROCESSING), now)
    channel.publish(BatchEventType.COMPANY_STARTED, lambda: view(BatchStatus.PROCESSING), now)  # overflow
    channel.publish(BatchEventType.STATUS_CHANGED, lambda: view(BatchStatus.COMPLETED), now)
    snapshot = await watcher.next(lambda: channel.snapshot(view(BatchStatus.COMPLETED), now))
    assert snapshot.type is BatchEventType.SNAPSHOT and snapshot.sequence == 3
    assert snapshot.batch.status is BatchStatus.COMPLETED
