"""RetryBatch on both schedulers and both stores: failures run again, successes stay, attempts count."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from scheduling_fakes import ScriptedExtractor, eventually, new_scheduler

from server.domain import (
    BatchEventType,
    BatchOptions,
    BatchSpec,
    BatchStatus,
    CompanyState,
    ErrorType,
    RetrySpec,
)
from server.errors import BatchNotFound, CompanyAnalysisError, InvalidTransition
from server.scheduling.scheduler import BatchScheduler
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory

Factory = Callable[[BatchStore, ScriptedExtractor], Awaitable[BatchScheduler]]


@pytest.fixture
async def start_scheduler(queue_kind: str) -> AsyncIterator[Factory]:
    """Start schedulers over ``queue_kind`` on a store; all stopped at teardown."""
    started: list[BatchScheduler] = []

    async def factory(store: BatchStore, extractor: ScriptedExtractor) -> BatchScheduler:
        scheduler = new_scheduler(queue_kind, store, extractor, workers=3, aging_seconds=30.0)
        await scheduler.start()
        started.append(scheduler)
        return scheduler

    yield factory
    for scheduler in started:
        await scheduler.stop()


async def _finished(scheduler: BatchScheduler, batch_id: str) -> str:
    async def final() -> bool:
        return (await scheduler.get(batch_id)).status.is_final

    await eventually(final, "the batch finishes")
    return batch_id


async def _failing_batch(scheduler: BatchScheduler, extractor: ScriptedExtractor) -> str:
    """A finished batch: Ok-0 and Ok-1 succeed, Gone-2 is not found, Bug-3 breaks (InternalError)."""
    extractor.failures["Gone-2"] = CompanyAnalysisError("Company not found")
    extractor.failures["Bug-3"] = RuntimeError("boom")
    outcome = await scheduler.submit(BatchSpec(("Ok-0", "Ok-1", "Gone-2", "Bug-3"), BatchOptions()))
    return await _finished(scheduler, outcome.batch.batch_id)


async def test_retry_runs_the_failures_again_and_keeps_the_successes(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _failing_batch(scheduler, extractor)
    assert (await scheduler.get(batch_id)).progress.failed == 2
    extractor.failures.clear()  # the web answers now
    extractor.started.clear()

    retried = await scheduler.retry(batch_id, RetrySpec())
    assert retried.retried_companies == 2 and not retried.idempotent_replay
    assert not retried.batch.status.is_final
    assert retried.batch.progress.failed == 0 and retried.batch.progress.completed == 2
    await _finished(scheduler, batch_id)

    view = await scheduler.get(batch_id)
    assert view.status is BatchStatus.COMPLETED
    assert (view.progress.completed, view.progress.failed, view.progress.remaining) == (4, 0, 0)
    assert sorted(extractor.started) == ["Bug-3", "Gone-2"]  # the successes did not run again
    results = {r.company_name: r for r in (await scheduler.results(batch_id, None)).results}
    attempts = {name: r.attempts for name, r in results.items()}
    assert attempts == {"Ok-0": 1, "Ok-1": 1, "Gone-2": 2, "Bug-3": 2}
    assert all(r.state is CompanyState.SUCCESS and r.error is None for r in results.values())


async def test_retry_with_an_error_type_filter_runs_only_those_failures(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _failing_batch(scheduler, extractor)
    extractor.failures.clear()
    extractor.started.clear()

    retried = await scheduler.retry(batch_id, RetrySpec(error_types=frozenset({ErrorType.INTERNAL.value})))
    assert retried.retried_companies == 1
    await _finished(scheduler, batch_id)

    assert extractor.started == ["Bug-3"]
    companies = {c.name: c for c in await store.list_companies(batch_id)}
    assert companies["Bug-3"].state is CompanyState.SUCCESS and companies["Bug-3"].attempts == 2
    assert companies["Gone-2"].state is CompanyState.FAILED and companies["Gone-2"].attempts == 1
    assert companies["Gone-2"].error is not None
    assert companies["Gone-2"].error.type is ErrorType.COMPANY_ANALYSIS


async def test_a_repeated_retry_request_id_re_queues_nothing(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _failing_batch(scheduler, extractor)
    extractor.started.clear()  # the failures stay: the retry fails again

    first = await scheduler.retry(batch_id, RetrySpec(request_id="retry-1"))
    await _finished(scheduler, batch_id)
    replay = await scheduler.retry(batch_id, RetrySpec(request_id="retry-1"))

    assert (first.retried_companies, first.idempotent_replay) == (2, False)
    assert (replay.retried_companies, replay.idempotent_replay) == (2, True)
    assert replay.batch.status is BatchStatus.COMPLETED  # nothing was queued again
    assert sorted(extractor.started) == ["Bug-3", "Gone-2"]
    assert {c.name: c.attempts for c in await store.list_companies(batch_id)}["Gone-2"] == 2
    # Another request id is another retry.
    again = await scheduler.retry(batch_id, RetrySpec(request_id="retry-2"))
    assert (again.retried_companies, again.idempotent_replay) == (2, False)
    await _finished(scheduler, batch_id)
    assert {c.name: c.attempts for c in await store.list_companies(batch_id)}["Gone-2"] == 3


async def test_live_cancelled_and_unknown_batches_are_refused(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    gate = asyncio.Event()
    extractor.gates["Slow-0"] = gate
    scheduler = await start_scheduler(store, extractor)
    live = (await scheduler.submit(BatchSpec(("Slow-0",), BatchOptions()))).batch.batch_id
    with pytest.raises(InvalidTransition, match="retry"):
        await scheduler.retry(live, RetrySpec())
    await scheduler.cancel(live)
    with pytest.raises(InvalidTransition, match="cancelled"):
        await scheduler.retry(live, RetrySpec())
    with pytest.raises(BatchNotFound):
        await scheduler.retry("batch_20260101_doesnotexist", RetrySpec())


async def test_a_batch_with_nothing_to_retry_stays_as_it_was(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _finished(
        scheduler, (await scheduler.submit(BatchSpec(("Ok-0",), BatchOptions()))).batch.batch_id
    )
    before = await scheduler.get(batch_id)
    retried = await scheduler.retry(batch_id, RetrySpec())
    assert retried.retried_companies == 0
    assert retried.batch.status is BatchStatus.COMPLETED
    assert retried.batch.completed_at == before.completed_at


async def test_a_retried_batch_shows_the_new_attempt_to_a_watcher(
    store: BatchStore, start_scheduler: Factory
) -> None:
    extractor = ScriptedExtractor()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _failing_batch(scheduler, extractor)
    extractor.failures.clear()
    gate = asyncio.Event()
    extractor.gates.update({"Gone-2": gate, "Bug-3": gate})
    await scheduler.retry(batch_id, RetrySpec())
    events = await scheduler.watch(batch_id)
    seen = []
    async for event in events:
        seen.append(event)
        if event.type is BatchEventType.SNAPSHOT:
            gate.set()
    finished = [e for e in seen if e.type is BatchEventType.COMPANY_SUCCEEDED]
    assert sorted(e.company_name for e in finished) == ["Bug-3", "Gone-2"]
    assert all(e.result is not None and e.result.attempts == 2 for e in finished)
    assert seen[-1].type is BatchEventType.STATUS_CHANGED and seen[-1].batch.status is BatchStatus.COMPLETED


async def test_a_retry_survives_a_restart(store_factory: StoreFactory, start_scheduler: Factory) -> None:
    extractor = ScriptedExtractor()
    store = await store_factory()
    scheduler = await start_scheduler(store, extractor)
    batch_id = await _failing_batch(scheduler, extractor)
    extractor.failures.clear()
    extractor.started.clear()
    extractor.gates.update({"Gone-2": asyncio.Event(), "Bug-3": asyncio.Event()})  # never released
    await scheduler.retry(batch_id, RetrySpec(bypass_cache=True))
    await eventually(lambda: sorted(extractor.started) == ["Bug-3", "Gone-2"], "retry running")
    await scheduler.stop()  # the process dies with the retried companies running
    await store.close()

    second = ScriptedExtractor()
    store = await store_factory()
    try:
        restarted = await start_scheduler(store, second)
        await _finished(restarted, batch_id)
        view = await restarted.get(batch_id)
        companies = {c.name: c for c in await store.list_companies(batch_id)}
        stored = await store.get_batch(batch_id)
    finally:
        await store.close()
    assert view.status is BatchStatus.COMPLETED and view.progress.completed == 4
    assert sorted(second.started) == ["Bug-3", "Gone-2"]
    assert companies["Gone-2"].attempts == 3  # failed, retried and cut short, run again
    assert companies["Ok-0"].attempts == 1
    assert stored is not None and stored.options.bypass_cache
