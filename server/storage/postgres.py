"""The shared store: PostgreSQL through an asyncpg pool, for one or several replicas on one database.

Semantics match ``SqliteBatchStore`` method for method (the same tests run against both). Differences
are in how, not what:

- Migrations run under ``pg_advisory_xact_lock`` in one transaction, so replicas starting together
  apply each migration exactly once and the others wait, then see the new version.
- A submit's ``request_id`` race is settled by the UNIQUE constraint (``ON CONFLICT DO NOTHING``): the
  loser reads the winner's committed batch.
- A company's final write also adds it to ``company_hourly`` in the same statement, only when the
  guarded UPDATE changed a row, so the summary is exact and stats read it instead of every company.
  Each group has ``HOURLY_SHARDS`` rows (by position) so concurrent finishes do not queue for one
  row's lock until each other's commit.

The schema is chosen with the connection's ``search_path`` (``?search_path=name`` in the URL, which
asyncpg passes on as a server setting), so tests and benchmarks can each use a throwaway schema.

- Replicas claim work in one call of a server-side function (``FOR UPDATE SKIP LOCKED`` on the batch
  row, ``server.storage.leases``), record their results in groups (``postgres_results``), and
  announce every change of a batch with ``NOTIFY company_batch_changes, '<batch_id>[ <status>]'``,
  so a replica's ``WatchBatch`` follows progress made on any other: status changes in their own
  transaction, companies' progress right after the commit, merged per batch (``announce_soon``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import asyncpg

from server.domain import BatchStatus, CompanyOutcome, ExtractionFailure
from server.errors import ServiceUnavailable
from server.storage import batch_sql, leases, retry_sql, webhooks_sql
from server.storage.base import (
    BatchChange,
    BatchIdTaken,
    ChangeListener,
    ClaimedCompany,
    DueDelivery,
    HeldLease,
    NewBatch,
    RetryRecord,
    StatsAggregates,
    StoredBatch,
)
from server.storage.cache_sql import (
    CACHE_PURGE_EXPIRED,
    PURGE_BATCH_CHUNK,
    PURGE_FINISHED_BATCHES,
    RESPONSE_PURGE_EXPIRED,
)
from server.storage.codec import (
    outcome_columns,
    to_epoch,
)
from server.storage.leases import SqlTx
from server.storage.postgres_changes import ChangeFeed, notify
from server.storage.postgres_pool import POOL_MAX_SIZE, open_pools, translated
from server.storage.postgres_results import FencedFinish, ResultWriter
from server.storage.postgres_sql import (
    CLAIM_CALL,
    INSERT_BATCH_UNLESS_REQUESTED,
    MARK_FINISHED_FENCED,
    MARK_FINISHED_PLAIN,
    AsyncpgTx,
    affected,
    lock_batch,
    numbered,
)
from server.storage.schema import HOUR_SECONDS
from server.storage.sql_store import SqlStore
from server.storage.stats_sql import aggregate_stats


class PostgresBatchStore(SqlStore):
    """``BatchStore`` on a PostgreSQL database (``postgresql://user@host:port/db[?search_path=schema]``)."""

    def __init__(self, url: str, *, max_connections: int = POOL_MAX_SIZE) -> None:
        self.url = url
        self._max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        # Claims, lease extensions and fenced results: commits that do not wait for the WAL flush (see
        # postgres_pool.PROGRESS_WRITES). Batches, status changes and cancels use the durable pool.
        self._progress_pool: asyncpg.Pool | None = None
        self._changes = ChangeFeed(url, self._conn)
        self._results = ResultWriter(self._conn)  # replicas' results, in groups (postgres_results)

    # -- lifecycle ---------------------------------------------------------------------------------

    async def open(self) -> None:
        """Create the connection pools and apply pending migrations (one replica at a time)."""
        self._pool, self._progress_pool = await open_pools(self.url, self._max_connections)

    async def close(self) -> None:
        await self._results.aclose()
        await self._changes.close()
        if self._progress_pool is not None:
            progress_pool, self._progress_pool = self._progress_pool, None
            await progress_pool.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def schema_version(self) -> int:
        async with self._conn() as conn:
            return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))

    # -- connection helpers ------------------------------------------------------------------------

    @asynccontextmanager
    async def _conn(self, progress: bool = False) -> AsyncIterator[asyncpg.Connection]:
        with translated("query"):
            pool = self._progress_pool if progress else self._pool
            if pool is None:
                raise ServiceUnavailable("the store is closed")
            async with pool.acquire() as conn:
                yield conn

    @asynccontextmanager
    async def _transaction(self, progress: bool = False) -> AsyncIterator[asyncpg.Connection]:
        """One transaction on a pooled connection; a cancelled caller leaves the pool clean.

        What asyncpg does when the caller is cancelled at any await in here: a query in flight gets a
        cancel request (it may still complete on the server; the transaction is then rolled back
        unless its COMMIT had already run); the pool's release runs under ``asyncio.shield``, waits for
        that cancellation, and rolls back a transaction left open (also with ``PooledConnection``'s
        empty reset query), or terminates the connection if that fails. A second cancel during the
        rollback does not stop the shielded release. ``tests/storage/test_store_cancellation.py``
        cancels every write at every await to hold this to account.
        """
        async with self._conn(progress) as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[SqlTx]:
        async with self._conn() as conn:
            yield AsyncpgTx(conn)

    @asynccontextmanager
    async def _atomic(self) -> AsyncIterator[SqlTx]:
        async with self._transaction() as conn:
            yield AsyncpgTx(conn)

    # -- batches -----------------------------------------------------------------------------------

    async def create_batch(self, batch: NewBatch) -> tuple[StoredBatch, bool]:
        """Create the batch and its companies in one transaction (see ``BatchStore.create_batch``)."""
        opts = batch.options
        try:
            async with self._transaction() as conn:
                tx = AsyncpgTx(conn)
                rows = await tx.fetch(INSERT_BATCH_UNLESS_REQUESTED, batch_sql.batch_params(batch))
                if not rows:
                    # The request id is taken (ON CONFLICT waited for the other transaction to commit).
                    assert batch.request_id is not None  # a NULL request id never conflicts
                    existing = await batch_sql.batch_for_request(tx, batch.request_id, batch.tenant)
                    assert existing is not None
                    return existing, False
                # One statement for all companies (executemany costs the server a statement each).
                await conn.execute(
                    "INSERT INTO companies (batch_id, position, name, domain_hint, extraction_mode, "
                    "priority, state) SELECT $1, position - 1, name, domain_hint, $2, $3, 'pending' "
                    "FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS c (name, domain_hint, position)",
                    batch.batch_id,
                    opts.extraction_mode.value,
                    opts.priority.value,
                    [c.name for c in batch.companies],
                    [c.domain_hint for c in batch.companies],
                )
                # Idle replicas start on it at once, not at their next poll.
                await notify(conn, batch.batch_id, BatchStatus.QUEUED)
                return await batch_sql.require_batch(tx, batch.batch_id), True
        except ServiceUnavailable as exc:
            if isinstance(exc.__cause__, asyncpg.UniqueViolationError) and (
                exc.__cause__.constraint_name == "batches_pkey"
            ):
                raise BatchIdTaken(batch.batch_id) from exc
            raise

    async def set_batch_status(self, change: BatchChange) -> None:
        async with self._transaction() as conn:
            await batch_sql.write_change(AsyncpgTx(conn), change)
            await notify(conn, change.batch_id, change.status)

    async def cancel_batch(self, change: BatchChange, failure: ExtractionFailure) -> None:
        async with self._transaction() as conn:
            await lock_batch(conn, change.batch_id)
            await batch_sql.cancel_companies(AsyncpgTx(conn), change, failure)
            await batch_sql.write_change(AsyncpgTx(conn), change)
            await notify(conn, change.batch_id, change.status)

    # -- companies ---------------------------------------------------------------------------------

    async def mark_started(
        self, batch_id: str, position: int, started_at: datetime, change: BatchChange | None = None
    ) -> None:
        async with self._transaction() as conn:
            if change is not None:
                await lock_batch(conn, batch_id)
            await batch_sql.mark_started(AsyncpgTx(conn), batch_id, position, started_at)
            if change is not None:
                await batch_sql.write_change(AsyncpgTx(conn), change)

    async def finish_company(
        self,
        batch_id: str,
        position: int,
        outcome: CompanyOutcome,
        change: BatchChange | None = None,
        *,
        attempt: int | None = None,
    ) -> bool:
        # One at a time: the in-process scheduler decides completion itself, from the order in which
        # its writes return (a replica's results go in groups: ``finish_claimed``).
        async with self._transaction() as conn:
            if change is not None:
                await lock_batch(conn, batch_id)
            changed = await conn.fetchval(
                MARK_FINISHED_PLAIN if attempt is None else MARK_FINISHED_FENCED,
                *outcome_columns(outcome),
                batch_id,
                position,
                *(() if attempt is None else (attempt, None)),
            )
            recorded: bool = changed == 1
            if recorded and change is not None:
                await batch_sql.write_change(AsyncpgTx(conn), change)
        return recorded

    async def finish_claimed(
        self, batch_id: str, position: int, outcome: CompanyOutcome, attempt: int, owner: str
    ) -> bool:
        """Recorded together with the others finishing at the same time, then the batches whose last
        results these were completed (``postgres_results``)."""
        if await self._results.finish(FencedFinish(batch_id, position, outcome, attempt, owner)):
            self._changes.announce_soon(batch_id)
            return True
        return False

    async def retry_failed(
        self,
        batch_id: str,
        error_types: frozenset[str],
        bypass_cache: bool,
        request_id: str | None,
        now: datetime,
    ) -> RetryRecord:
        async with self._transaction() as conn:
            await lock_batch(conn, batch_id)
            done = await retry_sql.retry_failed(
                AsyncpgTx(conn), batch_id, error_types, bypass_cache, request_id, now, hourly=True
            )
            if done is None:
                return RetryRecord(None)
            retried, replay, refused = done
            if retried and not replay:
                await notify(conn, batch_id, BatchStatus.QUEUED)
            stored = await batch_sql.require_batch(AsyncpgTx(conn), batch_id)
        return RetryRecord(stored, retried, replay, refused)

    # -- work claiming across replicas (see server.storage.leases) ---------------------------------

    async def claim(
        self, owner: str, now: datetime, lease_seconds: float, aging_seconds: float, limit: int = 1
    ) -> list[ClaimedCompany]:
        expires = now + timedelta(seconds=lease_seconds)
        async with self._conn(progress=True) as conn:
            rows = await conn.fetch(CLAIM_CALL, owner, to_epoch(now), to_epoch(expires), aging_seconds, limit)
        claims = leases.claimed_companies([tuple(row) for row in rows], now)
        if claims and not claims[0].batch_started:
            self._changes.announce_soon(claims[0].batch_id)  # a batch's start notified in the claim itself
        return claims

    async def extend_leases(self, owner: str, expires: datetime) -> list[HeldLease]:
        async with self._conn(progress=True) as conn:
            return await leases.extend_leases(AsyncpgTx(conn), owner, expires)

    async def release_expired(self, now: datetime) -> list[str]:
        async with self._transaction() as conn:
            released = await leases.release_expired(AsyncpgTx(conn), now)
            for batch_id in released:
                await notify(conn, batch_id)
        return released

    async def release_owned(self, owner: str, positions: Sequence[HeldLease] = ()) -> int:
        async with self._transaction() as conn:
            released = await leases.release_owned(AsyncpgTx(conn), owner, positions)
            for batch_id in sorted(set(released)):
                await notify(conn, batch_id)
        return len(released)

    async def complete_if_done(self, batch_id: str, now: datetime) -> BatchStatus | None:
        """See ``BatchStore``; concurrent calls share one statement (the status goes to each caller
        of the round that wrote it)."""
        return await self._results.complete_if_done(batch_id, now)

    async def add_change_listener(self, listener: ChangeListener) -> None:
        """LISTEN on a connection of its own (outside the pool) for every replica's NOTIFY."""
        await self._changes.add_listener(listener)

    async def stats_since(self, since: datetime, now: datetime, tenant: str | None = None) -> StatsAggregates:
        return await aggregate_stats(self._fetch, since, now, hourly=True, tenant=tenant)

    async def stats_since_full_scan(self, since: datetime, now: datetime) -> StatsAggregates:
        """The same figures as ``stats_since`` read from every company row (for checks and benchmarks)."""
        return await aggregate_stats(self._fetch, since, now, hourly=False)

    # -- the webhook outbox ------------------------------------------------------------------------

    async def claim_webhooks(self, now: datetime, lease_seconds: float, limit: int) -> list[DueDelivery]:
        """The claim is one UPDATE, atomic on its own: no BEGIN and COMMIT round trips around it (a
        dispatcher claims on every pass, and passes follow the cluster's notifications)."""
        async with self._autocommit() as tx:
            return await webhooks_sql.claim(tx, now, lease_seconds, limit)

    # -- cache and retention -----------------------------------------------------------------------

    async def purge_finished(self, before: datetime) -> int:
        cutoff = to_epoch(before)
        deleted = 0
        async with self._conn() as conn:
            while True:
                # One short transaction per chunk (autocommit): writers wait for at most one chunk.
                count = affected(
                    await conn.execute(numbered(PURGE_FINISHED_BATCHES), cutoff, PURGE_BATCH_CHUNK)
                )
                deleted += count
                if count < PURGE_BATCH_CHUNK:
                    break
            await conn.execute(f"DELETE FROM company_hourly WHERE hour + {HOUR_SECONDS} <= $1", cutoff)
        return deleted

    async def purge_expired_cache(self, now: datetime) -> int:
        async with self._conn() as conn:
            extractions = affected(await conn.execute(numbered(CACHE_PURGE_EXPIRED), to_epoch(now)))
            return extractions + affected(await conn.execute(numbered(RESPONSE_PURGE_EXPIRED), to_epoch(now)))
