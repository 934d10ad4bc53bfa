"""The store methods both engines run as the same shared SQL; an engine only supplies its connections.

``SqliteBatchStore`` and ``PostgresBatchStore`` inherit these: reads, the webhook outbox, API keys and
cache lookups are the same statements (``batch_sql``, ``webhooks_sql``, ``leases``, ``keys_sql``,
``cache_sql``) on either engine, so they are called from one place. What an engine does differently
(claims, notifications, grouped results, the hourly summary) it implements itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from server.domain import WebhookDelivery
from server.storage import batch_sql, keys_sql, leases, webhooks_sql
from server.storage.base import (
    CachedExtraction,
    CacheKey,
    DueDelivery,
    NewDelivery,
    PageCursor,
    StoredApiKey,
    StoredBatch,
    StoredCompany,
    StoredResponse,
    WebhookBacklog,
)
from server.storage.cache_sql import (
    CACHE_GET,
    CACHE_PUT,
    RESPONSE_GET,
    RESPONSE_PUT,
    entry_from_row,
    key_params,
    put_params,
    response_from_row,
    response_put_params,
)
from server.storage.codec import to_epoch


class SqlStore(ABC):
    """Shared-SQL methods of a store (module docstring) over the engine's two ways to run statements."""

    @abstractmethod
    def _autocommit(self) -> AbstractAsyncContextManager[leases.SqlTx]:
        """A connection whose statements each commit on their own."""

    @abstractmethod
    def _atomic(self) -> AbstractAsyncContextManager[leases.SqlTx]:
        """One transaction: committed when the block ends, rolled back when it raises."""

    async def _fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        async with self._autocommit() as tx:
            return await tx.fetch(sql, params)

    # -- batches and companies ---------------------------------------------------------------------

    async def get_batch(self, batch_id: str) -> StoredBatch | None:
        async with self._autocommit() as tx:
            return await batch_sql.get_batch(tx, batch_id)

    async def batch_for_request(self, request_id: str, tenant: str = "") -> StoredBatch | None:
        async with self._autocommit() as tx:
            return await batch_sql.batch_for_request(tx, request_id, tenant)

    async def list_batches(
        self, limit: int, after: PageCursor | None = None, tenant: str | None = None
    ) -> list[StoredBatch]:
        async with self._autocommit() as tx:
            return await batch_sql.list_batches(tx, limit, after, tenant)

    async def unfinished_batches(self) -> list[StoredBatch]:
        async with self._autocommit() as tx:
            return await batch_sql.unfinished_batches(tx)

    async def list_companies(self, batch_id: str) -> list[StoredCompany]:
        async with self._autocommit() as tx:
            return await batch_sql.list_companies(tx, batch_id)

    async def requeue_running(self, batch_id: str | None = None, positions: Sequence[int] = ()) -> int:
        async with self._autocommit() as tx:
            return await batch_sql.requeue_running(tx, batch_id, positions)

    async def recent_durations(self, per_mode: int) -> dict[str, list[float]]:
        async with self._autocommit() as tx:
            return await batch_sql.recent_durations(tx, per_mode)

    async def unfinished_without_work(self) -> list[str]:
        async with self._autocommit() as tx:
            return await leases.unfinished_without_work(tx)

    async def count_pending(self) -> int:
        async with self._autocommit() as tx:
            return await leases.count_pending(tx)

    # -- the webhook outbox (server.storage.webhooks_sql) -----------------------------------------

    async def webhook_backlog(self, limit: int) -> list[WebhookBacklog]:
        async with self._autocommit() as tx:
            return await webhooks_sql.backlog(tx, limit)

    async def enqueue_webhooks(
        self,
        backlog: WebhookBacklog,
        deliveries: Sequence[NewDelivery],
        announced: Sequence[tuple[int, int]],
        settled: datetime | None,
    ) -> None:
        async with self._atomic() as tx:
            await webhooks_sql.enqueue(tx, backlog, deliveries, announced, settled)

    async def claim_webhooks(self, now: datetime, lease_seconds: float, limit: int) -> list[DueDelivery]:
        async with self._atomic() as tx:
            return await webhooks_sql.claim(tx, now, lease_seconds, limit)

    async def record_webhook_attempt(
        self,
        delivery: DueDelivery,
        at: datetime,
        status_code: int | None,
        error: str,
        seconds: float,
        retry_at: datetime | None,
        delivered: bool,
    ) -> bool:
        async with self._atomic() as tx:
            return await webhooks_sql.record_attempt(
                tx, delivery, at, status_code, error, seconds, retry_at, delivered
            )

    async def webhook_deliveries(self, batch_id: str) -> list[WebhookDelivery]:
        async with self._autocommit() as tx:
            return await webhooks_sql.deliveries(tx, batch_id)

    async def webhook_secret(self, tenant: str, candidate: str, now: datetime) -> str:
        async with self._atomic() as tx:
            return await webhooks_sql.tenant_secret(tx, tenant, candidate, now)

    # -- API keys ----------------------------------------------------------------------------------

    async def add_api_key(self, key: StoredApiKey) -> None:
        await keys_sql.add_key(self._fetch, key)

    async def api_key_by_hash(self, key_hash: str) -> StoredApiKey | None:
        return await keys_sql.key_by_hash(self._fetch, key_hash)

    async def list_api_keys(self) -> list[StoredApiKey]:
        return await keys_sql.all_keys(self._fetch)

    async def revoke_api_key(self, key_id: str, now: datetime) -> bool:
        return await keys_sql.revoke_key(self._fetch, key_id, now)

    # -- caches ------------------------------------------------------------------------------------

    async def cache_get(self, key: CacheKey, now: datetime) -> CachedExtraction | None:
        rows = await self._fetch(CACHE_GET, (*key_params(key), to_epoch(now)))
        return entry_from_row(rows[0]) if rows else None

    async def cache_put(self, key: CacheKey, entry: CachedExtraction) -> None:
        await self._fetch(CACHE_PUT, put_params(key, entry))

    async def response_get(self, key: str, now: datetime) -> StoredResponse | None:
        rows = await self._fetch(RESPONSE_GET, (key, to_epoch(now)))
        return response_from_row(rows[0]) if rows else None

    async def response_put(self, key: str, response: StoredResponse) -> None:
        await self._fetch(RESPONSE_PUT, response_put_params(key, response))
