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

- Replicas claim work with ``FOR UPDATE SKIP LOCKED`` (``server.storage.leases``) and announce every
  change of a batch with ``NOTIFY company_batch_changes, '<batch_id>[ <status>]'``, so a replica's
  ``WatchBatch`` follows progress made on any other: status changes in their own transaction,
  companies' progress right after the commit, merged per batch (see ``_announce_soon``).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any

import asyncpg

from server.domain import BatchStatus, CompanyOutcome, CompanyState, ExtractionFailure
from server.errors import ServiceUnavailable
from server.storage import leases
from server.storage.base import (
    BatchChange,
    BatchIdTaken,
    CachedExtraction,
    CacheKey,
    ChangeListener,
    ClaimedCompany,
    HeldLease,
    NewBatch,
    PageCursor,
    StatsAggregates,
    StoredBatch,
    StoredCompany,
)
from server.storage.cache_sql import (
    CACHE_GET,
    CACHE_PURGE_EXPIRED,
    CACHE_PUT,
    PURGE_BATCH_CHUNK,
    PURGE_FINISHED_BATCHES,
    entry_from_row,
    key_params,
    put_params,
)
from server.storage.codec import (
    BATCH_COLUMNS,
    COMPANY_COLUMNS,
    batch_from_row,
    company_from_row,
    options_to_json,
    to_epoch,
)
from server.storage.schema import HOUR_SECONDS, HOURLY_SHARDS, POSTGRES_MIGRATIONS
from server.storage.stats_sql import aggregate_stats

MIGRATION_LOCK_KEY = 0x636F6D7062617463  # "compbatc": one advisory lock id for this service's migrations
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10.0
COMMAND_TIMEOUT_SECONDS = 30.0
CHANGES_CHANNEL = leases.CHANGES_CHANNEL
PROGRESS_WRITES = "synchronous_commit=off"
"""How a replica's claims, heartbeats and fenced results commit: without waiting for the WAL flush.

Measured on the 2-core bench machine, one flush per finished company was the ceiling of the whole
cluster (backends queued on WALWrite), so a second replica added almost nothing. PostgreSQL stays
consistent either way; what an OS or database crash (not a replica crash: the server keeps its WAL
buffers) can lose is the last fraction of a second of such commits: those companies are then running
under an expired lease, or pending, and are run again, with a new attempt number, exactly once. That is
the trade SQLite's ``synchronous=NORMAL`` makes too. Batches, status changes and cancels stay durable."""
PROGRESS_NOTIFY_SECONDS = 0.05
"""Companies' progress is announced at most this late, merged per batch (see ``_announce_soon``)."""

_FINAL_STATUSES_SQL = "('completed', 'failed', 'cancelled')"
_PLACEHOLDER = re.compile(r"\?")

# The guarded final write and its hourly summary in one statement: the CTE returns a row only when
# the company was still running, so a late or repeated write adds nothing to the summary.
_MARK_FINISHED = f"""
    WITH done AS (
        UPDATE companies SET state = ?, started_at = ?, finished_at = ?, profile = ?, error_type = ?,
            error_message = ?, error_details = ?, from_cache = ?, lease_owner = NULL, lease_expires = NULL
        WHERE batch_id = ? AND position = ? AND state = 'running' {{fence}}
        RETURNING batch_id, position, extraction_mode, priority, state,
                  coalesce(error_type, '') AS error_type, from_cache, finished_at,
                  coalesce(finished_at - started_at, 0) AS seconds
    ), summary AS (
        INSERT INTO company_hourly AS h
            (hour, extraction_mode, priority, state, error_type, companies, from_cache, seconds, shard)
        SELECT floor(finished_at / {HOUR_SECONDS}) * {HOUR_SECONDS}, extraction_mode, priority, state,
               error_type, 1, from_cache, seconds, position % {HOURLY_SHARDS}
        FROM done WHERE state IN ('success', 'failed') AND finished_at IS NOT NULL
        ON CONFLICT (hour, extraction_mode, priority, state, error_type, shard) DO UPDATE SET
            companies = h.companies + excluded.companies,
            from_cache = h.from_cache + excluded.from_cache,
            seconds = h.seconds + excluded.seconds
    )
    SELECT count(*) FROM done
"""


def numbered(sql: str) -> str:
    """``?`` placeholders (the portable spelling in ``stats_sql``/``cache_sql``) as ``$1, $2, ...``."""
    counter = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


_MARK_FINISHED_PLAIN = numbered(_MARK_FINISHED.format(fence=""))
_MARK_FINISHED_FENCED = numbered(_MARK_FINISHED.format(fence=leases.FENCE_CLAUSE))


class PostgresBatchStore:
    """``BatchStore`` on a PostgreSQL database (``postgresql://user@host:port/db[?search_path=schema]``)."""

    def __init__(self, url: str, *, max_connections: int = POOL_MAX_SIZE) -> None:
        self.url = url
        self._max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        # Claims, lease extensions and fenced results: commits that do not wait for the WAL flush (see
        # PROGRESS_WRITES). Batches, status changes and cancels use the durable pool.
        self._progress_pool: asyncpg.Pool | None = None
        self._listen_conn: asyncpg.Connection | None = None
        self._progress: set[str] = set()
        self._announcer: asyncio.Task[None] | None = None
        self._listeners: list[ChangeListener] = []

    # -- lifecycle ---------------------------------------------------------------------------------

    async def open(self) -> None:
        """Create the connection pool and apply pending migrations (one replica at a time)."""
        with _translated("open"):
            pool = await asyncpg.create_pool(
                self.url,
                min_size=POOL_MIN_SIZE,
                max_size=self._max_connections,
                timeout=CONNECT_TIMEOUT_SECONDS,
                command_timeout=COMMAND_TIMEOUT_SECONDS,
            )
            try:
                async with pool.acquire() as conn:
                    await self._migrate(conn)
                progress_pool = await asyncpg.create_pool(
                    self.url,
                    min_size=POOL_MIN_SIZE,
                    max_size=self._max_connections,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    command_timeout=COMMAND_TIMEOUT_SECONDS,
                    server_settings={"synchronous_commit": "off"},
                )
            except BaseException:
                await pool.close()
                raise
        self._pool, self._progress_pool = pool, progress_pool

    async def close(self) -> None:
        if self._announcer is not None:
            self._announcer.cancel()
            await asyncio.gather(self._announcer, return_exceptions=True)
            self._announcer = None
        if self._listen_conn is not None:
            listen_conn, self._listen_conn = self._listen_conn, None
            await listen_conn.close()
        if self._progress_pool is not None:
            progress_pool, self._progress_pool = self._progress_pool, None
            await progress_pool.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def schema_version(self) -> int:
        async with self._conn() as conn:
            return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))

    async def _migrate(self, conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            # Held until commit: a second replica blocks here, then finds the migrations applied.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
            current = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
            for version, statements in enumerate(POSTGRES_MIGRATIONS[current:], start=current + 1):
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)

    # -- connection helpers ------------------------------------------------------------------------

    @asynccontextmanager
    async def _conn(self, progress: bool = False) -> AsyncIterator[asyncpg.Connection]:
        with _translated("query"):
            pool = self._progress_pool if progress else self._pool
            if pool is None:
                raise ServiceUnavailable("the store is closed")
            async with pool.acquire() as conn:
                yield conn

    @asynccontextmanager
    async def _transaction(self, progress: bool = False) -> AsyncIterator[asyncpg.Connection]:
        async with self._conn(progress) as conn, conn.transaction():
            yield conn

    async def _fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        async with self._conn() as conn:
            return [tuple(row) for row in await conn.fetch(numbered(sql), *params)]

    # -- batches -----------------------------------------------------------------------------------

    async def create_batch(self, batch: NewBatch) -> tuple[StoredBatch, bool]:
        """Create the batch and its companies in one transaction (see ``BatchStore.create_batch``)."""
        opts = batch.options
        created = to_epoch(batch.created_at)
        try:
            async with self._transaction() as conn:
                inserted = await conn.fetchval(
                    f"INSERT INTO batches ({BATCH_COLUMNS}, extraction_mode, priority, max_concurrent, "
                    "waiting_since) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9, $10, $11, $12) "
                    "ON CONFLICT (request_id) DO NOTHING RETURNING batch_id",
                    batch.batch_id,
                    batch.request_id,
                    batch.trace_id,
                    options_to_json(opts),
                    BatchStatus.QUEUED.value,
                    len(batch.companies),
                    created,
                    created,
                    opts.extraction_mode.value,
                    opts.priority.value,
                    opts.max_concurrent,
                    created,
                )
                if inserted is None:
                    # The request id is taken (ON CONFLICT waited for the other transaction to commit).
                    existing = await conn.fetchval(
                        "SELECT batch_id FROM batches WHERE request_id = $1", batch.request_id
                    )
                    return await self._require_batch(conn, existing), False
                await conn.executemany(
                    "INSERT INTO companies (batch_id, position, name, domain_hint, extraction_mode, "
                    "priority, state) VALUES ($1, $2, $3, $4, $5, $6, 'pending')",
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
                return await self._require_batch(conn, batch.batch_id), True
        except ServiceUnavailable as exc:
            if isinstance(exc.__cause__, asyncpg.UniqueViolationError) and (
                exc.__cause__.constraint_name == "batches_pkey"
            ):
                raise BatchIdTaken(batch.batch_id) from exc
            raise

    async def get_batch(self, batch_id: str) -> StoredBatch | None:
        async with self._conn() as conn:
            batches = await self._load_batches(conn, "WHERE batch_id = $1", (batch_id,))
        return batches[0] if batches else None

    async def batch_for_request(self, request_id: str) -> StoredBatch | None:
        async with self._conn() as conn:
            batches = await self._load_batches(conn, "WHERE request_id = $1", (request_id,))
        return batches[0] if batches else None

    async def list_batches(self, limit: int, after: PageCursor | None = None) -> list[StoredBatch]:
        async with self._conn() as conn:
            if after is None:
                return await self._load_batches(
                    conn, "ORDER BY created_at DESC, batch_id DESC LIMIT $1", (limit,)
                )
            return await self._load_batches(
                conn,
                "WHERE (created_at, batch_id) < ($1, $2) ORDER BY created_at DESC, batch_id DESC LIMIT $3",
                (to_epoch(after.created_at), after.batch_id, limit),
            )

    async def unfinished_batches(self) -> list[StoredBatch]:
        async with self._conn() as conn:
            return await self._load_batches(
                conn, f"WHERE status NOT IN {_FINAL_STATUSES_SQL} ORDER BY created_at, batch_id", ()
            )

    async def set_batch_status(self, change: BatchChange) -> None:
        async with self._transaction() as conn:
            await _write_change(conn, change)
            await _notify(conn, change.batch_id, change.status)

    async def cancel_batch(self, change: BatchChange, failure: ExtractionFailure) -> None:
        async with self._transaction() as conn:
            await _lock_batch(conn, change.batch_id)
            await conn.execute(
                "UPDATE companies SET "
                "error_type = CASE WHEN state = 'running' THEN $1 ELSE NULL END, "
                "error_message = CASE WHEN state = 'running' THEN $2 ELSE NULL END, "
                "error_details = CASE WHEN state = 'running' THEN $3 ELSE NULL END, "
                "finished_at = CASE WHEN state = 'running' THEN $4::double precision ELSE NULL END, "
                "state = 'cancelled' "
                "WHERE batch_id = $5 AND state IN ('pending', 'running')",
                failure.type.value,
                failure.message,
                failure.details,
                to_epoch(change.last_update),
                change.batch_id,
            )
            await _write_change(conn, change)
            await _notify(conn, change.batch_id, change.status)

    # -- companies ---------------------------------------------------------------------------------

    async def list_companies(self, batch_id: str) -> list[StoredCompany]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                f"SELECT {COMPANY_COLUMNS} FROM companies WHERE batch_id = $1 ORDER BY position", batch_id
            )
        return [company_from_row(row) for row in rows]

    async def requeue_running(self, batch_id: str | None = None, positions: Sequence[int] = ()) -> int:
        sql = (
            "UPDATE companies SET state = 'pending', started_at = NULL, lease_owner = NULL, "
            "lease_expires = NULL WHERE state = 'running'"
        )
        params: list[Any] = []
        if batch_id is not None:
            params.append(batch_id)
            sql += f" AND batch_id = ${len(params)}"
            if positions:
                params.append(list(positions))
                sql += f" AND position = ANY(${len(params)}::integer[])"
        async with self._conn() as conn:
            return _affected(await conn.execute(sql, *params))

    async def mark_started(
        self, batch_id: str, position: int, started_at: datetime, change: BatchChange | None = None
    ) -> None:
        sql = (
            "UPDATE companies SET state = 'running', attempts = attempts + 1, started_at = $1 "
            "WHERE batch_id = $2 AND position = $3 AND state = 'pending'"
        )
        async with self._transaction() as conn:
            if change is not None:
                await _lock_batch(conn, batch_id)
            await conn.execute(sql, to_epoch(started_at), batch_id, position)
            if change is not None:
                await _write_change(conn, change)

    async def mark_finished(
        self,
        batch_id: str,
        position: int,
        outcome: CompanyOutcome,
        change: BatchChange | None = None,
        *,
        attempt: int | None = None,
        owner: str | None = None,
    ) -> bool:
        error = outcome.error
        fenced = attempt is not None
        async with AsyncExitStack() as stack:
            # A fenced finish without a status change is one statement: autocommit, no transaction.
            if fenced and change is None:
                conn = await stack.enter_async_context(self._conn(progress=True))
            else:
                conn = await stack.enter_async_context(self._transaction())
            if change is not None:
                await _lock_batch(conn, batch_id)
            changed = await conn.fetchval(
                _MARK_FINISHED_FENCED if fenced else _MARK_FINISHED_PLAIN,
                outcome.state.value,
                to_epoch(outcome.started_at),
                to_epoch(outcome.finished_at),
                None if outcome.profile is None else json.dumps(outcome.profile),
                None if error is None else error.type.value,
                None if error is None else error.message,
                None if error is None else error.details,
                int(outcome.from_cache),
                batch_id,
                position,
                *((attempt, owner) if fenced else ()),
            )
            recorded: bool = changed == 1
            if recorded and change is not None:
                await _write_change(conn, change)
        if recorded and fenced:
            self._announce_soon(batch_id)
        return recorded

    def _announce_soon(self, batch_id: str) -> None:
        """NOTIFY a company's progress within ``PROGRESS_NOTIFY_SECONDS``, merged per batch.

        Not in the change's own transaction, on purpose: PostgreSQL takes one database-wide lock while
        a transaction that sent NOTIFY commits, so a NOTIFY in every claim and finish serialised all of
        them (two replicas measured no faster than one). Sent after the commit, an announcement never
        precedes its change; a crash in between costs a watcher at most its next re-read. Status
        changes (start, pause, resume, cancel, completion) still notify in their own transaction.
        """
        self._progress.add(batch_id)
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.get_running_loop().create_task(self._announce_progress())

    async def _announce_progress(self) -> None:
        await asyncio.sleep(PROGRESS_NOTIFY_SECONDS)
        batch_ids, self._progress = sorted(self._progress), set()
        try:
            async with self._conn() as conn:
                await conn.execute(
                    "SELECT pg_notify($1, b) FROM unnest($2::text[]) AS b", CHANGES_CHANNEL, batch_ids
                )
        except ServiceUnavailable:
            pass  # watchers re-read on their own every few seconds

    # -- work claiming across replicas (see server.storage.leases) ---------------------------------

    async def claim(
        self, owner: str, now: datetime, lease_seconds: float, aging_seconds: float, limit: int = 1
    ) -> list[ClaimedCompany]:
        async with self._transaction(progress=True) as conn:
            claims = await leases.claim(
                _Tx(conn), leases.POSTGRES_DIALECT, owner, now, lease_seconds, aging_seconds, limit
            )
            if claims and claims[0].batch_started:
                await _notify(conn, claims[0].batch_id, BatchStatus.PROCESSING)
        if claims and not claims[0].batch_started:
            self._announce_soon(claims[0].batch_id)
        return claims

    async def extend_leases(self, owner: str, expires: datetime) -> list[HeldLease]:
        async with self._conn(progress=True) as conn:
            return await leases.extend_leases(_Tx(conn), owner, expires)

    async def release_expired(self, now: datetime) -> list[str]:
        async with self._transaction() as conn:
            released = await leases.release_expired(_Tx(conn), now)
            for batch_id in released:
                await _notify(conn, batch_id)
        return released

    async def release_owned(self, owner: str, positions: Sequence[HeldLease] = ()) -> int:
        async with self._transaction() as conn:
            released = await leases.release_owned(_Tx(conn), owner, positions)
            for batch_id in sorted(set(released)):
                await _notify(conn, batch_id)
        return len(released)

    async def complete_if_done(self, batch_id: str, now: datetime) -> BatchStatus | None:
        async with self._conn() as conn:
            # Outside a transaction first: nearly every finish leaves work behind (one round trip).
            if await leases.has_work(_Tx(conn), batch_id):
                return None
        async with self._transaction() as conn:
            final = await leases.complete_if_done(_Tx(conn), batch_id, now, "FOR UPDATE")
            if final is not None:
                await _notify(conn, batch_id, final)
        return final

    async def unfinished_without_work(self) -> list[str]:
        async with self._conn() as conn:
            return await leases.unfinished_without_work(_Tx(conn))

    async def count_pending(self) -> int:
        async with self._conn() as conn:
            return await leases.count_pending(_Tx(conn))

    async def add_change_listener(self, listener: ChangeListener) -> None:
        """LISTEN on a connection of its own (outside the pool) for every replica's NOTIFY."""
        with _translated("listen"):
            if self._listen_conn is None:
                self._listen_conn = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT_SECONDS)
                await self._listen_conn.add_listener(CHANGES_CHANNEL, self._on_notify)
        self._listeners.append(listener)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        batch_id, _, status = payload.partition(" ")
        for listener in self._listeners:
            listener(batch_id, BatchStatus(status) if status else None)

    async def recent_durations(self, per_mode: int) -> dict[str, list[float]]:
        rows = await self._fetch(
            "SELECT extraction_mode, duration FROM ("
            "  SELECT extraction_mode, finished_at - started_at AS duration, row_number() OVER ("
            "    PARTITION BY extraction_mode ORDER BY finished_at DESC) AS rn"
            "  FROM companies WHERE state IN ('success', 'failed') AND finished_at IS NOT NULL"
            "    AND started_at IS NOT NULL AND from_cache = 0"
            ") AS recent WHERE rn <= ?",
            (per_mode,),
        )
        durations: dict[str, list[float]] = {}
        for mode, duration in rows:
            durations.setdefault(mode, []).append(float(duration))
        return durations

    async def stats_since(self, since: datetime, now: datetime) -> StatsAggregates:
        return await aggregate_stats(self._fetch, since, now, hourly=True)

    async def stats_since_full_scan(self, since: datetime, now: datetime) -> StatsAggregates:
        """The same figures as ``stats_since`` read from every company row (for checks and benchmarks)."""
        return await aggregate_stats(self._fetch, since, now, hourly=False)

    # -- cache and retention -----------------------------------------------------------------------

    async def cache_get(self, key: CacheKey, now: datetime) -> CachedExtraction | None:
        rows = await self._fetch(CACHE_GET, (*key_params(key), to_epoch(now)))
        return entry_from_row(rows[0]) if rows else None

    async def cache_put(self, key: CacheKey, entry: CachedExtraction) -> None:
        async with self._conn() as conn:
            await conn.execute(numbered(CACHE_PUT), *put_params(key, entry))

    async def purge_finished(self, before: datetime) -> int:
        cutoff = to_epoch(before)
        deleted = 0
        async with self._conn() as conn:
            while True:
                # One short transaction per chunk (autocommit): writers wait for at most one chunk.
                count = _affected(
                    await conn.execute(numbered(PURGE_FINISHED_BATCHES), cutoff, PURGE_BATCH_CHUNK)
                )
                deleted += count
                if count < PURGE_BATCH_CHUNK:
                    break
            await conn.execute(f"DELETE FROM company_hourly WHERE hour + {HOUR_SECONDS} <= $1", cutoff)
        return deleted

    async def purge_expired_cache(self, now: datetime) -> int:
        async with self._conn() as conn:
            return _affected(await conn.execute(numbered(CACHE_PURGE_EXPIRED), to_epoch(now)))

    # -- row mapping -------------------------------------------------------------------------------

    async def _require_batch(self, conn: asyncpg.Connection, batch_id: str) -> StoredBatch:
        batches = await self._load_batches(conn, "WHERE batch_id = $1", (batch_id,))
        return batches[0]

    async def _load_batches(
        self, conn: asyncpg.Connection, clause: str, params: Sequence[Any]
    ) -> list[StoredBatch]:
        rows = await conn.fetch(f"SELECT {BATCH_COLUMNS} FROM batches {clause}", *params)
        if not rows:
            return []
        ids = [row[0] for row in rows]
        counts: dict[str, dict[CompanyState, int]] = {batch_id: {} for batch_id in ids}
        for batch_id, state, count in await conn.fetch(
            "SELECT batch_id, state, count(*) FROM companies WHERE batch_id = ANY($1::text[]) "
            "GROUP BY batch_id, state",
            ids,
        ):
            counts[batch_id][CompanyState(state)] = count
        return [batch_from_row(row, counts[row[0]]) for row in rows]


async def _write_change(conn: asyncpg.Connection, change: BatchChange) -> None:
    # Guarded: a final status is never overwritten (a pause racing the last company's finish).
    await conn.execute(
        "UPDATE batches SET status = $1, last_update = $2, started_at = coalesce(started_at, $3), "
        "completed_at = coalesce($4, completed_at), waiting_since = coalesce($5, waiting_since) "
        f"WHERE batch_id = $6 AND status NOT IN {_FINAL_STATUSES_SQL}",
        change.status.value,
        to_epoch(change.last_update),
        to_epoch(change.started_at),
        to_epoch(change.completed_at),
        to_epoch(change.waiting_since),
        change.batch_id,
    )


async def _lock_batch(conn: asyncpg.Connection, batch_id: str) -> None:
    """Take the batch row's lock before any of its company rows.

    Every transaction that writes a batch and its companies (claims too) locks in this order, so two of
    them never wait for each other in a cycle.
    """
    await conn.execute("SELECT 1 FROM batches WHERE batch_id = $1 FOR UPDATE", batch_id)


async def _notify(conn: asyncpg.Connection, batch_id: str, status: BatchStatus | None = None) -> None:
    """NOTIFY every replica's listener; delivered only if (and when) the transaction commits."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANGES_CHANNEL, _payload(batch_id, status))


def _payload(batch_id: str, status: BatchStatus | None) -> str:
    """``batch_id`` or ``batch_id status`` (batch ids hold no spaces)."""
    return batch_id if status is None else f"{batch_id} {status.value}"


class _Tx:
    """``leases.SqlTx`` over one asyncpg connection (``?`` placeholders numbered here)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        return [tuple(row) for row in await self._conn.fetch(numbered(sql), *params)]


def _affected(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``DELETE 0``."""
    return int(status.rsplit(" ", 1)[-1])


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """asyncpg's (and the socket's) exceptions become ``ServiceUnavailable`` here, the store's one edge."""
    try:
        yield
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise ServiceUnavailable(f"store {action} failed: {exc}") from exc
