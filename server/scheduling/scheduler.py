"""The batch scheduler: one worker pool shared by every batch, persistence first, then events.

Order of work: see ``server.scheduling.queue`` (priority urgent > high > normal > low, FIFO within a
level, aging by one level per ``aging_seconds`` so a low batch competes as urgent after at most
``3 * aging_seconds``). Each batch runs at most ``options.max_concurrent`` companies at once.

Every change follows the same three steps: change the in-memory state synchronously, persist it (one
store transaction), publish its event. A restart therefore sees everything watchers saw; companies that
were ``running`` when the process died go back to ``pending`` and run again.

A command a client started (submit, cancel, pause, resume) finishes even when the client's deadline
cancels its handler half way (``server.scheduling.uncancellable``).

Extractions run in their own tasks so that a cancel stops them (``task.cancel()``) without killing the
worker, and a timeout is enforced with ``asyncio.timeout``. Failures are data: an ``ExtractionError``
becomes a failure of its ``error_type``, anything else an ``InternalError`` (logged with a traceback).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

from server import metrics
from server.cache import ExtractionCache
from server.domain import (
    BatchEvent,
    BatchEventType,
    BatchResults,
    BatchSpec,
    BatchStatus,
    BatchStatusReport,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
    ExtractionRequest,
    RetryOutcome,
    RetrySpec,
    StatsReport,
    SubmitOutcome,
)
from server.errors import BatchNotFound, InvalidTransition, ServiceOverloaded, ServiceUnavailable
from server.extraction.base import Extractor
from server.extraction.circuits import all_circuits
from server.scheduling.estimated_views import estimated_stored_view, live_view
from server.scheduling.estimates import WINDOW_SIZE, DurationModel
from server.scheduling.events import WATCHER_CAPACITY
from server.scheduling.execution import log_outcome, run_extraction
from server.scheduling.paging import decode_page_token, encode_page_token
from server.scheduling.queue import BatchQueue, Clock
from server.scheduling.results import batch_results
from server.scheduling.runtime import BatchRuntime, CompanySlot, stored_view
from server.scheduling.submission import create_batch
from server.scheduling.uncancellable import run_to_completion
from server.scheduling.watch_streams import live_events, single_snapshot
from server.stats.report import LiveFigures, StatsCollector
from server.storage.base import BatchChange, PageCursor, RetryRecord, StoredBatch
from server.storage.roles import BatchStore

LOGGER_NAME = "company_batch.scheduler"
CANCELLED_FAILURE = ExtractionFailure(ErrorType.CANCELLED, "the batch was cancelled while this company ran")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class BatchScheduler:
    """Runs batches of company extractions on one shared worker pool."""

    def __init__(
        self,
        store: BatchStore,
        extractor: Extractor,
        *,
        workers: int,
        aging_seconds: float,
        logger: logging.Logger | None = None,
        clock: Clock = time.monotonic,
        watcher_capacity: int = WATCHER_CAPACITY,
        max_queued_companies: int | None = None,
        cache: ExtractionCache | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._store = store
        self._extractor = extractor
        self._workers_total = workers
        self._log = logger or logging.getLogger(LOGGER_NAME)
        self._clock = clock
        self._watcher_capacity = watcher_capacity
        self._max_queued = max_queued_companies
        self._cache = cache
        self._queue: BatchQueue[BatchRuntime] = BatchQueue(aging_seconds, clock)
        self._live: dict[str, BatchRuntime] = {}
        self._model = DurationModel()
        self._stats = StatsCollector(store)
        self._submit_seq = itertools.count()
        self._work_available = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._busy = 0
        self._worker_tasks: list[asyncio.Task[None]] = []
        self._dispatching = True
        self._stopped = False

    # -- properties ----------------------------------------------------------------------------------

    @property
    def queue_size(self) -> int:
        """Companies waiting to start, across all batches."""
        return sum(len(rt.pending) for rt in self._live.values())

    def queue_depth(self) -> dict[str, int]:
        """Companies waiting to start, by their batch's priority."""
        depth: dict[str, int] = {}
        for rt in self._live.values():
            depth[rt.priority.value] = depth.get(rt.priority.value, 0) + len(rt.pending)
        return depth

    @property
    def workers_busy(self) -> int:
        return self._busy

    @property
    def workers_total(self) -> int:
        return self._workers_total

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load unfinished batches (running companies go back to pending) and start the worker pool."""
        self._model.seed(await self._store.recent_durations(WINDOW_SIZE))
        await self._store.requeue_running()
        now, mono = _utcnow(), self._clock()
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
        self._worker_tasks = [
            asyncio.create_task(self._worker(), name=f"batch-worker-{i}") for i in range(self._workers_total)
        ]
        self._kick()

    async def drain(self, grace_seconds: float) -> None:
        """Start nothing new; give in-flight companies ``grace_seconds``, then requeue the rest as pending."""
        self._dispatching = False
        try:
            async with asyncio.timeout(grace_seconds):
                await self._idle.wait()
        except TimeoutError:
            pass
        for rt in list(self._live.values()):
            positions = sorted(rt.running)
            if not positions:
                continue
            for position in positions:
                task = rt.running.pop(position)
                slot = rt.slots[position]
                rt.set_state(slot, CompanyState.PENDING)
                slot.started_at = None
                if task is not None:
                    task.cancel()
            rt.pending = deque(positions + list(rt.pending))
            await self._store.requeue_running(rt.batch_id, positions)

    async def stop(self) -> None:
        """Stop the workers and any extraction still running; the store is not touched afterwards."""
        self._dispatching = False
        self._stopped = True
        tasks: list[asyncio.Task[object]] = list(self._worker_tasks)
        for rt in self._live.values():
            tasks.extend(task for task in rt.running.values() if task is not None)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._worker_tasks = []

    # -- commands ------------------------------------------------------------------------------------

    async def submit(self, spec: BatchSpec, *, trace_id: str = "") -> SubmitOutcome:
        """Persist a validated batch and queue it; a known ``request_id`` returns the earlier batch."""
        self._ensure_open()
        if not self._dispatching:
            raise ServiceUnavailable("the scheduler is shutting down")
        await self._check_capacity(spec)
        return await run_to_completion(self._create_and_queue(spec, trace_id))

    async def _create_and_queue(self, spec: BatchSpec, trace_id: str) -> SubmitOutcome:
        stored, created = await self._create(spec, trace_id)
        if not created:
            return SubmitOutcome(await self.get(stored.batch_id), True, spec.duplicates_merged)
        rt = BatchRuntime(
            stored,
            await self._store.list_companies(stored.batch_id),
            submit_seq=next(self._submit_seq),
            waiting_since=self._clock(),
        )
        self._register(rt)
        self._kick()
        return SubmitOutcome(self._view(rt), False, spec.duplicates_merged)

    async def _create(self, spec: BatchSpec, trace_id: str) -> tuple[StoredBatch, bool]:
        """Persist a new batch under a fresh id (or find the one its ``request_id`` created)."""
        return await create_batch(self._store, spec, trace_id, _utcnow())

    async def _check_capacity(self, spec: BatchSpec) -> None:
        """Refuse work beyond the queue's capacity, unless it is the replay of an accepted submit."""
        if self._max_queued is None:
            return
        queued, requested = self.queue_size, len(spec.company_names)
        if queued + requested <= self._max_queued:
            return
        if (
            spec.request_id is not None
            and await self._store.batch_for_request(spec.request_id, spec.tenant) is not None
        ):
            return
        raise ServiceOverloaded(queued, requested, self._max_queued)

    async def cancel(self, batch_id: str) -> BatchView:
        """Stop running extractions, cancel pending companies, keep finished results."""
        rt = await self._live_for(batch_id, "cancel")
        now = _utcnow()
        for position, task in list(rt.running.items()):
            rt.set_state(rt.slots[position], CompanyState.CANCELLED)
            if task is not None:
                task.cancel()
        rt.running.clear()
        for position in rt.pending:
            rt.set_state(rt.slots[position], CompanyState.CANCELLED)
        rt.pending.clear()
        rt.status, rt.completed_at, rt.last_update = BatchStatus.CANCELLED, now, now
        await run_to_completion(self._persist_cancel(rt, now))
        return self._view(rt)

    async def _persist_cancel(self, rt: BatchRuntime, now: datetime) -> None:
        await self._store.cancel_batch(
            BatchChange(rt.batch_id, BatchStatus.CANCELLED, now, completed_at=now), CANCELLED_FAILURE
        )
        self._publish(rt, BatchEventType.STATUS_CHANGED, now)
        self._retire(rt)

    async def pause(self, batch_id: str) -> BatchView:
        """Let running companies finish and start no new ones (idempotent)."""
        rt = await self._live_for(batch_id, "pause")
        if rt.status is not BatchStatus.PAUSED:
            await self._set_status(rt, BatchStatus.PAUSED)
        return self._view(rt)

    async def resume(self, batch_id: str) -> BatchView:
        """Continue a paused batch (idempotent on a batch that is not paused)."""
        rt = await self._live_for(batch_id, "resume")
        if rt.status is BatchStatus.PAUSED:
            rt.restart_waiting(self._clock())
            await self._set_status(rt, BatchStatus.PROCESSING if rt.started_at else BatchStatus.QUEUED)
            self._kick()
        return self._view(rt)

    async def retry(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        """Run a finished batch's failed companies again (see ``BatchStore.retry_failed``).

        Raises ``BatchNotFound``, ``InvalidTransition`` (a live or cancelled batch) or
        ``ServiceOverloaded`` (its failures would not fit in the queue).
        """
        self._ensure_open()
        if not self._dispatching:
            raise ServiceUnavailable("the scheduler is shutting down")
        await self._check_retry_capacity(batch_id)
        return await run_to_completion(self._retry_and_queue(batch_id, spec))

    async def _retry_and_queue(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        record = await self._retry_in_store(batch_id, spec)
        if not record.retried or record.replay:
            return RetryOutcome(await self.get(batch_id), record.retried, record.replay)
        assert record.batch is not None
        rt = BatchRuntime(
            record.batch,
            await self._store.list_companies(batch_id),
            submit_seq=next(self._submit_seq),
            waiting_since=self._clock(),
        )
        self._register(rt)
        view = self._view(rt)  # as queued again, before a worker starts anything
        self._kick()
        return RetryOutcome(view, record.retried, False)

    async def _retry_in_store(self, batch_id: str, spec: RetrySpec) -> RetryRecord:
        """The store's retry, its refusals raised as the API's errors."""
        record = await self._store.retry_failed(
            batch_id, spec.error_types, spec.bypass_cache, spec.request_id, _utcnow()
        )
        if record.batch is None:
            raise BatchNotFound(batch_id)
        if record.refused:
            raise InvalidTransition(batch_id, "retry", record.batch.status.value)
        return record

    async def _check_retry_capacity(self, batch_id: str) -> None:
        """Refuse a retry whose failures would overfill the queue (a replay re-queues nothing, but
        is answered alike: the count is known only inside the retry's transaction)."""
        if self._max_queued is None:
            return
        stored = await self._store.get_batch(batch_id)
        failed = 0 if stored is None else stored.count(CompanyState.FAILED)
        if self.queue_size + failed > self._max_queued:
            raise ServiceOverloaded(self.queue_size, failed, self._max_queued)

    # -- queries -------------------------------------------------------------------------------------

    async def get(self, batch_id: str) -> BatchView:
        """The batch's status document. Raises ``BatchNotFound``."""
        self._ensure_open()
        rt = self._live.get(batch_id)
        if rt is not None:
            return self._view(rt)
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return stored_view(stored, _utcnow())

    async def status(self, batch_id: str) -> BatchStatusReport:
        """GetBatch: the status document and, for a batch with a webhook, its deliveries."""
        view = await self.get(batch_id)
        if view.options.webhook_url is None:
            return BatchStatusReport(view)
        return BatchStatusReport(view, tuple(await self._store.webhook_deliveries(batch_id)))

    async def batch_tenant(self, batch_id: str) -> str | None:
        """The tenant a batch belongs to, or None when there is no such batch."""
        self._ensure_open()
        rt = self._live.get(batch_id)
        if rt is not None:
            return rt.tenant
        stored = await self._store.get_batch(batch_id)
        return None if stored is None else stored.tenant

    async def list_batches(
        self, page_size: int, page_token: str, tenant: str | None = None
    ) -> tuple[list[BatchView], str]:
        """Batches newest first (only ``tenant``'s when given) and the next page's token ("" at the end)."""
        self._ensure_open()
        cursor = decode_page_token(page_token) if page_token else None
        size = max(1, page_size)
        stored = await self._store.list_batches(size + 1, cursor, tenant)
        page, more = stored[:size], len(stored) > size
        views = [
            self._view(self._live[s.batch_id]) if s.batch_id in self._live else self._stored_view(s)
            for s in page
        ]
        token = encode_page_token(PageCursor(page[-1].created_at, page[-1].batch_id)) if more else ""
        return views, token

    async def results(self, batch_id: str, include_failed: bool | None) -> BatchResults:
        """Finished companies in submit order (partial while running) and their summary."""
        return await batch_results(self._store, await self.get(batch_id), include_failed)

    async def watch(self, batch_id: str) -> AsyncIterator[BatchEvent]:
        """A snapshot, then every change, ending after the final status. Raises ``BatchNotFound`` first."""
        self._ensure_open()
        rt = self._live.get(batch_id)
        if rt is not None:
            return live_events(rt, self._watcher_capacity, lambda: self._view(rt))
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return single_snapshot(stored_view(stored, _utcnow()))

    async def extract_one(
        self,
        request: ExtractionRequest,
        timeout_seconds: float,
        bypass_cache: bool = False,
        max_cache_age_seconds: float | None = None,
    ) -> CompanyOutcome:
        """One company outside any batch: same extractor, cache, timeout and error handling; not persisted."""
        outcome = await run_extraction(
            self._extractor,
            request,
            timeout_seconds,
            _utcnow(),
            self._log,
            "",
            "",
            cache=self._cache,
            bypass_cache=bypass_cache,
            max_cache_age_seconds=max_cache_age_seconds,
        )
        log_outcome(self._log, "", "", outcome)
        return outcome

    async def stats(
        self, timeframe: str, include_details: bool, active_connections: int, tenant: str | None = None
    ) -> StatsReport:
        """GetStats' report (see ``server.stats``): the whole service's, or one ``tenant``'s."""
        self._ensure_open()
        live = LiveFigures(
            active_connections, self.queue_size, self.workers_busy, self.workers_total, all_circuits()
        )
        return await self._stats.report(timeframe, include_details, live, tenant)

    # -- workers -------------------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            picked = self._take()
            if picked is None:
                self._work_available.clear()
                await self._work_available.wait()
                continue
            self._busy += 1
            self._idle.clear()
            try:
                await self._run_company(*picked)
            except ServiceUnavailable:
                # The store failed: the company stays running in storage, so the next start retries it.
                self._log.exception("store write failed; company left for the next start")
            except Exception:
                # A bug here must not take a worker out of the pool.
                self._log.exception("unexpected error while running a company")
            finally:
                self._busy -= 1
                if self._busy == 0:
                    self._idle.set()

    def _take(self) -> tuple[BatchRuntime, CompanySlot] | None:
        """Claim the next company (synchronously, so two workers never claim the same one)."""
        if not self._dispatching:
            return None
        rt = self._queue.pick()
        if rt is None:
            return None
        slot = rt.slots[rt.pending.popleft()]
        rt.set_state(slot, CompanyState.RUNNING)
        slot.attempts += 1
        slot.started_at = _utcnow()
        rt.running[slot.position] = None
        return rt, slot

    async def _run_company(self, rt: BatchRuntime, slot: CompanySlot) -> None:
        started_at, attempt = slot.started_at or _utcnow(), slot.attempts
        change = None
        if rt.status is BatchStatus.QUEUED:
            rt.status = BatchStatus.PROCESSING
            rt.started_at = rt.started_at or started_at
            change = BatchChange(rt.batch_id, BatchStatus.PROCESSING, started_at, started_at=rt.started_at)
        rt.last_update = started_at
        await self._store.mark_started(rt.batch_id, slot.position, started_at, change)
        if change is not None:
            self._publish(rt, BatchEventType.STATUS_CHANGED, started_at)
        if not self._still_running(slot, attempt):
            return  # cancelled or requeued while the start was being written
        self._publish(rt, BatchEventType.COMPANY_STARTED, started_at, company_name=slot.name)

        options = rt.options
        request = ExtractionRequest(
            slot.name,
            options.extraction_mode,
            options.country,
            options.language,
            slot.domain_hint,
            min_match_confidence=options.min_match_confidence,
        )
        task = asyncio.create_task(
            run_extraction(
                self._extractor,
                request,
                options.timeout_seconds,
                started_at,
                self._log,
                rt.batch_id,
                rt.trace_id,
                cache=self._cache,
                bypass_cache=options.bypass_cache,
                max_cache_age_seconds=options.max_cache_age_seconds,
            )
        )
        rt.running[slot.position] = task
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            task.cancel()  # the worker itself is being stopped
            raise
        if not self._still_running(slot, attempt) or task.cancelled():
            return  # cancel or drain already recorded what happens to this company
        await self._finish(rt, slot, task.result())

    def _still_running(self, slot: CompanySlot, attempt: int) -> bool:
        return slot.state is CompanyState.RUNNING and slot.attempts == attempt

    async def _finish(self, rt: BatchRuntime, slot: CompanySlot, outcome: CompanyOutcome) -> None:
        outcome = replace(outcome, attempts=slot.attempts)
        rt.running.pop(slot.position, None)
        rt.set_state(slot, outcome.state)
        now = outcome.finished_at or _utcnow()
        rt.last_update = now
        if not outcome.from_cache:  # a cache hit's milliseconds say nothing about extraction time
            self._model.observe(rt.options.extraction_mode, outcome.duration_seconds)
        final = rt.final_status_if_done()
        change = None
        if final is not None:
            rt.finalizing = final  # cancel/pause now see a finished batch
            change = BatchChange(rt.batch_id, final, now, completed_at=now)
        log_outcome(self._log, rt.batch_id, rt.trace_id, outcome)
        # Fenced by attempt: a write for a company that was requeued and started again is refused.
        await self._store.finish_company(rt.batch_id, slot.position, outcome, change, attempt=slot.attempts)
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
        self._kick()

    # -- internals -----------------------------------------------------------------------------------

    def _register(self, rt: BatchRuntime) -> None:
        self._live[rt.batch_id] = rt
        self._queue.add(rt)

    def _retire(self, rt: BatchRuntime) -> None:
        if self._live.pop(rt.batch_id, None) is not None:
            metrics.BATCHES.labels(rt.status.value).inc()
        self._queue.discard(rt)

    def _kick(self) -> None:
        self._work_available.set()

    def _ensure_open(self) -> None:
        if self._stopped:
            raise ServiceUnavailable("the scheduler is stopped")

    async def _live_for(self, batch_id: str, action: str) -> BatchRuntime:
        """The live batch for a command, or the reason there is none."""
        self._ensure_open()
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
        now = _utcnow()
        rt.status, rt.last_update = status, now
        await run_to_completion(self._persist_status(rt, status, now))

    async def _persist_status(self, rt: BatchRuntime, status: BatchStatus, now: datetime) -> None:
        await self._store.set_batch_status(BatchChange(rt.batch_id, status, now))
        self._publish(rt, BatchEventType.STATUS_CHANGED, now)

    def _stored_view(self, stored: StoredBatch) -> BatchView:
        """A batch this process does not run (final here; on replicas, maybe running elsewhere)."""
        return estimated_stored_view(stored, self._model, self._workers_total, _utcnow())

    def _view(self, rt: BatchRuntime) -> BatchView:
        return live_view(rt, self._queue, self._model, self._workers_total, _utcnow())

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
