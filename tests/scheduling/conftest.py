"""Fixtures for scheduler tests: a real store (once per backend), a scripted extractor, and schedulers
over each work queue (``queue_kind``; a test for one queue only is marked ``only_queue``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scheduling_fakes import QUEUE_KINDS, FakeClock, SchedulerFactory, ScriptedExtractor, new_scheduler

from server.scheduling.scheduler import BatchScheduler
from server.storage.roles import BatchStore
from server.storage.testing import database_url, store, store_factory

__all__ = ["database_url", "store", "store_factory"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses ``queue_kind`` over every work queue, or the one its marker names."""
    if "queue_kind" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("only_queue")
    if marker is None:
        kinds: tuple[str, ...] = QUEUE_KINDS
    else:
        assert marker.args[0] in QUEUE_KINDS and marker.kwargs.get("reason"), "only_queue(kind, reason=...)"
        kinds = (marker.args[0],)
    metafunc.parametrize("queue_kind", kinds)


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_scheduler(
    store: BatchStore, extractor: ScriptedExtractor, clock: FakeClock, queue_kind: str
) -> AsyncIterator[SchedulerFactory]:
    """Start schedulers over ``queue_kind`` on the shared store; every one is stopped at teardown."""
    started: list[BatchScheduler] = []

    async def factory(**kwargs: object) -> BatchScheduler:
        options: dict[str, object] = {"workers": 4, "aging_seconds": 30.0, "clock": clock}
        options.update(kwargs)
        scheduler = new_scheduler(queue_kind, store, extractor, **options)
        await scheduler.start()
        started.append(scheduler)
        return scheduler

    yield factory
    for scheduler in started:
        await scheduler.stop()
