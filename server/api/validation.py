"""Request validation: every documented bound, all violations reported at once, nothing created on error."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

import pycountry

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2
from company_protos.company.v1 import extraction_service_pb2 as extraction_pb
from server.api import convert
from server.api.bounds import MAX_QUOTE_CHARS, clip, quote
from server.domain import (
    DEFAULT_COUNTRY,
    DEFAULT_LANGUAGE,
    DEFAULT_MAX_CONCURRENT,
    DEFAULT_TIMEFRAME,
    DEFAULT_TIMEOUT_SECONDS,
    MATCH_CONFIDENCE_RANGE,
    MAX_COMPANIES_PER_BATCH,
    MAX_COMPANY_NAME_LENGTH,
    MAX_CONCURRENT_RANGE,
    MAX_REQUEST_ID_LENGTH,
    TIMEFRAMES,
    TIMEOUT_SECONDS_RANGE,
    WEBHOOK_EVENTS,
    BatchOptions,
    BatchSpec,
    ErrorType,
    ExportFormat,
    ExtractionMode,
    ExtractionRequest,
    Priority,
    RetrySpec,
)
from server.errors import FieldViolation, InvalidRequest
from server.webhooks.urls import webhook_url_problem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_BATCH_ID_LENGTH = 64

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_VISIBLE_CATEGORIES = frozenset("LNPS")
"""Unicode major categories of characters that show: letters, numbers, punctuation, symbols."""


def normalized_name(name: str) -> str:
    """The key under which two spellings of a name count as duplicates: case and spacing folded."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class _Violations:
    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field, description))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidRequest(self.items)


def visible_text(raw: str) -> str:
    """``raw`` without invisible format characters (Cf: zero-width spaces, BOMs, bidi controls, soft
    hyphens), runs of any Unicode space folded to one ASCII space, trimmed.

    A name pasted from a web page or a spreadsheet often carries these; they would make "Acme" and
    "Acme\u200b" two companies and defeat duplicate merging, domain hints and the cache.
    """
    return " ".join("".join(ch for ch in raw if unicodedata.category(ch) != "Cf").split())


def _company_name(v: _Violations, field: str, raw: str) -> str | None:
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        v.add(field, "must not contain control characters")
        return None
    name = visible_text(raw)
    if not name:
        v.add(field, "must not be empty, whitespace or invisible characters only")
        return None
    if len(name) > MAX_COMPANY_NAME_LENGTH:
        v.add(field, f"must be at most {MAX_COMPANY_NAME_LENGTH} characters (got {len(name)})")
        return None
    if not any(unicodedata.category(ch)[0] in _VISIBLE_CATEGORIES for ch in name):
        v.add(field, f"must contain a letter, digit or symbol (got {quote(name)})")
        return None
    return name


def _enum(v: _Violations, field: str, enum_type: Any, number: int, allowed: str) -> str | None:
    if number == 0:
        return None
    name = convert.enum_name(enum_type, number)
    if name is None:
        v.add(field, f"unknown value {number}; expected one of {allowed}")
    return name


def _country(v: _Violations, field: str, present: bool, raw: str) -> str:
    if not present:
        return DEFAULT_COUNTRY
    code = raw.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        v.add(field, f"must be an ISO 3166-1 alpha-2 country code such as US or DE (got {quote(raw)})")
        return DEFAULT_COUNTRY
    return code


def _language(v: _Violations, field: str, present: bool, raw: str) -> str:
    if not present:
        return DEFAULT_LANGUAGE
    code = raw.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        v.add(field, f"must be an ISO 639-1 language code such as en or de (got {quote(raw)})")
        return DEFAULT_LANGUAGE
    return code


def _bounded(
    v: _Violations, field: str, present: bool, value: int, bounds: tuple[int, int], default: int
) -> int:
    if not present:
        return default
    low, high = bounds
    if not low <= value <= high:
        v.add(field, f"must be between {low} and {high} (got {value})")
        return default
    return value


def min_match_confidence(v: _Violations, present: bool, value: float) -> float | None:
    """The optional ``min_match_confidence``: absent is no minimum; it must be a number in [0, 1]."""
    if not present:
        return None
    low, high = MATCH_CONFIDENCE_RANGE
    if not low <= value <= high:  # also refuses NaN, which compares false with everything
        v.add("min_match_confidence", f"must be between {low:g} and {high:g} (got {value:g})")
        return None
    return value


def max_cache_age(v: _Violations, present: bool, value: int) -> int | None:
    """The optional ``max_cache_age_seconds``: absent is any age the cache keeps; 0 or more."""
    if not present:
        return None
    if value < 0:
        v.add("max_cache_age_seconds", f"must be 0 or more (got {value})")
        return None
    return value


def hostname(raw: str) -> str | None:
    """``raw`` as a lower-case ASCII hostname (IDNA), or None when it is not a hostname."""
    host = raw.strip().lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # an IP address is not a company domain
        return None
    return host


def _domain_hint(v: _Violations, field: str, raw: str) -> str | None:
    host = hostname(raw)
    if host is None:
        v.add(field, f"must be a hostname such as example.com, without scheme or path (got {quote(raw)})")
    return host


def _webhook(
    v: _Violations, request: pb.SubmitBatchRequest, allow_private: bool
) -> tuple[str | None, tuple[str, ...]]:
    """The submit's ``webhook_url`` (through the fetcher's address guard) and ``webhook_events``."""
    url = request.webhook_url.strip() or None
    if url is not None:
        problem = webhook_url_problem(url, allow_private)
        if problem is not None:
            v.add("webhook_url", f"{problem} (got {quote(url)})")
            url = None
    events: list[str] = []
    for index, raw in enumerate(request.webhook_events):
        event = raw.strip()
        if event not in WEBHOOK_EVENTS:
            v.add(
                f"webhook_events[{index}]", f"must be one of {', '.join(WEBHOOK_EVENTS)} (got {quote(raw)})"
            )
        elif event not in events:
            events.append(event)
    if events and not request.webhook_url.strip():
        v.add("webhook_events", "needs a webhook_url to deliver to")
    return url, tuple(events)


def submit_spec(request: pb.SubmitBatchRequest, *, allow_private_webhooks: bool = False) -> BatchSpec:
    """Validate a submit and apply the contract's defaults.

    Duplicate names (equal after folding case and spacing) are merged into their first occurrence
    and reported back, rather than rejected: a list pasted from a spreadsheet often repeats a row.
    """
    v = _Violations()
    names: list[str] = []
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    count = len(request.company_names)
    if not 1 <= count <= MAX_COMPANIES_PER_BATCH:
        v.add("company_names", f"must hold 1 to {MAX_COMPANIES_PER_BATCH} names (got {count})")
    for index, raw in enumerate(request.company_names):
        name = _company_name(v, f"company_names[{index}]", raw)
        if name is None:
            continue
        key = normalized_name(name)
        if key in seen:
            duplicates.append(name)
            continue
        seen[key] = name
        names.append(name)

    hints: dict[str, str] = {}
    for key, value in request.domain_hints.items():
        field = f"domain_hints[{clip(key, MAX_QUOTE_CHARS)}]"
        target = seen.get(normalized_name(visible_text(key)))
        if target is None:
            v.add(field, "names a company that is not in company_names")
            continue
        host = _domain_hint(v, field, value)
        if host is not None:
            hints[target] = host

    request_id = _request_id(v, request.request_id)

    mode = _enum(
        v, "extraction_mode", enums_pb2.ExtractionMode, request.extraction_mode, _choices(ExtractionMode)
    )
    priority = _enum(v, "priority", enums_pb2.Priority, request.priority, _choices(Priority))
    export = _enum(v, "export_format", enums_pb2.ExportFormat, request.export_format, _choices(ExportFormat))
    webhook_url, webhook_events = _webhook(v, request, allow_private_webhooks)
    options = BatchOptions(
        extraction_mode=ExtractionMode(mode) if mode else ExtractionMode.STANDARD,
        priority=Priority(priority) if priority else Priority.NORMAL,
        country=_country(v, "country", request.HasField("country"), request.country),
        language=_language(v, "language", request.HasField("language"), request.language),
        max_concurrent=_bounded(
            v,
            "max_concurrent",
            request.HasField("max_concurrent"),
            request.max_concurrent,
            MAX_CONCURRENT_RANGE,
            DEFAULT_MAX_CONCURRENT,
        ),
        timeout_seconds=_bounded(
            v,
            "timeout_seconds",
            request.HasField("timeout_seconds"),
            request.timeout_seconds,
            TIMEOUT_SECONDS_RANGE,
            DEFAULT_TIMEOUT_SECONDS,
        ),
        include_failed_results=(
            request.include_failed_results if request.HasField("include_failed_results") else True
        ),
        export_format=ExportFormat(export) if export else ExportFormat.JSON,
        bypass_cache=request.bypass_cache,
        min_match_confidence=min_match_confidence(
            v, request.HasField("min_match_confidence"), request.min_match_confidence
        ),
        max_cache_age_seconds=max_cache_age(
            v, request.HasField("max_cache_age_seconds"), request.max_cache_age_seconds
        ),
        webhook_url=webhook_url,
        webhook_events=webhook_events,
    )
    v.raise_if_any()
    return BatchSpec(
        company_names=tuple(names),
        options=options,
        domain_hints=hints,
        request_id=request_id,
        duplicates_merged=tuple(duplicates),
    )


def _request_id(v: _Violations, raw: str) -> str | None:
    """An idempotency key: printable, at most ``MAX_REQUEST_ID_LENGTH`` characters; blank is none."""
    request_id = raw.strip()
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        v.add("request_id", f"must be at most {MAX_REQUEST_ID_LENGTH} characters")
    elif any(not ch.isprintable() for ch in request_id):
        v.add("request_id", "must contain printable characters only")
    return request_id or None


def retry_spec(request: pb.RetryBatchRequest) -> tuple[str, RetrySpec]:
    """Validate RetryBatch: the batch id and which failures to retry.

    ``error_types`` values must be ``ErrorType`` names (``error.type`` as results show it).
    """
    v = _Violations()
    known = {member.value for member in ErrorType}
    types: set[str] = set()
    for index, raw in enumerate(request.error_types):
        value = raw.strip()
        if value not in known:
            v.add(
                f"error_types[{index}]",
                f"must be one of {', '.join(sorted(known))} (got {quote(raw)})",
            )
        types.add(value)
    request_id = _request_id(v, request.request_id)
    v.raise_if_any()
    spec = RetrySpec(error_types=frozenset(types), bypass_cache=request.bypass_cache, request_id=request_id)
    return batch_id(request.batch_id), spec


class SingleExtraction(NamedTuple):
    """A validated ExtractCompany."""

    request: ExtractionRequest
    timeout_seconds: int
    bypass_cache: bool
    max_cache_age_seconds: int | None


def extraction_request(request: Any) -> SingleExtraction:
    """Validate ExtractCompany: the request, its timeout in seconds, and how the cache may answer."""
    assert isinstance(request, extraction_pb.ExtractCompanyRequest)
    v = _Violations()
    name = _company_name(v, "company_name", request.company_name)
    mode = _enum(
        v, "extraction_mode", enums_pb2.ExtractionMode, request.extraction_mode, _choices(ExtractionMode)
    )
    hint = _domain_hint(v, "domain_hint", request.domain_hint) if request.domain_hint.strip() else None
    country = _country(v, "country", request.HasField("country"), request.country)
    language = _language(v, "language", request.HasField("language"), request.language)
    timeout = _bounded(
        v,
        "timeout_seconds",
        request.HasField("timeout_seconds"),
        request.timeout_seconds,
        TIMEOUT_SECONDS_RANGE,
        DEFAULT_TIMEOUT_SECONDS,
    )
    minimum = min_match_confidence(v, request.HasField("min_match_confidence"), request.min_match_confidence)
    max_age = max_cache_age(v, request.HasField("max_cache_age_seconds"), request.max_cache_age_seconds)
    v.raise_if_any()
    assert name is not None
    extraction = ExtractionRequest(
        company_name=name,
        mode=ExtractionMode(mode) if mode else ExtractionMode.STANDARD,
        country=country,
        language=language,
        domain_hint=hint,
        min_match_confidence=minimum,
    )
    return SingleExtraction(extraction, timeout, request.bypass_cache, max_age)


def batch_id(raw: str) -> str:
    """A syntactically possible batch id (existence is the scheduler's business)."""
    value = raw.strip()
    if not value or len(value) > MAX_BATCH_ID_LENGTH or not _BATCH_ID.match(value):
        raise InvalidRequest([FieldViolation("batch_id", f"is not a batch id (got {quote(raw)})")])
    return value


def export_format(number: int, field: str = "format") -> ExportFormat | None:
    v = _Violations()
    name = _enum(v, field, enums_pb2.ExportFormat, number, _choices(ExportFormat))
    v.raise_if_any()
    return ExportFormat(name) if name else None


def timeframe(raw: str) -> str:
    value = raw.strip() or DEFAULT_TIMEFRAME
    if value not in TIMEFRAMES:
        raise InvalidRequest(
            [FieldViolation("timeframe", f"must be one of {', '.join(TIMEFRAMES)} (got {quote(raw)})")]
        )
    return value


def page_size(value: int) -> int:
    if value == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidRequest(
            [FieldViolation("page_size", f"must be between 1 and {MAX_PAGE_SIZE} (got {value})")]
        )
    return value


def _choices(enum_cls: type[ExtractionMode] | type[Priority] | type[ExportFormat]) -> str:
    return "/".join(member.value for member in enum_cls)
