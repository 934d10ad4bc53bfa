"""Translation between domain objects and company.v1 protobuf messages: the only module that does it.

Enum values map by name: the domain's lower-case spellings are the proto value names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2, profile_pb2
from server.domain import (
    DEFAULT_WEBHOOK_EVENTS,
    BatchEvent,
    BatchResults,
    BatchStatusReport,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ExtractionFailure,
    Profile,
    ResultsSummary,
    StatsReport,
)

EXPORT_PATH = "/api/v1/company/batch/{batch_id}/download"

# The same printing options Envoy's transcoder uses (envoy.yaml), so JSON rendered here (the JSON
# export) reads exactly like the REST responses.
JSON_PRINT_OPTIONS: dict[str, Any] = {
    "preserving_proto_field_name": True,
    "always_print_fields_with_no_presence": True,
}


def timestamp(value: datetime | None) -> Timestamp | None:
    """A Timestamp truncated to whole seconds, as the contract prints them (``2024-01-15T10:30:00Z``)."""
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value.astimezone(UTC).replace(microsecond=0, tzinfo=None))
    return ts


def enum_value(enum_type: Any, member: str) -> int:
    """The proto enum number for a domain enum member (same spelling)."""
    return int(enum_type.Value(member))


def enum_name(enum_type: Any, number: int) -> str | None:
    """The spelling of a proto enum number, None for the unspecified zero or an unknown number."""
    if number == 0:
        return None
    try:
        return str(enum_type.Name(number))
    except ValueError:
        return None


def metadata(trace_id: str, now: datetime, *, generated: bool = False) -> pb.ResponseMetadata:
    meta = pb.ResponseMetadata(trace_id=trace_id, timestamp=timestamp(now))
    if generated:
        meta.generated_at.CopyFrom(meta.timestamp)
    return meta


def _set_time(message: Message, field: str, value: datetime | None) -> None:
    ts = timestamp(value)
    if ts is not None:
        getattr(message, field).CopyFrom(ts)


def batch_to_proto(view: BatchView) -> pb.Batch:
    opts = view.options
    progress = view.progress
    message = pb.Batch(
        batch_id=view.batch_id,
        status=enum_value(enums_pb2.BatchStatus, view.status),
        progress=pb.BatchProgress(
            total_companies=progress.total_companies,
            completed=progress.completed,
            failed=progress.failed,
            remaining=progress.remaining,
            completion_percentage=progress.completion_percentage,
            current_phase=progress.phase.value,
            in_progress=progress.in_progress,
            cancelled=progress.cancelled,
        ),
        processing_time=round(view.processing_time, 1),
        priority=enum_value(enums_pb2.Priority, opts.priority),
        extraction_mode=enum_value(enums_pb2.ExtractionMode, opts.extraction_mode),
        export_format=enum_value(enums_pb2.ExportFormat, opts.export_format),
        country=opts.country,
        language=opts.language,
        max_concurrent=opts.max_concurrent,
        timeout_seconds=opts.timeout_seconds,
        include_failed_results=opts.include_failed_results,
    )
    _set_time(message, "created_at", view.created_at)
    _set_time(message, "started_at", view.started_at)
    _set_time(message, "completed_at", view.completed_at)
    _set_time(message, "last_update", view.last_update)
    _set_time(message, "estimated_completion", view.estimated_completion)
    return message


def status_to_proto(report: BatchStatusReport) -> pb.Batch:
    """GetBatch's document: the batch and, when it has a webhook, its deliveries."""
    message = batch_to_proto(report.batch)
    options = report.batch.options
    if options.webhook_url is None:
        return message
    message.webhook.url = options.webhook_url
    message.webhook.events.extend(options.webhook_events or DEFAULT_WEBHOOK_EVENTS)
    for delivery in report.deliveries:
        item = message.webhook.deliveries.add(
            webhook_id=delivery.delivery_id,
            event_type=delivery.event_type,
            state=delivery.state,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code or 0,
            last_error=delivery.last_error,
        )
        _set_time(item, "created_at", delivery.created_at)
        _set_time(item, "next_attempt_at", delivery.next_attempt_at)
        _set_time(item, "last_attempt_at", delivery.last_attempt_at)
        _set_time(item, "delivered_at", delivery.delivered_at)
    return message


def profile_to_proto(profile: Profile) -> profile_pb2.CompanyProfile:
    message = profile_pb2.CompanyProfile()
    json_format.ParseDict(profile, message)
    return message


_RESULT_STATUS = {
    CompanyState.SUCCESS: pb.CompanyResult.ExtractionStatus.success,
    CompanyState.CANCELLED: pb.CompanyResult.ExtractionStatus.cancelled,
}


def outcome_to_proto(outcome: CompanyOutcome) -> pb.CompanyResult:
    message = pb.CompanyResult(
        company_name=outcome.company_name,
        extraction_status=_RESULT_STATUS.get(outcome.state, pb.CompanyResult.ExtractionStatus.failed),
        duration_seconds=round(outcome.duration_seconds, 3),
        from_cache=outcome.from_cache,
        attempts=outcome.attempts,
    )
    if outcome.profile is not None:
        message.data.CopyFrom(profile_to_proto(outcome.profile))
    # A company stopped by its batch's cancel has no failure of its own to show.
    if outcome.error is not None and outcome.state is CompanyState.FAILED:
        message.error.CopyFrom(failure_to_proto(outcome.error))
    _set_time(message, "started_at", outcome.started_at)
    _set_time(message, "finished_at", outcome.finished_at)
    if message.data.HasField("extracted_at"):
        message.extracted_at.CopyFrom(message.data.extracted_at)
    elif outcome.state is not CompanyState.CANCELLED:
        _set_time(message, "extracted_at", outcome.finished_at)
    return message


def failure_to_proto(failure: ExtractionFailure) -> pb.ExtractionError:
    return pb.ExtractionError(
        type=failure.type.value,
        message=failure.message,
        details=failure.details,
        retryable=failure.retryable,
        sources=[
            pb.SourceOutcome(source=s.source, outcome=s.outcome.value, reason=s.reason)
            for s in failure.sources
        ],
    )


def summary_to_proto(summary: ResultsSummary) -> pb.ResultsSummary:
    return pb.ResultsSummary(
        industries=summary.industries, company_sizes=summary.company_sizes, countries=summary.countries
    )


def results_to_proto(results: BatchResults) -> pb.BatchResults:
    view = results.batch
    outcomes = results.results
    message = pb.BatchResults(
        batch_id=view.batch_id,
        status=enum_value(enums_pb2.BatchStatus, view.status),
        total_companies=view.progress.total_companies,
        successful_extractions=view.progress.completed,
        failed_extractions=view.progress.failed,
        processing_time=round(view.processing_time, 1),
        results=[outcome_to_proto(outcome) for outcome in outcomes],
        summary=summary_to_proto(results.summary),
        export_url=EXPORT_PATH.format(batch_id=view.batch_id),
    )
    _set_time(message, "completed_at", view.completed_at)
    return message


def results_json(results: BatchResults) -> dict[str, Any]:
    """The results document as the REST ``data`` object (the JSON export)."""
    return json_format.MessageToDict(results_to_proto(results), **JSON_PRINT_OPTIONS)


def event_to_proto(event: BatchEvent) -> pb.WatchBatchResponse:
    message = pb.WatchBatchResponse(
        event_type=event.type.value,
        batch=batch_to_proto(event.batch),
        company_name=event.company_name,
        sequence=event.sequence,
    )
    if event.result is not None:
        message.result.CopyFrom(outcome_to_proto(event.result))
    _set_time(message, "timestamp", event.timestamp)
    return message


def stats_to_proto(report: StatsReport) -> pb.Stats:
    mode = report.most_common_extraction_mode
    message = pb.Stats(
        timeframe=report.timeframe,
        system_stats=pb.SystemStats(
            total_batches=report.total_batches,
            completed_batches=report.completed_batches,
            failed_batches=report.failed_batches,
            cancelled_batches=report.cancelled_batches,
            active_batches=report.active_batches,
            total_companies_processed=report.total_companies_processed,
            average_processing_time=round(report.average_processing_time, 1),
            success_rate=round(report.success_rate, 1),
        ),
        performance_metrics=pb.PerformanceMetrics(
            average_batch_size=round(report.average_batch_size, 1),
            fastest_batch_time=round(report.fastest_batch_time, 1),
            slowest_batch_time=round(report.slowest_batch_time, 1),
            most_common_extraction_mode=enum_value(enums_pb2.ExtractionMode, mode) if mode else None,
            peak_concurrent_batches=report.peak_concurrent_batches,
            cache_hit_rate=round(report.cache_hit_rate, 1),
            average_company_time=round(report.average_company_time, 2),
        ),
        resource_utilization=pb.ResourceUtilization(
            cpu_usage=round(report.cpu_usage, 1),
            memory_usage=round(report.memory_usage, 1),
            active_connections=report.active_connections,
            queue_size=report.queue_size,
            workers_busy=report.workers_busy,
            workers_total=report.workers_total,
        ),
        error_analysis=pb.ErrorAnalysis(
            most_common_errors=[
                pb.ErrorCount(error_type=e.error_type, count=e.count, percentage=round(e.percentage, 1))
                for e in report.most_common_errors
            ]
        ),
        source_circuits=[
            pb.SourceCircuit(
                host=c.host,
                state=c.state,
                consecutive_failures=c.consecutive_failures,
                opened_times=c.opened_times,
                retry_in_seconds=c.retry_in_seconds,
            )
            for c in report.source_circuits
        ],
    )
    if report.by_mode is not None or report.by_priority is not None:
        message.details.CopyFrom(
            pb.StatsDetails(
                by_mode=_breakdowns(report.by_mode or {}),
                by_priority=_breakdowns(report.by_priority or {}),
            )
        )
    return message


def _breakdowns(items: Mapping[str, Any]) -> dict[str, pb.BreakdownStats]:
    return {
        key: pb.BreakdownStats(
            batches=b.batches,
            companies_processed=b.companies_processed,
            success_rate=round(b.success_rate, 1),
            average_company_time=round(b.average_company_time, 2),
            average_queue_wait=round(b.average_queue_wait, 2),
        )
        for key, b in items.items()
    }
