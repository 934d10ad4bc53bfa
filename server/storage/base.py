"""The storage protocol, by role: what the scheduler, stats, caches and outbox need from a database.

Each consumer is typed against the role it uses; ``BatchStore`` is their union, free of any engine's
dialect.

Timestamps cross this boundary as timezone-aware UTC datetimes; implementations store them as epoch
seconds (a plain float column) so that durations are portable SQL arithmetic (``completed_at -
started_at``) in SQLite and PostgreSQL alike.

Every write method is one transaction and is guarded by the state it expects (a company is only marked
finished while it is ``running``), so a late write after a cancel or a requeue changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ExtractionFailure,
    Profile,
    WebhookDelivery,
)


class BatchIdTaken(Exception):
    """``create_batch`` was given a batch id that already exists; the caller picks another one."""


@dataclass(frozen=True)
class NewCompany:
    """One company of a batch about to be created."""

    name: str
    domain_hint: str | None = None


@dataclass(frozen=True)
class NewBatch:
    """A batch about to be created, with its companies in submit order."""

    batch_id: str
    options: BatchOptions
    companies: tuple[NewCompany, ...]
    created_at: datetime
    request_id: str | None = None
    trace_id: str = ""
    tenant: str = ""  # the submitting key's tenant ('' when auth is off); request_id is unique per tenant


@dataclass(frozen=True)
class StoredBatch:
    """A batch row plus how many of its companies are in each state."""

    batch_id: str
    request_id: str | None
    trace_id: str
    options: BatchOptions
    status: BatchStatus
    total_companies: int
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    last_update: datetime
    state_counts: Mapping[CompanyState, int] = field(default_factory=dict)
    tenant: str = ""

    def count(self, state: CompanyState) -> int:
        return self.state_counts.get(state, 0)


@dataclass(frozen=True)
class StoredCompany:
    """A company row of a batch."""

    batch_id: str
    position: int
    name: str
    domain_hint: str | None
    state: CompanyState
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    profile: Profile | None
    error: ExtractionFailure | None
    from_cache: bool

    def outcome(self) -> CompanyOutcome:
        """The company as a result (meaningful once its state is final)."""
        return CompanyOutcome(
            company_name=self.name,
            state=self.state,
            profile=self.profile,
            error=self.error,
            started_at=self.started_at,
            finished_at=self.finished_at,
            from_cache=self.from_cache,
            attempts=self.attempts,
        )


@dataclass(frozen=True)
class BatchChange:
    """A new status for a batch, written in the same transaction as the company change that caused it."""

    batch_id: str
    status: BatchStatus
    last_update: datetime
    started_at: datetime | None = None  # only written when set (first company started)
    completed_at: datetime | None = None  # only written when set (final status)
    waiting_since: datetime | None = None  # only written when set (a resume restarts aging)


@dataclass(frozen=True)
class ClaimedCompany:
    """A company this replica now runs under a lease; ``attempt`` is its fencing token."""

    batch_id: str
    position: int
    name: str
    domain_hint: str | None
    attempt: int
    started_at: datetime
    options: BatchOptions
    trace_id: str
    batch_started: bool  # this claim moved the batch from queued to processing


@dataclass(frozen=True)
class RetryRecord:
    """What ``retry_failed`` did: the batch as it now is, and the companies it re-queued.

    ``replay`` is True when ``request_id`` named an earlier retry of this batch: nothing changed and
    ``retried`` is that retry's count. ``batch`` is None when the batch does not exist; ``refused``
    when its status does not allow a retry (the batch is then unchanged).
    """

    batch: StoredBatch | None
    retried: int = 0
    replay: bool = False
    refused: bool = False


@dataclass(frozen=True)
class WebhookBacklog:
    """A batch with something to announce (``server.storage.webhooks_sql``)."""

    batch: StoredBatch
    url: str
    settled_at: datetime | None  # the completion whose batch event is in the outbox already, if any
    unannounced: tuple[StoredCompany, ...]  # finished companies whose latest attempt has no event yet


@dataclass(frozen=True)
class NewDelivery:
    """A delivery for the outbox; its id is derived from what it announces (see ``webhooks_sql``)."""

    delivery_id: str
    event_type: str
    payload: str  # the JSON body, exactly as it is signed and sent
    created_at: datetime


@dataclass(frozen=True)
class DueDelivery:
    """A delivery claimed for one attempt (``attempt`` counts it) under a lease."""

    delivery_id: str
    batch_id: str
    tenant: str
    event_type: str
    url: str
    payload: str
    attempt: int
    created_at: datetime


@dataclass(frozen=True)
class HeldLease:
    """A running company whose lease an owner still holds, at the attempt it holds it for."""

    batch_id: str
    position: int
    attempt: int


ChangeListener = Callable[[str, BatchStatus | None], None]
"""Called after a committed change of a batch (on any replica, where the engine can carry it) with the
batch id and, when the batch's status was written, that status (None for a company's progress)."""


@dataclass(frozen=True)
class PageCursor:
    """Where a newest-first listing continues: strictly older than this (created_at, batch_id)."""

    created_at: datetime
    batch_id: str


@dataclass(frozen=True)
class GroupFigures:
    """Raw sums for one extraction mode or priority; the stats module turns them into rates."""

    batches: int = 0
    companies_processed: int = 0
    companies_succeeded: int = 0
    company_seconds: float = 0.0
    queue_wait_seconds: float = 0.0
    queue_wait_count: int = 0


@dataclass(frozen=True)
class StatsAggregates:
    """SQL aggregates over a time window: batches created in it and companies finished in it."""

    batches_by_status: Mapping[BatchStatus, int]
    active_batches: int  # live right now, whenever created
    submitted_companies: int  # sum of batch sizes of batches created in the window
    finished_batches: int  # completed or failed, with a start time
    finished_batch_seconds: float
    fastest_batch_seconds: float
    slowest_batch_seconds: float
    companies_processed: int  # success or failed
    companies_succeeded: int
    companies_from_cache: int
    company_seconds: float
    errors: Mapping[str, int]
    peak_concurrent_batches: int
    by_mode: Mapping[str, GroupFigures]
    by_priority: Mapping[str, GroupFigures]
    # Only in a tenant's aggregates: its companies waiting and running right now (the service-wide
    # figures come from the running scheduler instead).
    tenant_pending: int | None = None
    tenant_running: int | None = None


@dataclass(frozen=True)
class StoredApiKey:
    """An API key as the store keeps it: its public id and the SHA-256 of the secret, never the secret."""

    key_id: str
    key_hash: str
    tenant: str
    admin: bool
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class CacheKey:
    """What makes two extractions the same question (``server.cache`` builds it from a request)."""

    name_key: str  # the normalized company name
    extraction_mode: str
    country: str
    language: str
    domain_hint: str  # '' when there is none


@dataclass(frozen=True)
class CachedExtraction:
    """A cached answer: a profile, or the failure worth remembering (exactly one is set)."""

    profile: Profile | None
    error: ExtractionFailure | None
    stored_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class StoredResponse:
    """A knowledge service's answer kept for every replica (``server.extraction.response_cache``)."""

    url: str
    content_type: str
    body: str
    etag: str | None
    last_modified: str | None
    stored_at: datetime
    fresh_until: datetime  # served without asking until then; revalidated (or fetched) after
    expires_at: datetime  # kept until then (a stale entry with a validator is revalidated)


# The store's roles: each consumer is typed against the one it uses; ``BatchStore`` is all of them.


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
