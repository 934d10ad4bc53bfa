"""The batch scheduler: one worker pool shared by every batch, over a ``WorkQueue`` (see ``base.py``).

The dispatcher claims as many companies as it has free workers in one call to its queue and runs each
in its own task; with nothing to claim it waits for the queue to wake it (a submit, a finished company,
a resume, another replica's change) or, on a queue that polls, ``poll_seconds``. Order of work,
persistence and watchers are the queue's: ``LocalQueue`` (in-memory priority queue, the default) or
``LeaseQueue`` (the queue in the store, shared by replicas).

A command a client started (submit, cancel, pause, resume, retry) finishes even when the client's
deadline cancels its handler half way (``server.scheduling.uncancellable``).

Extractions run in their own tasks so that a cancel stops them (``task.cancel()``) without stopping the
dispatcher, and a timeout is enforced with ``asyncio.timeout``. Failures are data: an
``ExtractionError`` becomes a failure of its ``error_type``, anything else an ``InternalError`` (logged
with a traceback).
"""

from __future__ import annotations

import asyncio
import logging
import time

from server.cache import ExtractionCache
from server.domain import (
    BatchResults,
    BatchSpec,
    BatchStatusReport,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ExtractionRequest,
    RetryOutcome,
    RetrySpec,
    StatsReport,
    SubmitOutcome,
)
from server.errors import BatchNotFound, InvalidTransition, ServiceOverloaded, ServiceUnavailable
from server.extraction.base import Extractor, LookaheadExtractor
from server.extraction.circuits import all_circuits
from server.scheduling.base import Estimates, QueuedCompany, WorkQueue, utcnow
from server.scheduling.estimates import WINDOW_SIZE, DurationModel
from server.scheduling.events import WATCHER_CAPACITY, EventStream
from server.scheduling.execution import batch_request, log_outcome, run_extraction
from server.scheduling.local_queue import LocalQueue
from server.scheduling.paging import decode_page_token, encode_page_token
from server.scheduling.queue import Clock
from server.scheduling.results import batch_results
from server.scheduling.submission import create_batch
from server.scheduling.uncancellable import run_to_completion
from server.scheduling.watch_streams import single_snapshot
from server.stats.report import LiveFigures, StatsCollector
from server.storage.base import ClaimedCompany, PageCursor, RetryRecord
from server.storage.roles import BatchStore

LOGGER_NAME = "company_batch.scheduler"
STORE_RETRY_SECONDS = 1.0
"""After a failed claim the dispatcher waits this long before claiming again."""


class BatchScheduler:
    """Runs batches of company extractions on one shared worker pool, over ``queue``.

    Without a ``queue`` the batches live in this process (``LocalQueue`` ordered with ``aging_seconds``
    on ``clock``); ``server.scheduling.replicas.ReplicaScheduler`` passes the lease queue.
    """

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
        queue: WorkQueue | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._store = store
        self._extractor = extractor
        # Told which companies come next, when it can read ahead for them (``_announce_upcoming``).
        self._lookahead = extractor if isinstance(extractor, LookaheadExtractor) else None
        self._workers_total = workers
        self._log = logger or logging.getLogger(LOGGER_NAME)
        self._max_queued = max_queued_companies
        self._cache = cache
        self._model = DurationModel()
        self._estimates = Estimates(self._model, workers)
        self._queue: WorkQueue = queue or LocalQueue(store, aging_seconds, clock, watcher_capacity)
        self._queue.attach(self._estimates, self._kick, self._log)
        self._stats = StatsCollector(store)
        self._work_available = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._busy = 0
        self._runs: set[asyncio.Task[None]] = set()
        self._claim_lock = asyncio.Lock()  # one claim at a time: the free-worker count stays true
        self._loops: list[asyncio.Task[None]] = []
        self._dispatching = True
        self._stopped = False

    # -- properties ----------------------------------------------------------------------------------

    @property
    def queue_size(self) -> int:
        """Companies waiting to start, across all batches."""
        return self._queue.pending

    def queue_depth(self) -> dict[str, int]:
        """Companies waiting to start, by their batch's priority where the queue knows it."""
        return self._queue.depth()

    @property
    def workers_busy(self) -> int:
        return self._busy

    @property
    def workers_total(self) -> int:
        return self._workers_total

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Recover what the last process left (running companies go back to pending) and dispatch."""
        self._model.seed(await self._store.recent_durations(WINDOW_SIZE))
        await self._queue.recover()
        self._loops = [asyncio.create_task(self._dispatch(), name="batch-dispatch")]
        if self._queue.heartbeat_seconds is not None:
            self._loops.append(asyncio.create_task(self._heartbeat_loop(), name="batch-heartbeat"))
        self._kick()

    async def drain(self, grace_seconds: float) -> None:
        """Start nothing new; give in-flight companies ``grace_seconds``, then hand the rest back."""
        self._dispatching = False
        try:
            async with asyncio.timeout(grace_seconds):
                await self._idle.wait()
        except TimeoutError:
            pass
        await self._queue.release(self._queue.held)

    async def stop(self) -> None:
        """Stop dispatching and every extraction still running; the store is not touched afterwards."""
        self._dispatching = False
        self._stopped = True
        tasks: list[asyncio.Task[None]] = [*self._loops, *self._runs]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loops = []
        await self._queue.close()

    # -- commands ------------------------------------------------------------------------------------

    async def submit(self, spec: BatchSpec, *, trace_id: str = "") -> SubmitOutcome:
        """Persist a validated batch and queue it; a known ``request_id`` returns the earlier batch."""
        self._ensure_dispatching()
        await self._check_capacity(spec)
        return await run_to_completion(self._create_and_queue(spec, trace_id))

    async def _create_and_queue(self, spec: BatchSpec, trace_id: str) -> SubmitOutcome:
        stored, created = await create_batch(self._store, spec, trace_id, utcnow())
        if not created:
            return SubmitOutcome(await self.get(stored.batch_id), True, spec.duplicates_merged)
        view = await self._queue.admit(stored)  # as queued, before anything starts
        self._announce_upcoming()
        await self._start_now()
        return SubmitOutcome(view, False, spec.duplicates_merged)

    async def _start_now(self) -> None:
        """New work was queued: claim it now where the queue asks for that, else wake the dispatcher."""
        if self._queue.claims_at_admit:
            try:
                await self._claim_and_start()
            except ServiceUnavailable:
                self._log.exception("claiming for new work failed; the dispatcher retries")
        self._kick()

    async def _check_capacity(self, spec: BatchSpec) -> None:
        """Refuse work beyond the queue's capacity, unless it is the replay of an accepted submit."""
        if self._max_queued is None:
            return
        await self._queue.refresh_pending()
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
        self._ensure_open()
        view = await run_to_completion(self._queue.cancel(batch_id))
        self._announce_upcoming()
        return view

    async def pause(self, batch_id: str) -> BatchView:
        """Let running companies finish and start no new ones (idempotent)."""
        self._ensure_open()
        view = await run_to_completion(self._queue.pause(batch_id))
        self._announce_upcoming()
        return view

    async def resume(self, batch_id: str) -> BatchView:
        """Continue a paused batch (idempotent on a batch that is not paused)."""
        self._ensure_open()
        view = await run_to_completion(self._queue.resume(batch_id))
        self._announce_upcoming()
        return view

    async def retry(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        """Run a finished batch's failed companies again (see ``BatchStore.retry_failed``).

        Raises ``BatchNotFound``, ``InvalidTransition`` (a live or cancelled batch) or
        ``ServiceOverloaded`` (its failures would not fit in the queue).
        """
        self._ensure_dispatching()
        await self._check_retry_capacity(batch_id)
        return await run_to_completion(self._retry_and_queue(batch_id, spec))

    async def _retry_and_queue(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        record = await self._retry_in_store(batch_id, spec)
        assert record.batch is not None
        if not record.retried or record.replay:
            return RetryOutcome(await self.get(batch_id), record.retried, record.replay)
        view = await self._queue.admit(record.batch)  # as queued again, before anything starts
        self._announce_upcoming()
        await self._start_now()
        return RetryOutcome(view, record.retried, False)

    async def _retry_in_store(self, batch_id: str, spec: RetrySpec) -> RetryRecord:
        """The store's retry, its refusals raised as the API's errors."""
        record = await self._store.retry_failed(
            batch_id, spec.error_types, spec.bypass_cache, spec.request_id, utcnow()
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
        await self._queue.refresh_pending()
        stored = await self._store.get_batch(batch_id)
        failed = 0 if stored is None else stored.count(CompanyState.FAILED)
        if self.queue_size + failed > self._max_queued:
            raise ServiceOverloaded(self.queue_size, failed, self._max_queued)

    # -- queries -------------------------------------------------------------------------------------

    async def get(self, batch_id: str) -> BatchView:
        """The batch's status document. Raises ``BatchNotFound``."""
        self._ensure_open()
        view = self._queue.live_view(batch_id)
        if view is not None:
            return view
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return self._estimates.stored_view(stored)

    async def status(self, batch_id: str) -> BatchStatusReport:
        """GetBatch: the status document and, for a batch with a webhook, its deliveries."""
        view = await self.get(batch_id)
        if view.options.webhook_url is None:
            return BatchStatusReport(view)
        return BatchStatusReport(view, tuple(await self._store.webhook_deliveries(batch_id)))

    async def batch_tenant(self, batch_id: str) -> str | None:
        """The tenant a batch belongs to, or None when there is no such batch."""
        self._ensure_open()
        tenant = self._queue.live_tenant(batch_id)
        if tenant is not None:
            return tenant
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
        views = [self._queue.live_view(s.batch_id) or self._estimates.stored_view(s) for s in page]
        token = encode_page_token(PageCursor(page[-1].created_at, page[-1].batch_id)) if more else ""
        return views, token

    async def results(self, batch_id: str, include_failed: bool | None) -> BatchResults:
        """Finished companies in submit order (partial while running) and their summary."""
        return await batch_results(self._store, await self.get(batch_id), include_failed)

    async def watch(self, batch_id: str) -> EventStream:
        """A snapshot, then every change, ending after the final status. Raises ``BatchNotFound`` first."""
        self._ensure_open()
        feed = await self._queue.feed(batch_id)
        if feed is not None:
            return feed
        stored = await self._store.get_batch(batch_id)
        if stored is None:
            raise BatchNotFound(batch_id)
        return single_snapshot(self._estimates.stored_view(stored))

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
            utcnow(),
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
        await self._queue.refresh_pending()
        live = LiveFigures(
            active_connections, self.queue_size, self.workers_busy, self.workers_total, all_circuits()
        )
        return await self._stats.report(timeframe, include_details, live, tenant)

    # -- dispatching ---------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Claim as many companies as there are free workers, run each in its own task, repeat."""
        while True:
            if not self._dispatching or self._busy >= self._workers_total:
                self._work_available.clear()
                await self._work_available.wait()
                continue
            # Cleared before claiming: a wake-up arriving during the claim makes the wait return.
            self._work_available.clear()
            try:
                started = await self._claim_and_start()
            except ServiceUnavailable:
                self._log.exception("claiming failed; retrying")
                await asyncio.sleep(STORE_RETRY_SECONDS)
                continue
            if started:
                continue
            try:
                async with asyncio.timeout(self._queue.poll_seconds):
                    await self._work_available.wait()
            except TimeoutError:
                pass

    async def _claim_and_start(self) -> int:
        """One claim for the free workers, each claimed company started in its own task; how many."""
        async with self._claim_lock:
            free = self._workers_total - self._busy
            if not self._dispatching or free <= 0:
                return 0
            claims = await self._queue.claim(free)
            if not self._dispatching:
                await self._queue.release(claims)  # drain began during the claim: hand these back
                return 0
            for claim in claims:
                self._busy += 1
                self._idle.clear()
                task = asyncio.create_task(self._guarded_run(claim), name=f"company-{claim.batch_id}")
                self._runs.add(task)
                task.add_done_callback(self._run_done)
                # Held with no await since the claim returned: a cancel or a heartbeat sees it.
                self._queue.hold(claim, task)
            if claims:
                self._announce_upcoming()
            return len(claims)

    def _run_done(self, task: asyncio.Task[None]) -> None:
        self._runs.discard(task)
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()
        self._announce_upcoming()  # the finished company is no longer one to read ahead for
        self._kick()  # a worker is free

    async def _guarded_run(self, claim: ClaimedCompany) -> None:
        try:
            await self._run(claim)
        except ServiceUnavailable:
            # The company stays running in the store: the next start (or its lease's expiry) re-runs it.
            self._log.exception("store write failed; the company runs again later")
        except Exception:
            # A bug here must not stop the scheduler.
            self._log.exception("unexpected error while running a company")

    async def _run(self, claim: ClaimedCompany) -> None:
        """Extract, then record the result if the claim is still held (see ``WorkQueue.take_back``)."""
        options = claim.options
        request = batch_request(claim.name, claim.domain_hint, options)
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
        if not self._queue.take_back(claim):
            return  # cancelled, requeued or its lease lost: not ours to write
        if not outcome.from_cache:  # a cache hit's milliseconds say nothing about extraction time
            # Before recording, so the events the result publishes carry the updated estimate.
            self._model.observe(options.extraction_mode, outcome.duration_seconds)
        log_outcome(self._log, claim.batch_id, claim.trace_id, outcome)
        await self._queue.record(claim, outcome)

    async def _heartbeat_loop(self) -> None:
        assert self._queue.heartbeat_seconds is not None
        while True:
            await asyncio.sleep(self._queue.heartbeat_seconds)
            try:
                await self._queue.heartbeat()
            except ServiceUnavailable:
                self._log.exception("heartbeat failed; leases run out unless the next one succeeds")

    # -- internals -----------------------------------------------------------------------------------

    def _kick(self) -> None:
        self._work_available.set()

    def _announce_upcoming(self) -> None:
        """Tell a lookahead extractor which companies run now and which come next: the running ones,
        then as many queued ones as the pool has workers (the next round at most; read further ahead,
        the answers would wait longer to be used and be wasted more often on a cancel)."""
        if self._lookahead is None:
            return
        companies: list[ClaimedCompany | QueuedCompany] = [
            *self._queue.held,
            *self._queue.upcoming(self._workers_total),
        ]
        self._lookahead.upcoming(
            [batch_request(company.name, company.domain_hint, company.options) for company in companies]
        )

    def _ensure_open(self) -> None:
        if self._stopped:
            raise ServiceUnavailable("the scheduler is stopped")

    def _ensure_dispatching(self) -> None:
        self._ensure_open()
        if not self._dispatching:
            raise ServiceUnavailable("the scheduler is shutting down")
