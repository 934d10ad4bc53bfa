"""Start-up and shutdown of the whole service as one async context manager.

Order on start: open the store, build the extractor, start the scheduler (which re-queues unfinished
work; with a shared queue it claims from the store alongside other replicas), start the gRPC server
with health and reflection. On shutdown (SIGTERM): report NOT_SERVING,
refuse new work, let in-flight companies finish within the grace period and re-queue the rest, stop
the gRPC server, close the extractor and the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from grpc import aio
from grpc_health.v1 import _async as health_aio  # what grpc_health.v1.health exposes as `aio`
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from company_protos.company.v1 import batch_service_pb2, extraction_service_pb2
from company_protos.company.v1 import batch_service_pb2_grpc as batch_grpc
from company_protos.company.v1 import extraction_service_pb2_grpc as extraction_grpc
from server import metrics, tracing
from server.api.access import CallAccess
from server.api.interceptors import ApiInterceptor, CallGauge
from server.api.servicers import Admission, BatchServicer, ExtractionServicer
from server.api.wire import GRPC_MAX_METADATA_BYTES, GRPC_MAX_RECEIVE_BYTES
from server.auth import ApiKeys, TokenBucketLimiter
from server.cache import ExtractionCache
from server.extraction.base import Extractor
from server.scheduling.base import Scheduler
from server.scheduling.replicas import ReplicaScheduler
from server.scheduling.scheduler import BatchScheduler
from server.settings import Settings
from server.storage import BatchStore, SqliteBatchStore, open_store
from server.storage.retention import RetentionSweeper
from server.webhooks.dispatcher import WebhookDispatcher

log = logging.getLogger("company_batch.app")

SERVICE_NAMES = (
    batch_service_pb2.DESCRIPTOR.services_by_name["BatchService"].full_name,
    extraction_service_pb2.DESCRIPTOR.services_by_name["ExtractionService"].full_name,
)
# After draining, how long the gRPC server gives open calls (watch streams) before cutting them.
STREAM_CLOSE_GRACE_SECONDS = 1.0


@dataclass
class Service:
    """A running service: what tests, the dev runner and ``__main__`` hold on to."""

    settings: Settings
    grpc_port: int
    scheduler: Scheduler
    server: aio.Server
    health: health_aio.HealthServicer
    admission: Admission
    gauge: CallGauge
    keys: ApiKeys  # the store's API keys (checked on every call only when auth is on)
    metrics_port: int | None = None
    _stopped: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def grpc_target(self) -> str:
        return f"{self.settings.grpc_host}:{self.grpc_port}"

    async def shutdown(self, grace_seconds: float | None = None) -> None:
        """Drain and stop; safe to call more than once."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        grace = self.settings.shutdown_grace_seconds if grace_seconds is None else grace_seconds
        log.info("shutting down", extra={"event": "shutdown", "grace_seconds": grace})
        self.admission.open = False
        await self.health.enter_graceful_shutdown()
        await self.scheduler.drain(grace)
        await self.server.stop(STREAM_CLOSE_GRACE_SECONDS)
        await self.scheduler.stop()


def build_extractor(settings: Settings, store: BatchStore) -> Extractor:
    """The web extractor, sharing knowledge answers through the store."""
    from server.extraction.pipeline import build_extractor as web_extractor

    return web_extractor(settings, store)


def build_scheduler(settings: Settings, store: BatchStore, extractor: Extractor) -> Scheduler:
    """The in-memory scheduler for one process, or the lease-based one when replicas share the store."""
    options: dict[str, Any] = {
        "workers": settings.workers,
        "aging_seconds": settings.aging_seconds,
        "max_queued_companies": settings.max_queued_companies,
        "cache": ExtractionCache(
            store,
            ttl_seconds=settings.cache_ttl_seconds,
            not_found_ttl_seconds=settings.cache_not_found_ttl_seconds,
            partial_ttl_seconds=settings.cache_partial_ttl_seconds,
        ),
    }
    if not settings.uses_shared_queue():
        return BatchScheduler(store, extractor, **options)
    return ReplicaScheduler(
        store,
        extractor,
        replica_id=settings.replica_id,
        lease_seconds=settings.lease_seconds,
        heartbeat_seconds=settings.heartbeat_seconds,
        # SQLite is one process at a time: whatever ran before this start is dead.
        reclaim_all_on_start=isinstance(store, SqliteBatchStore),
        **options,
    )


def build_access(settings: Settings, keys: ApiKeys) -> CallAccess:
    """API keys from the store when auth is on (``Settings.auth_enabled``), and the rate limit."""
    limiter = (
        TokenBucketLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
        if settings.rate_limit_per_second > 0
        else None
    )
    return CallAccess(keys if settings.auth_enabled() else None, limiter)


@asynccontextmanager
async def running_service(settings: Settings, extractor: Extractor | None = None) -> AsyncIterator[Service]:
    """The service, started; drained and stopped on exit."""
    store = await open_store(settings.resolved_database_url())
    extractor = extractor if extractor is not None else build_extractor(settings, store)
    stack = AsyncExitStack()
    tracing.start_tracing(settings.otlp_endpoint, settings.replica_id)
    stack.push_async_callback(tracing.stop_tracing)
    try:
        scheduler = build_scheduler(settings, store, extractor)
        await scheduler.start()
        sweeper = RetentionSweeper(
            store, retention_days=settings.retention_days, interval_seconds=settings.retention_sweep_seconds
        )
        sweeper.start()
        webhooks = WebhookDispatcher(
            store,
            secret=settings.webhook_secret,
            retry_schedule=settings.webhook_retry_schedule_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
            poll_seconds=settings.webhook_poll_seconds,
            allow_private_addresses=settings.allow_private_addresses,
            user_agent=settings.user_agent,
        )
        await webhooks.start()
        stack.push_async_callback(webhooks.stop)
        gauge = CallGauge()
        admission = Admission()
        keys = ApiKeys(store)
        server = aio.server(
            interceptors=[ApiInterceptor(gauge, build_access(settings, keys))],
            options=[
                ("grpc.max_receive_message_length", GRPC_MAX_RECEIVE_BYTES),
                ("grpc.max_metadata_size", GRPC_MAX_METADATA_BYTES),
                ("grpc.absolute_max_metadata_size", GRPC_MAX_METADATA_BYTES),
            ],
        )
        batch_servicer = BatchServicer(
            scheduler, gauge, admission, allow_private_webhooks=settings.allow_private_addresses
        )
        batch_grpc.add_BatchServiceServicer_to_server(batch_servicer, server)
        extraction_grpc.add_ExtractionServiceServicer_to_server(
            ExtractionServicer(scheduler, admission), server
        )
        health_servicer = health_aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        reflection.enable_server_reflection(
            (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
        port = server.add_insecure_port(f"{settings.grpc_host}:{settings.grpc_port}")
        metrics_port = await stack.enter_async_context(
            metrics.metrics_endpoint(settings.metrics_host, settings.metrics_port)
        )
        await stack.enter_async_context(metrics.watch(scheduler, lambda: gauge.active))
        await server.start()
        for name in ("", *SERVICE_NAMES):
            await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
        service = Service(
            settings, port, scheduler, server, health_servicer, admission, gauge, keys, metrics_port
        )
        log.info(
            "serving",
            extra={"event": "serving", "grpc": service.grpc_target, "auth": settings.auth_enabled()},
        )
        try:
            yield service
        finally:
            await service.shutdown()
            await sweeper.stop()
    finally:
        await stack.aclose()
        await extractor.aclose()
        await store.close()
