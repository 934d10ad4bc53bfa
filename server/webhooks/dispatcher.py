"""The webhook dispatcher: fills the outbox from the store's backlog, sends what is due, records attempts.

One per process; several replicas on one database share the outbox (enqueueing is idempotent and
deliveries are claimed with a lease, see ``server.storage.webhooks_sql``). A pass runs on every change
notification of the store and at least every ``poll_seconds``.

Delivery is at least once: a delivery counts as delivered only on a 2xx answer, and a process that dies
during an attempt leaves a lease that expires (``lease_seconds``), after which any dispatcher sends it
again under the same ``webhook-id``. A failed attempt (no answer, a timeout, any other status, a
redirect: they are not followed) is tried again after each pause of ``retry_schedule`` in turn; after
the last the delivery is ``failed``. A URL whose host resolves to a non-public address is refused by
the fetcher's ``GuardedResolver`` and failed at once (it cannot get better by waiting).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver

from server import metrics
from server.domain import BatchStatus
from server.errors import ServiceUnavailable
from server.extraction.fetcher import BlockedAddressError, GuardedResolver
from server.storage.base import DueDelivery
from server.storage.roles import WebhookOutbox
from server.webhooks.events import plan
from server.webhooks.signing import new_secret, signed_headers

LOGGER_NAME = "company_batch.webhooks"
BACKLOG_BATCHES = 50
"""Batches enqueued per pass (the rest follow in the next, at once when this one was full)."""
DELIVERIES_PER_PASS = 16
"""Deliveries sent at once by one dispatcher."""
PASS_SPACING_SECONDS = 0.05
"""Passes woken by change notifications start at most this often: a busy cluster notifies hundreds of
times a second (every replica's progress, every batch start and end), and one pass per notification
made the outbox's two queries a noticeable share of each company's cost (``bench.replicas``). The
wake-ups within one spacing are served by one pass, as progress notifications are merged
(``postgres_changes.PROGRESS_NOTIFY_SECONDS``)."""
MAX_ERROR_CHARS = 300
MAX_RESPONSE_BYTES = 64 * 1024
"""What is read of a receiver's answer (it is not used; reading lets the connection be reused)."""

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WebhookDispatcher:
    """Delivers the outbox of one store (see the module docstring); ``start`` and ``stop`` it."""

    def __init__(
        self,
        store: WebhookOutbox,
        *,
        secret: str | None,
        retry_schedule: Sequence[float],
        timeout_seconds: float,
        poll_seconds: float,
        allow_private_addresses: bool,
        user_agent: str,
        clock: Clock = _utcnow,
        logger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._secret = secret
        self._schedule = tuple(retry_schedule)
        self._timeout = timeout_seconds
        self._lease_seconds = 2 * timeout_seconds + 5.0
        self._poll = poll_seconds
        self._allow_private = allow_private_addresses
        self._user_agent = user_agent
        self._clock = clock
        self._log = logger or logging.getLogger(LOGGER_NAME)
        self._secrets: dict[str, str] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Listen for the store's changes and run passes in a background task."""
        await self._store.add_change_listener(self._on_change)
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        """Stop passing (an attempt cut short is sent again once its lease expires)."""
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _on_change(self, batch_id: str, status: BatchStatus | None) -> None:
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            self._wake.clear()
            busy = False
            try:
                busy = await self.run_once()
            except ServiceUnavailable:
                self._log.exception("webhook pass failed; the next one retries")
            except Exception:
                # A bug here must not end deliveries for good.
                self._log.exception("unexpected error in a webhook pass")
            if busy:
                continue
            try:
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()
            except TimeoutError:
                pass
            await asyncio.sleep(began + PASS_SPACING_SECONDS - loop.time())

    async def run_once(self) -> bool:
        """Enqueue the backlog, send the due deliveries; True when there may be more right away."""
        backlog = await self._store.webhook_backlog(BACKLOG_BATCHES)
        for item in backlog:
            planned = plan(item, self._clock())
            await self._store.enqueue_webhooks(item, planned.deliveries, planned.announced, planned.settled)
        due = await self._store.claim_webhooks(self._clock(), self._lease_seconds, DELIVERIES_PER_PASS)
        if due:
            await asyncio.gather(*(self._deliver(delivery) for delivery in due))
        return len(backlog) == BACKLOG_BATCHES or len(due) == DELIVERIES_PER_PASS

    async def _secret_for(self, tenant: str) -> str:
        if self._secret is not None:
            return self._secret
        known = self._secrets.get(tenant)
        if known is None:
            known = await self._store.webhook_secret(tenant, new_secret(), self._clock())
            self._secrets[tenant] = known
        return known

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            inner: AbstractResolver = ThreadedResolver()
            resolver = inner if self._allow_private else GuardedResolver(inner)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"User-Agent": self._user_agent},
            )
        return self._session

    async def _deliver(self, delivery: DueDelivery) -> None:
        """One attempt, recorded with the delivery's next state."""
        at = self._clock()
        headers = {
            **signed_headers(
                await self._secret_for(delivery.tenant), delivery.delivery_id, at, delivery.payload
            ),
            "Content-Type": "application/json",
        }
        started = time.monotonic()
        status: int | None = None
        error = ""
        hopeless = False
        try:
            async with self._client().post(
                delivery.url, data=delivery.payload.encode(), headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                await response.content.read(MAX_RESPONSE_BYTES)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            blocked = getattr(exc, "os_error", None)
            hopeless = isinstance(exc, BlockedAddressError) or isinstance(blocked, BlockedAddressError)
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS] or type(exc).__name__
        seconds = time.monotonic() - started
        delivered = status is not None and 200 <= status < 300
        if status is not None and not delivered:
            error = f"HTTP {status}"
        retry_at = None
        if not delivered and not hopeless and delivery.attempt <= len(self._schedule):
            retry_at = at + timedelta(seconds=self._schedule[delivery.attempt - 1])
        outcome = "delivered" if delivered else "retrying" if retry_at is not None else "failed"
        metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
        self._log.info(
            "webhook %s",
            outcome,
            extra={
                "event": "webhook_attempt",
                "batch_id": delivery.batch_id,
                "webhook_id": delivery.delivery_id,
                "webhook_event": delivery.event_type,
                "attempt": delivery.attempt,
                "status_code": status,
                "error": error,
            },
        )
        recorded = await self._store.record_webhook_attempt(
            delivery, at, status, error, seconds, retry_at, delivered
        )
        if not recorded:
            self._log.warning(
                "webhook attempt recorded late: its lease had expired",
                extra={"event": "webhook_lease_lost", "webhook_id": delivery.delivery_id},
            )
