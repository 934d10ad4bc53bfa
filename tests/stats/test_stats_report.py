"""GetStats figures computed from records written to a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
    ExtractionMode,
    Priority,
    SourceOutcome,
    SourceState,
)
from server.errors import InvalidRequest
from server.stats import LiveFigures, StatsCollector
from server.storage.base import BatchChange, NewBatch, NewCompany
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory

NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
LIVE = LiveFigures(active_connections=7, queue_size=4, workers_busy=2, workers_total=16)


def minutes(value: float) -> datetime:
    return NOW - timedelta(minutes=value)


class Recorder:
    """Writes batch histories through the store's own API."""

    def __init__(self, store: BatchStore) -> None:
        self.store = store

    async def batch(
        self, batch_id: str, size: int, created: datetime, mode: ExtractionMode, priority: Priority
    ) -> None:
        options = BatchOptions(extraction_mode=mode, priority=priority)
        companies = tuple(NewCompany(f"{batch_id}-{i}") for i in range(size))
        await self.store.create_batch(NewBatch(batch_id, options, companies, created))

    async def start(self, batch_id: str, position: int, at: datetime) -> None:
        await self.store.mark_started(
            batch_id, position, at, BatchChange(batch_id, BatchStatus.PROCESSING, at, started_at=at)
        )

    async def finish(
        self,
        batch_id: str,
        position: int,
        started: datetime,
        seconds: float,
        error: ErrorType | None = None,
        from_cache: bool = False,
    ) -> None:
        await self.start(batch_id, position, started)
        outcome = CompanyOutcome(
            "x",
            CompanyState.SUCCESS if error is None else CompanyState.FAILED,
            profile={} if error is None else None,
            error=None if error is None else ExtractionFailure(error, "m"),
            started_at=started,
            finished_at=started + timedelta(seconds=seconds),
            from_cache=from_cache,
        )
        await self.store.finish_company(batch_id, position, outcome)

    async def close(self, batch_id: str, status: BatchStatus, at: datetime) -> None:
        await self.store.set_batch_status(BatchChange(batch_id, status, at, completed_at=at))


@pytest.fixture
async def store(store_factory: StoreFactory) -> BatchStore:
    store = await store_factory()
    await record_history(Recorder(store))
    return store


async def record_history(rec: Recorder) -> None:
    # B1: basic/high, 1 success (from cache, 10 s) + 1 analysis failure (20 s), ran 60 s.
    await rec.batch("b1", 2, minutes(30), ExtractionMode.BASIC, Priority.HIGH)
    await rec.finish("b1", 0, minutes(29), 10, from_cache=True)
    await rec.finish("b1", 1, minutes(29), 20, ErrorType.COMPANY_ANALYSIS)
    await rec.close("b1", BatchStatus.COMPLETED, minutes(28))
    # B3: standard/low, started before B1 ended and still running now.
    await rec.batch("b3", 1, minutes(29.5), ExtractionMode.STANDARD, Priority.LOW)
    await rec.start("b3", 0, minutes(28.5))
    # B2: standard/normal, three failures of 30 s each, ran 120 s.
    await rec.batch("b2", 3, minutes(20), ExtractionMode.STANDARD, Priority.NORMAL)
    await rec.finish("b2", 0, minutes(20), 30, ErrorType.TIMEOUT)
    await rec.finish("b2", 1, minutes(20), 30, ErrorType.COMPANY_ANALYSIS)
    await rec.finish("b2", 2, minutes(19.5), 30, ErrorType.COMPANY_ANALYSIS)
    await rec.close("b2", BatchStatus.FAILED, minutes(18))
    # B4: comprehensive/urgent, started while B2 and B3 ran, cancelled before any company finished.
    await rec.batch("b4", 2, minutes(20), ExtractionMode.COMPREHENSIVE, Priority.URGENT)
    await rec.start("b4", 0, minutes(19))
    await rec.store.cancel_batch(
        BatchChange("b4", BatchStatus.CANCELLED, minutes(17), completed_at=minutes(17)),
        ExtractionFailure(ErrorType.CANCELLED, "cancelled"),
    )
    # Two hours ago: outside 1h, inside 6h.
    await rec.batch("old", 1, minutes(120), ExtractionMode.BASIC, Priority.NORMAL)
    await rec.finish("old", 0, minutes(119), 5)
    await rec.close("old", BatchStatus.COMPLETED, minutes(118))


async def test_one_hour_figures_match_the_recorded_history(store: BatchStore) -> None:
    report = await StatsCollector(store, now=lambda: NOW).report("1h", False, LIVE)
    assert report.timeframe == "1h"
    assert (report.total_batches, report.completed_batches, report.failed_batches) == (4, 1, 1)
    assert (report.cancelled_batches, report.active_batches) == (1, 1)
    assert report.total_companies_processed == 5
    assert report.success_rate == 20.0
    assert report.average_processing_time == 90.0
    assert (report.fastest_batch_time, report.slowest_batch_time) == (60.0, 120.0)
    assert report.average_batch_size == 2.0
    assert report.most_common_extraction_mode is ExtractionMode.STANDARD
    assert report.peak_concurrent_batches == 3
    assert report.cache_hit_rate == 20.0
    assert report.average_company_time == 24.0
    assert [(e.error_type, e.count, e.percentage) for e in report.most_common_errors] == [
        ("CompanyAnalysisError", 3, 75.0),
        ("TimeoutError", 1, 25.0),
    ]
    assert report.by_mode is None and report.by_priority is None


async def test_live_figures_and_process_usage_are_reported(store: BatchStore) -> None:
    collector = StatsCollector(store, now=lambda: NOW)
    report = await collector.report("1h", False, LIVE)
    assert (report.active_connections, report.queue_size) == (7, 4)
    assert (report.workers_busy, report.workers_total) == (2, 16)
    assert report.cpu_usage >= 0.0
    assert 0.0 < report.memory_usage <= 100.0


async def test_a_longer_timeframe_includes_older_records(store: BatchStore) -> None:
    report = await StatsCollector(store, now=lambda: NOW).report("6h", False, LIVE)
    assert report.total_batches == 5 and report.completed_batches == 2
    assert report.total_companies_processed == 6
    assert report.fastest_batch_time == 60.0


async def test_details_break_figures_down_by_mode_and_priority(store: BatchStore) -> None:
    report = await StatsCollector(store, now=lambda: NOW).report("1h", True, LIVE)
    assert report.by_mode is not None and report.by_priority is not None
    basic, standard = report.by_mode["basic"], report.by_mode["standard"]
    assert (basic.batches, basic.companies_processed, basic.success_rate) == (1, 2, 50.0)
    assert basic.average_company_time == 15.0 and basic.average_queue_wait == 60.0
    assert (standard.batches, standard.companies_processed, standard.success_rate) == (2, 3, 0.0)
    assert standard.average_company_time == 30.0 and standard.average_queue_wait == 30.0
    assert report.by_priority["urgent"].batches == 1
    assert report.by_priority["urgent"].companies_processed == 0
    assert report.by_priority["normal"].companies_processed == 3


async def test_an_empty_store_reports_zeros(store_factory: StoreFactory) -> None:
    store = await store_factory()
    report = await StatsCollector(store, now=lambda: NOW).report("24h", True, LIVE)
    assert report.total_batches == 0 and report.success_rate == 0.0
    assert report.most_common_extraction_mode is None and report.most_common_errors == ()
    assert report.peak_concurrent_batches == 0 and report.by_mode == {}


async def test_unknown_timeframe_is_an_invalid_request(store: BatchStore) -> None:
    with pytest.raises(InvalidRequest) as info:
        await StatsCollector(store).report("2h", False, LIVE)
    assert info.value.violations[0].field == "timeframe"


async def test_error_analysis_groups_by_the_outcome_types_and_a_cancel_is_no_failure(
    store_factory: StoreFactory,
) -> None:
    """Issue 12: what went wrong, grouped by why; the company a cancel stopped is not counted a failure."""
    store = await store_factory()
    rec = Recorder(store)
    await rec.batch("t", 4, minutes(30), ExtractionMode.BASIC, Priority.NORMAL)
    for position, error in enumerate(
        [
            ErrorType.SOURCE_UNAVAILABLE,
            ErrorType.SOURCE_UNAVAILABLE,
            ErrorType.BLOCKED,
            ErrorType.COMPANY_ANALYSIS,
        ]
    ):
        await rec.finish("t", position, minutes(29), 5, error)
    await rec.close("t", BatchStatus.FAILED, minutes(28))
    await rec.batch("c", 1, minutes(20), ExtractionMode.BASIC, Priority.NORMAL)
    await rec.start("c", 0, minutes(19))
    await store.cancel_batch(
        BatchChange("c", BatchStatus.CANCELLED, minutes(18), completed_at=minutes(18)),
        ExtractionFailure(ErrorType.CANCELLED, "the batch was cancelled while this company ran"),
    )
    report = await StatsCollector(store, now=lambda: NOW).report("1h", False, LIVE)
    assert [(e.error_type, e.count, e.percentage) for e in report.most_common_errors] == [
        ("SourceUnavailableError", 2, 50.0),
        ("BlockedError", 1, 25.0),
        ("CompanyAnalysisError", 1, 25.0),
    ]
    assert report.total_companies_processed == 4


async def test_a_failures_source_outcomes_are_stored_and_read_back(store_factory: StoreFactory) -> None:
    store = await store_factory()
    rec = Recorder(store)
    await rec.batch("s", 1, minutes(5), ExtractionMode.BASIC, Priority.NORMAL)
    await rec.start("s", 0, minutes(4))
    sources = (
        SourceOutcome("wikidata", SourceState.UNAVAILABLE, "HTTP 503 from https://www.wikidata.org/", True),
        SourceOutcome("website:acme.example", SourceState.BLOCKED, "HTTP 403"),
    )
    failure = ExtractionFailure(
        ErrorType.SOURCE_UNAVAILABLE, "Sources could not be reached", "notes", sources
    )
    await store.finish_company(
        "s",
        0,
        CompanyOutcome(
            "s-0", CompanyState.FAILED, error=failure, started_at=minutes(4), finished_at=minutes(3)
        ),
    )
    [company] = await store.list_companies("s")
    assert company.error == failure and company.error is not None and company.error.retryable
