"""OpenTelemetry tracing: off unless an OTLP endpoint is configured; then a span per RPC, company and source.

Spans carry the service's own trace id (the ``metadata.trace_id`` a response shows and every log line
of the call has) as ``company_batch.trace_id``, so a trace is found from a response or a log line. An
RPC span continues a W3C ``traceparent`` the caller (or Envoy) sent. A company is extracted by a worker,
outside the submitting call, so its span is a root of its own that names the submit's trace id; the
domain resolution and each source are its children. Exported over OTLP/gRPC in batches; shutdown
flushes what is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

SERVICE_NAME = "company-batch"
TRACE_ID_ATTRIBUTE = "company_batch.trace_id"
_NO_OP = trace.NoOpTracerProvider()
_provider: TracerProvider | None = None


def start_tracing(endpoint: str | None, replica_id: str, exporter: SpanExporter | None = None) -> None:
    """Export spans to the OTLP/gRPC ``endpoint`` (``http://host:4317``); None: tracing stays off.

    ``exporter`` replaces the OTLP exporter (tests).
    """
    global _provider
    if endpoint is None and exporter is None:
        return
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=endpoint, insecure=endpoint.startswith("http://"))  # type: ignore[union-attr]
    provider = TracerProvider(
        resource=Resource.create({"service.name": SERVICE_NAME, "service.instance.id": replica_id})
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    _provider = provider


async def stop_tracing() -> None:
    """Flush and stop exporting (no-op when tracing is off), off the event loop: a flush blocks."""
    global _provider
    provider, _provider = _provider, None
    if provider is not None:
        await asyncio.to_thread(provider.shutdown)


def _tracer() -> trace.Tracer:
    return (_provider or _NO_OP).get_tracer("company_batch")


@contextmanager
def rpc_span(method: str, trace_id: str, headers: Mapping[str, Any]) -> Iterator[Span]:
    """The span of one RPC, continuing the caller's ``traceparent`` if it sent one."""
    parent = propagate.extract({key: str(value) for key, value in headers.items()})
    attributes = {"rpc.system": "grpc", "rpc.method": method, TRACE_ID_ATTRIBUTE: trace_id}
    with _tracer().start_as_current_span(
        f"company.v1/{method}", context=parent, kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        yield span


def end_rpc(span: Span, code: str) -> None:
    """Record the call's gRPC status on its span."""
    span.set_attribute("rpc.grpc.status_code", code)
    if code not in {"OK", "CANCELLED"}:
        span.set_status(Status(StatusCode.ERROR, code))


@contextmanager
def company_span(company: str, mode: str, batch_id: str, trace_id: str) -> Iterator[Span]:
    """The span of one company's extraction (a root: it runs outside the submitting call).

    With tracing off no span is made at all: the no-op tracer's span and context switch still cost a
    few microseconds per company, a noticeable share of a replica's CPU per company (``bench.replicas``).
    """
    if _provider is None:
        yield trace.INVALID_SPAN
        return
    attributes = {
        "company_batch.company": company,
        "company_batch.mode": mode,
        "company_batch.batch_id": batch_id,
    }
    if trace_id:
        attributes[TRACE_ID_ATTRIBUTE] = trace_id
    with _tracer().start_as_current_span(
        "extract company", context=trace.set_span_in_context(trace.INVALID_SPAN), attributes=attributes
    ) as span:
        yield span


@contextmanager
def step_span(name: str) -> Iterator[Span]:
    """A step of the current company: domain resolution or one source."""
    with _tracer().start_as_current_span(name, attributes={"company_batch.step": name}) as span:
        yield span
