"""Fixtures for scheduler tests: a real SQLite store in tmp_path and a scripted extractor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from scheduling_fakes import FakeClock, SchedulerFactory, ScriptedExtractor

from server.scheduling.scheduler import BatchScheduler
from server.storage.sqlite import SqliteBatchStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "batches.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteBatchStore]:
    store = SqliteBatchStore(db_path)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_scheduler(
    store: SqliteBatchStore, extractor: ScriptedExtractor, clock: FakeClock
) -> AsyncIterator[SchedulerFactory]:
    """Start schedulers on the shared store; every one is stopped at teardown."""
    started: list[BatchScheduler] = []

    async def factory(**kwargs: object) -> BatchScheduler:
        options: dict[str, object] = {"workers": 4, "aging_seconds": 30.0, "clock": clock}
        options.update(kwargs)
        scheduler = BatchScheduler(store, extractor, **options)  # type: ignore[arg-type]
        await scheduler.start()
        started.append(scheduler)
        return scheduler

    yield factory
    for scheduler in started:
        await scheduler.stop()
