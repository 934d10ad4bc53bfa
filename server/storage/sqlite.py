"""The embedded store: SQLite through aiosqlite, one connection, WAL, versioned migrations.

One connection is enough for one process (aiosqlite serialises calls on its thread); an asyncio lock keeps
a multi-statement transaction from interleaving with another coroutine's statements. The connection runs
in autocommit mode so a single guarded UPDATE is one round trip to the thread and one (non-fsynced, WAL +
``synchronous=NORMAL``) commit. Companies' starts and final writes, two per company, go in groups
instead (``sqlite_progress``): the writes made at the same time share one transaction and a few round
trips, which is what keeps per-company persistence a small part of a company's scheduling overhead.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from server.domain import BatchStatus, CompanyOutcome, ExtractionFailure
from server.errors import ServiceUnavailable
from server.storage import batch_sql, leases, retry_sql
from server.storage.base import (
    BatchChange,
    BatchIdTaken,
    ChangeListener,
    ClaimedCompany,
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
from server.storage.codec import outcome_columns, to_epoch
from server.storage.leases import SqlTx
from server.storage.sql_store import SqlStore
from server.storage.sqlite_connection import SqliteTx, open_connection, translated
from server.storage.sqlite_progress import Finish, ProgressWriter, Start
from server.storage.stats_sql import aggregate_stats


def _finished_at(outcome: CompanyOutcome) -> datetime:
    return outcome.finished_at or datetime.now(UTC)


class SqliteBatchStore(SqlStore):
    """``BatchStore`` on one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._listeners: list[ChangeListener] = []
        self._unsettled = False  # a transaction's rollback was interrupted: roll back before next use
        self._progress = ProgressWriter(self._transaction, self._locked)  # starts and final writes, in groups

    # -- lifecycle ---------------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, switch to WAL, and apply pending migrations."""
        self._conn = await open_connection(self.path)

    async def close(self) -> None:
        await self._progress.aclose()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            async with self._lock:
                await conn.close()

    async def schema_version(self) -> int:
        async with self._locked() as conn:
            rows = await conn.execute_fetchall("SELECT max(version) FROM schema_version")
        return int(next(iter(rows))[0] or 0)

    # -- connection helpers ------------------------------------------------------------------------

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[aiosqlite.Connection]:
        with translated("query"):
            async with self._lock:
                if self._conn is None:
                    raise ServiceUnavailable("the store is closed")
                if self._unsettled:
                    # A transaction ended by an exception whose rollback was itself interrupted.
                    await self._conn.rollback()
                    self._unsettled = False
                yield self._conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction under the lock; whatever interrupts it, the connection leaves it.

        aiosqlite queues every statement on its thread before the caller's first suspension, and a
        cancelled await does not take it back: a BEGIN, COMMIT or ROLLBACK whose caller is gone still
        runs, in queue order. So BEGIN is inside the ``try`` (a cancel while it is queued would
        otherwise leave the transaction open for the next holder of the lock, which then fails with
        "cannot start a transaction within a transaction"), and the way out of any exception, a cancel
        during COMMIT included, is ``rollback()``, which sqlite3 makes a no-op when nothing is open
        (after a COMMIT that did run, or a BEGIN that failed). That rollback is queued behind whatever
        the interrupted caller queued, so it always sees the final state. If a second cancel interrupts
        it, it still runs (it is queued already); ``_unsettled`` stays set all the same, and the next
        holder of the lock queues one more (harmless) rollback before its first statement: heal on next
        use rather than ``asyncio.shield``, because a shielded task would start on a later loop turn and
        could queue its ROLLBACK behind the next holder's BEGIN.
        """
        async with self._locked() as conn:
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield conn
                await conn.commit()
            except BaseException:
                self._unsettled = True
                await conn.rollback()
                self._unsettled = False
                raise

    @asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[SqlTx]:
        async with self._locked() as conn:
            yield SqliteTx(conn)

    @asynccontextmanager
    async def _atomic(self) -> AsyncIterator[SqlTx]:
        async with self._transaction() as conn:
            yield SqliteTx(conn)

    # -- batches -----------------------------------------------------------------------------------

    async def create_batch(self, batch: NewBatch) -> tuple[StoredBatch, bool]:
        """Create the batch and its companies in one transaction (see ``BatchStore.create_batch``)."""
        opts = batch.options
        try:
            async with self._transaction() as conn:
                tx = SqliteTx(conn)
                if batch.request_id is not None:
                    existing = await batch_sql.batch_for_request(tx, batch.request_id, batch.tenant)
                    if existing is not None:
                        return existing, False
                await conn.execute(batch_sql.INSERT_BATCH, batch_sql.batch_params(batch))
                await conn.executemany(
                    "INSERT INTO companies (batch_id, position, name, domain_hint, extraction_mode, "
                    "priority, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                    [
                        (
                            batch.batch_id,
                            i,
                            c.name,
                            c.domain_hint,
                            opts.extraction_mode.value,
                            opts.priority.value,
                        )
                        for i, c in enumerate(batch.companies)
                    ],
                )
                stored = await batch_sql.require_batch(tx, batch.batch_id)
        except ServiceUnavailable as exc:
            if not isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise
            # Another writer (another process on this file) won the race for the request id or the batch id.
            if batch.request_id is not None:
                existing = await self.batch_for_request(batch.request_id, batch.tenant)
                if existing is not None:
                    return existing, False
            if await self.get_batch(batch.batch_id) is not None:
                raise BatchIdTaken(batch.batch_id) from exc
            raise
        self._changed(batch.batch_id, BatchStatus.QUEUED)
        return stored, True

    async def set_batch_status(self, change: BatchChange) -> None:
        async with self._locked() as conn:
            await batch_sql.write_change(SqliteTx(conn), change)
        self._changed(change.batch_id, change.status)

    async def cancel_batch(self, change: BatchChange, failure: ExtractionFailure) -> None:
        async with self._transaction() as conn:
            await batch_sql.cancel_companies(SqliteTx(conn), change, failure)
            await batch_sql.write_change(SqliteTx(conn), change)
        self._changed(change.batch_id, change.status)

    # -- companies ---------------------------------------------------------------------------------

    async def mark_started(
        self, batch_id: str, position: int, started_at: datetime, change: BatchChange | None = None
    ) -> None:
        """Written with the other starts and finishes made meanwhile (``sqlite_progress``)."""
        await self._progress.write(Start(batch_id, position, to_epoch(started_at), change))

    async def finish_company(
        self,
        batch_id: str,
        position: int,
        outcome: CompanyOutcome,
        change: BatchChange | None = None,
        *,
        attempt: int | None = None,
    ) -> bool:
        """Written with the other starts and finishes made meanwhile (``sqlite_progress``)."""
        finish = Finish(batch_id, position, outcome_columns(outcome), attempt, change=change)
        return (await self._progress.write(finish)).recorded

    async def finish_claimed(
        self, batch_id: str, position: int, outcome: CompanyOutcome, attempt: int, owner: str
    ) -> bool:
        """Written with the other starts and finishes made meanwhile, the batch completed in the same
        transaction when this was its last company (``sqlite_progress``)."""
        columns = outcome_columns(outcome)
        finish = Finish(batch_id, position, columns, attempt, owner, complete_at=_finished_at(outcome))
        written = await self._progress.write(finish)
        if written.recorded:
            self._changed(batch_id, written.final)
        return written.recorded

    async def retry_failed(
        self,
        batch_id: str,
        error_types: frozenset[str],
        bypass_cache: bool,
        request_id: str | None,
        now: datetime,
    ) -> RetryRecord:
        async with self._transaction() as conn:
            done = await retry_sql.retry_failed(
                SqliteTx(conn), batch_id, error_types, bypass_cache, request_id, now, hourly=False
            )
            stored = None if done is None else await batch_sql.require_batch(SqliteTx(conn), batch_id)
        if done is None:
            return RetryRecord(None)
        retried, replay, refused = done
        if retried and not replay:
            self._changed(batch_id, BatchStatus.QUEUED)
        return RetryRecord(stored, retried, replay, refused)

    # -- work claiming (one process at a time: the write transaction is the lock) ------------------

    async def claim(
        self, owner: str, now: datetime, lease_seconds: float, aging_seconds: float, limit: int = 1
    ) -> list[ClaimedCompany]:
        async with self._transaction() as conn:
            claims = await leases.claim(SqliteTx(conn), owner, now, lease_seconds, aging_seconds, limit)
        if claims:
            self._changed(claims[0].batch_id, BatchStatus.PROCESSING if claims[0].batch_started else None)
        return claims

    async def extend_leases(self, owner: str, expires: datetime) -> list[HeldLease]:
        async with self._locked() as conn:
            return await leases.extend_leases(SqliteTx(conn), owner, expires)

    async def release_expired(self, now: datetime) -> list[str]:
        async with self._locked() as conn:
            released = await leases.release_expired(SqliteTx(conn), now)
        for batch_id in released:
            self._changed(batch_id)
        return released

    async def release_owned(self, owner: str, positions: Sequence[HeldLease] = ()) -> int:
        async with self._transaction() as conn:
            released = await leases.release_owned(SqliteTx(conn), owner, positions)
        for batch_id in sorted(set(released)):
            self._changed(batch_id)
        return len(released)

    async def complete_if_done(self, batch_id: str, now: datetime) -> BatchStatus | None:
        async with self._transaction() as conn:
            final = await leases.complete_if_done(SqliteTx(conn), batch_id, now)
        if final is not None:
            self._changed(batch_id, final)
        return final

    async def add_change_listener(self, listener: ChangeListener) -> None:
        # One process owns a SQLite file at a time, so this process's own writes are all the changes.
        self._listeners.append(listener)

    def _changed(self, batch_id: str, status: BatchStatus | None = None) -> None:
        for listener in self._listeners:
            listener(batch_id, status)

    async def stats_since(self, since: datetime, now: datetime, tenant: str | None = None) -> StatsAggregates:
        return await aggregate_stats(self._fetch, since, now, tenant=tenant)

    # -- cache and retention -----------------------------------------------------------------------

    async def purge_finished(self, before: datetime) -> int:
        deleted = 0
        while True:
            # One short transaction per chunk: other writers wait for at most one chunk.
            async with self._locked() as conn:
                cursor = await conn.execute(PURGE_FINISHED_BATCHES, (to_epoch(before), PURGE_BATCH_CHUNK))
                count = int(cursor.rowcount)
            deleted += count
            if count < PURGE_BATCH_CHUNK:
                return deleted

    async def purge_expired_cache(self, now: datetime) -> int:
        async with self._locked() as conn:
            cursor = await conn.execute(CACHE_PURGE_EXPIRED, (to_epoch(now),))
            extractions = int(cursor.rowcount)
            cursor = await conn.execute(RESPONSE_PURGE_EXPIRED, (to_epoch(now),))
            return extractions + int(cursor.rowcount)
