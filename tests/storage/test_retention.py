"""Retention on every store: old finished batches and expired cache entries go, everything else stays."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from server.domain import BatchOptions, BatchStatus, CompanyOutcome, CompanyState
from server.storage.base import BatchChange, CachedExtraction, CacheKey, NewBatch, NewCompany
from server.storage.retention import RetentionSweeper
from server.storage.roles import BatchStore

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
RETENTION_DAYS = 90
WAIT_LIMIT_SECONDS = 10.0


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def finished_batch(store: BatchStore, batch_id: str, completed: datetime, status: BatchStatus) -> None:
    created = completed - timedelta(minutes=5)
    await store.create_batch(NewBatch(batch_id, BatchOptions(), (NewCompany("A"), NewCompany("B")), created))
    await store.mark_started(batch_id, 0, created)
    outcome = CompanyOutcome("A", CompanyState.SUCCESS, profile={}, started_at=created, finished_at=completed)
    await store.finish_company(batch_id, 0, outcome)
    await store.set_batch_status(BatchChange(batch_id, status, completed, completed_at=completed))


def key(name: str) -> CacheKey:
    return CacheKey(name, "standard", "US", "en", "")


async def test_a_sweep_purges_old_finished_batches_with_their_results(store: BatchStore) -> None:
    await finished_batch(store, "batch_old_done", days_ago(91), BatchStatus.COMPLETED)
    await finished_batch(store, "batch_old_cancelled", days_ago(200), BatchStatus.CANCELLED)
    await finished_batch(store, "batch_recent", days_ago(89), BatchStatus.FAILED)
    await store.create_batch(NewBatch("batch_old_live", BatchOptions(), (NewCompany("A"),), days_ago(300)))
    sweeper = RetentionSweeper(store, retention_days=RETENTION_DAYS, interval_seconds=3600, now=lambda: NOW)

    result = await sweeper.sweep_once()

    assert result.batches == 2
    remaining = {b.batch_id for b in await store.list_batches(10)}
    assert remaining == {"batch_recent", "batch_old_live"}
    assert await store.list_companies("batch_old_done") == []
    assert len(await store.list_companies("batch_recent")) == 2
    assert (await sweeper.sweep_once()).batches == 0


async def test_purged_results_leave_the_stats_of_the_retained_period(store: BatchStore) -> None:
    await finished_batch(store, "batch_old", days_ago(40), BatchStatus.COMPLETED)
    await finished_batch(store, "batch_new", days_ago(10), BatchStatus.COMPLETED)
    sweeper = RetentionSweeper(store, retention_days=30, interval_seconds=3600, now=lambda: NOW)
    await sweeper.sweep_once()
    stats = await store.stats_since(days_ago(60), NOW)
    assert stats.companies_processed == 1 and sum(stats.batches_by_status.values()) == 1


async def test_zero_retention_keeps_batches_but_still_drops_expired_cache_entries(store: BatchStore) -> None:
    await finished_batch(store, "batch_ancient", days_ago(1000), BatchStatus.COMPLETED)
    await store.cache_put(key("expired"), CachedExtraction({}, None, days_ago(8), days_ago(1)))
    await store.cache_put(key("fresh"), CachedExtraction({}, None, days_ago(1), NOW + timedelta(days=6)))
    sweeper = RetentionSweeper(store, retention_days=0, interval_seconds=3600, now=lambda: NOW)

    result = await sweeper.sweep_once()

    assert (result.batches, result.cache_entries) == (0, 1)
    assert await store.get_batch("batch_ancient") is not None
    assert await store.cache_get(key("fresh"), NOW) is not None
    assert await store.cache_get(key("expired"), days_ago(2)) is None  # the row itself is gone


async def test_the_sweeper_runs_periodically_until_stopped(store: BatchStore) -> None:
    await finished_batch(store, "batch_old", days_ago(100), BatchStatus.COMPLETED)
    sweeper = RetentionSweeper(store, retention_days=RETENTION_DAYS, interval_seconds=0.01, now=lambda: NOW)
    sweeper.start()
    try:
        async with asyncio.timeout(WAIT_LIMIT_SECONDS):
            while True:  # a readiness wait, not a timing assertion
                if sweeper.sweeps >= 3:
                    break
                await asyncio.sleep(0.01)
    finally:
        await sweeper.stop()
    assert await store.get_batch("batch_old") is None
    sweeps = sweeper.sweeps
    await asyncio.sleep(0.05)
    assert sweeper.sweeps == sweeps  # stopped means stopped
