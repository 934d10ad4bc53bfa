"""The in-memory state of a live batch: its companies, what is pending and running, its watchers.

The scheduler changes this state synchronously (no ``await`` between a check and the change), persists
the change, then publishes it. Views of finished batches are built from stored rows instead.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.domain import (
    BatchOptions,
    BatchStatus,
    BatchView,
    CompanyState,
    Phase,
    Priority,
    Progress,
)
from server.scheduling.events import EventChannel
from server.storage.base import StoredBatch, StoredCompany

_ACTIVE = (BatchStatus.QUEUED, BatchStatus.PROCESSING)


@dataclass
class CompanySlot:
    """One company of a live batch."""

    position: int
    name: str
    domain_hint: str | None
    state: CompanyState
    attempts: int = 0
    started_at: datetime | None = None


class BatchRuntime:
    """A live batch as the scheduler drives it."""

    def __init__(
        self, stored: StoredBatch, companies: list[StoredCompany], *, submit_seq: int, waiting_since: float
    ) -> None:
        self.batch_id = stored.batch_id
        self.tenant = stored.tenant
        self.trace_id = stored.trace_id
        self.options: BatchOptions = stored.options
        self.status = stored.status
        self.created_at = stored.created_at
        self.started_at = stored.started_at
        self.completed_at = stored.completed_at
        self.last_update = stored.last_update
        self.slots = [
            CompanySlot(c.position, c.name, c.domain_hint, c.state, c.attempts, c.started_at)
            for c in companies
        ]
        self.pending: deque[int] = deque(s.position for s in self.slots if s.state is CompanyState.PENDING)
        # position -> the task running it (None while the start is being persisted)
        self.running: dict[int, asyncio.Task[None] | None] = {}
        self.counts: Counter[CompanyState] = Counter(s.state for s in self.slots)
        self.channel = EventChannel()
        self.finalizing: BatchStatus | None = None  # final status decided, being persisted
        self.finishing: set[asyncio.Task[bool]] = set()  # results being written
        self._submit_seq = submit_seq
        self._waiting_since = waiting_since

    # -- what the queue reads ----------------------------------------------------------------------

    @property
    def priority(self) -> Priority:
        return self.options.priority

    @property
    def waiting_since(self) -> float:
        return self._waiting_since

    @property
    def submit_seq(self) -> int:
        return self._submit_seq

    @property
    def ready(self) -> bool:
        return (
            self.status in _ACTIVE
            and self.finalizing is None
            and bool(self.pending)
            and len(self.running) < self.options.max_concurrent
        )

    @property
    def has_waiting_work(self) -> bool:
        return self.status in _ACTIVE and bool(self.pending)

    def restart_waiting(self, now: float) -> None:
        """Aging restarts when a paused batch resumes: paused time is not waiting time."""
        self._waiting_since = now

    # -- state -------------------------------------------------------------------------------------

    @property
    def is_final(self) -> bool:
        return self.status.is_final

    @property
    def effective_status(self) -> BatchStatus:
        """The status, or the final one already decided while it is being written."""
        return self.finalizing or self.status

    @property
    def remaining(self) -> int:
        """Companies not finished yet (pending or running)."""
        return self.counts[CompanyState.PENDING] + self.counts[CompanyState.RUNNING]

    def set_state(self, slot: CompanySlot, state: CompanyState) -> None:
        self.counts[slot.state] -= 1
        self.counts[state] += 1
        slot.state = state

    def final_status_if_done(self) -> BatchStatus | None:
        """COMPLETED (>= 1 success) or FAILED once no company is pending or running, else None."""
        if self.remaining:
            return None
        return BatchStatus.COMPLETED if self.counts[CompanyState.SUCCESS] else BatchStatus.FAILED

    def phase(self) -> Phase:
        if self.status.is_final:
            return Phase.FINISHED
        if self.status is BatchStatus.PAUSED:
            return Phase.PAUSING if self.running else Phase.PAUSED
        if self.status is BatchStatus.QUEUED:
            return Phase.WAITING
        return Phase.EXTRACTION

    def progress(self) -> Progress:
        return Progress(
            total_companies=len(self.slots),
            completed=self.counts[CompanyState.SUCCESS],
            failed=self.counts[CompanyState.FAILED],
            in_progress=self.counts[CompanyState.RUNNING],
            cancelled=self.counts[CompanyState.CANCELLED],
            phase=self.phase(),
        )

    def view(self, now: datetime, estimated_seconds: float) -> BatchView:
        final = self.status.is_final
        return BatchView(
            batch_id=self.batch_id,
            status=self.status,
            options=self.options,
            progress=self.progress(),
            created_at=self.created_at,
            started_at=self.started_at,
            completed_at=self.completed_at,
            last_update=self.last_update,
            processing_time=processing_seconds(self.started_at, self.completed_at, now),
            estimated_processing_time=0.0 if final else estimated_seconds,
            estimated_completion=None if final else now + _seconds(estimated_seconds),
        )


def processing_seconds(started_at: datetime | None, completed_at: datetime | None, now: datetime) -> float:
    """Seconds from the first company's start to completion (or now); 0 before the start."""
    if started_at is None:
        return 0.0
    return max(0.0, ((completed_at or now) - started_at).total_seconds())


def stored_view(stored: StoredBatch, now: datetime, estimated_seconds: float = 0.0) -> BatchView:
    """The view of a batch that is not live in this process (normally a finished one)."""
    final = stored.status.is_final
    if final:
        phase = Phase.FINISHED
    elif stored.status is BatchStatus.PAUSED:
        phase = Phase.PAUSING if stored.count(CompanyState.RUNNING) else Phase.PAUSED
    elif stored.status is BatchStatus.QUEUED:
        phase = Phase.WAITING
    else:
        phase = Phase.EXTRACTION
    return BatchView(
        batch_id=stored.batch_id,
        status=stored.status,
        options=stored.options,
        progress=Progress(
            total_companies=stored.total_companies,
            completed=stored.count(CompanyState.SUCCESS),
            failed=stored.count(CompanyState.FAILED),
            in_progress=stored.count(CompanyState.RUNNING),
            cancelled=stored.count(CompanyState.CANCELLED),
            phase=phase,
        ),
        created_at=stored.created_at,
        started_at=stored.started_at,
        completed_at=stored.completed_at,
        last_update=stored.last_update,
        processing_time=processing_seconds(stored.started_at, stored.completed_at, now),
        estimated_processing_time=0.0 if final else estimated_seconds,
        estimated_completion=None if final else now + _seconds(estimated_seconds),
    )


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
