"""Test doubles for scheduler tests: a scripted extractor, a hand-moved clock, a readiness wait, and
a scheduler over either work queue."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Awaitable, Callable

from server.domain import ExtractionRequest, Profile
from server.scheduling.replicas import ReplicaScheduler
from server.scheduling.scheduler import BatchScheduler
from server.storage import SqliteBatchStore
from server.storage.roles import BatchStore

WAIT_LIMIT_SECONDS = 10.0


class ScriptedExtractor:
    """A real extractor object whose behaviour per company name the test controls.

    Names listed in ``gates`` wait for their event; ``hold_all`` (when set) makes every company wait;
    ``failures`` raise the given exception. It records starts, cancellations and concurrency, overall
    and per batch (the part of the name before ``-``).
    """

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.hold_all: asyncio.Event | None = None
        self.failures: dict[str, BaseException] = {}
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self.active = 0
        self.max_active = 0
        self.active_by_group: Counter[str] = Counter()
        self.max_by_group: Counter[str] = Counter()
        self.closed = False

    async def extract(self, request: ExtractionRequest) -> Profile:
        name = request.company_name
        group = name.split("-")[0]
        self.started.append(name)
        self.active += 1
        self.active_by_group[group] += 1
        self.max_active = max(self.max_active, self.active)
        self.max_by_group[group] = max(self.max_by_group[group], self.active_by_group[group])
        try:
            gate = self.gates.get(name) or self.hold_all
            if gate is not None:
                await gate.wait()
            if name in self.failures:
                raise self.failures[name]
            return {"company_name": name, "domain": f"{name.lower()}.example", "industry": "Software"}
        except asyncio.CancelledError:
            self.cancelled.append(name)
            raise
        finally:
            self.active -= 1
            self.active_by_group[group] -= 1

    async def aclose(self) -> None:
        self.closed = True


async def eventually(predicate: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Yield to the loop until ``predicate`` holds (a readiness wait, not a timing assertion)."""
    async with asyncio.timeout(WAIT_LIMIT_SECONDS):
        while True:
            result = predicate()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.002)
    raise AssertionError(what)  # pragma: no cover - the timeout raises first


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


SchedulerFactory = Callable[..., Awaitable[BatchScheduler]]


QUEUE_KINDS = ("local", "lease")
"""The work queues every scheduler test runs over, unless marked ``only_queue(kind, reason=...)``."""

_replica_ids = itertools.count()


def new_scheduler(
    kind: str, store: BatchStore, extractor: ScriptedExtractor, **options: object
) -> BatchScheduler:
    """A scheduler (not started) over the ``kind`` work queue; each lease scheduler is a new replica."""
    if kind == "local":
        return BatchScheduler(store, extractor, **options)  # type: ignore[arg-type]
    lease_options: dict[str, object] = {
        "replica_id": f"replica-{next(_replica_ids)}",  # a restarted process is another replica
        "lease_seconds": 2.0,
        "heartbeat_seconds": 0.3,
        "poll_seconds": 0.2,
        # SQLite is one process at a time: whatever ran before this start is dead.
        "reclaim_all_on_start": isinstance(store, SqliteBatchStore),
    }
    lease_options.update(options)
    return ReplicaScheduler(store, extractor, **lease_options)  # type: ignore[arg-type]
