"""PostgreSQL's hourly summary gives exactly the figures of SQLite's full scan, edges included."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
)
from server.storage import PostgresBatchStore, SqliteBatchStore
from server.storage.base import BatchChange, NewBatch, NewCompany, StatsAggregates
from server.storage.roles import BatchStore
from server.storage.scratch import postgres_opted_out, postgres_test_url, scratch_schema

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_opted_out(), reason="COMPANY_BATCH_TEST_POSTGRES=0"),
]

NOW = datetime(2024, 3, 10, 12, 34, 56, 789000, tzinfo=UTC)  # deliberately not on an hour boundary
WINDOWS = tuple(timedelta(hours=h) for h in (0.5, 1, 6, 24, 72))
FLOAT_DIGITS = 6


async def record_random_history(stores: list[BatchStore], seed: int) -> None:
    """The same random batches, starts, finishes (some written twice) and cancels on every store."""
    rng = random.Random(seed)
    errors = [ErrorType.TIMEOUT, ErrorType.COMPANY_ANALYSIS, ErrorType.FETCH]
    for b in range(60):
        batch_id = f"batch_{b}"
        created = NOW - timedelta(seconds=rng.uniform(0, 3.2 * 86400))
        options = BatchOptions(
            extraction_mode=rng.choice(list(ExtractionMode)), priority=rng.choice(list(Priority))
        )
        size = rng.randint(1, 6)
        new = NewBatch(batch_id, options, tuple(NewCompany(f"c{i}") for i in range(size)), created)
        cursor = created + timedelta(seconds=rng.uniform(0, 600))
        steps: list[tuple[int, datetime, CompanyOutcome | None, bool]] = []
        for position in range(size):
            started = cursor
            cursor += timedelta(seconds=rng.uniform(1, 900))
            if rng.random() < 0.1:
                steps.append((position, started, None, False))  # left running
                continue
            error = rng.choice([None, None, *errors])
            outcome = CompanyOutcome(
                f"c{position}",
                CompanyState.SUCCESS if error is None else CompanyState.FAILED,
                profile={} if error is None else None,
                error=None if error is None else ExtractionFailure(error, "m"),
                started_at=started,
                finished_at=cursor,
                from_cache=rng.random() < 0.3,
            )
            steps.append((position, started, outcome, rng.random() < 0.2))
        for store in stores:
            await store.create_batch(new)
            for position, started, outcome, repeat in steps:
                change = BatchChange(batch_id, BatchStatus.PROCESSING, started, started_at=started)
                await store.mark_started(batch_id, position, started, change)
                for _ in range(2 if repeat else 1):  # the second write must change nothing
                    if outcome is not None:
                        await store.finish_company(batch_id, position, outcome)
            if all(outcome is not None for _, _, outcome, _ in steps):
                done = BatchChange(batch_id, BatchStatus.COMPLETED, cursor, completed_at=cursor)
                await store.set_batch_status(done)


def comparable(agg: StatsAggregates) -> dict[str, Any]:
    def norm(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, FLOAT_DIGITS)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {k: norm(v) for k, v in dataclasses.asdict(value).items()}
        if isinstance(value, dict):
            return {str(k): norm(v) for k, v in value.items()}
        return value

    return {f.name: norm(getattr(agg, f.name)) for f in dataclasses.fields(agg)}


async def test_summary_figures_equal_the_full_scan_for_windows_with_partial_hours(tmp_path: Path) -> None:
    sqlite = SqliteBatchStore(tmp_path / "reference.sqlite3")
    await sqlite.open()
    try:
        async with scratch_schema(postgres_test_url()) as url:
            postgres = PostgresBatchStore(url)
            await postgres.open()
            try:
                await record_random_history([sqlite, postgres], seed=20240310)
                for window in WINDOWS:
                    expected = await sqlite.stats_since(NOW - window, NOW)
                    actual = await postgres.stats_since(NOW - window, NOW)
                    assert comparable(actual) == comparable(expected), window
                    assert expected.companies_processed > 0 or window < timedelta(hours=1)
            finally:
                await postgres.close()
    finally:
        await sqlite.close()
