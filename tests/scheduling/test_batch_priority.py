"""Which batch goes next: priority, FIFO within a priority, and aging with a bounded wait for low work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from scheduling_fakes import FakeClock, SchedulerFactory, ScriptedExtractor, eventually

from server.domain import BatchOptions, BatchSpec, Priority
from server.scheduling.queue import BatchQueue, effective_level


def spec(name: str, priority: Priority) -> BatchSpec:
    return BatchSpec((name,), BatchOptions(priority=priority))


@dataclass
class Item:
    priority: Priority
    waiting_since: float
    submit_seq: int
    ready: bool = True
    has_waiting_work: bool = True


def test_waiting_work_gains_one_level_per_aging_period_up_to_urgent() -> None:
    low = Item(Priority.LOW, waiting_since=0.0, submit_seq=0)
    assert [effective_level(low, t, 10.0) for t in (0, 9.9, 10, 20, 30, 1000)] == [0, 0, 1, 2, 3, 3]


def test_queue_picks_highest_effective_level_then_fifo() -> None:
    clock = FakeClock()
    queue: BatchQueue[Item] = BatchQueue(10.0, clock)
    low = Item(Priority.LOW, clock.now, 0)
    high_a = Item(Priority.HIGH, clock.now, 1)
    high_b = Item(Priority.HIGH, clock.now, 2)
    busy_urgent = Item(Priority.URGENT, clock.now, 3, ready=False)
    for item in (low, high_a, high_b, busy_urgent):
        queue.add(item)
    assert queue.pick() is high_a
    queue.discard(high_a)
    assert queue.pick() is high_b
    clock.advance(30.0)  # low has now waited 3 aging periods: it competes as urgent and is older
    assert queue.pick() is low


def test_low_batch_waits_at_most_three_aging_periods_behind_newer_urgent_work() -> None:
    clock = FakeClock()
    queue: BatchQueue[Item] = BatchQueue(5.0, clock)
    low = Item(Priority.LOW, clock.now, 0)
    queue.add(low)
    seq = 1
    served_low_at = None
    for _tick in range(100):  # a continuous stream: a fresh urgent batch every second
        queue.add(Item(Priority.URGENT, clock.now, seq))
        seq += 1
        picked = queue.pick()
        assert picked is not None
        queue.discard(picked)
        if picked is low:
            served_low_at = clock.now
            break
        clock.advance(1.0)
    assert served_low_at is not None
    assert served_low_at - low.waiting_since <= 3 * 5.0


def test_aging_seconds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="aging_seconds"):
        BatchQueue(0.0, FakeClock())


async def test_workers_serve_urgent_then_high_then_normal_then_low_fifo_within_a_level(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.gates["Busy"] = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    await scheduler.submit(spec("Busy", Priority.NORMAL))
    await eventually(lambda: extractor.started == ["Busy"], "worker busy")
    for name, priority in (
        ("Low", Priority.LOW),
        ("Normal", Priority.NORMAL),
        ("Urgent1", Priority.URGENT),
        ("High", Priority.HIGH),
        ("Urgent2", Priority.URGENT),
    ):
        await scheduler.submit(spec(name, priority))
    extractor.gates["Busy"].set()
    await eventually(lambda: len(extractor.started) == 6, "all ran")
    assert extractor.started == ["Busy", "Urgent1", "Urgent2", "High", "Normal", "Low"]


@pytest.mark.only_queue(
    "local", reason="aging is moved by the test's clock; the lease queue ages by the database's time"
)
async def test_aged_low_batch_runs_before_newer_urgent_batches(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor, clock: FakeClock
) -> None:
    scheduler = await make_scheduler(workers=1, aging_seconds=10.0)
    gates = {name: asyncio.Event() for name in ("Busy", "U1", "U2", "U3", "Low")}
    extractor.gates.update(gates)

    async def release(name: str, then_running: str) -> None:
        gates[name].set()
        await eventually(lambda: extractor.started[-1] == then_running, f"{then_running} started")

    await scheduler.submit(spec("Busy", Priority.NORMAL))
    await eventually(lambda: extractor.started == ["Busy"], "worker busy")
    await scheduler.submit(spec("Low", Priority.LOW))
    clock.advance(15.0)  # Low is at normal level now
    await scheduler.submit(spec("U1", Priority.URGENT))
    await release("Busy", "U1")
    clock.advance(10.0)  # Low at high level
    await scheduler.submit(spec("U2", Priority.URGENT))
    await release("U1", "U2")
    clock.advance(10.0)  # 35 s > 3 * aging: Low competes as urgent, and it is older than U3
    await scheduler.submit(spec("U3", Priority.URGENT))
    await release("U2", "Low")
    await release("Low", "U3")
    gates["U3"].set()
    assert extractor.started == ["Busy", "U1", "U2", "Low", "U3"]
