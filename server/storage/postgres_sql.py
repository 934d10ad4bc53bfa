"""SQL of the PostgreSQL store shared by its methods: placeholders, the ``SqlTx`` adapter, guarded writes."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import asyncpg

from server.storage import batch_sql, leases
from server.storage.schema import HOUR_SECONDS, HOURLY_SHARDS

_PLACEHOLDER = re.compile(r"\?")

# The guarded final write and its hourly summary in one statement: the CTE returns a row only when
# the company was still running, so a late or repeated write adds nothing to the summary.
_MARK_FINISHED = f"""
    WITH done AS (
        {batch_sql.FINISH_COMPANY} {{fence}}
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


INSERT_BATCH_UNLESS_REQUESTED = (
    f"{batch_sql.INSERT_BATCH} ON CONFLICT (tenant, request_id) DO NOTHING RETURNING batch_id"
)
"""A new batch, or no row when its tenant already used its ``request_id`` (the UNIQUE constraint waits
for a concurrent submit of it to commit, so the loser then reads the winner's batch)."""


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders (the portable spelling in ``stats_sql``/``cache_sql``) as ``$1, $2, ...``."""
    counter = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


MARK_FINISHED_PLAIN = numbered(_MARK_FINISHED.format(fence=""))
"""A company's final write and its hourly summary (parameters: see ``PostgresBatchStore.finish_company``)."""
MARK_FINISHED_FENCED = numbered(_MARK_FINISHED.format(fence=leases.FENCE_CLAUSE))
"""``MARK_FINISHED_PLAIN`` refused unless the attempt and lease owner (two more parameters) still match."""


CHANGES_CHANNEL = "company_batch_changes"
"""PostgreSQL NOTIFY channel; the payload is the changed batch's id, then its new status when one was
written (schemas sharing one server only see extra ids)."""


POSTGRES_CLAIM_FUNCTION = "company_batch_claim_v1"
"""The claim as one PostgreSQL function (``postgres_claim_function``); bump the suffix when its text
changes, so replicas of two versions running side by side during an upgrade each call their own."""


def postgres_claim_function() -> str:
    """``CREATE OR REPLACE FUNCTION`` for the claim: ``leases.claim``'s statements in PL/pgSQL.

    Batches are walked in queue order and checked one by one, cheapest first: whether one may start a
    company, then its row lock (``SKIP LOCKED``: another replica is claiming from it), then the claim.
    Most claims stop at the first batch, so a claim costs the same with 5 or 500 live batches (one
    query checking every batch at once made the claim the largest share of the database's work).
    Each statement of a volatile PL/pgSQL function takes a fresh snapshot under READ COMMITTED, so the
    claim statement counts running companies as of after the lock, as ``leases.claim`` does. A claim that
    starts a batch notifies its status change in the same transaction.
    """
    variables = {
        "now": "p_now",
        "aging": "p_aging",
        "owner": "p_owner",
        "expires": "p_expires",
        "limit": "p_limit",
        "batch": "chosen.batch_id",
        "max_concurrent": "chosen.max_concurrent",
    }
    queue_order = leases.inline(leases.queue_order(leases.POSTGRES_DIALECT), variables)
    return f"""
CREATE OR REPLACE FUNCTION {POSTGRES_CLAIM_FUNCTION}(
    p_owner TEXT, p_now DOUBLE PRECISION, p_expires DOUBLE PRECISION, p_aging DOUBLE PRECISION,
    p_limit INTEGER)
RETURNS TABLE (o_batch_id TEXT, o_position INTEGER, o_name TEXT, o_domain_hint TEXT, o_attempt INTEGER,
               o_options TEXT, o_trace_id TEXT, o_started BOOLEAN)
LANGUAGE plpgsql AS $claim$
DECLARE
    chosen RECORD;
    claimed RECORD;
    locked_status TEXT;
    tries INTEGER := 0;
BEGIN
    FOR chosen IN SELECT batch_id, max_concurrent, options, trace_id FROM batches
            WHERE status IN {leases.ACTIVE_SQL} ORDER BY {queue_order} LOOP
        CONTINUE WHEN NOT ({leases.may_start("chosen.batch_id", "chosen.max_concurrent")});
        SELECT status INTO locked_status FROM batches
            WHERE batch_id = chosen.batch_id AND status IN {leases.ACTIVE_SQL} FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        o_started := locked_status = 'queued';
        FOR claimed IN {leases.inline(leases.claim_sql(leases.POSTGRES_DIALECT), variables)} LOOP
            o_batch_id := chosen.batch_id;
            o_position := claimed.position;
            o_name := claimed.name;
            o_domain_hint := claimed.domain_hint;
            o_attempt := claimed.attempts;
            o_options := chosen.options;
            o_trace_id := chosen.trace_id;
            RETURN NEXT;
        END LOOP;
        IF o_batch_id IS NOT NULL THEN
            IF o_started THEN
                {leases.inline(leases.START_SQL, variables)};
                PERFORM pg_notify('{CHANGES_CHANNEL}', chosen.batch_id || ' processing');
            END IF;
            RETURN;
        END IF;
        tries := tries + 1;
        EXIT WHEN tries >= {leases.CLAIM_CANDIDATES};
    END LOOP;
END
$claim$
"""


CLAIM_CALL = f"SELECT * FROM {POSTGRES_CLAIM_FUNCTION}($1, $2, $3, $4, $5)"
"""A claim in one round trip (``postgres_claim_function``): owner, now, lease expiry, aging, limit."""
COMPLETE_AND_NOTIFY = (
    f"WITH done AS ({leases.inline(leases.complete_sql('batch_id = $2'), {'now': '$1'})}) "
    f"SELECT status, pg_notify('{CHANGES_CHANNEL}', batch_id || ' ' || status) FROM done"
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
                             $10::integer[], $11::text[], $12::integer[], $13::text[]) WITH ORDINALITY
            AS i ({batch_sql.FINISH_INPUT_COLUMNS}, item)
    ), done AS (
        {batch_sql.FINISH_FROM_INPUT}
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
