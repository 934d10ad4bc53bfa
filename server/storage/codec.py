"""Conversions between domain values and database columns, shared by every store implementation."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from server.domain import BatchOptions, ErrorType, ExportFormat, ExtractionFailure, ExtractionMode, Priority


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
    )


def failure_from_columns(
    error_type: str | None, message: str | None, details: str | None
) -> ExtractionFailure | None:
    if error_type is None:
        return None
    try:
        kind = ErrorType(error_type)
    except ValueError:
        # A type written by a newer version: keep the record readable rather than failing the read.
        kind = ErrorType.INTERNAL
    return ExtractionFailure(kind, message or "", details or "")
