"""The service's exceptions, one small tree. The API layer maps each to a gRPC status in one place.

ServiceError
├── InvalidRequest          bad input; carries field violations       -> INVALID_ARGUMENT / 400
│   └── RequestTooLarge     a request above the size cap              -> INVALID_ARGUMENT / 413
├── BatchNotFound           unknown batch id                          -> NOT_FOUND / 404
├── InvalidTransition       cancel/pause/resume on a batch that can't -> FAILED_PRECONDITION / 409
├── ServiceUnavailable      shutting down, store unreachable          -> UNAVAILABLE / 503
├── ServiceOverloaded       the queue is full                         -> RESOURCE_EXHAUSTED / 429
├── Unauthenticated         no API key, or an unknown/revoked one     -> UNAUTHENTICATED / 401
├── RateLimited             the caller's token bucket is empty        -> RESOURCE_EXHAUSTED / 429
└── ExtractionError         one company could not be extracted (becomes data, never escapes a worker)
    ├── CompanyAnalysisError   every source answered and none knows the company ("Company not found"),
    │                          or the match is too weak ("Ambiguous match")
    ├── SourceUnavailableError a source the answer depends on could not be reached: network down, DNS,
    │                          5xx, connection reset, a source in its cool-down (each source named)
    ├── BlockedError           a source refused us: robots.txt, 401/403/429, an anti-bot challenge page
    └── FetchError             one request failed; ``state`` says how the source answered
        ├── HostNotFoundError  the name does not exist or is not served there (NXDOMAIN, TLS
        │                      unrecognized_name, 421)
        ├── PageParseError     a fetched page could not be parsed within its CPU and memory budget
        ├── FetchUnavailableError  no answer: connect error, reset, 5xx, timeout (transient)
        │   └── CircuitOpenError   not asked: the host failed repeatedly and is cooling down
        └── FetchBlockedError  refused: 401/403, 429 (transient, with its Retry-After), challenge page
            └── RobotsDisallowedError  (``server.extraction.fetcher``) robots.txt disallows the page

A company's outcome type (``server.domain.ErrorType``) is decided once, from the per-source outcomes
of the whole extraction (``server.extraction.outcomes``): "not found" is only said when every source
answered. ``TimeoutError`` (the company's ``timeout_seconds`` ran out) is set by the runner, which
cancels the extraction. Each failure carries ``retryable`` (``ExtractionFailure.retryable``) and the
per-source outcome list.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain import ErrorType, SourceOutcome, SourceState


class ServiceError(Exception):
    """Base of every error this service raises on purpose."""


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class InvalidRequest(ServiceError):
    """Bad input. The message spells out the first few violations only: it travels in a header."""

    MESSAGE_VIOLATIONS = 3

    def __init__(self, violations: list[FieldViolation]) -> None:
        self.violations = violations
        parts = [f"{v.field[:80]}: {v.description[:200]}" for v in violations[: self.MESSAGE_VIOLATIONS]]
        if len(violations) > len(parts):
            parts.append(f"and {len(violations) - len(parts)} more")
        super().__init__("; ".join(parts))


class RequestTooLarge(InvalidRequest):
    """The request is larger than the service reads (``MAX_REQUEST_BYTES``); nothing of it was used."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__([FieldViolation("request", f"is {size} bytes; at most {limit} are accepted")])


class BatchNotFound(ServiceError):
    def __init__(self, batch_id: str) -> None:
        self.batch_id = batch_id
        super().__init__(f"batch {batch_id!r} not found")


class InvalidTransition(ServiceError):
    def __init__(self, batch_id: str, action: str, status: str) -> None:
        self.batch_id = batch_id
        self.action = action
        self.status = status
        super().__init__(f"cannot {action} batch {batch_id!r}: it is {status}")


class ServiceUnavailable(ServiceError):
    pass


class ServiceOverloaded(ServiceError):
    """Accepting the work would exceed the queue's capacity; retry later."""

    def __init__(self, queued: int, requested: int, capacity: int) -> None:
        self.queued = queued
        self.requested = requested
        self.capacity = capacity
        super().__init__(
            f"the queue holds {queued} companies and takes at most {capacity}; "
            f"{requested} more do not fit, retry later"
        )


class Unauthenticated(ServiceError):
    """Auth is on and the call carried no valid key. The message never repeats what was presented."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class RateLimited(ServiceError):
    """The caller spent its burst; ``retry_after_seconds`` is when its next call would be allowed."""

    def __init__(self, retry_after_seconds: float, rate: float, burst: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        self.rate = rate
        self.burst = burst
        super().__init__(
            f"too many requests: at most {rate:g} per second (bursts of {burst}); "
            f"retry in {retry_after_seconds:.2f} s"
        )


class ExtractionError(ServiceError):
    """One company could not be extracted; ``error_type`` names it in results."""

    error_type: ErrorType = ErrorType.INTERNAL

    def __init__(self, message: str, details: str = "", sources: tuple[SourceOutcome, ...] = ()) -> None:
        self.message = message
        self.details = details
        self.sources = sources
        super().__init__(message)


class CompanyAnalysisError(ExtractionError):
    error_type = ErrorType.COMPANY_ANALYSIS


class SourceUnavailableError(ExtractionError):
    error_type = ErrorType.SOURCE_UNAVAILABLE


class BlockedError(ExtractionError):
    error_type = ErrorType.BLOCKED


class FetchError(ExtractionError):
    """One request failed. ``state`` is how its source answered; ``transient``: the same request may
    succeed soon (the fetcher retries those)."""

    error_type = ErrorType.FETCH
    state = SourceState.NOT_FOUND  # it answered, with nothing usable (404, a redirect loop, not JSON)
    transient = False

    @property
    def outage(self) -> bool:
        """The source could not be asked (no answer, a refusal, a cool-down), as opposed to an answer
        that holds nothing: its fields are then "source unavailable", not "not found"."""
        return self.state is not SourceState.NOT_FOUND


class HostNotFoundError(FetchError):
    """The host name does not exist or is not served where it points (an answer, not an outage)."""


class PageParseError(FetchError):
    """A page was fetched but could not be read: it exceeded its parse budget or broke the parser.

    Fails that page only: a domain candidate whose home page it is is rejected, a crawled page is skipped.
    """


class FetchUnavailableError(FetchError):
    """No answer: the host could not be reached, reset the connection, answered 5xx or timed out."""

    error_type = ErrorType.SOURCE_UNAVAILABLE
    state = SourceState.UNAVAILABLE
    transient = True

    def __init__(self, message: str, details: str = "", *, retry: bool = True) -> None:
        super().__init__(message, details)
        self.retry = retry  # worth retrying within this fetch (a timeout already spent its time: no)


class CircuitOpenError(FetchUnavailableError):
    """Not asked: the host failed repeatedly and is skipped until its cool-down ends."""

    state = SourceState.SKIPPED

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message, details, retry=False)


class FetchBlockedError(FetchError):
    """The host refused us: 401, 403, 429 (``retry_after`` seconds, when it said), a challenge page."""

    error_type = ErrorType.BLOCKED
    state = SourceState.BLOCKED

    def __init__(self, message: str, details: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class RateLimitedError(FetchBlockedError):
    """429 Too Many Requests: a refusal for now, retried after its ``Retry-After``."""

    transient = True
