"""Request messages built from plain Python arguments; shared by the async and the blocking client.

Enum arguments accept the REST contract's lower-case names (``"high"``), any case of them, or the
generated enum values (``enums_pb2.high``). ``None`` leaves an optional field unset so the server
applies its documented default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from client.errors import client_validation_error
from company_protos.company.v1 import batch_service_pb2, enums_pb2, extraction_service_pb2

EnumArgument = str | int
"""A lower-case enum name such as ``"comprehensive"``, or the generated enum value."""


def enum_value(enum_type: EnumTypeWrapper, value: EnumArgument, field: str) -> int:
    """The wire value of ``value`` in ``enum_type``.

    Raises:
        InvalidArgument: ``value`` names no value of the enum (raised before any call is made).
    """
    valid = [name for name in enum_type.keys() if not name.endswith("_unspecified")]
    if isinstance(value, str):
        name = value.strip().lower()
        if name in enum_type.keys():
            number: int = enum_type.Value(name)
            return number
    elif isinstance(value, int) and not isinstance(value, bool) and value in enum_type.values():
        return value
    raise client_validation_error(field, f"{value!r} is not one of {', '.join(valid)}")


def _optional_enum(enum_type: EnumTypeWrapper, value: EnumArgument | None, field: str) -> int:
    # 0 is the *_unspecified value of every enum here: the server reads it as "use the default".
    return 0 if value is None else enum_value(enum_type, value, field)


def submit_request(
    names: Iterable[str],
    *,
    extraction_mode: EnumArgument | None = None,
    priority: EnumArgument | None = None,
    country: str | None = None,
    language: str | None = None,
    domain_hints: Mapping[str, str] | None = None,
    max_concurrent: int | None = None,
    timeout_seconds: int | None = None,
    include_failed_results: bool | None = None,
    export_format: EnumArgument | None = None,
    request_id: str | None = None,
    bypass_cache: bool = False,
    min_match_confidence: float | None = None,
    webhook_url: str | None = None,
    webhook_events: Iterable[str] = (),
) -> batch_service_pb2.SubmitBatchRequest:
    """A ``SubmitBatchRequest``; the server validates names, bounds and hints."""
    if isinstance(names, str):  # a bare string would be submitted one character per company
        raise client_validation_error("company_names", "expected a list of names, got a single string")
    optional: dict[str, Any] = {
        "country": country,
        "language": language,
        "max_concurrent": max_concurrent,
        "timeout_seconds": timeout_seconds,
        "include_failed_results": include_failed_results,
        "min_match_confidence": min_match_confidence,
    }
    return batch_service_pb2.SubmitBatchRequest(
        company_names=list(names),
        extraction_mode=_optional_enum(enums_pb2.ExtractionMode, extraction_mode, "extraction_mode"),
        priority=_optional_enum(enums_pb2.Priority, priority, "priority"),
        domain_hints=dict(domain_hints or {}),
        export_format=_optional_enum(enums_pb2.ExportFormat, export_format, "export_format"),
        request_id=request_id or "",
        bypass_cache=bypass_cache,
        webhook_url=webhook_url or "",
        webhook_events=list(webhook_events),
        **{key: value for key, value in optional.items() if value is not None},
    )


def results_request(batch_id: str, include_failed: bool | None = None) -> batch_service_pb2.GetResultsRequest:
    """A ``GetResultsRequest``; ``include_failed=None`` means the batch's own setting."""
    request = batch_service_pb2.GetResultsRequest(batch_id=batch_id)
    if include_failed is not None:
        request.include_failed = include_failed
    return request


def export_request(
    batch_id: str,
    export_format: EnumArgument | None = None,
    include_failed: bool | None = None,
    excel_compatible: bool = False,
) -> batch_service_pb2.ExportResultsRequest:
    """An ``ExportResultsRequest``; ``None`` values mean the batch's own settings."""
    request = batch_service_pb2.ExportResultsRequest(
        batch_id=batch_id,
        format=_optional_enum(enums_pb2.ExportFormat, export_format, "format"),
        excel_compatible=excel_compatible,
    )
    if include_failed is not None:
        request.include_failed = include_failed
    return request


def extract_request(
    company_name: str,
    *,
    extraction_mode: EnumArgument | None = None,
    country: str | None = None,
    language: str | None = None,
    domain_hint: str | None = None,
    timeout_seconds: int | None = None,
    bypass_cache: bool = False,
    min_match_confidence: float | None = None,
) -> extraction_service_pb2.ExtractCompanyRequest:
    """An ``ExtractCompanyRequest`` for one company, answered without creating a batch."""
    optional: dict[str, Any] = {
        "country": country,
        "language": language,
        "timeout_seconds": timeout_seconds,
        "min_match_confidence": min_match_confidence,
    }
    return extraction_service_pb2.ExtractCompanyRequest(
        company_name=company_name,
        extraction_mode=_optional_enum(enums_pb2.ExtractionMode, extraction_mode, "extraction_mode"),
        domain_hint=domain_hint or "",
        bypass_cache=bypass_cache,
        **{key: value for key, value in optional.items() if value is not None},
    )


def stats_request(timeframe: str = "24h", include_details: bool = False) -> batch_service_pb2.GetStatsRequest:
    """A ``GetStatsRequest`` (timeframe 1h, 6h, 24h, 7d or 30d; the server validates it)."""
    return batch_service_pb2.GetStatsRequest(timeframe=timeframe, include_details=include_details)


def list_request(page_size: int = 20, page_token: str = "") -> batch_service_pb2.ListBatchesRequest:
    """A ``ListBatchesRequest`` for one page, newest batches first."""
    return batch_service_pb2.ListBatchesRequest(page_size=page_size, page_token=page_token)


def retry_request(
    batch_id: str, error_types: Iterable[str], bypass_cache: bool, request_id: str | None
) -> batch_service_pb2.RetryBatchRequest:
    """A RetryBatchRequest; the server validates the error types."""
    return batch_service_pb2.RetryBatchRequest(
        batch_id=batch_id,
        error_types=list(error_types),
        bypass_cache=bypass_cache,
        request_id=request_id or "",
    )
