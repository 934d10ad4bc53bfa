"""``retry_failed`` in every store: one transaction, stats that count each company once, cascade purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
)
from server.storage.base import BatchChange, NewBatch, NewCompany
from server.storage.roles import BatchStore

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
NOT_FOUND = ExtractionFailure(ErrorType.COMPANY_ANALYSIS, "Company not found")


async def _finished_batch(store: BatchStore) -> str:
    """batch_r: Acme succeeded, Globex failed not-found; status completed."""
    await store.create_batch(
        NewBatch("batch_r", BatchOptions(), (NewCompany("Acme"), NewCompany("Globex")), T0)
    )
    for position, name, error in ((0, "Acme", None), (1, "Globex", NOT_FOUND)):
        start = T0 + timedelta(seconds=1)
        await store.mark_started("batch_r", position, start)
        outcome = CompanyOutcome(
            name,
            CompanyState.FAILED if error else CompanyState.SUCCESS,
            profile=None if error else {"company_name": name},
            error=error,
            started_at=start,
            finished_at=start + timedelta(seconds=2),
        )
        done = T0 + timedelta(seconds=3)
        change = BatchChange("batch_r", BatchStatus.COMPLETED, done, completed_at=done) if position else None
        await store.finish_company("batch_r", position, outcome, change)
    return "batch_r"


async def test_retry_requeues_the_failure_and_stats_count_it_once(store: BatchStore) -> None:
    batch_id = await _finished_batch(store)
    window = (T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    before = await store.stats_since(*window)
    assert (before.companies_processed, before.errors) == (2, {"CompanyAnalysisError": 1})

    record = await store.retry_failed(batch_id, frozenset(), True, "again-1", T0 + timedelta(minutes=5))

    assert record.batch is not None and (record.retried, record.replay, record.refused) == (1, False, False)
    assert record.batch.status is BatchStatus.QUEUED and record.batch.completed_at is None
    assert record.batch.options.bypass_cache
    companies = await store.list_companies(batch_id)
    assert [(c.state, c.attempts, c.error) for c in companies] == [
        (CompanyState.SUCCESS, 1, None),
        (CompanyState.PENDING, 1, None),
    ]
    during = await store.stats_since(*window)
    assert (during.companies_processed, during.errors) == (1, {})
    assert await store.count_pending() == 1

    replay = await store.retry_failed(batch_id, frozenset(), False, "again-1", T0 + timedelta(minutes=6))
    assert (replay.retried, replay.replay) == (1, True)
    assert replay.batch is not None and replay.batch.options.bypass_cache  # unchanged by the replay


async def test_retry_is_refused_on_a_live_batch_and_unknown_for_a_missing_one(store: BatchStore) -> None:
    await store.create_batch(NewBatch("batch_live", BatchOptions(), (NewCompany("Acme"),), T0))
    live = await store.retry_failed("batch_live", frozenset(), False, None, T0)
    assert live.refused and live.batch is not None and live.batch.status is BatchStatus.QUEUED
    missing = await store.retry_failed("batch_none", frozenset(), False, None, T0)
    assert missing.batch is None


async def test_a_purged_batch_takes_its_retry_records_along(store: BatchStore) -> None:
    batch_id = await _finished_batch(store)
    record = await store.retry_failed(batch_id, frozenset({"TimeoutError"}), False, "r", T0)
    assert record.retried == 0 and record.batch is not None
    assert record.batch.status is BatchStatus.COMPLETED  # nothing matched: the batch is as it was
    assert await store.purge_finished(T0 + timedelta(days=1)) == 1
    assert await store.get_batch(batch_id) is None
