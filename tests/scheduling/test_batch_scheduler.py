"""BatchScheduler end to end on a real SQLite file with a scripted extractor."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from scheduling_fakes import SchedulerFactory, ScriptedExtractor, eventually

from company_protos.company.v1 import batch_service_pb2 as pb
from server.api import convert
from server.domain import (
    BatchOptions,
    BatchSpec,
    BatchStatus,
    CompanyState,
    ErrorType,
    ExtractionMode,
    ExtractionRequest,
    Phase,
)
from server.errors import BatchNotFound, CompanyAnalysisError, FetchError, InvalidRequest, InvalidTransition
from server.scheduling.scheduler import LOGGER_NAME, BatchScheduler
from server.storage.roles import BatchStore


def spec(*names: str, request_id: str | None = None, **options: object) -> BatchSpec:
    return BatchSpec(tuple(names), BatchOptions(**options), request_id=request_id)  # type: ignore[arg-type]


async def finished(scheduler: BatchScheduler, batch_id: str) -> None:
    async def is_final() -> bool:
        return (await scheduler.get(batch_id)).status.is_final

    await eventually(is_final, f"{batch_id} never finished")


async def test_batch_completes_with_results_in_submit_order(make_scheduler: SchedulerFactory) -> None:
    scheduler = await make_scheduler()
    outcome = await scheduler.submit(spec("Acme", "Globex", "Initech"), trace_id="trace-xyz")
    assert re.fullmatch(r"batch_\d{8}_[a-z0-9]{20}", outcome.batch.batch_id)
    assert not outcome.idempotent_replay
    await finished(scheduler, outcome.batch.batch_id)

    view = await scheduler.get(outcome.batch.batch_id)
    assert view.status is BatchStatus.COMPLETED
    assert view.progress.completed == 3 and view.progress.failed == 0
    assert view.progress.phase is Phase.FINISHED
    assert view.started_at is not None and view.completed_at is not None
    assert view.estimated_completion is None and view.estimated_processing_time == 0.0
    results = await scheduler.results(outcome.batch.batch_id, None)
    assert [r.company_name for r in results.results] == ["Acme", "Globex", "Initech"]
    assert all(r.state is CompanyState.SUCCESS and r.profile for r in results.results)
    assert results.summary.industries == {"Software": 3}


async def test_request_id_replay_returns_the_first_batch(make_scheduler: SchedulerFactory) -> None:
    scheduler = await make_scheduler()
    first = await scheduler.submit(spec("Acme", request_id="req-42"))
    again = await scheduler.submit(spec("Acme", "Other", request_id="req-42"))
    assert again.idempotent_replay
    assert again.batch.batch_id == first.batch.batch_id
    views, _ = await scheduler.list_batches(10, "")
    assert len(views) == 1


async def test_every_failure_kind_becomes_data_and_all_failed_means_failed(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor, caplog: pytest.LogCaptureFixture
) -> None:
    extractor.failures = {
        "NoSuch": CompanyAnalysisError("Company not found in search results", "no web presence"),
        "Down": FetchError("connection refused"),
        "Buggy": RuntimeError("boom"),
    }
    scheduler = await make_scheduler()
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        outcome = await scheduler.submit(spec("NoSuch", "Down", "Buggy"))
        await finished(scheduler, outcome.batch.batch_id)

    view = await scheduler.get(outcome.batch.batch_id)
    assert view.status is BatchStatus.FAILED and view.progress.failed == 3
    results = await scheduler.results(outcome.batch.batch_id, None)
    errors = {r.company_name: r.error for r in results.results}
    assert errors["NoSuch"] is not None and errors["NoSuch"].type is ErrorType.COMPANY_ANALYSIS
    assert errors["NoSuch"].details == "no web presence"
    assert errors["Down"] is not None and errors["Down"].type is ErrorType.FETCH
    assert errors["Buggy"] is not None and errors["Buggy"].type is ErrorType.INTERNAL
    crash = [r for r in caplog.records if r.exc_info and "Buggy" in r.getMessage()]
    assert crash, "an unexpected extractor exception is logged with its traceback"


async def test_results_without_failed_keep_only_successes(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.failures = {"Bad": CompanyAnalysisError("not found")}
    scheduler = await make_scheduler()
    outcome = await scheduler.submit(spec("Good", "Bad", include_failed_results=False))
    await finished(scheduler, outcome.batch.batch_id)
    assert (await scheduler.get(outcome.batch.batch_id)).status is BatchStatus.COMPLETED
    default = await scheduler.results(outcome.batch.batch_id, None)
    assert [r.company_name for r in default.results] == ["Good"]
    explicit = await scheduler.results(outcome.batch.batch_id, True)
    assert [r.company_name for r in explicit.results] == ["Good", "Bad"]


async def test_one_structured_log_line_per_company_outcome(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor, caplog: pytest.LogCaptureFixture
) -> None:
    extractor.failures = {"Bad": FetchError("refused")}
    scheduler = await make_scheduler()
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        outcome = await scheduler.submit(spec("Good", "Bad"), trace_id="trace-7")
        await finished(scheduler, outcome.batch.batch_id)
    lines = {r.company: r for r in caplog.records if getattr(r, "event", None) == "company_finished"}
    assert set(lines) == {"Good", "Bad"}
    assert lines["Bad"].outcome == "failed" and lines["Bad"].error_type == "FetchError"
    assert lines["Good"].outcome == "success" and lines["Good"].error_type == ""
    assert {r.trace_id for r in lines.values()} == {"trace-7"}
    assert {r.batch_id for r in lines.values()} == {outcome.batch.batch_id}
    assert all(isinstance(r.duration_ms, float) for r in lines.values())


async def test_timeout_cancels_the_extraction_and_records_timeout_error(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.gates["Slow"] = asyncio.Event()  # never set
    scheduler = await make_scheduler()
    outcome = await scheduler.submit(spec("Slow", timeout_seconds=0.05))
    await finished(scheduler, outcome.batch.batch_id)
    assert extractor.cancelled == ["Slow"]
    [result] = (await scheduler.results(outcome.batch.batch_id, None)).results
    assert result.error is not None and result.error.type is ErrorType.TIMEOUT


@pytest.mark.only_queue(
    "local",
    reason="queue_size is read synchronously; the lease queue's is the store's count at the last heartbeat",
)
async def test_a_batch_never_exceeds_its_max_concurrent(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=8)
    outcome = await scheduler.submit(spec(*(f"A-{i}" for i in range(7)), max_concurrent=2))
    await eventually(lambda: extractor.active == 2, "two companies running")
    await asyncio.sleep(0.02)  # give a (buggy) scheduler the chance to start more
    assert extractor.active == 2 and scheduler.queue_size == 5
    extractor.hold_all.set()
    await finished(scheduler, outcome.batch.batch_id)
    assert extractor.max_by_group["A"] == 2
    assert len(extractor.started) == 7


async def test_the_worker_pool_is_shared_by_all_batches(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=3)
    a = await scheduler.submit(spec(*(f"A-{i}" for i in range(5)), max_concurrent=5))
    b = await scheduler.submit(spec(*(f"B-{i}" for i in range(5)), max_concurrent=5))
    # Wait for the extractions themselves: a worker counts as busy before its start is stored and the
    # extractor called, which on a loaded machine can take longer than any fixed pause.
    await eventually(lambda: extractor.active == 3, "pool full")
    await asyncio.sleep(0.02)  # give a (buggy) scheduler the chance to start more
    assert extractor.active == 3 and scheduler.workers_busy == 3 and scheduler.workers_total == 3
    extractor.hold_all.set()
    await finished(scheduler, a.batch.batch_id)
    await finished(scheduler, b.batch.batch_id)
    assert extractor.max_active == 3


async def test_cancel_stops_running_cancels_pending_and_keeps_finished(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.gates["A-1"] = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    outcome = await scheduler.submit(spec("A-0", "A-1", "A-2", max_concurrent=1))
    batch_id = outcome.batch.batch_id
    await eventually(lambda: extractor.started == ["A-0", "A-1"], "second company running")

    view = await scheduler.cancel(batch_id)
    assert view.status is BatchStatus.CANCELLED and view.completed_at is not None
    assert view.progress.completed == 1 and view.progress.cancelled == 2
    await eventually(lambda: extractor.cancelled == ["A-1"], "running extraction cancelled")
    results = await scheduler.results(batch_id, None)
    assert [(r.company_name, r.state) for r in results.results] == [
        ("A-0", CompanyState.SUCCESS),
        ("A-1", CompanyState.CANCELLED),
    ]
    assert extractor.started == ["A-0", "A-1"]  # A-2 never ran
    # Issue 12: the company in flight is cancelled, not a failure; nothing remains once final.
    after = await scheduler.get(batch_id)
    assert (after.progress.failed, after.progress.cancelled, after.progress.remaining) == (0, 2, 0)
    stopped = convert.outcome_to_proto(results.results[1])
    assert stopped.extraction_status == pb.CompanyResult.ExtractionStatus.cancelled
    assert not stopped.HasField("error")
    with pytest.raises(InvalidTransition) as info:
        await scheduler.cancel(batch_id)
    assert info.value.status == "cancelled"
    with pytest.raises(InvalidTransition):
        await scheduler.resume(batch_id)


async def test_pause_lets_running_finish_and_resume_continues(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    gate = extractor.gates["P-0"] = asyncio.Event()
    scheduler = await make_scheduler(workers=2)
    outcome = await scheduler.submit(spec("P-0", "P-1", "P-2", max_concurrent=1))
    batch_id = outcome.batch.batch_id
    await eventually(lambda: extractor.started == ["P-0"], "first company running")

    paused = await scheduler.pause(batch_id)
    assert paused.status is BatchStatus.PAUSED and paused.progress.phase is Phase.PAUSING
    assert (await scheduler.pause(batch_id)).status is BatchStatus.PAUSED  # idempotent
    gate.set()

    async def fully_paused() -> bool:
        return (await scheduler.get(batch_id)).progress.phase is Phase.PAUSED

    await eventually(fully_paused, "pause settled")
    await asyncio.sleep(0.02)
    assert extractor.started == ["P-0"]  # nothing new started while paused
    assert (await scheduler.get(batch_id)).progress.completed == 1

    resumed = await scheduler.resume(batch_id)
    assert resumed.status is BatchStatus.PROCESSING
    assert (await scheduler.resume(batch_id)).status in (BatchStatus.PROCESSING, BatchStatus.COMPLETED)
    await finished(scheduler, batch_id)
    assert (await scheduler.get(batch_id)).status is BatchStatus.COMPLETED
    assert extractor.started == ["P-0", "P-1", "P-2"]


async def test_resume_of_a_batch_that_never_started_returns_to_queued(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.gates["Busy"] = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    blocker = await scheduler.submit(spec("Busy"))
    await eventually(lambda: extractor.started == ["Busy"], "worker busy")
    waiting = await scheduler.submit(spec("Later"))
    assert (await scheduler.pause(waiting.batch.batch_id)).progress.phase is Phase.PAUSED
    assert (await scheduler.resume(waiting.batch.batch_id)).status is BatchStatus.QUEUED
    extractor.gates["Busy"].set()
    await finished(scheduler, waiting.batch.batch_id)
    await finished(scheduler, blocker.batch.batch_id)


async def test_commands_on_unknown_batches_raise_batch_not_found(make_scheduler: SchedulerFactory) -> None:
    scheduler = await make_scheduler()
    for call in (scheduler.get, scheduler.cancel, scheduler.pause, scheduler.resume, scheduler.watch):
        with pytest.raises(BatchNotFound):
            await call("batch_20240101_zzzzzz")
    with pytest.raises(BatchNotFound):
        await scheduler.results("batch_20240101_zzzzzz", None)


async def test_list_batches_pages_newest_first_with_opaque_tokens(make_scheduler: SchedulerFactory) -> None:
    scheduler = await make_scheduler()
    ids = [(await scheduler.submit(spec(f"C{i}"))).batch.batch_id for i in range(5)]
    first, token = await scheduler.list_batches(2, "")
    second, token2 = await scheduler.list_batches(2, token)
    third, token3 = await scheduler.list_batches(2, token2)
    listed = [v.batch_id for v in first + second + third]
    assert listed == list(reversed(ids))
    assert token and token2 and token3 == ""
    with pytest.raises(InvalidRequest) as info:
        await scheduler.list_batches(2, "not-a-token")
    assert info.value.violations[0].field == "page_token"


async def test_extract_one_uses_the_same_error_handling_and_persists_nothing(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor, store: BatchStore
) -> None:
    extractor.failures["Gone"] = CompanyAnalysisError("not found")
    extractor.gates["Slow"] = asyncio.Event()
    scheduler = await make_scheduler()
    ok = await scheduler.extract_one(ExtractionRequest("Acme", ExtractionMode.BASIC), 5)
    gone = await scheduler.extract_one(ExtractionRequest("Gone"), 5)
    slow = await scheduler.extract_one(ExtractionRequest("Slow"), 0.05)  # type: ignore[arg-type]
    assert ok.state is CompanyState.SUCCESS and ok.profile is not None
    assert gone.error is not None and gone.error.type is ErrorType.COMPANY_ANALYSIS
    assert slow.error is not None and slow.error.type is ErrorType.TIMEOUT
    assert await store.list_batches(10) == []


async def test_queue_and_worker_figures_reach_stats(
    make_scheduler: SchedulerFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=2)
    outcome = await scheduler.submit(spec(*(f"S-{i}" for i in range(5)), max_concurrent=5))
    await eventually(lambda: scheduler.workers_busy == 2, "pool busy")
    report = await scheduler.stats("1h", False, active_connections=3)
    assert (report.queue_size, report.workers_busy, report.workers_total) == (3, 2, 2)
    assert report.active_connections == 3 and report.active_batches == 1 and report.total_batches == 1
    extractor.hold_all.set()
    await finished(scheduler, outcome.batch.batch_id)
