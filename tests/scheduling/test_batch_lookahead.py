"""The scheduler tells a lookahead extractor which companies run and which come next; never those of a
paused or cancelled batch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from scheduling_fakes import SchedulerFactory, ScriptedExtractor, eventually

from server.domain import BatchOptions, BatchSpec, ExtractionRequest


class LookaheadExtractor(ScriptedExtractor):
    """A scripted extractor that also records what it is told is coming (``upcoming``)."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[list[str]] = []

    def upcoming(self, requests: Sequence[ExtractionRequest]) -> None:
        self.told.append([request.company_name for request in requests])

    @property
    def coming(self) -> list[str]:
        """The companies of the last call."""
        return self.told[-1] if self.told else []


@pytest.fixture
def extractor() -> LookaheadExtractor:
    return LookaheadExtractor()


def spec(*names: str, **options: object) -> BatchSpec:
    return BatchSpec(tuple(names), BatchOptions(**options))  # type: ignore[arg-type]


@pytest.mark.only_queue("local", reason="only the in-process queue knows its next companies without a query")
async def test_running_then_queued_companies_are_told_and_a_paused_or_cancelled_batch_is_dropped(
    make_scheduler: SchedulerFactory, extractor: LookaheadExtractor
) -> None:
    extractor.gates["X-0"] = asyncio.Event()
    scheduler = await make_scheduler(workers=1)
    await scheduler.submit(spec("X-0"))
    await eventually(lambda: extractor.started == ["X-0"], "first company running")
    later = (await scheduler.submit(spec("Y-0", "Y-1", "Y-2"))).batch.batch_id
    # The running company, then as many queued ones as the pool has workers.
    assert extractor.coming == ["X-0", "Y-0"]

    await scheduler.pause(later)
    assert extractor.coming == ["X-0"]
    await scheduler.resume(later)
    assert extractor.coming == ["X-0", "Y-0"]
    await scheduler.cancel(later)
    assert extractor.coming == ["X-0"]
    extractor.gates["X-0"].set()
    await eventually(lambda: extractor.coming == [], "nothing left to run")
    assert extractor.started == ["X-0"]


async def test_the_companies_a_replica_runs_are_told(
    make_scheduler: SchedulerFactory, extractor: LookaheadExtractor
) -> None:
    extractor.hold_all = asyncio.Event()
    scheduler = await make_scheduler(workers=2)
    await scheduler.submit(spec("A-0", "A-1"))
    await eventually(lambda: sorted(extractor.coming) == ["A-0", "A-1"], "both running companies told")
    extractor.hold_all.set()
    await eventually(lambda: extractor.coming == [], "nothing left to run")
