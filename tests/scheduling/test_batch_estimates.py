"""Duration estimates: priors until data exists, observed durations after, queue position counted."""

from __future__ import annotations

import asyncio

import pytest
from scheduling_fakes import SchedulerFactory, ScriptedExtractor, eventually

from server.domain import BatchOptions, BatchSpec, ExtractionMode, Priority
from server.scheduling.estimates import MODE_PRIORS_SECONDS, DurationModel, QueuedWork, batch_seconds
from server.scheduling.scheduler import BatchScheduler
from server.storage.roles import BatchStore


def test_model_starts_at_the_prior_and_follows_observations() -> None:
    model = DurationModel()
    prior = MODE_PRIORS_SECONDS[ExtractionMode.STANDARD]
    assert model.company_seconds(ExtractionMode.STANDARD) == prior
    for _ in range(50):
        model.observe(ExtractionMode.STANDARD, 2.0)
    learnt = model.company_seconds(ExtractionMode.STANDARD)
    assert 2.0 < learnt < 3.0
    assert model.company_seconds(ExtractionMode.BASIC) == MODE_PRIORS_SECONDS[ExtractionMode.BASIC]


def test_model_window_forgets_old_observations() -> None:
    model = DurationModel(window=10)
    for _ in range(10):
        model.observe(ExtractionMode.BASIC, 100.0)
    for _ in range(10):
        model.observe(ExtractionMode.BASIC, 1.0)
    assert model.company_seconds(ExtractionMode.BASIC) < 3.0


def test_batch_time_counts_waves_of_its_concurrency() -> None:
    assert batch_seconds(10, 2.0, max_concurrent=5, workers=16) == 4.0
    assert batch_seconds(10, 2.0, max_concurrent=5, workers=2) == 10.0
    assert batch_seconds(0, 2.0, max_concurrent=5, workers=2) == 0.0


def test_work_queued_ahead_delays_the_batch_when_the_pool_is_full() -> None:
    alone = batch_seconds(4, 1.0, max_concurrent=4, workers=4)
    behind = batch_seconds(4, 1.0, max_concurrent=4, workers=4, ahead=[QueuedWork(8, 4, 1.0)])
    assert alone == 1.0 and behind == 3.0


async def test_estimates_respond_to_observed_durations(
    make_scheduler: SchedulerFactory, store: BatchStore, extractor: ScriptedExtractor
) -> None:
    options = BatchOptions(extraction_mode=ExtractionMode.BASIC, max_concurrent=1)
    scheduler = await make_scheduler(workers=1)
    first = await scheduler.submit(BatchSpec(("A", "B", "C", "D"), options))
    prior_estimate = first.batch.estimated_processing_time
    assert prior_estimate == 4 * MODE_PRIORS_SECONDS[ExtractionMode.BASIC]

    async def done() -> bool:
        return (await scheduler.get(first.batch.batch_id)).status.is_final

    await eventually(done, "first batch finished")
    second = await scheduler.submit(BatchSpec(("E", "F", "G", "H"), options))
    assert second.batch.estimated_processing_time < prior_estimate

    async def second_done() -> bool:
        return (await scheduler.get(second.batch.batch_id)).status.is_final

    await eventually(second_done, "second batch finished")
    await scheduler.stop()
    # A restarted scheduler seeds its model from the store's history.
    extractor.hold_all = asyncio.Event()
    fresh = BatchScheduler(store, extractor, workers=1, aging_seconds=30.0)
    await fresh.start()
    try:
        third = await fresh.submit(BatchSpec(("I",), BatchOptions(extraction_mode=ExtractionMode.BASIC)))
        assert third.batch.estimated_processing_time < MODE_PRIORS_SECONDS[ExtractionMode.BASIC]
    finally:
        await fresh.stop()
        extractor.hold_all.set()


@pytest.mark.only_queue(
    "local",
    reason="the lease queue estimates a batch as if nothing were queued ahead (the order is in the store)",
)
async def test_higher_priority_work_ahead_lengthens_the_estimate(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    low = await scheduler.submit(BatchSpec(("L",), BatchOptions(priority=Priority.LOW)))
    await eventually(lambda: extractor.started == ["L"], "low running")
    later_low = await scheduler.submit(BatchSpec(("L2",), BatchOptions(priority=Priority.LOW)))
    before = (await scheduler.get(later_low.batch.batch_id)).estimated_processing_time
    await scheduler.submit(
        BatchSpec(tuple(f"U{i}" for i in range(5)), BatchOptions(priority=Priority.URGENT))
    )
    after = (await scheduler.get(later_low.batch.batch_id)).estimated_processing_time
    assert after > before
    view = await scheduler.get(later_low.batch.batch_id)
    assert view.estimated_completion is not None and view.estimated_completion > view.created_at
    extractor.hold_all.set()
    assert low.batch.batch_id
