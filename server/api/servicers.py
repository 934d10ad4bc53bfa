"""gRPC servicers: translate proto <-> domain and call one scheduler method. No business logic here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from google.api import httpbody_pb2
from grpc import aio

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from company_protos.company.v1 import extraction_service_pb2 as extraction_pb
from company_protos.company.v1 import extraction_service_pb2_grpc as extraction_grpc
from server.api import convert, validation
from server.api.access import current_principal
from server.api.context import trace_id
from server.api.interceptors import CallGauge
from server.api.watch_messages import SharedEventMessages
from server.errors import ServiceUnavailable
from server.export import render_file
from server.scheduling.tenancy import TenantBatches

if TYPE_CHECKING:
    from server.scheduling.base import Scheduler

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Admission:
    """Whether the server takes new work; cleared on SIGTERM."""

    def __init__(self) -> None:
        self.open = True

    def check(self) -> None:
        if not self.open:
            raise ServiceUnavailable(
                "the server is shutting down and accepts no new work; retry on another replica"
            )


class BatchServicer(pb_grpc.BatchServiceServicer):  # type: ignore[misc]
    def __init__(
        self,
        scheduler: Scheduler,
        gauge: CallGauge,
        admission: Admission,
        clock: Clock = _utcnow,
        *,
        allow_private_webhooks: bool = False,
    ) -> None:
        self._scheduler = scheduler
        self._allow_private_webhooks = allow_private_webhooks
        self._gauge = gauge
        self._admission = admission
        self._clock = clock
        # One conversion and one serialisation per event, for all its watchers (sent as bytes).
        self._event_messages = SharedEventMessages()

    def _meta(self) -> pb.ResponseMetadata:
        return convert.metadata(trace_id(), self._clock())

    def _batches(self) -> TenantBatches:
        """The scheduler as the current caller may see it (its tenant's batches, or all for an admin)."""
        return TenantBatches(self._scheduler, current_principal())

    async def SubmitBatch(
        self, request: pb.SubmitBatchRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        spec = validation.submit_spec(request, allow_private_webhooks=self._allow_private_webhooks)
        self._admission.check()
        outcome = await self._batches().submit(spec, trace_id=trace_id())
        batch = outcome.batch
        message = (
            "Batch already submitted with this request_id"
            if outcome.idempotent_replay
            else "Batch submitted successfully"
        )
        data = pb.SubmitBatchData(
            batch_id=batch.batch_id,
            status=convert.enum_value(enums_pb2.BatchStatus, batch.status),
            message=message,
            total_companies=batch.progress.total_companies,
            estimated_processing_time=round(batch.estimated_processing_time, 1),
            priority=convert.enum_value(enums_pb2.Priority, batch.options.priority),
            created_at=convert.timestamp(batch.created_at),
            duplicates_merged=list(outcome.duplicates_merged),
            idempotent_replay=outcome.idempotent_replay,
        )
        return pb.SubmitBatchResponse(success=True, data=data, metadata=self._meta())

    async def GetBatch(self, request: pb.GetBatchRequest, context: aio.ServicerContext[Any, Any]) -> Any:
        report = await self._batches().status(validation.batch_id(request.batch_id))
        return pb.GetBatchResponse(success=True, data=convert.status_to_proto(report), metadata=self._meta())

    async def WatchBatch(
        self, request: pb.WatchBatchRequest, context: aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        events = await self._batches().watch(validation.batch_id(request.batch_id))
        async for event in events:  # one by one: what it has not sent yet may still be coalesced
            yield self._event_messages.serialized(event)

    async def WatchBatchEvents(
        self, request: pb.WatchBatchEventsRequest, context: aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        events = await self._batches().watch(validation.batch_id(request.batch_id))
        async for run in events.runs():  # a watcher behind gets what it missed in one write
            yield self._event_messages.server_sent_run(run)

    async def GetResults(self, request: pb.GetResultsRequest, context: aio.ServicerContext[Any, Any]) -> Any:
        validation.export_format(request.format)
        include_failed = request.include_failed if request.HasField("include_failed") else None
        results = await self._batches().results(validation.batch_id(request.batch_id), include_failed)
        return pb.GetResultsResponse(
            success=True, data=convert.results_to_proto(results), metadata=self._meta()
        )

    async def ExportResults(
        self, request: pb.ExportResultsRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        fmt = validation.export_format(request.format)
        include_failed = request.include_failed if request.HasField("include_failed") else None
        results = await self._batches().results(validation.batch_id(request.batch_id), include_failed)
        fmt = fmt or results.batch.options.export_format
        effective_failed = (
            results.batch.options.include_failed_results if include_failed is None else include_failed
        )
        exported = render_file(
            results,
            fmt,
            effective_failed,
            excel_compatible=request.excel_compatible,
            document=convert.results_json,
        )
        disposition = f'attachment; filename="{exported.filename}"'
        await context.send_initial_metadata(
            (("content-disposition", disposition), ("x-trace-id", trace_id()))
        )
        return httpbody_pb2.HttpBody(content_type=exported.content_type, data=exported.data)

    async def GetStats(self, request: pb.GetStatsRequest, context: aio.ServicerContext[Any, Any]) -> Any:
        timeframe = validation.timeframe(request.timeframe)
        batches = self._batches()
        report = await batches.stats(
            timeframe, request.include_details, self._gauge.active_for(batches.scope)
        )
        now = self._clock()
        return pb.GetStatsResponse(
            success=True,
            data=convert.stats_to_proto(report),
            metadata=convert.metadata(trace_id(), now, generated=True),
        )

    async def ListBatches(
        self, request: pb.ListBatchesRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        views, next_token = await self._batches().list_batches(
            validation.page_size(request.page_size), request.page_token
        )
        page = pb.BatchPage(batches=[convert.batch_to_proto(v) for v in views], next_page_token=next_token)
        return pb.ListBatchesResponse(success=True, data=page, metadata=self._meta())

    async def CancelBatch(
        self, request: pb.CancelBatchRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        view = await self._batches().cancel(validation.batch_id(request.batch_id))
        return pb.CancelBatchResponse(success=True, data=convert.batch_to_proto(view), metadata=self._meta())

    async def PauseBatch(self, request: pb.PauseBatchRequest, context: aio.ServicerContext[Any, Any]) -> Any:
        view = await self._batches().pause(validation.batch_id(request.batch_id))
        return pb.PauseBatchResponse(success=True, data=convert.batch_to_proto(view), metadata=self._meta())

    async def ResumeBatch(
        self, request: pb.ResumeBatchRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        view = await self._batches().resume(validation.batch_id(request.batch_id))
        return pb.ResumeBatchResponse(success=True, data=convert.batch_to_proto(view), metadata=self._meta())

    async def RetryBatch(self, request: pb.RetryBatchRequest, context: aio.ServicerContext[Any, Any]) -> Any:
        batch_id, spec = validation.retry_spec(request)
        self._admission.check()
        outcome = await self._batches().retry(batch_id, spec)
        if outcome.idempotent_replay:
            message = "Batch already retried with this request_id"
        elif outcome.retried_companies:
            message = f"{outcome.retried_companies} failed companies queued again"
        else:
            message = "No failed company matches; nothing to retry"
        data = pb.RetryBatchData(
            batch=convert.batch_to_proto(outcome.batch),
            retried_companies=outcome.retried_companies,
            idempotent_replay=outcome.idempotent_replay,
            message=message,
        )
        return pb.RetryBatchResponse(success=True, data=data, metadata=self._meta())


class ExtractionServicer(extraction_grpc.ExtractionServiceServicer):  # type: ignore[misc]
    def __init__(self, scheduler: Scheduler, admission: Admission, clock: Clock = _utcnow) -> None:
        self._scheduler = scheduler
        self._admission = admission
        self._clock = clock

    async def ExtractCompany(
        self, request: extraction_pb.ExtractCompanyRequest, context: aio.ServicerContext[Any, Any]
    ) -> Any:
        single = validation.extraction_request(request)
        self._admission.check()
        outcome = await self._scheduler.extract_one(
            single.request, single.timeout_seconds, single.bypass_cache, single.max_cache_age_seconds
        )
        return extraction_pb.ExtractCompanyResponse(
            success=True,
            data=convert.outcome_to_proto(outcome),
            metadata=convert.metadata(trace_id(), self._clock()),
        )
