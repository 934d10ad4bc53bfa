"""SQL of the PostgreSQL store shared by its methods: placeholders, the ``SqlTx`` adapter, guarded writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import asyncpg

from server.storage import leases
from server.storage.base import BatchChange
from server.storage.codec import to_epoch
from server.storage.schema import FINAL_STATUSES_SQL, HOUR_SECONDS, HOURLY_SHARDS

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


MARK_FINISHED_PLAIN = numbered(_MARK_FINISHED.format(fence=""))
"""A company's final write and its hourly summary (parameters: see ``PostgresBatchStore.mark_finished``)."""
MARK_FINISHED_FENCED = numbered(_MARK_FINISHED.format(fence=leases.FENCE_CLAUSE))
"""``MARK_FINISHED_PLAIN`` refused unless the attempt and lease owner (two more parameters) still match."""


CLAIM_CALL = f"SELECT * FROM {leases.POSTGRES_CLAIM_FUNCTION}($1, $2, $3, $4, $5)"
"""A claim in one round trip (``leases.postgres_claim_function``): owner, now, lease expiry, aging, limit."""
COMPLETE_AND_NOTIFY = (
    f"WITH done AS ({leases.inline(leases.complete_sql('batch_id = $2'), {'now': '$1'})}) "
    f"SELECT status, pg_notify('{leases.CHANGES_CHANNEL}', batch_id || ' ' || status) FROM done"
)
"""``leases.complete_sql`` for one batch (parameters: now, batch id) and, when it wrote the final
status, its notification, committed together. One batch per statement: PostgreSQL then reuses one
generic plan, where a list of batches was planned again at every call (three times the cost)."""


# Many fenced final writes in one statement (the store's group commit, ``coalesce``): the rows come in
# as parallel arrays. Summary rows are upserted once per key and in key order, so two replicas' rounds
# lock them in the same order and never wait for each other in a cycle.
MARK_FINISHED_MANY = f"""
    WITH input AS (
        SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::double precision[],
                             $5::double precision[], $6::text[], $7::text[], $8::text[], $9::text[],
                             $10::integer[], $11::integer[], $12::text[]) WITH ORDINALITY
            AS i (batch_id, position, state, started_at, finished_at, profile, error_type, error_message,
                  error_details, from_cache, attempt, owner, item)
    ), done AS (
        UPDATE companies c SET state = i.state, started_at = i.started_at, finished_at = i.finished_at,
            profile = i.profile, error_type = i.error_type, error_message = i.error_message,
            error_details = i.error_details, from_cache = i.from_cache, lease_owner = NULL,
            lease_expires = NULL
        FROM input i
        WHERE c.batch_id = i.batch_id AND c.position = i.position AND c.state = 'running'
            AND c.attempts = i.attempt AND c.lease_owner IS NOT DISTINCT FROM i.owner
        RETURNING i.item, c.position, c.extraction_mode, c.priority, c.state,
                  coalesce(c.error_type, '') AS error_type, c.from_cache, c.finished_at,
                  coalesce(c.finished_at - c.started_at, 0) AS seconds
    ), summary AS (
        INSERT INTO company_hourly AS h
            (hour, extraction_mode, priority, state, error_type, companies, from_cache, seconds, shard)
        SELECT floor(finished_at / {HOUR_SECONDS}) * {HOUR_SECONDS} AS hour, extraction_mode, priority,
               state, error_type, count(*), sum(from_cache), sum(seconds), position % {HOURLY_SHARDS} AS shard
        FROM done WHERE state IN ('success', 'failed') AND finished_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 9 ORDER BY 1, 2, 3, 4, 5, 9
        ON CONFLICT (hour, extraction_mode, priority, state, error_type, shard) DO UPDATE SET
            companies = h.companies + excluded.companies,
            from_cache = h.from_cache + excluded.from_cache,
            seconds = h.seconds + excluded.seconds
    )
    SELECT item FROM done
"""
"""Fenced final writes of several companies (12 parallel arrays, see ``PostgresBatchStore``); returns
the number (from 1) of each recorded one. Two writes of one company in a round record at most one."""


async def write_change(conn: asyncpg.Connection, change: BatchChange) -> None:
    """Write a batch's status change (``BatchChange``) to its row."""
    # Guarded: a final status is never overwritten (a pause racing the last company's finish).
    await conn.execute(
        "UPDATE batches SET status = $1, last_update = $2, started_at = coalesce(started_at, $3), "
        "completed_at = coalesce($4, completed_at), waiting_since = coalesce($5, waiting_since) "
        f"WHERE batch_id = $6 AND status NOT IN {FINAL_STATUSES_SQL}",
        change.status.value,
        to_epoch(change.last_update),
        to_epoch(change.started_at),
        to_epoch(change.completed_at),
        to_epoch(change.waiting_since),
        change.batch_id,
    )


async def lock_batch(conn: asyncpg.Connection, batch_id: str) -> None:
    """Take the batch row's lock before any of its company rows.

    Every transaction that writes a batch and its companies (claims too) locks in this order, so two of
    them never wait for each other in a cycle.
    """
    await conn.execute("SELECT 1 FROM batches WHERE batch_id = $1 FOR UPDATE", batch_id)


class AsyncpgTx:
    """``leases.SqlTx`` over one asyncpg connection (``?`` placeholders numbered here)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """Rows of ``sql`` as tuples."""
        return [tuple(row) for row in await self._conn.fetch(numbered(sql), *params)]


def affected(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``DELETE 0``."""
    return int(status.rsplit(" ", 1)[-1])
