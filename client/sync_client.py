"""``SyncBatchClient``: the blocking twin of ``BatchClient``, on a synchronous gRPC channel."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import grpc
from google.api import httpbody_pb2

from client import requests
from client.defaults import (
    CHANNEL_OPTIONS,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_TARGET,
    api_key_metadata,
    extract_deadline,
)
from client.errors import error_from_rpc_error
from client.requests import EnumArgument
from company_protos.company.v1 import (
    batch_service_pb2,
    batch_service_pb2_grpc,
    extraction_service_pb2_grpc,
)

Metadata = Sequence[tuple[str, str]]


class SyncBatchClient:
    """Blocking client with the same methods as ``BatchClient``; use it as a context manager::

    with SyncBatchClient("localhost:8000") as client:
        batch = client.get("batch_20240115_abc123")
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        timeout: float = DEFAULT_CALL_TIMEOUT,
        metadata: Metadata = (),
        api_key: str | None = None,
    ) -> None:
        if credentials is None:
            self._channel = grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
        else:
            self._channel = grpc.secure_channel(target, credentials, options=CHANNEL_OPTIONS)
        self._batches = batch_service_pb2_grpc.BatchServiceStub(self._channel)
        self._extraction = extraction_service_pb2_grpc.ExtractionServiceStub(self._channel)
        self._timeout = timeout
        self._metadata = tuple(metadata) + api_key_metadata(api_key)
        self.target = target

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def _call(self, method: Callable[..., Any], request: object, deadline: float | None = None) -> Any:
        try:
            return method(request, timeout=deadline or self._timeout, metadata=self._metadata)
        except grpc.RpcError as exc:
            raise error_from_rpc_error(exc) from exc

    def submit(
        self,
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
    ) -> batch_service_pb2.SubmitBatchData:
        """Queue a batch of 1-100 names; ``None`` options take the server's defaults."""
        request = requests.submit_request(
            names,
            extraction_mode=extraction_mode,
            priority=priority,
            country=country,
            language=language,
            domain_hints=domain_hints,
            max_concurrent=max_concurrent,
            timeout_seconds=timeout_seconds,
            include_failed_results=include_failed_results,
            export_format=export_format,
            request_id=request_id,
            bypass_cache=bypass_cache,
            min_match_confidence=min_match_confidence,
            webhook_url=webhook_url,
            webhook_events=webhook_events,
        )
        data: batch_service_pb2.SubmitBatchData = self._call(self._batches.SubmitBatch, request).data
        return data

    def get(self, batch_id: str) -> batch_service_pb2.Batch:
        """The batch's status document."""
        request = batch_service_pb2.GetBatchRequest(batch_id=batch_id)
        data: batch_service_pb2.Batch = self._call(self._batches.GetBatch, request).data
        return data

    def watch(self, batch_id: str) -> Generator[batch_service_pb2.WatchBatchResponse, None, None]:
        """A snapshot event, then one event per change; ends after the final status.

        Closing the iterator (or breaking out of a ``for`` loop over it and dropping it) cancels the stream.
        """
        call = self._batches.WatchBatch(
            batch_service_pb2.WatchBatchRequest(batch_id=batch_id), metadata=self._metadata
        )
        try:
            yield from call
        except grpc.RpcError as exc:
            raise error_from_rpc_error(exc) from exc
        finally:
            call.cancel()

    def results(self, batch_id: str, include_failed: bool | None = None) -> batch_service_pb2.BatchResults:
        """Results so far (partial while the batch runs) with their summary."""
        request = requests.results_request(batch_id, include_failed)
        data: batch_service_pb2.BatchResults = self._call(self._batches.GetResults, request).data
        return data

    def download(
        self,
        batch_id: str,
        format: EnumArgument | None = None,
        include_failed: bool | None = None,
        excel_compatible: bool = False,
    ) -> httpbody_pb2.HttpBody:
        """The results as a file body (``content_type``, ``data``); ``None`` means the batch's settings.

        ``excel_compatible``: a CSV for spreadsheets (byte order mark, phones and codes kept as text).
        """
        request = requests.export_request(batch_id, format, include_failed, excel_compatible)
        body: httpbody_pb2.HttpBody = self._call(self._batches.ExportResults, request)
        return body

    def export(
        self,
        batch_id: str,
        path: str | Path,
        format: EnumArgument | None = None,
        include_failed: bool | None = None,
        excel_compatible: bool = False,
    ) -> Path:
        """Write the results file (json, csv or excel) to ``path`` and return the path."""
        destination = Path(path)
        destination.write_bytes(self.download(batch_id, format, include_failed, excel_compatible).data)
        return destination

    def stats(self, timeframe: str = "24h", include_details: bool = False) -> batch_service_pb2.Stats:
        """System statistics over ``timeframe`` (1h, 6h, 24h, 7d or 30d)."""
        request = requests.stats_request(timeframe, include_details)
        data: batch_service_pb2.Stats = self._call(self._batches.GetStats, request).data
        return data

    def list(self, page_size: int = 20, page_token: str = "") -> batch_service_pb2.BatchPage:
        """One page of batches, newest first; pass ``next_page_token`` back for the next."""
        request = requests.list_request(page_size, page_token)
        data: batch_service_pb2.BatchPage = self._call(self._batches.ListBatches, request).data
        return data

    def cancel(self, batch_id: str) -> batch_service_pb2.Batch:
        """Stop the batch promptly; finished results are kept."""
        request = batch_service_pb2.CancelBatchRequest(batch_id=batch_id)
        data: batch_service_pb2.Batch = self._call(self._batches.CancelBatch, request).data
        return data

    def pause(self, batch_id: str) -> batch_service_pb2.Batch:
        """Let running companies finish and start no new ones."""
        request = batch_service_pb2.PauseBatchRequest(batch_id=batch_id)
        data: batch_service_pb2.Batch = self._call(self._batches.PauseBatch, request).data
        return data

    def resume(self, batch_id: str) -> batch_service_pb2.Batch:
        """Continue a paused batch."""
        request = batch_service_pb2.ResumeBatchRequest(batch_id=batch_id)
        data: batch_service_pb2.Batch = self._call(self._batches.ResumeBatch, request).data
        return data

    def retry(
        self,
        batch_id: str,
        *,
        error_types: Iterable[str] = (),
        bypass_cache: bool = False,
        request_id: str | None = None,
    ) -> batch_service_pb2.RetryBatchData:
        """Run a finished batch's failed companies again (only those of ``error_types`` when given)."""
        request = requests.retry_request(batch_id, error_types, bypass_cache, request_id)
        data: batch_service_pb2.RetryBatchData = self._call(self._batches.RetryBatch, request).data
        return data

    def extract(
        self,
        company_name: str,
        *,
        extraction_mode: EnumArgument | None = None,
        country: str | None = None,
        language: str | None = None,
        domain_hint: str | None = None,
        timeout_seconds: int | None = None,
        bypass_cache: bool = False,
        min_match_confidence: float | None = None,
    ) -> batch_service_pb2.CompanyResult:
        """Extract one company directly (no batch); waits up to its timeout plus a margin."""
        request = requests.extract_request(
            company_name,
            extraction_mode=extraction_mode,
            country=country,
            language=language,
            domain_hint=domain_hint,
            timeout_seconds=timeout_seconds,
            bypass_cache=bypass_cache,
            min_match_confidence=min_match_confidence,
        )
        data: batch_service_pb2.CompanyResult = self._call(
            self._extraction.ExtractCompany, request, deadline=extract_deadline(timeout_seconds)
        ).data
        return data
