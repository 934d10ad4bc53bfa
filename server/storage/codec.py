"""Conversions between domain values and database columns, shared by every store implementation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExportFormat,
    ExtractionFailure,
    ExtractionMode,
    Priority,
    SourceOutcome,
    SourceState,
)
from server.storage.base import StoredBatch, StoredCompany

BATCH_COLUMNS = (
    "batch_id, request_id, trace_id, options, status, total_companies, created_at, started_at, "
    "completed_at, last_update, tenant"
)
"""The ``batches`` columns ``batch_from_row`` reads, in order."""
COMPANY_COLUMNS = (
    "batch_id, position, name, domain_hint, state, attempts, started_at, finished_at, profile, "
    "error_type, error_message, error_details, from_cache, error_sources"
)
"""The ``companies`` columns ``company_from_row`` reads, in order."""


def to_epoch(moment: datetime | None) -> float | None:
    """An aware datetime as epoch seconds (None stays None)."""
    return None if moment is None else moment.timestamp()


def from_epoch(seconds: float | None) -> datetime | None:
    """Epoch seconds as an aware UTC datetime (None stays None)."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def options_to_json(options: BatchOptions) -> str:
    return json.dumps(asdict(options), sort_keys=True)


def options_from_json(text: str) -> BatchOptions:
    raw: dict[str, Any] = json.loads(text)
    defaults = BatchOptions()
    return BatchOptions(
        extraction_mode=ExtractionMode(raw.get("extraction_mode", defaults.extraction_mode)),
        priority=Priority(raw.get("priority", defaults.priority)),
        country=raw.get("country", defaults.country),
        language=raw.get("language", defaults.language),
        max_concurrent=raw.get("max_concurrent", defaults.max_concurrent),
        timeout_seconds=raw.get("timeout_seconds", defaults.timeout_seconds),
        include_failed_results=raw.get("include_failed_results", defaults.include_failed_results),
        export_format=ExportFormat(raw.get("export_format", defaults.export_format)),
        bypass_cache=raw.get("bypass_cache", defaults.bypass_cache),
        min_match_confidence=raw.get("min_match_confidence", defaults.min_match_confidence),
        max_cache_age_seconds=raw.get("max_cache_age_seconds", defaults.max_cache_age_seconds),
        webhook_url=raw.get("webhook_url", defaults.webhook_url),
        webhook_events=tuple(raw.get("webhook_events", defaults.webhook_events)),
    )


def outcome_columns(outcome: CompanyOutcome) -> tuple[Any, ...]:
    """A company's final write, in column order: state, started_at, finished_at, profile, error_type,
    error_message, error_details, from_cache, error_sources (the order every store's finish statement
    uses)."""
    error = outcome.error
    return (
        outcome.state.value,
        to_epoch(outcome.started_at),
        to_epoch(outcome.finished_at),
        None if outcome.profile is None else json.dumps(outcome.profile),
        None if error is None else error.type.value,
        None if error is None else error.message,
        None if error is None else error.details,
        int(outcome.from_cache),
        sources_to_json(error),
    )


def sources_to_json(error: ExtractionFailure | None) -> str | None:
    """A failure's per-source outcomes as the ``error_sources`` column (None without any)."""
    if error is None or not error.sources:
        return None
    return json.dumps([[s.source, s.outcome.value, s.reason, s.transient] for s in error.sources])


def sources_from_json(text: str | None) -> tuple[SourceOutcome, ...]:
    if not text:
        return ()
    found = []
    for source, outcome, reason, transient in json.loads(text):
        try:
            state = SourceState(outcome)
        except ValueError:  # written by a newer version
            continue
        found.append(SourceOutcome(source, state, reason, bool(transient)))
    return tuple(found)


def failure_from_columns(
    error_type: str | None, message: str | None, details: str | None, sources: str | None = None
) -> ExtractionFailure | None:
    if error_type is None:
        return None
    try:
        kind = ErrorType(error_type)
    except ValueError:
        # A type written by a newer version: keep the record readable rather than failing the read.
        kind = ErrorType.INTERNAL
    return ExtractionFailure(kind, message or "", details or "", sources_from_json(sources))


def batch_from_row(row: Sequence[Any], counts: dict[CompanyState, int]) -> StoredBatch:
    """A ``BATCH_COLUMNS`` row and its state counts as a ``StoredBatch``."""
    created = from_epoch(row[6])
    last_update = from_epoch(row[9])
    assert created is not None and last_update is not None  # NOT NULL columns
    return StoredBatch(
        batch_id=row[0],
        request_id=row[1],
        trace_id=row[2],
        options=options_from_json(row[3]),
        status=BatchStatus(row[4]),
        total_companies=row[5],
        created_at=created,
        started_at=from_epoch(row[7]),
        completed_at=from_epoch(row[8]),
        last_update=last_update,
        state_counts=counts,
        tenant=row[10],
    )


def company_from_row(row: Sequence[Any]) -> StoredCompany:
    """A ``COMPANY_COLUMNS`` row as a ``StoredCompany``."""
    return StoredCompany(
        batch_id=row[0],
        position=row[1],
        name=row[2],
        domain_hint=row[3],
        state=CompanyState(row[4]),
        attempts=row[5],
        started_at=from_epoch(row[6]),
        finished_at=from_epoch(row[7]),
        profile=None if row[8] is None else json.loads(row[8]),
        error=failure_from_columns(row[9], row[10], row[11], row[13]),
        from_cache=bool(row[12]),
    )
