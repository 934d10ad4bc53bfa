"""OpenTelemetry: nothing is exported unless configured; then spans reach a real OTLP/gRPC receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc import aio
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from client import BatchClient
from server.testing import ScriptedExtractor, free_port, running_service


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """A collector on loopback that keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        self.arrived = asyncio.Event()

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: aio.ServicerContext[Any, Any]
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            for scope in resource_spans.scope_spans:
                self.spans.extend(scope.spans)
        self.arrived.set()
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, int]]:
    server = aio.server()
    collector = Receiver()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
    await server.start()
    try:
        yield collector, port
    finally:
        await server.stop(0)


def _attributes(span: Any) -> dict[str, str]:
    return {a.key: a.value.string_value for a in span.attributes}


async def test_rpc_and_company_spans_carry_the_trace_id_the_response_shows(
    tmp_path: Path, receiver: tuple[Receiver, int]
) -> None:
    collector, port = receiver
    extractor = ScriptedExtractor(profiles={"Acme Robotics": {"domain": "acme-robotics.example"}})
    async with running_service(tmp_path, extractor, otlp_endpoint=f"http://127.0.0.1:{port}") as service:
        async with BatchClient(service.grpc_target) as client:
            batch = await client.submit(["Acme Robotics"])
            async for _ in client.watch(batch.batch_id):
                pass
    # Leaving the service flushed the exporter: every span has arrived.
    names = [span.name for span in collector.spans]
    assert "company.v1/SubmitBatch" in names and "company.v1/WatchBatch" in names
    submit = next(s for s in collector.spans if s.name == "company.v1/SubmitBatch")
    company = next(s for s in collector.spans if s.name == "extract company")
    submit_trace_id = _attributes(submit)["company_batch.trace_id"]
    assert submit_trace_id.startswith("batch_submit_")
    assert _attributes(company)["company_batch.trace_id"] == submit_trace_id
    assert _attributes(company)["company_batch.batch_id"] == batch.batch_id
    assert _attributes(company)["company_batch.outcome"] == "success"


async def test_without_an_endpoint_nothing_is_sent(tmp_path: Path, receiver: tuple[Receiver, int]) -> None:
    collector, _ = receiver
    async with running_service(tmp_path, ScriptedExtractor()) as service:
        async with BatchClient(service.grpc_target) as client:
            await client.stats("1h")
    assert collector.spans == []


async def test_an_rpc_continues_the_callers_traceparent(
    tmp_path: Path, receiver: tuple[Receiver, int]
) -> None:
    collector, port = receiver
    caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with running_service(
        tmp_path, ScriptedExtractor(), otlp_endpoint=f"http://127.0.0.1:{port}"
    ) as service:
        async with aio.insecure_channel(service.grpc_target) as channel:
            from company_protos.company.v1 import batch_service_pb2, batch_service_pb2_grpc

            stub = batch_service_pb2_grpc.BatchServiceStub(channel)
            metadata = (("traceparent", f"00-{caller_trace}-00f067aa0ba902b7-01"),)
            await stub.GetStats(batch_service_pb2.GetStatsRequest(timeframe="1h"), metadata=metadata)
    stats = next(s for s in collector.spans if s.name == "company.v1/GetStats")
    assert stats.trace_id.hex() == caller_trace
    assert stats.parent_span_id.hex() == "00f067aa0ba902b7"
    assert grpc.StatusCode.OK.name == next(
        a.value.string_value for a in stats.attributes if a.key == "rpc.grpc.status_code"
    )
