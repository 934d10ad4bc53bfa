"""Surviving restarts: a batch continues on the same database, and drain requeues unfinished work."""

from __future__ import annotations

import asyncio

from scheduling_fakes import SchedulerFactory, ScriptedExtractor, eventually

from server.domain import BatchOptions, BatchSpec, BatchStatus, CompanyState
from server.scheduling.scheduler import BatchScheduler
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory


async def test_a_restarted_scheduler_finishes_the_batch_keeping_earlier_results(
    store_factory: StoreFactory,
) -> None:
    names = tuple(f"R-{i}" for i in range(6))
    first_extractor = ScriptedExtractor()
    for name in names[2:]:
        first_extractor.gates[name] = asyncio.Event()  # never released: the process "dies" mid-batch
    store = await store_factory()
    scheduler = BatchScheduler(store, first_extractor, workers=2, aging_seconds=30.0)
    await scheduler.start()
    outcome = await scheduler.submit(BatchSpec(names, BatchOptions(max_concurrent=2)))
    batch_id = outcome.batch.batch_id
    await eventually(lambda: sorted(first_extractor.started) == ["R-0", "R-1", "R-2", "R-3"], "mid-batch")
    before = {c.name: c for c in await store.list_companies(batch_id)}
    await scheduler.stop()
    await store.close()
    assert before["R-0"].state is CompanyState.SUCCESS and before["R-2"].state is CompanyState.RUNNING

    second_extractor = ScriptedExtractor()
    store = await store_factory()
    scheduler = BatchScheduler(store, second_extractor, workers=2, aging_seconds=30.0)
    try:
        await scheduler.start()

        async def done() -> bool:
            return (await scheduler.get(batch_id)).status.is_final

        await eventually(done, "batch finished after restart")
        view = await scheduler.get(batch_id)
        results = await scheduler.results(batch_id, None)
        after = {c.name: c for c in await store.list_companies(batch_id)}
    finally:
        await scheduler.stop()
        await store.close()

    assert view.status is BatchStatus.COMPLETED and view.progress.completed == 6
    assert [r.company_name for r in results.results] == list(names)  # each once, in order
    assert sorted(second_extractor.started) == ["R-2", "R-3", "R-4", "R-5"]  # nothing redone
    for name in ("R-0", "R-1"):
        assert after[name].finished_at == before[name].finished_at
        assert after[name].attempts == 1
    assert after["R-2"].attempts == 2  # interrupted once, then ran again


async def test_drain_lets_in_flight_work_finish_then_requeues_the_rest_as_pending(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor, store: BatchStore
) -> None:
    quick, stuck = asyncio.Event(), asyncio.Event()
    extractor.gates.update({"D-0": quick, "D-1": stuck})
    scheduler = await make_scheduler(workers=2)
    outcome = await scheduler.submit(BatchSpec(("D-0", "D-1", "D-2"), BatchOptions(max_concurrent=2)))
    await eventually(lambda: extractor.started == ["D-0", "D-1"], "both running")

    draining = asyncio.create_task(scheduler.drain(grace_seconds=0.2))
    quick.set()
    await draining
    states = {c.name: c.state for c in await store.list_companies(outcome.batch.batch_id)}
    assert states == {"D-0": CompanyState.SUCCESS, "D-1": CompanyState.PENDING, "D-2": CompanyState.PENDING}
    await eventually(lambda: extractor.cancelled == ["D-1"], "overrunning extraction stopped")
    assert extractor.started == ["D-0", "D-1"]  # nothing new started while draining
    batch = await store.get_batch(outcome.batch.batch_id)
    assert batch is not None and not batch.status.is_final
