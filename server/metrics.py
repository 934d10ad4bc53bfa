"""Prometheus metrics of the service, and the admin endpoint that serves them (loopback by default).

The metric objects live here, once per process, in prometheus-client's default registry; each part of
the service records into them at its one place (the interceptor for calls, ``run_extraction`` for
extraction time and the cache, ``log_outcome`` for company outcomes, the pipeline for sources). What is
read off running state rather than counted (queue depth, calls in flight, workers busy) comes from the
schedulers registered with ``watch``, summed, when Prometheus scrapes. Names are documented in the
README ("Metrics") and used by ``docs/grafana-dashboard.json``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("company_batch.metrics")

PREFIX = "company_batch"
METRICS_PATH = "/metrics"
# Extraction of one company takes from milliseconds (cache) to the 600 s timeout.
EXTRACTION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
SOURCE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUESTS = Counter(
    f"{PREFIX}_requests", "RPCs answered, by method, gRPC status code and door (rest or grpc).",
    ["method", "code", "via"],
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    f"{PREFIX}_request_seconds", "Time to answer an RPC (watch: its lifetime).", ["method"]
)
COMPANIES = Counter(
    f"{PREFIX}_companies", "Companies finished, by outcome and error type.", ["outcome", "error_type"]
)
BATCHES = Counter(f"{PREFIX}_batches_finished", "Batches that reached a final status, by status.", ["status"])
EXTRACTION_SECONDS = Histogram(
    f"{PREFIX}_extraction_seconds", "Time to extract one company (cache hits excluded), by mode and outcome.",
    ["mode", "outcome"], buckets=EXTRACTION_BUCKETS,
)  # fmt: skip
SOURCE_SECONDS = Histogram(
    f"{PREFIX}_source_seconds", "Time one source (or domain resolution) took for one company.",
    ["source"], buckets=SOURCE_BUCKETS,
)  # fmt: skip
WEBHOOK_DELIVERIES = Counter(
    f"{PREFIX}_webhook_deliveries",
    "Webhook delivery attempts, by outcome: delivered, retrying (failed, tried again later), "
    "failed (given up).",
    ["outcome"],
)
CACHE_LOOKUPS = Counter(f"{PREFIX}_cache_lookups", "Extraction cache lookups, by result.", ["result"])
FETCH_RETRIES = Counter(
    f"{PREFIX}_fetch_retries", "Requests tried again after a transient failure, by cause (connect, "
    "reset, http_5xx, http_429).", ["cause"],
)  # fmt: skip
CIRCUIT_TRANSITIONS = Counter(
    f"{PREFIX}_source_circuit_transitions", "Knowledge-source host circuits opening and closing.",
    ["host", "state"],
)  # fmt: skip


class Observed(Protocol):
    """What a running scheduler tells the collector at scrape time."""

    def queue_depth(self) -> Mapping[str, int]:
        """Companies waiting, by priority (``all`` where the queue does not split them)."""
        ...

    @property
    def workers_busy(self) -> int: ...

    @property
    def workers_total(self) -> int: ...


class _LiveState(Collector):
    """Gauges read from the registered schedulers and call gauges when scraped."""

    def __init__(self) -> None:
        self.schedulers: list[Observed] = []
        self.calls: list[Callable[[], int]] = []
        self.circuits: list[Callable[[], Iterable[tuple[str, str]]]] = []

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth = GaugeMetricFamily(f"{PREFIX}_queue_depth", "Companies waiting to start.", labels=["priority"])
        totals: dict[str, int] = {}
        for scheduler in self.schedulers:
            for priority, count in scheduler.queue_depth().items():
                totals[priority] = totals.get(priority, 0) + count
        for priority, count in sorted(totals.items()):
            depth.add_metric([priority], count)
        yield depth
        yield GaugeMetricFamily(
            f"{PREFIX}_workers_busy", "Workers extracting now.", sum(s.workers_busy for s in self.schedulers)
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_workers", "Size of the worker pools.", sum(s.workers_total for s in self.schedulers)
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_calls_in_flight",
            "RPCs in progress, watch streams included.",
            sum(c() for c in self.calls),
        )
        circuits = GaugeMetricFamily(
            f"{PREFIX}_source_circuit_open",
            "1 while a knowledge-source host is skipped for its cool-down (half-open: 0.5), 0 closed.",
            labels=["host"],
        )
        for read in self.circuits:
            for host, state in read():
                circuits.add_metric([host], {"open": 1.0, "half_open": 0.5}.get(state, 0.0))
        yield circuits


def watch_circuits(read: Callable[[], Iterable[tuple[str, str]]]) -> Callable[[], None]:
    """Report the (host, state) pairs ``read`` gives at every scrape; call the result to stop."""
    _LIVE.circuits.append(read)
    return lambda: _LIVE.circuits.remove(read)


_LIVE = _LiveState()
REGISTRY.register(_LIVE)


@asynccontextmanager
async def watch(scheduler: Observed, calls_in_flight: Callable[[], int]) -> AsyncIterator[None]:
    """Report ``scheduler``'s live state (and the process's calls in flight) while the block runs."""
    _LIVE.schedulers.append(scheduler)
    _LIVE.calls.append(calls_in_flight)
    try:
        yield
    finally:
        _LIVE.schedulers.remove(scheduler)
        _LIVE.calls.remove(calls_in_flight)


async def _metrics(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@asynccontextmanager
async def metrics_endpoint(host: str, port: int | None) -> AsyncIterator[int | None]:
    """Serve ``/metrics`` on ``host:port`` (0: a free port) while the block runs; yields the bound port.

    ``port`` None: no endpoint (the metrics are still recorded).
    """
    if port is None:
        yield None
        return
    app = web.Application()
    app.router.add_get(METRICS_PATH, _metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = int(runner.addresses[0][1])
        log.info("metrics", extra={"event": "metrics", "address": f"{host}:{bound}{METRICS_PATH}"})
        yield bound
    finally:
        await runner.cleanup()
