"""Domain objects of the batch service: batches, companies, outcomes, and the views the API reads.

Nothing here knows about protobuf or storage. Enum values are the lower-case spellings of the REST
contract, which are also the proto enum value names, so converting is a lookup by name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Profile = dict[str, Any]
"""A company profile in the JSON shape of ``company.v1.CompanyProfile`` (proto field names).

Absent keys mean "not found". Provenance timestamps are RFC 3339 strings.
"""


class BatchStatus(enum.StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PAUSED = "paused"

    @property
    def is_final(self) -> bool:
        return self in FINAL_BATCH_STATUSES


FINAL_BATCH_STATUSES = frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED})


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for urgent."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class ExtractionMode(enum.StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    COMPREHENSIVE = "comprehensive"
    CONTACT_FOCUSED = "contact_focused"
    FINANCIAL_FOCUSED = "financial_focused"


class ExportFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
    EXCEL = "excel"


class CompanyState(enum.StrEnum):
    """Where one company of a batch stands."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"  # never ran (or was stopped) because the batch was cancelled

    @property
    def is_final(self) -> bool:
        return self in (CompanyState.SUCCESS, CompanyState.FAILED, CompanyState.CANCELLED)


class Phase(enum.StrEnum):
    """``progress.current_phase``: a finer reading of the status for people watching."""

    WAITING = "waiting"
    EXTRACTION = "extraction"
    PAUSING = "pausing"
    PAUSED = "paused"
    CANCELLING = "cancelling"
    FINISHED = "finished"


class ErrorType(enum.StrEnum):
    """``error.type`` of a failed company (the taxonomy is documented in ``server.errors``)."""

    COMPANY_ANALYSIS = "CompanyAnalysisError"  # every source answered and none knew the company
    SOURCE_UNAVAILABLE = "SourceUnavailableError"  # a source could not be reached (network, DNS, 5xx, reset)
    BLOCKED = "BlockedError"  # a source refused us (robots.txt, 401/403/429, an anti-bot challenge page)
    TIMEOUT = "TimeoutError"  # the company's timeout_seconds ran out
    FETCH = "FetchError"  # the web answered something unusable (written by older versions; kept readable)
    CANCELLED = "CancelledError"
    INTERNAL = "InternalError"


class SourceState(enum.StrEnum):
    """How one source answered for one company (``error.sources[].outcome``)."""

    OK = "ok"  # answered, and told us something
    NOT_FOUND = "not_found"  # answered: nothing there (no such host, 404, no record)
    UNAVAILABLE = "unavailable"  # did not answer (connect error, DNS, 5xx, reset, timeout)
    BLOCKED = "blocked"  # refused us (robots.txt, 401/403/429, a challenge page)
    SKIPPED = "skipped"  # not asked: its circuit is open after repeated failures

    @property
    def answered(self) -> bool:
        return self in (SourceState.OK, SourceState.NOT_FOUND)


@dataclass(frozen=True)
class SourceOutcome:
    """One source's answer for one company. ``transient``: asking again later may well succeed."""

    source: str  # "wikidata", "search:duckduckgo", "website:acme.com", ...
    outcome: SourceState
    reason: str = ""
    transient: bool = False


WEBHOOK_EVENTS = ("batch.completed", "batch.failed", "batch.cancelled", "company.finished")
"""Event types a submit's ``webhook_events`` may name: a batch's final status, or one company done."""
DEFAULT_WEBHOOK_EVENTS = ("batch.completed", "batch.failed", "batch.cancelled")
"""Without ``webhook_events``: the batch's final status only (one call per batch, not one per company)."""
MAX_WEBHOOK_URL_LENGTH = 2048

# Request defaults and bounds from the REST contract.
DEFAULT_COUNTRY = "US"
DEFAULT_LANGUAGE = "en"
DEFAULT_MAX_CONCURRENT = 5
MAX_CONCURRENT_RANGE = (1, 20)
DEFAULT_TIMEOUT_SECONDS = 300
TIMEOUT_SECONDS_RANGE = (30, 600)
MAX_COMPANIES_PER_BATCH = 100
MAX_COMPANY_NAME_LENGTH = 200
MAX_REQUEST_ID_LENGTH = 128
MATCH_CONFIDENCE_RANGE = (0.0, 1.0)


@dataclass(frozen=True)
class BatchOptions:
    """Everything a submit asks for besides the names; validated, defaults applied."""

    extraction_mode: ExtractionMode = ExtractionMode.STANDARD
    priority: Priority = Priority.NORMAL
    country: str = DEFAULT_COUNTRY
    language: str = DEFAULT_LANGUAGE
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    include_failed_results: bool = True
    export_format: ExportFormat = ExportFormat.JSON
    bypass_cache: bool = False
    min_match_confidence: float | None = None  # below it a company fails as an "Ambiguous match"
    max_cache_age_seconds: int | None = None  # a cached answer older than this is extracted afresh
    webhook_url: str | None = None  # where the batch's events are delivered (server.webhooks)
    webhook_events: tuple[str, ...] = ()  # which of WEBHOOK_EVENTS; () means DEFAULT_WEBHOOK_EVENTS


@dataclass(frozen=True)
class BatchSpec:
    """A validated submit: unique names in order, their domain hints, options."""

    company_names: tuple[str, ...]
    options: BatchOptions
    domain_hints: dict[str, str] = field(default_factory=dict)
    request_id: str | None = None
    duplicates_merged: tuple[str, ...] = ()
    tenant: str = ""  # set by the API from the caller's key ('' when auth is off), never by the request


@dataclass(frozen=True)
class ExtractionRequest:
    """What the extractor is asked for one company."""

    company_name: str
    mode: ExtractionMode = ExtractionMode.STANDARD
    country: str = DEFAULT_COUNTRY
    language: str = DEFAULT_LANGUAGE
    domain_hint: str | None = None
    # Not part of the question the cache remembers: applied to every answer, cached or fresh.
    min_match_confidence: float | None = None


# Failures that a later attempt may turn into a result whatever their sources say.
_RETRYABLE_TYPES = frozenset({ErrorType.TIMEOUT, ErrorType.SOURCE_UNAVAILABLE, ErrorType.CANCELLED})


@dataclass(frozen=True)
class ExtractionFailure:
    """Why a company has no profile. Failures are data, not exceptions."""

    type: ErrorType
    message: str
    details: str = ""
    sources: tuple[SourceOutcome, ...] = ()  # what each source asked answered, in the order asked

    @property
    def retryable(self) -> bool:
        """Whether asking again may succeed: timeouts, unreachable sources, a cancel, a rate limit.

        Not a company no source knows, a refusal that is policy (403, robots.txt, a challenge page), an
        internal error (a defect, which a retry repeats).
        """
        if self.type in _RETRYABLE_TYPES:
            return True
        if self.type is ErrorType.BLOCKED:
            return any(s.transient for s in self.sources if s.outcome is SourceState.BLOCKED)
        return False


@dataclass(frozen=True)
class CompanyOutcome:
    """A finished company: exactly one of ``profile`` and ``error`` is set."""

    company_name: str
    state: CompanyState
    profile: Profile | None = None
    error: ExtractionFailure | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    from_cache: bool = False
    attempts: int = 0  # runs of this company so far, counting this one (0 outside a batch)

    @property
    def duration_seconds(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class Progress:
    total_companies: int
    completed: int  # successes
    failed: int
    in_progress: int
    cancelled: int
    phase: Phase

    @property
    def remaining(self) -> int:
        """Companies still to run: 0 once the batch is final (cancelled companies will not run)."""
        return self.total_companies - self.completed - self.failed - self.cancelled

    @property
    def completion_percentage(self) -> float:
        if self.total_companies == 0:
            return 0.0
        return round((self.completed + self.failed) / self.total_companies * 100, 1)


@dataclass(frozen=True)
class BatchView:
    """The status document of one batch, as of now."""

    batch_id: str
    status: BatchStatus
    options: BatchOptions
    progress: Progress
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    last_update: datetime
    processing_time: float  # seconds since started_at (until completed_at)
    estimated_processing_time: float  # seconds, from now until done
    estimated_completion: datetime | None  # None once final


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook delivery of a batch: ``state`` is pending, delivered or failed (given up)."""

    delivery_id: str  # the webhook-id header, the same on every attempt
    event_type: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None  # while pending
    last_attempt_at: datetime | None
    last_status_code: int | None  # None: the last attempt got no HTTP answer
    last_error: str
    delivered_at: datetime | None


@dataclass(frozen=True)
class BatchStatusReport:
    """``GetBatch``: the status document and, for a batch with a webhook, its deliveries so far."""

    batch: BatchView
    deliveries: tuple[WebhookDelivery, ...] = ()


@dataclass(frozen=True)
class SubmitOutcome:
    batch: BatchView
    idempotent_replay: bool
    duplicates_merged: tuple[str, ...]


RETRYABLE_BATCH_STATUSES = frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED})
"""Batches ``RetryBatch`` accepts. A cancelled batch is not among them: it was stopped on request and its
cancelled companies never ran, so re-running its failures would quietly undo part of that request (submit
the names again instead). A live batch has nothing final to retry yet."""


@dataclass(frozen=True)
class RetrySpec:
    """A validated ``RetryBatch``: which failed companies run again, and how."""

    error_types: frozenset[str] = frozenset()  # ``error.type`` values to retry; empty: every failure
    bypass_cache: bool = False
    request_id: str | None = None


@dataclass(frozen=True)
class RetryOutcome:
    """The batch after a retry, how many companies it re-queued, and whether it was a replay."""

    batch: BatchView
    retried_companies: int
    idempotent_replay: bool


@dataclass(frozen=True)
class ResultsSummary:
    industries: dict[str, int]
    company_sizes: dict[str, int]
    countries: dict[str, int]


@dataclass(frozen=True)
class BatchResults:
    """A batch's finished companies (in submit order) and their summary."""

    batch: BatchView
    results: tuple[CompanyOutcome, ...]
    summary: ResultsSummary


class BatchEventType(enum.StrEnum):
    SNAPSHOT = "snapshot"
    COMPANY_STARTED = "company_started"
    COMPANY_SUCCEEDED = "company_succeeded"
    COMPANY_FAILED = "company_failed"
    STATUS_CHANGED = "status_changed"


@dataclass(frozen=True)
class BatchEvent:
    """One change of a batch, as WatchBatch streams it."""

    type: BatchEventType
    batch: BatchView
    sequence: int
    timestamp: datetime
    company_name: str = ""
    result: CompanyOutcome | None = None


TIMEFRAMES: dict[str, int] = {
    "1h": 3600,
    "6h": 6 * 3600,
    "24h": 24 * 3600,
    "7d": 7 * 86400,
    "30d": 30 * 86400,
}
DEFAULT_TIMEFRAME = "24h"


@dataclass(frozen=True)
class ErrorCount:
    error_type: str
    count: int
    percentage: float


@dataclass(frozen=True)
class BreakdownStats:
    batches: int
    companies_processed: int
    success_rate: float
    average_company_time: float
    average_queue_wait: float


@dataclass(frozen=True)
class SourceCircuit:
    """One knowledge-source host's circuit breaker, as GetStats shows it."""

    host: str
    state: str  # "closed", "open", "half_open"
    consecutive_failures: int
    opened_times: int
    retry_in_seconds: float  # until the next try while open; 0 otherwise


@dataclass(frozen=True)
class StatsReport:
    """``GetStats``' data; every figure computed from stored records and the running process."""

    timeframe: str
    total_batches: int
    completed_batches: int
    failed_batches: int
    cancelled_batches: int
    active_batches: int
    total_companies_processed: int
    average_processing_time: float
    success_rate: float
    average_batch_size: float
    fastest_batch_time: float
    slowest_batch_time: float
    most_common_extraction_mode: ExtractionMode | None
    peak_concurrent_batches: int
    cache_hit_rate: float
    average_company_time: float
    cpu_usage: float
    memory_usage: float
    active_connections: int
    queue_size: int
    workers_busy: int
    workers_total: int
    most_common_errors: tuple[ErrorCount, ...]
    by_mode: dict[str, BreakdownStats] | None = None
    by_priority: dict[str, BreakdownStats] | None = None
    source_circuits: tuple[SourceCircuit, ...] = ()
