"""The scheduler for several replicas on one database: the queue lives in the store, claimed with leases.

``BatchScheduler`` keeps each live batch in memory and is the fastest choice for one process.
``ReplicaScheduler`` keeps nothing in memory that another replica could change:

- One dispatcher per replica claims as many companies as it has free workers in one store
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
from datetime import UTC, datetime, timedelta
from typing import Any

from server.domain import (
    BatchEvent,
    BatchEventType,
    BatchSpec,
    BatchStatus,
    BatchView,
    CompanyState,
    ExtractionRequest,
    RetryOutcome,
    RetrySpec,
    SubmitOutcome,
)
from server.errors import BatchNotFound, InvalidTransition, ServiceUnavailable
from server.extraction.base import Extractor
from server.scheduling.estimates import WINDOW_SIZE
from server.scheduling.execution import log_outcome, run_extraction
from server.scheduling.scheduler import CANCELLED_FAILURE, BatchScheduler
from server.storage.base import BatchChange, ClaimedCompany, HeldLease, StoredBatch, StoredCompany
from server.storage.roles import BatchStore

DEFAULT_LEASE_SECONDS = 20.0
DEFAULT_HEARTBEAT_SECONDS = 5.0
DEFAULT_POLL_SECONDS = 1.0
"""An idle worker looks for work at least this often even when no notification arrives."""
WATCH_POLL_SECONDS = 2.0
"""A watcher re-reads its batch at least this often (a notification lost with a dropped connection)."""
STORE_RETRY_SECONDS = 1.0

_COMPANY_EVENTS = {
    CompanyState.RUNNING: BatchEventType.COMPANY_STARTED,
    CompanyState.SUCCESS: BatchEventType.COMPANY_SUCCEEDED,
    CompanyState.FAILED: BatchEventType.COMPANY_FAILED,
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Running:
    """A company this replica holds a lease on, and the task extracting it."""

    claim: ClaimedCompany
    task: asyncio.Task[None]


class ReplicaScheduler(BatchScheduler):
    """Runs batches from the queue in the store, sharing it with other replicas (see module docstring)."""

    def __init__(
        self,
        store: BatchStore,
        extractor: Extractor,
        *,
        replica_id: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        reclaim_all_on_start: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(store, extractor, **options)
        if heartbeat_seconds >= lease_seconds:
            raise ValueError("heartbeat_seconds must be shorter than lease_seconds")
        self.replica_id = replica_id
        self._lease_seconds = lease_seconds
        self._heartbeat_seconds = heartbeat_seconds
        self._poll_seconds = poll_seconds
        self._reclaim_all = reclaim_all_on_start
        self._claims: dict[tuple[str, int], _Running] = {}
        self._runs: set[asyncio.Task[None]] = set()
        self._claim_lock = asyncio.Lock()  # one claim at a time: the free-worker count stays true
        self._batch_signals: dict[str, set[asyncio.Event]] = {}
        self._pending = 0

    @property
    def queue_size(self) -> int:
        """Companies waiting across all replicas, as of the last heartbeat or submit."""
        return self._pending

    def queue_depth(self) -> dict[str, int]:
        """Companies waiting across all replicas (the database's count, not split by priority)."""
        return {"all": self._pending}

    @property
    def held_leases(self) -> int:
        """Companies this replica is extracting right now."""
        return len(self._claims)

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for changes, recover what crashed replicas left, and start workers and heartbeat."""
        self._model.seed(await self._store.recent_durations(WINDOW_SIZE))
        await self._store.add_change_listener(self._on_change)
        if self._reclaim_all:
            # SQLite: one process at a time, so every running row belongs to a process that is gone.
            await self._store.requeue_running()
        await self._sweep()
        self._worker_tasks = [
            asyncio.create_task(self._dispatch(), name="replica-dispatch"),
            asyncio.create_task(self._heartbeat_loop(), name="replica-heartbeat"),
        ]
        self._kick()

    async def drain(self, grace_seconds: float) -> None:
        """Claim nothing new; give in-flight companies ``grace_seconds``, then hand their leases back."""
        self._dispatching = False
        try:
            async with asyncio.timeout(grace_seconds):
                await self._idle.wait()
        except TimeoutError:
            pass
        unfinished = list(self._claims.values())
        self._claims.clear()
        for running in unfinished:
            running.task.cancel()
        if unfinished:
            leases = [HeldLease(r.claim.batch_id, r.claim.position, r.claim.attempt) for r in unfinished]
            await self._store.release_owned(self.replica_id, leases)

    async def stop(self) -> None:
        """Stop workers, heartbeat and extractions; leases left behind expire for other replicas."""
        self._dispatching = False
        self._stopped = True
        tasks: list[asyncio.Task[Any]] = [*self._worker_tasks, *self._runs]  # runs: every claim's task
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._worker_tasks = []
        for signals in self._batch_signals.values():
            for signal in signals:
                signal.set()  # watchers notice the stop on their next read

    # -- commands ------------------------------------------------------------------------------------

    async def submit(self, spec: BatchSpec, *, trace_id: str = "") -> SubmitOutcome:
        """Persist a validated batch; any replica's workers pick it up from the store."""
        self._ensure_open()
        if not self._dispatching:
            raise ServiceUnavailable("the scheduler is shutting down")
        await self._check_capacity(spec)
        stored, created = await self._create(spec, trace_id)
        # As submitted (queued), like the in-memory scheduler: the row as written, not read again (the
        # submit's own notification may already have let a worker here or elsewhere claim from it).
        view = self._stored_view(stored)
        if created:
            # Start work before answering, as the in-memory scheduler does: a pause sent right after
            # the submit then finds the first companies running rather than nothing started.
            try:
                await self._claim_and_start()
            except ServiceUnavailable:
                self._log.exception("claiming at submit failed; the dispatcher retries")
        self._kick()
        return SubmitOutcome(view, not created, spec.duplicates_merged)

    async def _check_capacity(self, spec: BatchSpec) -> None:
        self._pending = await self._store.count_pending()
        await super()._check_capacity(spec)

    async def cancel(self, batch_id: str) -> BatchView:
        """Cancel in the store; every replica running one of its companies stops it on the notification."""
        await self._live_batch(batch_id, "cancel")
        now = _utcnow()
        await self._store.cancel_batch(
            BatchChange(batch_id, BatchStatus.CANCELLED, now, completed_at=now), CANCELLED_FAILURE
        )
        self._stop_local(batch_id)
        return await self.get(batch_id)

    async def pause(self, batch_id: str) -> BatchView:
        """No replica claims from a paused batch; companies already running finish."""
        stored = await self._live_batch(batch_id, "pause")
        if stored.status is not BatchStatus.PAUSED:
            await self._store.set_batch_status(BatchChange(batch_id, BatchStatus.PAUSED, _utcnow()))
        return await self.get(batch_id)

    async def resume(self, batch_id: str) -> BatchView:
        """Claims start again; aging restarts (paused time is not waiting time)."""
        stored = await self._live_batch(batch_id, "resume")
        if stored.status is BatchStatus.PAUSED:
            now = _utcnow()
            status = BatchStatus.PROCESSING if stored.started_at else BatchStatus.QUEUED
            await self._store.set_batch_status(BatchChange(batch_id, status, now, waiting_since=now))
            self._kick()
        return await self.get(batch_id)

    async def _retry_and_queue(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        """The store re-queues the failures and notifies every replica; this one starts some at once."""
        record = await self._retry_in_store(batch_id, spec)
        assert record.batch is not None
        view = self._stored_view(record.batch)  # the row as the retry wrote it (see ``submit``)
        if record.retried and not record.replay:
            try:
                await self._claim_and_start()
            except ServiceUnavailable:
                self._log.exception("claiming after a retry failed; the dispatcher retries")
            self._kick()
        return RetryOutcome(view, record.retried, record.replay)

    async def _check_retry_capacity(self, batch_id: str) -> None:
        self._pending = await self._store.count_pending()
        await super()._check_retry_capacity(batch_id)

    async def _live_batch(self, batch_id: str, action: str) -> StoredBatch:
        self._ensure_open()
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        if stored.status.is_final:
            raise InvalidTransition(batch_id, action, stored.status.value)
        return stored

    # -- queries -------------------------------------------------------------------------------------

    async def get(self, batch_id: str) -> BatchView:
        """The batch as the store has it, from whichever replica made the progress."""
        self._ensure_open()
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return self._stored_view(stored)

    async def watch(self, batch_id: str) -> AsyncIterator[BatchEvent]:
        """A snapshot, then the changes any replica makes, ending after the final status."""
        self._ensure_open()
        if await self._store.get_batch(batch_id) is None:
            raise BatchNotFound(batch_id)
        return self._follow(batch_id)

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
            yield BatchEvent(BatchEventType.SNAPSHOT, self._stored_view(stored), sequence, _utcnow())
            while not status.is_final and not self._stopped:
                try:
                    async with asyncio.timeout(WATCH_POLL_SECONDS):
                        await signal.wait()
                except TimeoutError:
                    pass
                signal.clear()
                stored, companies = await self._read(batch_id)
                if stored is None:
                    return  # purged
                view, at = self._stored_view(stored), _utcnow()
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

    # -- workers -------------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Claim as many companies as there are free workers, run each in its own task, repeat."""
        while True:
            if not self._dispatching or self._busy >= self._workers_total:
                self._work_available.clear()
                await self._work_available.wait()
                continue
            # Cleared before claiming: a notification arriving during the claim makes the wait return.
            self._work_available.clear()
            try:
                started = await self._claim_and_start()
            except ServiceUnavailable:
                self._log.exception("claiming failed; retrying")
                await asyncio.sleep(STORE_RETRY_SECONDS)
                continue
            if not started:
                try:
                    async with asyncio.timeout(self._poll_seconds):
                        await self._work_available.wait()
                except TimeoutError:
                    pass

    async def _claim_and_start(self) -> int:
        """One claim for the free workers, each claimed company started in its own task; how many."""
        async with self._claim_lock:
            free = self._workers_total - self._busy
            if not self._dispatching or free <= 0:
                return 0
            claims = await self._store.claim(
                self.replica_id, _utcnow(), self._lease_seconds, self._queue.aging_seconds, free
            )
            if not self._dispatching:
                # Drain began during the claim: hand these back rather than start them.
                await self._store.release_owned(
                    self.replica_id, [HeldLease(c.batch_id, c.position, c.attempt) for c in claims]
                )
                return 0
            for claim in claims:
                self._busy += 1
                self._idle.clear()
                task = asyncio.create_task(self._guarded_run(claim), name=f"replica-{claim.batch_id}")
                self._runs.add(task)
                task.add_done_callback(self._run_done)
                # Registered with no await since the claim returned: the heartbeat sees it held.
                self._claims[(claim.batch_id, claim.position)] = _Running(claim, task)
            return len(claims)

    def _run_done(self, task: asyncio.Task[None]) -> None:
        self._runs.discard(task)
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()
        self._kick()  # a worker is free

    async def _guarded_run(self, claim: ClaimedCompany) -> None:
        try:
            await self._run_claim(claim)
        except ServiceUnavailable:
            # The lease expires and another replica (or this one) runs the company again.
            self._log.exception("store write failed; the company's lease will expire")
        except Exception:
            # A bug here must not stop the replica.
            self._log.exception("unexpected error while running a company")

    async def _run_claim(self, claim: ClaimedCompany) -> None:
        """Extract, then record the result if the lease is still ours.

        While the company is in ``_claims`` a lost lease, a cancel or a drain takes it out and cancels
        this task (the extraction stops, nothing is written); once it is taken out here, the write
        goes ahead whatever happens to the lease (the store refuses it if the lease was lost).
        """
        options = claim.options
        request = ExtractionRequest(
            claim.name,
            options.extraction_mode,
            options.country,
            options.language,
            claim.domain_hint,
            min_match_confidence=options.min_match_confidence,
        )
        outcome = await run_extraction(
            self._extractor,
            request,
            options.timeout_seconds,
            claim.started_at,
            self._log,
            claim.batch_id,
            claim.trace_id,
            cache=self._cache,
            bypass_cache=options.bypass_cache,
            max_cache_age_seconds=options.max_cache_age_seconds,
        )
        key = (claim.batch_id, claim.position)
        running = self._claims.get(key)
        if running is None or running.task is not asyncio.current_task():
            return  # the lease was lost, the batch cancelled or the replica draining: not ours to write
        del self._claims[key]
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
            return
        if not outcome.from_cache:
            self._model.observe(options.extraction_mode, outcome.duration_seconds)
        # The store gave the batch its final status if this was its last result.
        log_outcome(self._log, claim.batch_id, claim.trace_id, outcome)

    # -- heartbeat, recovery and notifications -------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            try:
                await self._heartbeat()
            except ServiceUnavailable:
                self._log.exception("heartbeat failed; leases run out unless the next one succeeds")

    async def _heartbeat(self) -> None:
        """Extend this replica's leases, stop work whose lease is gone, recover expired leases."""
        checked = dict(self._claims)  # claims registered before the extension are committed ones
        expires = _utcnow() + timedelta(seconds=self._lease_seconds)
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
        now = _utcnow()
        released = await self._store.release_expired(now)
        if released:
            self._log.info(
                "expired leases returned to the queue",
                extra={"event": "leases_expired", "batches": ",".join(released)},
            )
            self._kick()
        for batch_id in await self._store.unfinished_without_work():
            await self._store.complete_if_done(batch_id, now)
        self._pending = await self._store.count_pending()

    def _on_change(self, batch_id: str, status: BatchStatus | None) -> None:
        """A batch changed somewhere: wake its watchers and idle workers; a cancel stops local work."""
        for signal in self._batch_signals.get(batch_id, ()):
            signal.set()
        self._kick()
        if status is BatchStatus.CANCELLED:
            self._stop_local(batch_id)

    def _stop_local(self, batch_id: str) -> None:
        for key, running in list(self._claims.items()):
            if key[0] == batch_id:
                del self._claims[key]
                running.task.cancel()
