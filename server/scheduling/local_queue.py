"""The in-process work queue: live batches in memory, every change persisted, then published.

Order of work: see ``server.scheduling.queue`` (priority urgent > high > normal > low, FIFO within a
level, aging by one level per ``aging_seconds`` so a low batch competes as urgent after at most
``3 * aging_seconds``). Each batch runs at most ``options.max_concurrent`` companies at once.

Every change follows the same three steps: change the in-memory state synchronously, persist it (one
store transaction), publish its event. A restart therefore sees everything watchers saw; companies that
were ``running`` when the process died go back to ``pending`` and run again.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import replace
from datetime import datetime

from server import metrics
from server.domain import (
    BatchEventType,
    BatchStatus,
    BatchView,
    CompanyOutcome,
    CompanyState,
)
from server.errors import BatchNotFound, InvalidTransition, ServiceUnavailable
from server.scheduling.base import CANCELLED_FAILURE, AttachedQueue, QueuedCompany, utcnow
from server.scheduling.estimated_views import live_view
from server.scheduling.events import EventStream
from server.scheduling.queue import BatchQueue, Clock
from server.scheduling.runtime import BatchRuntime, CompanySlot
from server.scheduling.watch_streams import live_events
from server.storage.base import BatchChange, ClaimedCompany, StoredBatch
from server.storage.roles import BatchStore


class LocalQueue(AttachedQueue):
    """The ``WorkQueue`` of one process: ``BatchRuntime`` per live batch, ordered by ``BatchQueue``."""

    heartbeat_seconds: float | None = None
    poll_seconds: float | None = None
    claims_at_admit = False  # a woken dispatcher claims before the next call arrives

    def __init__(self, store: BatchStore, aging_seconds: float, clock: Clock, watcher_capacity: int) -> None:
        super().__init__()
        self._store = store
        self._clock = clock
        self._watcher_capacity = watcher_capacity
        self._order: BatchQueue[BatchRuntime] = BatchQueue(aging_seconds, clock)
        self._live: dict[str, BatchRuntime] = {}
        self._submit_seq = itertools.count()

    # -- sizes ---------------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return sum(len(rt.pending) for rt in self._live.values())

    def depth(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        for rt in self._live.values():
            depth[rt.priority.value] = depth.get(rt.priority.value, 0) + len(rt.pending)
        return depth

    async def refresh_pending(self) -> None:
        """Always current: the pending companies are all in memory."""

    @property
    def held(self) -> list[ClaimedCompany]:
        return [_claim_of(rt, rt.slots[p]) for rt in self._live.values() for p in rt.running]

    def upcoming(self, n: int) -> list[QueuedCompany]:
        """Batch by batch in queue order, each batch's pending companies in its own order (where
        ``max_concurrent`` lets batches take turns the order differs a little: it is a lookahead)."""
        found: list[QueuedCompany] = []
        for rt in self._order.waiting_in_order():
            for position in itertools.islice(rt.pending, n - len(found)):
                slot = rt.slots[position]
                found.append(QueuedCompany(slot.name, slot.domain_hint, rt.options))
            if len(found) >= n:
                break
        return found

    # -- lifecycle -----------------------------------------------------------------------------------

    async def recover(self) -> None:
        """Load unfinished batches; companies running when the last process died go back to pending."""
        await self._store.requeue_running()
        now, mono = utcnow(), self._clock()
        for stored in await self._store.unfinished_batches():
            companies = await self._store.list_companies(stored.batch_id)
            waited = max(0.0, (now - stored.created_at).total_seconds())
            rt = BatchRuntime(
                stored, companies, submit_seq=next(self._submit_seq), waiting_since=mono - waited
            )
            final = rt.final_status_if_done()
            if final is not None:
                # The process died between the last company's write and the batch's.
                await self._store.set_batch_status(BatchChange(rt.batch_id, final, now, completed_at=now))
                continue
            self._register(rt)

    async def close(self) -> None:
        """Live watchers end with the process: their streams are closed by the server's shutdown."""

    # -- claims --------------------------------------------------------------------------------------

    async def claim(self, n: int) -> list[ClaimedCompany]:
        """Take up to ``n`` companies in queue order (synchronously), then persist each start."""
        taken: list[tuple[BatchRuntime, CompanySlot]] = []
        while len(taken) < n and (picked := self._take()) is not None:
            taken.append(picked)
        # Written side by side: the store groups what it can, and one failed write loses no other.
        started = await asyncio.gather(*(self._start(rt, slot) for rt, slot in taken), return_exceptions=True)
        claims: list[ClaimedCompany] = []
        for (rt, slot), result in zip(taken, started, strict=True):
            if isinstance(result, ServiceUnavailable):
                # The company stays running in storage, so the next start retries it.
                self._log.error("store write failed; company left for the next start", exc_info=result)
            elif isinstance(result, BaseException):
                raise result
            elif result:
                claims.append(_claim_of(rt, slot))
        return claims

    def _take(self) -> tuple[BatchRuntime, CompanySlot] | None:
        """The next company in queue order, marked running (no await: two claims never take one)."""
        rt = self._order.pick()
        if rt is None:
            return None
        slot = rt.slots[rt.pending.popleft()]
        rt.set_state(slot, CompanyState.RUNNING)
        slot.attempts += 1
        slot.started_at = utcnow()
        rt.running[slot.position] = None
        return rt, slot

    async def _start(self, rt: BatchRuntime, slot: CompanySlot) -> bool:
        """Persist and publish a start; False when the company was cancelled or requeued meanwhile."""
        started_at, attempt = slot.started_at or utcnow(), slot.attempts
        change = None
        if rt.status is BatchStatus.QUEUED:
            rt.status = BatchStatus.PROCESSING
            rt.started_at = rt.started_at or started_at
            change = BatchChange(rt.batch_id, BatchStatus.PROCESSING, started_at, started_at=rt.started_at)
        rt.last_update = started_at
        await self._store.mark_started(rt.batch_id, slot.position, started_at, change)
        if change is not None:
            self._publish(rt, BatchEventType.STATUS_CHANGED, started_at)
        if not _still_running(slot, attempt):
            return False
        self._publish(rt, BatchEventType.COMPANY_STARTED, started_at, company_name=slot.name)
        return True

    def hold(self, claim: ClaimedCompany, task: asyncio.Task[None]) -> None:
        rt = self._live.get(claim.batch_id)
        if rt is not None and claim.position in rt.running:
            rt.running[claim.position] = task

    def take_back(self, claim: ClaimedCompany) -> bool:
        rt = self._live.get(claim.batch_id)
        if rt is None or not _still_running(rt.slots[claim.position], claim.attempt):
            return False  # cancel or drain already recorded what happens to this company
        rt.running.pop(claim.position, None)
        return True

    async def record(self, claim: ClaimedCompany, outcome: CompanyOutcome) -> None:
        rt = self._live[claim.batch_id]
        slot = rt.slots[claim.position]
        outcome = replace(outcome, attempts=slot.attempts)
        rt.set_state(slot, outcome.state)
        now = outcome.finished_at or utcnow()
        rt.last_update = now
        final = rt.final_status_if_done()
        change = None
        if final is not None:
            rt.finalizing = final  # cancel/pause now see a finished batch
            change = BatchChange(rt.batch_id, final, now, completed_at=now)
        if final is not None:
            # The final status is written after every other result: no reader sees a finished batch
            # with a company still running.
            await asyncio.gather(*rt.finishing, return_exceptions=True)
        # Fenced by attempt: a write for a company that was requeued and started again is refused.
        write = asyncio.ensure_future(
            self._store.finish_company(rt.batch_id, slot.position, outcome, change, attempt=slot.attempts)
        )
        rt.finishing.add(write)
        try:
            await write
        finally:
            rt.finishing.discard(write)
        event = (
            BatchEventType.COMPANY_SUCCEEDED
            if outcome.state is CompanyState.SUCCESS
            else BatchEventType.COMPANY_FAILED
        )
        self._publish(rt, event, now, company_name=slot.name, result=outcome)
        if final is not None:
            rt.status, rt.completed_at, rt.finalizing = final, now, None
            self._publish(rt, BatchEventType.STATUS_CHANGED, now)
            self._retire(rt)
        self._wake()

    async def release(self, claims: list[ClaimedCompany]) -> None:
        """Back to pending at the head of their batch's queue, their extractions stopped."""
        by_batch: dict[str, list[int]] = {}
        for claim in claims:
            rt = self._live.get(claim.batch_id)
            if rt is None or not _still_running(rt.slots[claim.position], claim.attempt):
                continue
            task = rt.running.pop(claim.position, None)
            slot = rt.slots[claim.position]
            rt.set_state(slot, CompanyState.PENDING)
            slot.started_at = None
            if task is not None:
                task.cancel()
            by_batch.setdefault(rt.batch_id, []).append(claim.position)
        for batch_id, positions in by_batch.items():
            rt = self._live[batch_id]
            rt.pending = deque(sorted(positions) + list(rt.pending))
            await self._store.requeue_running(batch_id, sorted(positions))

    async def heartbeat(self) -> None:
        """Nothing to renew: no other process shares this queue."""

    # -- commands ------------------------------------------------------------------------------------

    async def admit(self, stored: StoredBatch) -> BatchView:
        rt = BatchRuntime(
            stored,
            await self._store.list_companies(stored.batch_id),
            submit_seq=next(self._submit_seq),
            waiting_since=self._clock(),
        )
        self._register(rt)
        return self._view(rt)

    async def cancel(self, batch_id: str) -> BatchView:
        rt = await self._live_for(batch_id, "cancel")
        now = utcnow()
        for position, task in list(rt.running.items()):
            rt.set_state(rt.slots[position], CompanyState.CANCELLED)
            if task is not None:
                task.cancel()
        rt.running.clear()
        for position in rt.pending:
            rt.set_state(rt.slots[position], CompanyState.CANCELLED)
        rt.pending.clear()
        rt.status, rt.completed_at, rt.last_update = BatchStatus.CANCELLED, now, now
        await self._store.cancel_batch(
            BatchChange(rt.batch_id, BatchStatus.CANCELLED, now, completed_at=now), CANCELLED_FAILURE
        )
        self._publish(rt, BatchEventType.STATUS_CHANGED, now)
        self._retire(rt)
        return self._view(rt)

    async def pause(self, batch_id: str) -> BatchView:
        rt = await self._live_for(batch_id, "pause")
        if rt.status is not BatchStatus.PAUSED:
            await self._set_status(rt, BatchStatus.PAUSED)
        return self._view(rt)

    async def resume(self, batch_id: str) -> BatchView:
        rt = await self._live_for(batch_id, "resume")
        if rt.status is BatchStatus.PAUSED:
            rt.restart_waiting(self._clock())
            await self._set_status(rt, BatchStatus.PROCESSING if rt.started_at else BatchStatus.QUEUED)
            self._wake()
        return self._view(rt)

    # -- queries -------------------------------------------------------------------------------------

    def live_view(self, batch_id: str) -> BatchView | None:
        rt = self._live.get(batch_id)
        return None if rt is None else self._view(rt)

    def live_tenant(self, batch_id: str) -> str | None:
        rt = self._live.get(batch_id)
        return None if rt is None else rt.tenant

    async def feed(self, batch_id: str) -> EventStream | None:
        rt = self._live.get(batch_id)
        if rt is None:
            return None
        return live_events(rt, self._watcher_capacity, lambda: self._view(rt))

    # -- internals -----------------------------------------------------------------------------------

    def _register(self, rt: BatchRuntime) -> None:
        self._live[rt.batch_id] = rt
        self._order.add(rt)

    def _retire(self, rt: BatchRuntime) -> None:
        if self._live.pop(rt.batch_id, None) is not None:
            metrics.BATCHES.labels(rt.status.value).inc()
        self._order.discard(rt)

    async def _live_for(self, batch_id: str, action: str) -> BatchRuntime:
        """The live batch for a command, or the reason there is none."""
        rt = self._live.get(batch_id)
        if rt is not None and rt.finalizing is None:
            return rt
        if rt is not None:
            raise InvalidTransition(batch_id, action, rt.effective_status.value)
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        raise InvalidTransition(batch_id, action, stored.status.value)

    async def _set_status(self, rt: BatchRuntime, status: BatchStatus) -> None:
        now = utcnow()
        rt.status, rt.last_update = status, now
        await self._store.set_batch_status(BatchChange(rt.batch_id, status, now))
        self._publish(rt, BatchEventType.STATUS_CHANGED, now)

    def _view(self, rt: BatchRuntime) -> BatchView:
        estimates = self._estimates
        return live_view(rt, self._order, estimates.model, estimates.workers_total, utcnow())

    def _publish(
        self,
        rt: BatchRuntime,
        event_type: BatchEventType,
        at: datetime,
        *,
        company_name: str = "",
        result: CompanyOutcome | None = None,
    ) -> None:
        rt.channel.publish(event_type, lambda: self._view(rt), at, company_name=company_name, result=result)


def _still_running(slot: CompanySlot, attempt: int) -> bool:
    return slot.state is CompanyState.RUNNING and slot.attempts == attempt


def _claim_of(rt: BatchRuntime, slot: CompanySlot) -> ClaimedCompany:
    return ClaimedCompany(
        rt.batch_id,
        slot.position,
        slot.name,
        slot.domain_hint,
        slot.attempts,
        slot.started_at or utcnow(),
        rt.options,
        rt.trace_id,
        batch_started=False,
    )
