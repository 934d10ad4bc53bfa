"""The store's roles: each consumer is typed against the one it uses; ``BatchStore`` is all of them.

Every write method is one transaction and is guarded by the state it expects (a company is only marked
finished while it is ``running``), so a late write after a cancel or a requeue changes nothing. The
records crossing this boundary, and how timestamps are kept, are in ``server.storage.base``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from server.domain import (
    BatchStatus,
    CompanyOutcome,
    ExtractionFailure,
    WebhookDelivery,
)
from server.storage.base import (
    BatchChange,
    CachedExtraction,
    CacheKey,
    ChangeListener,
    ClaimedCompany,
    DueDelivery,
    HeldLease,
    NewBatch,
    NewDelivery,
    PageCursor,
    RetryRecord,
    StatsAggregates,
    StoredApiKey,
    StoredBatch,
    StoredCompany,
    StoredResponse,
    WebhookBacklog,
)


class BatchRecords(Protocol):
    """Batches and their companies as records: create, read, change a batch's status."""

    async def create_batch(self, batch: NewBatch) -> tuple[StoredBatch, bool]:
        """Create a batch with all its companies in one transaction.

        Returns the batch and True, or, when ``batch.request_id`` was already used by
        ``batch.tenant``, the batch that request created and False. Raises ``BatchIdTaken`` when the
        batch id exists.
        """
        ...

    async def get_batch(self, batch_id: str) -> StoredBatch | None: ...

    async def batch_for_request(self, request_id: str, tenant: str = "") -> StoredBatch | None:
        """The batch a submit of ``tenant`` with this ``request_id`` created, if any."""
        ...

    async def list_batches(
        self, limit: int, after: PageCursor | None = None, tenant: str | None = None
    ) -> list[StoredBatch]:
        """Batches newest first (created_at, then batch_id, descending), strictly after ``after``.

        With ``tenant``, only that tenant's batches; None lists every tenant's.
        """
        ...

    async def unfinished_batches(self) -> list[StoredBatch]:
        """Batches whose status is not final, oldest first."""
        ...

    async def list_companies(self, batch_id: str) -> list[StoredCompany]:
        """A batch's companies in submit order."""
        ...

    async def set_batch_status(self, change: BatchChange) -> None: ...

    async def cancel_batch(self, change: BatchChange, failure: ExtractionFailure) -> None:
        """Cancel a batch: pending companies become cancelled, running ones cancelled with ``failure``."""

    async def retry_failed(
        self,
        batch_id: str,
        error_types: frozenset[str],
        bypass_cache: bool,
        request_id: str | None,
        now: datetime,
    ) -> RetryRecord:
        """Re-queue a finished batch's failed companies (those of ``error_types``; empty: all), in one
        transaction: they become pending (their attempts kept), the batch queued again with
        ``bypass_cache`` in its options. Only ``RETRYABLE_BATCH_STATUSES`` are retried; a
        ``request_id`` this batch saw before replays that retry (``server.storage.retry_sql``)."""
        ...


class BatchChanges(Protocol):
    """Notice of committed changes of batches (``server.webhooks``, watchers)."""

    async def add_change_listener(self, listener: ChangeListener) -> None:
        """Call ``listener`` after every committed change of a batch (other replicas' too on PostgreSQL)."""


class CompanyProgress(Protocol):
    """A company's run in this process: started, finished, or put back to wait."""

    async def requeue_running(self, batch_id: str | None = None, positions: Sequence[int] = ()) -> int:
        """Put ``running`` companies back to ``pending`` (all of them, or one batch's, or some positions).

        Returns how many rows changed.
        """
        ...

    async def mark_started(
        self, batch_id: str, position: int, started_at: datetime, change: BatchChange | None = None
    ) -> None:
        """A pending company starts (attempts + 1); optionally the batch's status changes with it."""

    async def finish_company(
        self,
        batch_id: str,
        position: int,
        outcome: CompanyOutcome,
        change: BatchChange | None = None,
        *,
        attempt: int | None = None,
    ) -> bool:
        """A running company this process started finished (success or failed); optionally the batch's
        status changes with it.

        With ``attempt`` the write only lands while the row is still that attempt, so a result that
        lost a race with a requeue and a restart changes nothing. Returns True when the result was
        recorded, False when it was refused (``change`` is then not written either).
        """
        ...


class WorkLeases(Protocol):
    """Work claimed across replicas under leases (see ``server.storage.leases``)."""

    async def claim(
        self, owner: str, now: datetime, lease_seconds: float, aging_seconds: float, limit: int = 1
    ) -> list[ClaimedCompany]:
        """Claim up to ``limit`` pending companies of the batch the queue order puts first.

        Honours priority, aging and the batch's ``max_concurrent`` counted over every replica.
        """
        ...

    async def extend_leases(self, owner: str, expires: datetime) -> list[HeldLease]:
        """Extend every lease ``owner`` holds to ``expires``; returns the leases it still holds."""
        ...

    async def release_expired(self, now: datetime) -> list[str]:
        """Running companies whose lease expired by ``now`` go back to pending; returns their batch ids."""
        ...

    async def release_owned(self, owner: str, positions: Sequence[HeldLease] = ()) -> int:
        """Give leases back (all of ``owner``'s, or some): those companies are pending again."""
        ...

    async def finish_claimed(
        self, batch_id: str, position: int, outcome: CompanyOutcome, attempt: int, owner: str
    ) -> bool:
        """A company ``owner`` claimed (``claim``) finished: recorded only while the row is still that
        attempt held by that owner, so a replica whose lease expired cannot overwrite the retry's result.

        When it was its batch's last outstanding company, the batch gets its final status in the same
        write, as ``complete_if_done`` would. Returns True when the result was recorded.
        """
        ...

    async def complete_if_done(self, batch_id: str, now: datetime) -> BatchStatus | None:
        """Give a batch with no pending or running company its final status; returns it if written."""
        ...

    async def unfinished_without_work(self) -> list[str]:
        """Live batches none of whose companies is pending or running (a crash between two writes)."""
        ...

    async def count_pending(self) -> int:
        """Companies waiting to start in batches that may run (queued or processing)."""
        ...


class StatsQueries(Protocol):
    """Figures over finished work: the estimates' recent durations and the stats' aggregates."""

    async def recent_durations(self, per_mode: int) -> dict[str, list[float]]:
        """Up to ``per_mode`` most recent extraction durations (seconds) per mode; cache hits excluded."""
        ...

    async def stats_since(self, since: datetime, now: datetime, tenant: str | None = None) -> StatsAggregates:
        """Aggregates for batches created and companies finished in [since, now].

        With ``tenant``, only that tenant's batches and their companies (and its live work counts).
        """
        ...


class WebhookOutbox(BatchChanges, Protocol):
    """The webhook outbox (see ``server.storage.webhooks_sql``); filled as batches change."""

    async def webhook_backlog(self, limit: int) -> list[WebhookBacklog]:
        """Up to ``limit`` batches with an unannounced final status or finished company, oldest first."""
        ...

    async def enqueue_webhooks(
        self,
        backlog: WebhookBacklog,
        deliveries: Sequence[NewDelivery],
        announced: Sequence[tuple[int, int]],
        settled: datetime | None,
    ) -> None:
        """In one transaction: add ``deliveries`` (each id once), mark the (position, attempt) companies
        announced, and the batch settled at ``settled`` if that is still its completion time."""

    async def claim_webhooks(self, now: datetime, lease_seconds: float, limit: int) -> list[DueDelivery]:
        """Lease up to ``limit`` pending deliveries due by ``now`` for one attempt each."""
        ...

    async def record_webhook_attempt(
        self,
        delivery: DueDelivery,
        at: datetime,
        status_code: int | None,
        error: str,
        seconds: float,
        retry_at: datetime | None,
        delivered: bool,
    ) -> bool:
        """Record an attempt; the delivery is delivered, pending again at ``retry_at``, or failed (neither).

        Returns False when the attempt's lease was lost (the attempt is kept in the history all the same).
        """
        ...

    async def webhook_deliveries(self, batch_id: str) -> list[WebhookDelivery]:
        """A batch's deliveries, oldest first."""
        ...

    async def webhook_secret(self, tenant: str, candidate: str, now: datetime) -> str:
        """The tenant's webhook signing secret; ``candidate`` becomes it when it has none yet."""
        ...


class ApiKeyStore(Protocol):
    """API keys (``server.auth``)."""

    async def add_api_key(self, key: StoredApiKey) -> None:
        """Store a new key (its hash); the key id and hash are unique."""

    async def api_key_by_hash(self, key_hash: str) -> StoredApiKey | None:
        """The key with this hash, revoked or not."""
        ...

    async def list_api_keys(self) -> list[StoredApiKey]:
        """Every key, oldest first."""
        ...

    async def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        """Mark a key revoked; False when no unrevoked key has this id."""
        ...


class ExtractionCacheStore(Protocol):
    """Cached extraction answers (``server.cache``)."""

    async def cache_get(self, key: CacheKey, now: datetime) -> CachedExtraction | None:
        """The cached answer for ``key`` unless it expired by ``now``."""
        ...

    async def cache_put(self, key: CacheKey, entry: CachedExtraction) -> None:
        """Store (or replace) the answer for ``key``."""


class ResponseCacheStore(Protocol):
    """Knowledge services' answers kept for every replica (``server.extraction.response_cache``)."""

    async def response_get(self, key: str, now: datetime) -> StoredResponse | None:
        """The stored answer under ``key`` unless it expired by ``now`` (stale but kept ones included)."""
        ...

    async def response_put(self, key: str, response: StoredResponse) -> None:
        """Store (or replace) the answer under ``key``."""


class Retention(Protocol):
    """Deleting what has outlived its keeping (``server.storage.retention``)."""

    async def purge_finished(self, before: datetime) -> int:
        """Delete final batches completed before ``before`` with their companies; returns batches deleted.

        Stats summaries (where a store keeps them) of hours that ended before ``before`` go too.
        """
        ...

    async def purge_expired_cache(self, now: datetime) -> int:
        """Delete cache entries (extractions and knowledge answers) that expired by ``now``; returns how
        many."""
        ...


class BatchStore(
    BatchRecords,
    CompanyProgress,
    WorkLeases,
    StatsQueries,
    WebhookOutbox,
    ApiKeyStore,
    ExtractionCacheStore,
    ResponseCacheStore,
    Retention,
    Protocol,
):
    """Persistence of batches and their companies: every role, and the connection's lifecycle."""

    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None:
        """Release the connection; idempotent."""
