"""Fixtures for scheduler tests: a real store (once per backend) and a scripted extractor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scheduling_fakes import FakeClock, SchedulerFactory, ScriptedExtractor

from server.scheduling.scheduler import BatchScheduler
from server.storage.roles import BatchStore
from server.storage.testing import database_url, store, store_factory

__all__ = ["database_url", "store", "store_factory"]


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_scheduler(
    store: BatchStore, extractor: ScriptedExtractor, clock: FakeClock
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
