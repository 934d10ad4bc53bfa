"""A watcher that keeps up gets every event, a busy one is coalesced onto a snapshot; snapshots are shared."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from datetime import UTC, datetime

from server.domain import BatchEvent, BatchEventType, BatchOptions, BatchStatus, BatchView, Phase, Progress
from server.scheduling.events import COALESCE_AFTER_SECONDS, SNAPSHOT_SHARE_SECONDS, EventChannel, EventStream

NOW = datetime(2024, 6, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def view(status: BatchStatus = BatchStatus.PROCESSING, done: int = 0) -> BatchView:
    return BatchView(
        "b", status, BatchOptions(), Progress(10, done, 0, 10 - done, 0, Phase.EXTRACTION),
        NOW, None, None, NOW, 0, 0, None,
    )  # fmt: skip


def publish(channel: EventChannel, count: int, status: BatchStatus = BatchStatus.PROCESSING) -> None:
    for _ in range(count):
        channel.publish(BatchEventType.COMPANY_STARTED, lambda: view(status), NOW)


async def test_a_watcher_that_keeps_up_gets_a_burst_of_events_one_by_one() -> None:
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=1)
    watcher = channel.subscribe()
    clock.now += 10 * COALESCE_AFTER_SECONDS  # idle for long, waiting in next(): keeping up
    waiting = asyncio.create_task(watcher.next(lambda: channel.snapshot(view(), NOW)))
    await asyncio.sleep(0)
    publish(channel, 5)  # all at once, before the watcher runs again
    got = [await waiting] + [await watcher.next(lambda: channel.snapshot(view(), NOW)) for _ in range(4)]
    assert [e.sequence for e in got] == [1, 2, 3, 4, 5]


async def test_a_watcher_busy_sending_has_its_progress_coalesced_but_keeps_the_final_status() -> None:
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=1)
    watcher = channel.subscribe()
    publish(channel, 1)
    first = await watcher.next(lambda: channel.snapshot(view(), NOW))  # now "sending" it
    assert first.sequence == 1
    publish(channel, 1)  # waits: the watcher is busy sending the first
    clock.now += 2 * COALESCE_AFTER_SECONDS
    publish(channel, 20)  # the one waiting is old now: these are coalesced
    channel.publish(BatchEventType.STATUS_CHANGED, lambda: view(BatchStatus.COMPLETED, 10), NOW)
    caught_up = await watcher.next(lambda: channel.snapshot(view(BatchStatus.COMPLETED, 10), NOW))
    assert caught_up.type is BatchEventType.SNAPSHOT and caught_up.sequence == 23
    assert caught_up.batch.status is BatchStatus.COMPLETED


async def test_snapshots_are_shared_until_an_event_or_the_share_window_passes() -> None:
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=1)
    one = channel.shared_snapshot(view, lambda: NOW)
    assert channel.shared_snapshot(view, lambda: NOW) is one
    clock.now += 2 * SNAPSHOT_SHARE_SECONDS
    two = channel.shared_snapshot(view, lambda: NOW)
    assert two is not one
    publish(channel, 1)
    three = channel.shared_snapshot(view, lambda: NOW)
    assert three is not two and three.sequence == 1


async def test_a_batch_with_few_watchers_never_coalesces_their_events() -> None:
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=2)
    watcher = channel.subscribe()
    for _ in range(5):
        publish(channel, 1)
        clock.now += 2 * COALESCE_AFTER_SECONDS  # nobody reads for long
    got = [await watcher.next(lambda: channel.snapshot(view(), NOW)) for _ in range(5)]
    assert [e.sequence for e in got] == [1, 2, 3, 4, 5]


async def test_a_watcher_reading_runs_takes_every_waiting_event_at_once_in_order() -> None:
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=1)
    watcher = channel.subscribe()
    publish(channel, 1)
    assert [e.sequence for e in await watcher.take(lambda: channel.snapshot(view(), NOW))] == [1]
    publish(channel, 3)  # arrive together while the watcher is busy with the first
    run = await watcher.take(lambda: channel.snapshot(view(), NOW))
    assert [e.sequence for e in run] == [2, 3, 4] and watcher.pending == 0
    waiting = asyncio.create_task(watcher.take(lambda: channel.snapshot(view(), NOW)))
    await asyncio.sleep(0)
    assert not waiting.done()  # a run is never empty: it waits for the next event
    publish(channel, 1)
    assert [e.sequence for e in await waiting] == [5]


async def test_an_event_stream_read_one_by_one_then_in_runs_loses_and_repeats_nothing() -> None:
    async def runs() -> AsyncGenerator[Sequence[BatchEvent], None]:
        for run in ([1, 2, 3], [4, 5], [6]):
            yield [BatchEvent(BatchEventType.COMPANY_STARTED, view(), s, NOW) for s in run]

    stream = EventStream(runs())
    assert [(await anext(stream)).sequence for _ in range(2)] == [1, 2]
    assert [[e.sequence for e in run] async for run in stream.runs()] == [[3], [4, 5], [6]]


async def test_a_stream_read_one_by_one_asks_its_watcher_for_one_event_at_a_time() -> None:
    """So the events it has not sent yet stay in the watcher's buffer, where lagging ones coalesce."""
    channel = EventChannel(Clock(), coalesce_min_watchers=1)
    watcher = channel.subscribe()
    asked: list[int | None] = []

    async def runs() -> AsyncGenerator[Sequence[BatchEvent], int | None]:
        run: Sequence[BatchEvent] = [channel.snapshot(view(), NOW)]
        while True:
            most = yield run
            asked.append(most)
            run = await watcher.take(lambda: channel.snapshot(view(), NOW), most)

    stream = EventStream(runs())
    assert (await anext(stream)).type is BatchEventType.SNAPSHOT
    publish(channel, 3)
    assert (await anext(stream)).sequence == 1
    assert asked == [1] and watcher.pending == 2
    assert [e.sequence for e in await anext(aiter(stream.runs()))] == [2, 3]  # in runs: all at once
    assert asked == [1, None] and watcher.pending == 0


async def test_a_watcher_whose_waiting_events_grew_old_reads_a_snapshot_instead() -> None:
    """Even when no later event arrives to notice the lag: a reader of whole runs leaves nothing behind."""
    clock = Clock()
    channel = EventChannel(clock, coalesce_min_watchers=1)
    watcher = channel.subscribe()
    publish(channel, 3)
    clock.now += 2 * COALESCE_AFTER_SECONDS  # it was busy sending all this time
    run = await watcher.take(lambda: channel.snapshot(view(), NOW))
    assert [(e.type, e.sequence) for e in run] == [(BatchEventType.SNAPSHOT, 3)] and watcher.pending == 0
    publish(channel, 2)  # fresh ones are read as they are
    assert [e.sequence for e in await watcher.take(lambda: channel.snapshot(view(), NOW))] == [4, 5]
