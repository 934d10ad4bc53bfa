"""The scheduler's two seams: ``Scheduler`` (what the servicers and the app call) and ``WorkQueue``.

One dispatcher (``server.scheduling.scheduler.BatchScheduler``) runs every batch over a ``WorkQueue``:
it claims as many companies as it has free workers, runs each in its own task, and hands each result
back. Where the queue lives is the queue's business:

- ``LocalQueue`` (``local_queue.py``): live batches in memory, ordered by ``server.scheduling.queue``,
  every change written to the store; its watchers get in-process events.
- ``LeaseQueue`` (``replicas.py``): the queue in the store, claimed under leases shared by replicas;
  watchers re-read the store on each change notification.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from server.domain import (
    BatchOptions,
    BatchResults,
    BatchSpec,
    BatchStatusReport,
    BatchView,
    CompanyOutcome,
    ErrorType,
    ExtractionFailure,
    ExtractionRequest,
    RetryOutcome,
    RetrySpec,
    StatsReport,
    SubmitOutcome,
)
from server.scheduling.estimated_views import estimated_stored_view
from server.scheduling.estimates import DurationModel
from server.scheduling.events import EventStream
from server.storage.base import ClaimedCompany, StoredBatch

CANCELLED_FAILURE = ExtractionFailure(ErrorType.CANCELLED, "the batch was cancelled while this company ran")
"""The failure a company running when its batch was cancelled is recorded with."""


@dataclass(frozen=True)
class QueuedCompany:
    """A company waiting to start, as the extractor will be asked for it."""

    name: str
    domain_hint: str | None
    options: BatchOptions


def utcnow() -> datetime:
    """Wall-clock time as every scheduling timestamp records it."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Estimates:
    """What a queue needs to estimate a batch's remaining time: the duration model and the pool size."""

    model: DurationModel
    workers_total: int

    def stored_view(self, stored: StoredBatch) -> BatchView:
        """A stored batch's view, estimated as if nothing were queued ahead of it."""
        return estimated_stored_view(stored, self.model, self.workers_total, utcnow())


class AttachedQueue:
    """What both queues keep of ``WorkQueue.attach``: the dispatcher's estimates, wake-up and logger."""

    def __init__(self) -> None:
        self._estimates = Estimates(DurationModel(), 1)  # the dispatcher's, once attached
        self._wake: Callable[[], None] = lambda: None
        self._log = logging.getLogger(type(self).__module__)

    def attach(self, estimates: Estimates, wake: Callable[[], None], logger: logging.Logger) -> None:
        self._estimates, self._wake, self._log = estimates, wake, logger


class WorkQueue(Protocol):
    """Where the dispatcher's work comes from and its results go (see the module docstring).

    A claim is a ``ClaimedCompany``; ``attempt`` fences its result. While a claim is held
    (``hold`` .. ``take_back``) the queue may cancel its task (a cancel, a lost lease); after
    ``take_back`` the result is recorded whatever happens.
    """

    heartbeat_seconds: float | None
    """How often ``heartbeat`` runs; None: never."""
    poll_seconds: float | None
    """How long an idle dispatcher waits for a change before claiming again; None: until one."""
    claims_at_admit: bool
    """True: a submit or retry claims before it answers. The claim is a store round trip that a pause
    sent right after the submit would otherwise overtake, finding nothing started."""

    def attach(self, estimates: Estimates, wake: Callable[[], None], logger: logging.Logger) -> None:
        """Called once by the dispatcher: ``wake`` it when work may have become claimable."""

    @property
    def pending(self) -> int:
        """Companies waiting to start (as of the last ``refresh_pending`` where that reads the store)."""
        ...

    def depth(self) -> dict[str, int]:
        """Companies waiting to start, by priority where the queue knows it."""
        ...

    @property
    def held(self) -> list[ClaimedCompany]:
        """The claims this process holds right now."""
        ...

    def upcoming(self, n: int) -> list[QueuedCompany]:
        """Up to ``n`` companies this process would start next, in that order, as far as the queue
        knows it without a store round trip (none of a paused or cancelled batch)."""
        ...

    async def refresh_pending(self) -> None: ...

    async def recover(self) -> None:
        """Take over what a previous process (or a crashed replica) left unfinished."""

    async def close(self) -> None:
        """The dispatcher stopped: end every watcher's stream."""

    async def claim(self, n: int) -> list[ClaimedCompany]:
        """Up to ``n`` companies, each marked running in the store before it is returned."""
        ...

    def hold(self, claim: ClaimedCompany, task: asyncio.Task[None]) -> None:
        """``task`` runs ``claim``; the queue cancels it if the claim is lost."""

    def take_back(self, claim: ClaimedCompany) -> bool:
        """End the hold before recording; False when the claim was lost (the result is not written)."""
        ...

    async def record(self, claim: ClaimedCompany, outcome: CompanyOutcome) -> None:
        """Write the result (and the batch's final status with its last one); a fenced write is refused."""

    async def release(self, claims: list[ClaimedCompany]) -> None:
        """Stop these claims' tasks and hand their companies back to the queue, pending."""

    async def heartbeat(self) -> None: ...

    async def admit(self, stored: StoredBatch) -> BatchView:
        """A batch just created (or re-queued by a retry) enters the queue; its view as admitted."""
        ...

    async def cancel(self, batch_id: str) -> BatchView: ...

    async def pause(self, batch_id: str) -> BatchView: ...

    async def resume(self, batch_id: str) -> BatchView: ...

    def live_view(self, batch_id: str) -> BatchView | None:
        """The view of a batch this queue keeps in memory, or None (read it from the store)."""
        ...

    def live_tenant(self, batch_id: str) -> str | None: ...

    async def feed(self, batch_id: str) -> EventStream | None:
        """The progress feed of a batch: a snapshot then its changes; None when it has none here."""
        ...


class Scheduler(Protocol):
    """What the servicers, the app and the metrics call."""

    @property
    def queue_size(self) -> int: ...

    def queue_depth(self) -> dict[str, int]: ...

    @property
    def workers_busy(self) -> int: ...

    @property
    def workers_total(self) -> int: ...

    async def start(self) -> None: ...

    async def drain(self, grace_seconds: float) -> None: ...

    async def stop(self) -> None: ...

    async def submit(self, spec: BatchSpec, *, trace_id: str = "") -> SubmitOutcome: ...

    async def cancel(self, batch_id: str) -> BatchView: ...

    async def pause(self, batch_id: str) -> BatchView: ...

    async def resume(self, batch_id: str) -> BatchView: ...

    async def retry(self, batch_id: str, spec: RetrySpec) -> RetryOutcome: ...

    async def get(self, batch_id: str) -> BatchView: ...

    async def status(self, batch_id: str) -> BatchStatusReport: ...

    async def batch_tenant(self, batch_id: str) -> str | None: ...

    async def list_batches(
        self, page_size: int, page_token: str, tenant: str | None = None
    ) -> tuple[list[BatchView], str]: ...

    async def results(self, batch_id: str, include_failed: bool | None) -> BatchResults: ...

    async def watch(self, batch_id: str) -> EventStream: ...

    async def extract_one(
        self,
        request: ExtractionRequest,
        timeout_seconds: float,
        bypass_cache: bool = False,
        max_cache_age_seconds: float | None = None,
    ) -> CompanyOutcome: ...

    async def stats(
        self, timeframe: str, include_details: bool, active_connections: int, tenant: str | None = None
    ) -> StatsReport: ...
