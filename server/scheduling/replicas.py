"""The scheduler for several replicas on one database: the queue lives in the store, claimed with leases.

``LocalQueue`` keeps each live batch in memory and is the fastest choice for one process.
``LeaseQueue`` keeps nothing in memory that another replica could change:

- The dispatcher of each replica claims as many companies as it has free workers in one store
  transaction (``BatchStore.claim``: priority, aging and each batch's ``max_concurrent`` over all
  replicas together) and runs each in its own task. With nothing to claim it waits for a change
  notification (any replica's claim, finish, submit, resume), a freed worker, or ``poll_seconds``.
- A heartbeat every ``heartbeat_seconds`` extends this replica's leases; a lease the store no longer
  reports (expired and claimed elsewhere, or cancelled) stops its extraction here. The same tick returns
  every expired lease in the database to pending (a crashed replica's companies) and completes batches
  whose last company finished just before a crash.
- Results are written fenced by attempt and owner, so a replica that lost its lease cannot record a
  second result; the store gives a batch its final status with its last recorded result (one guarded
  statement after the result's commit, so two replicas finishing the last two companies at once
  still complete it exactly once).
- Views and ``watch`` read the store; ``watch`` re-reads on every change notification of its batch
  (PostgreSQL ``LISTEN``/``NOTIFY`` carries other replicas' changes), so it streams progress made
  anywhere. Cancel, pause and resume are store writes that notify every replica: a cancel stops the
  batch's extractions on every replica as soon as the notification arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.domain import (
    BatchEvent,
    BatchEventType,
    BatchStatus,
    BatchView,
    CompanyOutcome,
    CompanyState,
)
from server.errors import BatchNotFound, InvalidTransition
from server.extraction.base import Extractor
from server.scheduling.base import CANCELLED_FAILURE, AttachedQueue, QueuedCompany, utcnow
from server.scheduling.events import EventStream
from server.scheduling.scheduler import BatchScheduler
from server.storage.base import (
    BatchChange,
    ClaimedCompany,
    HeldLease,
    StoredBatch,
    StoredCompany,
)
from server.storage.roles import BatchStore

DEFAULT_LEASE_SECONDS = 20.0
DEFAULT_HEARTBEAT_SECONDS = 5.0
DEFAULT_POLL_SECONDS = 1.0
"""An idle worker looks for work at least this often even when no notification arrives."""
WATCH_POLL_SECONDS = 2.0
"""A watcher re-reads its batch at least this often (a notification lost with a dropped connection)."""

_COMPANY_EVENTS = {
    CompanyState.RUNNING: BatchEventType.COMPANY_STARTED,
    CompanyState.SUCCESS: BatchEventType.COMPANY_SUCCEEDED,
    CompanyState.FAILED: BatchEventType.COMPANY_FAILED,
}


@dataclass
class _Running:
    """A company this replica holds a lease on, and the task extracting it."""

    claim: ClaimedCompany
    task: asyncio.Task[None]


class LeaseQueue(AttachedQueue):
    """The ``WorkQueue`` in the store, shared with other replicas (see module docstring)."""

    def __init__(
        self,
        store: BatchStore,
        *,
        replica_id: str,
        aging_seconds: float,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        reclaim_all_on_start: bool = False,
    ) -> None:
        super().__init__()
        if heartbeat_seconds >= lease_seconds:
            raise ValueError("heartbeat_seconds must be shorter than lease_seconds")
        if aging_seconds <= 0:
            raise ValueError("aging_seconds must be positive")
        self.replica_id = replica_id
        self.heartbeat_seconds: float | None = heartbeat_seconds
        self.poll_seconds: float | None = poll_seconds
        self.claims_at_admit = True
        self._store = store
        self._aging_seconds = aging_seconds
        self._lease_seconds = lease_seconds
        self._reclaim_all = reclaim_all_on_start
        self._claims: dict[tuple[str, int], _Running] = {}
        self._batch_signals: dict[str, set[asyncio.Event]] = {}
        self._pending = 0
        self._closed = False

    # -- sizes ---------------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Companies waiting across all replicas, as of the last heartbeat or capacity check."""
        return self._pending

    def depth(self) -> dict[str, int]:
        """Companies waiting across all replicas (the database's count, not split by priority)."""
        return {"all": self._pending}

    async def refresh_pending(self) -> None:
        self._pending = await self._store.count_pending()

    @property
    def held(self) -> list[ClaimedCompany]:
        return [running.claim for running in self._claims.values()]

    def upcoming(self, n: int) -> list[QueuedCompany]:
        """None: which companies this replica starts next is decided in the store at each claim,
        against every other replica's claims; guessing would cost a query per change."""
        return []

    # -- lifecycle -----------------------------------------------------------------------------------

    async def recover(self) -> None:
        """Listen for changes and recover what crashed replicas left."""
        await self._store.add_change_listener(self._on_change)
        if self._reclaim_all:
            # SQLite: one process at a time, so every running row belongs to a process that is gone.
            await self._store.requeue_running()
        await self._sweep()

    async def close(self) -> None:
        self._closed = True
        for signals in self._batch_signals.values():
            for signal in signals:
                signal.set()  # watchers notice the stop on their next read

    # -- claims --------------------------------------------------------------------------------------

    async def claim(self, n: int) -> list[ClaimedCompany]:
        return await self._store.claim(self.replica_id, utcnow(), self._lease_seconds, self._aging_seconds, n)

    def hold(self, claim: ClaimedCompany, task: asyncio.Task[None]) -> None:
        self._claims[(claim.batch_id, claim.position)] = _Running(claim, task)

    def take_back(self, claim: ClaimedCompany) -> bool:
        """While held, a lost lease, a cancel or a drain takes the claim out and cancels its task."""
        key = (claim.batch_id, claim.position)
        running = self._claims.get(key)
        if running is None or running.task is not asyncio.current_task():
            return False
        del self._claims[key]
        return True

    async def record(self, claim: ClaimedCompany, outcome: CompanyOutcome) -> None:
        """Fenced by attempt and owner; the store gives the batch its final status with its last result."""
        recorded = await self._store.finish_claimed(
            claim.batch_id, claim.position, outcome, claim.attempt, self.replica_id
        )
        if not recorded:
            self._log.warning(
                "result of %r refused: the lease of attempt %d was lost",
                claim.name,
                claim.attempt,
                extra={"event": "result_fenced", "batch_id": claim.batch_id, "trace_id": claim.trace_id},
            )

    async def release(self, claims: list[ClaimedCompany]) -> None:
        """Stop these claims here and hand their leases back."""
        for claim in claims:
            running = self._claims.pop((claim.batch_id, claim.position), None)
            if running is not None:
                running.task.cancel()
        if claims:
            leases = [HeldLease(c.batch_id, c.position, c.attempt) for c in claims]
            await self._store.release_owned(self.replica_id, leases)

    async def heartbeat(self) -> None:
        """Extend this replica's leases, stop work whose lease is gone, recover expired leases."""
        checked = dict(self._claims)  # claims registered before the extension are committed ones
        expires = utcnow() + timedelta(seconds=self._lease_seconds)
        held = {
            (h.batch_id, h.position): h.attempt
            for h in await self._store.extend_leases(self.replica_id, expires)
        }
        for key, running in checked.items():
            if held.get(key) != running.claim.attempt and self._claims.get(key) is running:
                del self._claims[key]
                running.task.cancel()
                self._log.warning(
                    "lease of %r lost; its extraction stops here",
                    running.claim.name,
                    extra={"event": "lease_lost", "batch_id": running.claim.batch_id},
                )
        await self._sweep()

    async def _sweep(self) -> None:
        """Expired leases back to pending; batches left without work completed; the queue size read."""
        now = utcnow()
        released = await self._store.release_expired(now)
        if released:
            self._log.info(
                "expired leases returned to the queue",
                extra={"event": "leases_expired", "batches": ",".join(released)},
            )
            self._wake()
        for batch_id in await self._store.unfinished_without_work():
            await self._store.complete_if_done(batch_id, now)
        self._pending = await self._store.count_pending()

    # -- commands ------------------------------------------------------------------------------------

    async def admit(self, stored: StoredBatch) -> BatchView:
        """Already in the queue (the store); the row as written, not read again (the submit's own
        notification may already have let a worker here or elsewhere claim from it)."""
        return self._estimates.stored_view(stored)

    async def cancel(self, batch_id: str) -> BatchView:
        """Cancel in the store; every replica running one of its companies stops it on the notification."""
        await self._live_batch(batch_id, "cancel")
        now = utcnow()
        await self._store.cancel_batch(
            BatchChange(batch_id, BatchStatus.CANCELLED, now, completed_at=now), CANCELLED_FAILURE
        )
        self._stop_local(batch_id)
        return await self._read_view(batch_id)

    async def pause(self, batch_id: str) -> BatchView:
        """No replica claims from a paused batch; companies already running finish."""
        stored = await self._live_batch(batch_id, "pause")
        if stored.status is not BatchStatus.PAUSED:
            await self._store.set_batch_status(BatchChange(batch_id, BatchStatus.PAUSED, utcnow()))
        return await self._read_view(batch_id)

    async def resume(self, batch_id: str) -> BatchView:
        """Claims start again; aging restarts (paused time is not waiting time)."""
        stored = await self._live_batch(batch_id, "resume")
        if stored.status is BatchStatus.PAUSED:
            now = utcnow()
            status = BatchStatus.PROCESSING if stored.started_at else BatchStatus.QUEUED
            await self._store.set_batch_status(BatchChange(batch_id, status, now, waiting_since=now))
            self._wake()
        return await self._read_view(batch_id)

    async def _live_batch(self, batch_id: str, action: str) -> StoredBatch:
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        if stored.status.is_final:
            raise InvalidTransition(batch_id, action, stored.status.value)
        return stored

    async def _read_view(self, batch_id: str) -> BatchView:
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return self._estimates.stored_view(stored)

    # -- queries -------------------------------------------------------------------------------------

    def live_view(self, batch_id: str) -> BatchView | None:
        """None: the store has the batch as every replica made it."""
        return None

    def live_tenant(self, batch_id: str) -> str | None:
        return None

    async def feed(self, batch_id: str) -> EventStream | None:
        """A snapshot, then the changes any replica makes, ending after the final status."""
        if await self._store.get_batch(batch_id) is None:
            return None
        return EventStream.one_by_one(self._follow(batch_id))

    async def _follow(self, batch_id: str) -> AsyncIterator[BatchEvent]:
        signal = asyncio.Event()
        self._batch_signals.setdefault(batch_id, set()).add(signal)
        try:
            # Subscribed before the first read, so no change between the read and the wait is missed.
            stored, companies = await self._read(batch_id)
            if stored is None:
                return
            known = {c.position: (c.state, c.attempts) for c in companies}
            status, sequence = stored.status, 0
            yield BatchEvent(BatchEventType.SNAPSHOT, self._estimates.stored_view(stored), sequence, utcnow())
            while not status.is_final and not self._closed:
                try:
                    async with asyncio.timeout(WATCH_POLL_SECONDS):
                        await signal.wait()
                except TimeoutError:
                    pass
                signal.clear()
                stored, companies = await self._read(batch_id)
                if stored is None:
                    return  # purged
                view, at = self._estimates.stored_view(stored), utcnow()
                events: list[BatchEvent] = []
                changed_status = stored.status is not status
                if changed_status and not stored.status.is_final:
                    events.append(BatchEvent(BatchEventType.STATUS_CHANGED, view, 0, at))
                for company in companies:
                    key = (company.state, company.attempts)
                    if known.get(company.position) == key:
                        continue
                    known[company.position] = key
                    event_type = _COMPANY_EVENTS.get(company.state)
                    if event_type is not None:
                        result = None if company.state is CompanyState.RUNNING else company.outcome()
                        events.append(BatchEvent(event_type, view, 0, at, company.name, result))
                if changed_status and stored.status.is_final:
                    events.append(BatchEvent(BatchEventType.STATUS_CHANGED, view, 0, at))
                status = stored.status
                for event in events:
                    sequence += 1
                    yield BatchEvent(
                        event.type, event.batch, sequence, event.timestamp, event.company_name, event.result
                    )
        finally:
            signals = self._batch_signals.get(batch_id)
            if signals is not None:
                signals.discard(signal)
                if not signals:
                    del self._batch_signals[batch_id]

    async def _read(self, batch_id: str) -> tuple[StoredBatch | None, list[StoredCompany]]:
        companies = await self._store.list_companies(batch_id)
        return await self._store.get_batch(batch_id), companies

    def _on_change(self, batch_id: str, status: BatchStatus | None) -> None:
        """A batch changed somewhere: wake its watchers and idle workers; a cancel stops local work."""
        for signal in self._batch_signals.get(batch_id, ()):
            signal.set()
        self._wake()
        if status is BatchStatus.CANCELLED:
            self._stop_local(batch_id)

    def _stop_local(self, batch_id: str) -> None:
        for key, running in list(self._claims.items()):
            if key[0] == batch_id:
                del self._claims[key]
                running.task.cancel()


class ReplicaScheduler(BatchScheduler):
    """``BatchScheduler`` over a ``LeaseQueue``: one replica of several sharing the store's queue."""

    def __init__(
        self,
        store: BatchStore,
        extractor: Extractor,
        *,
        replica_id: str,
        aging_seconds: float,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        reclaim_all_on_start: bool = False,
        **options: Any,
    ) -> None:
        self._leases = LeaseQueue(
            store,
            replica_id=replica_id,
            aging_seconds=aging_seconds,
            lease_seconds=lease_seconds,
            heartbeat_seconds=heartbeat_seconds,
            poll_seconds=poll_seconds,
            reclaim_all_on_start=reclaim_all_on_start,
        )
        super().__init__(store, extractor, aging_seconds=aging_seconds, queue=self._leases, **options)

    @property
    def replica_id(self) -> str:
        return self._leases.replica_id

    @property
    def held_leases(self) -> int:
        """Companies this replica is extracting right now."""
        return len(self._leases.held)
