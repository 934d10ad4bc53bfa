"""The records that cross the storage boundary, free of any engine's dialect (the roles: ``roles``).

Timestamps cross this boundary as timezone-aware UTC datetimes; implementations store them as epoch
seconds (a plain float column) so that durations are portable SQL arithmetic (``completed_at -
started_at``) in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ExtractionFailure,
    Profile,
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
