"""Work claiming shared by replicas: leases on company rows, written once for both SQL engines.

A replica claims a company by turning one ``pending`` row into ``running`` with ``lease_owner`` (its
replica id), ``lease_expires`` and ``attempts + 1``. The attempt number is the fencing token: a result
is only recorded while the row is still that attempt held by that owner (see ``FENCE_CLAUSE``), so a
replica whose lease expired and whose company was claimed again cannot write a second result.

Claim order is the scheduler's (``server.scheduling.queue``) computed in SQL over every live batch:
effective level (priority rank plus one level per ``aging_seconds`` since ``waiting_since``, capped at
urgent) descending, then ``waiting_since``, then creation. A batch's ``max_concurrent`` counts running
companies of all replicas together. A claim locks the chosen batch row (PostgreSQL: ``FOR UPDATE SKIP
LOCKED``; SQLite: the whole write transaction) and counts the batch's running companies again in a
statement begun after the lock, so two replicas never claim past the limit of one batch; while one
replica holds a batch's row the others skip to the next batch instead of queueing behind it.

The SQL is written once, with ``:name`` parameters: the queue order, the "may start a company" test,
the claim UPDATE and the start of a batch. SQLite runs it statement by statement in its write
transaction (``claim``; ``bind`` turns the names into ``?``). PostgreSQL runs it inside one server-side
function (``postgres_claim_function``), which checks the batches one at a time in queue order rather
than all at once: a claim is one round trip, and no transaction stays open between statements while a
busy replica gets round to sending the next one (measured, such idle-in-transaction claims holding
batch rows were what kept a second replica from adding throughput).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from server.domain import BatchOptions, BatchStatus
from server.storage.base import ClaimedCompany, HeldLease
from server.storage.codec import options_from_json, to_epoch
from server.storage.schema import FINAL_STATUSES_SQL

CLAIM_CANDIDATES = 4
"""Batches tried per claim when the first ones turn out full under their lock (another replica's claim)."""
_MAX_LEVEL = 3
_RANK_SQL = "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END"
_ACTIVE_SQL = "('queued', 'processing')"
_PARAMETER = re.compile(r"(?<!:):([a-z_]+)")


class SqlTx(Protocol):
    """One open transaction: run a statement, get its rows (``RETURNING`` rows for writes)."""

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]: ...


CHANGES_CHANNEL = "company_batch_changes"
"""PostgreSQL NOTIFY channel; the payload is the changed batch's id, then its new status when one was
written (schemas sharing one server only see extra ids)."""


def bind(sql: str, values: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """``sql`` with each ``:name`` as a ``?`` placeholder, and the values in placeholder order."""
    names = _PARAMETER.findall(sql)
    return _PARAMETER.sub("?", sql), tuple(values[name] for name in names)


def inline(sql: str, expressions: Mapping[str, str]) -> str:
    """``sql`` with each ``:name`` replaced by an SQL expression (a PL/pgSQL variable, say)."""
    return _PARAMETER.sub(lambda match: expressions[match.group(1)], sql)


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines in these statements."""

    level: str  # the effective level of a batch row, from :now and :aging
    room: str  # companies a batch may still start, from :limit and :max_concurrent (over its running)
    picked: str  # the claimed positions are those of the subquery {picked}


SQLITE_DIALECT = Dialect(
    level=f"min({_MAX_LEVEL}, {_RANK_SQL} + CAST(max(0.0, :now - waiting_since) / :aging AS INTEGER))",
    room="max(0, min(:limit, :max_concurrent - count(*)))",  # a negative LIMIT means "no limit" in SQLite
    picked="position IN ({picked})",
)
POSTGRES_DIALECT = Dialect(
    level=f"LEAST({_MAX_LEVEL}, {_RANK_SQL} + floor(GREATEST(0, :now - waiting_since) / :aging))",
    room="GREATEST(0, LEAST(:limit, :max_concurrent - count(*)))",
    # Evaluated once, then primary-key lookups: as a join the planner may rerun the LIMIT per pending row.
    picked="position = ANY (ARRAY({picked}))",
)

FENCE_CLAUSE = " AND attempts = ? AND lease_owner IS NOT DISTINCT FROM ?"
"""Appended to a finish's WHERE when it is fenced: the attempt and owner that claimed the company."""


def _may_start(batch: str, max_concurrent: str) -> str:
    """The batch has a pending company and fewer running than its ``max_concurrent``."""
    return (
        f"EXISTS (SELECT 1 FROM companies c WHERE c.batch_id = {batch} AND c.state = 'pending') "
        f"AND (SELECT count(*) FROM companies r WHERE r.batch_id = {batch} AND r.state = 'running') "
        f"< {max_concurrent}"
    )


def _queue_order(dialect: Dialect) -> str:
    return f"{dialect.level} DESC, waiting_since, created_at, batch_id"


def candidate_sql(excluded: str) -> str:
    """SQLite: the first batch in queue order that may start a company (``excluded``: already tried)."""
    return (
        "SELECT batch_id, max_concurrent, status, options, trace_id FROM batches b "
        f"WHERE status IN {_ACTIVE_SQL} {excluded} AND {_may_start('b.batch_id', 'b.max_concurrent')} "
        f"ORDER BY {_queue_order(SQLITE_DIALECT)} LIMIT 1"
    )


def claim_sql(dialect: Dialect) -> str:
    """Claim up to the batch's room of its first pending companies (``:batch``), under its lock.

    The running companies are counted again here, in a statement begun after the batch's lock was
    taken: the candidate query's count may predate a claim another replica committed just before.
    """
    picked = (
        "SELECT position FROM companies WHERE batch_id = :batch AND state = 'pending' ORDER BY position "
        f"LIMIT (SELECT {dialect.room} FROM companies WHERE batch_id = :batch AND state = 'running')"
    )
    return (
        "UPDATE companies SET state = 'running', attempts = attempts + 1, started_at = :now, "
        "lease_owner = :owner, lease_expires = :expires "
        f"WHERE batch_id = :batch AND {dialect.picked.format(picked=picked)} AND state = 'pending' "
        "RETURNING position, name, domain_hint, attempts"
    )


START_SQL = (
    "UPDATE batches SET status = 'processing', started_at = coalesce(started_at, :now), last_update = :now "
    f"WHERE batch_id = :batch AND status IN {_ACTIVE_SQL}"
)
"""A queued batch whose first company was just claimed becomes ``processing``."""


def complete_sql(which: str) -> str:
    """Live batches (``which``, a condition on ``batch_id``) none of whose companies is pending or
    running get their final status, in one statement; returns ``batch_id, status`` of each written.

    Every finish commits before it runs this, so when two replicas finish a batch's last two companies
    at once the later check sees both; if both see it done, the second UPDATE waits for the first's row
    lock, re-reads the row, finds it final and writes nothing. A batch is written final exactly once.
    """
    return (
        "UPDATE batches SET completed_at = :now, last_update = :now, status = CASE WHEN EXISTS "
        "(SELECT 1 FROM companies c WHERE c.batch_id = batches.batch_id AND c.state = 'success') "
        "THEN 'completed' ELSE 'failed' END "
        f"WHERE {which} AND status NOT IN {FINAL_STATUSES_SQL} AND NOT EXISTS "
        "(SELECT 1 FROM companies c WHERE c.batch_id = batches.batch_id "
        "AND c.state IN ('pending', 'running')) "
        "RETURNING batch_id, status"
    )


async def claim(
    tx: SqlTx,
    owner: str,
    now: datetime,
    lease_seconds: float,
    aging_seconds: float,
    limit: int,
) -> list[ClaimedCompany]:
    """Claim up to ``limit`` companies of the first batch that may start one (SQLite, statement by statement).

    All claimed companies come from one batch (the one the queue order puts first), in submit order,
    never more than its ``max_concurrent`` allows; an empty list when no batch may start a company.
    PostgreSQL runs the same statements in ``postgres_claim_function``.
    """
    values: dict[str, Any] = {
        "now": to_epoch(now),
        "aging": aging_seconds,
        "owner": owner,
        "expires": to_epoch(now + timedelta(seconds=lease_seconds)),
        "limit": limit,
    }
    tried: list[str] = []
    for _ in range(CLAIM_CANDIDATES):
        excluded = f"AND batch_id NOT IN ({', '.join('?' * len(tried))})" if tried else ""
        sql, params = bind(candidate_sql(excluded), values)
        rows = await tx.fetch(sql, (*tried, *params))
        if not rows:
            return []
        batch_id, max_concurrent, status, options, trace_id = rows[0]
        values.update(batch=batch_id, max_concurrent=max_concurrent)
        claimed = await tx.fetch(*bind(claim_sql(SQLITE_DIALECT), values))
        if not claimed:
            tried.append(batch_id)
            continue
        starts = status == BatchStatus.QUEUED.value
        if starts:
            await tx.fetch(*bind(START_SQL, values))
        return claimed_companies([(batch_id, *row, options, trace_id, starts) for row in claimed], now)
    return []


def claimed_companies(rows: Iterable[Sequence[Any]], now: datetime) -> list[ClaimedCompany]:
    """Claim rows (batch id, position, name, domain hint, attempt, options, trace id, started), sorted."""
    parsed: dict[str, BatchOptions] = {}  # a claim's rows share their batch's options: parsed once
    companies = []
    for batch_id, position, name, domain_hint, attempt, options, trace_id, started in rows:
        if options not in parsed:
            parsed[options] = options_from_json(options)
        companies.append(
            ClaimedCompany(
                batch_id=batch_id,
                position=position,
                name=name,
                domain_hint=domain_hint,
                attempt=attempt,
                started_at=now,
                options=parsed[options],
                trace_id=trace_id,
                batch_started=started,
            )
        )
    return sorted(companies, key=lambda company: company.position)


POSTGRES_CLAIM_FUNCTION = "company_batch_claim_v1"
"""The claim as one PostgreSQL function (``postgres_claim_function``); bump the suffix when its text
changes, so replicas of two versions running side by side during an upgrade each call their own."""


def postgres_claim_function() -> str:
    """``CREATE OR REPLACE FUNCTION`` for the claim: ``claim``'s statements in PL/pgSQL.

    Batches are walked in queue order and checked one by one, cheapest first: whether one may start a
    company, then its row lock (``SKIP LOCKED``: another replica is claiming from it), then the claim.
    Most claims stop at the first batch, so a claim costs the same with 5 or 500 live batches (one
    query checking every batch at once made the claim the largest share of the database's work).
    Each statement of a volatile PL/pgSQL function takes a fresh snapshot under READ COMMITTED, so the
    claim statement counts running companies as of after the lock, as ``claim`` does. A claim that
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
            WHERE status IN {_ACTIVE_SQL} ORDER BY {inline(_queue_order(POSTGRES_DIALECT), variables)} LOOP
        CONTINUE WHEN NOT ({_may_start("chosen.batch_id", "chosen.max_concurrent")});
        SELECT status INTO locked_status FROM batches
            WHERE batch_id = chosen.batch_id AND status IN {_ACTIVE_SQL} FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        o_started := locked_status = 'queued';
        FOR claimed IN {inline(claim_sql(POSTGRES_DIALECT), variables)} LOOP
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
                {inline(START_SQL, variables)};
                PERFORM pg_notify('{CHANGES_CHANNEL}', chosen.batch_id || ' processing');
            END IF;
            RETURN;
        END IF;
        tries := tries + 1;
        EXIT WHEN tries >= {CLAIM_CANDIDATES};
    END LOOP;
END
$claim$
"""


async def extend_leases(tx: SqlTx, owner: str, expires: datetime) -> list[HeldLease]:
    """Push every lease of ``owner`` to ``expires``; the rows returned are the leases still held."""
    rows = await tx.fetch(
        "UPDATE companies SET lease_expires = ? WHERE lease_owner = ? AND state = 'running' "
        "RETURNING batch_id, position, attempts",
        (to_epoch(expires), owner),
    )
    return [HeldLease(batch_id, position, attempt) for batch_id, position, attempt in rows]


async def release_expired(tx: SqlTx, now: datetime) -> list[str]:
    """Expired leases back to pending (their attempt count stays: the next claim gets a new token)."""
    rows = await tx.fetch(
        "UPDATE companies SET state = 'pending', started_at = NULL, lease_owner = NULL, lease_expires = NULL "
        "WHERE state = 'running' AND lease_expires < ? RETURNING batch_id",
        (to_epoch(now),),
    )
    return sorted({row[0] for row in rows})


async def release_owned(tx: SqlTx, owner: str, leases: Sequence[HeldLease]) -> list[str]:
    """Give back ``owner``'s leases (all, or the given ones at their attempts): pending again.

    Returns the batch id of every released company (repeated per company).
    """
    sql = (
        "UPDATE companies SET state = 'pending', started_at = NULL, lease_owner = NULL, lease_expires = NULL "
        "WHERE state = 'running' AND lease_owner = ?"
    )
    if not leases:
        rows = await tx.fetch(sql + " RETURNING batch_id", (owner,))
        return [row[0] for row in rows]
    released: list[str] = []
    for lease in leases:
        rows = await tx.fetch(
            sql + " AND batch_id = ? AND position = ? AND attempts = ? RETURNING batch_id",
            (owner, lease.batch_id, lease.position, lease.attempt),
        )
        released.extend(row[0] for row in rows)
    return released


async def complete_if_done(tx: SqlTx, batch_id: str, now: datetime) -> BatchStatus | None:
    """The final status ``complete_sql`` wrote when the batch just finished, else None."""
    rows = await tx.fetch(*bind(complete_sql("batch_id = :batch"), {"batch": batch_id, "now": to_epoch(now)}))
    return BatchStatus(rows[0][1]) if rows else None


async def unfinished_without_work(tx: SqlTx) -> list[str]:
    """Live batches none of whose companies is pending or running (a crash between two writes)."""
    rows = await tx.fetch(
        f"SELECT batch_id FROM batches b WHERE status NOT IN {FINAL_STATUSES_SQL} AND NOT EXISTS "
        "(SELECT 1 FROM companies c WHERE c.batch_id = b.batch_id AND c.state IN ('pending', 'running'))",
        (),
    )
    return [row[0] for row in rows]


async def count_pending(tx: SqlTx) -> int:
    rows = await tx.fetch(
        "SELECT count(*) FROM companies c JOIN batches b ON b.batch_id = c.batch_id "
        f"WHERE c.state = 'pending' AND b.status IN {_ACTIVE_SQL}",
        (),
    )
    return int(rows[0][0])
