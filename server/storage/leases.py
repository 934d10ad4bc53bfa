"""Work claiming shared by replicas: leases on company rows, written once for both SQL engines.

A replica claims a company by turning one ``pending`` row into ``running`` with ``lease_owner`` (its
replica id), ``lease_expires`` and ``attempts + 1``. The attempt number is the fencing token: a result
is only recorded while the row is still that attempt held by that owner (see ``FENCED_FINISH``), so a
replica whose lease expired and whose company was claimed again cannot write a second result.

Claim order is the scheduler's (``server.scheduling.queue``) computed in SQL over every live batch:
effective level (priority rank plus one level per ``aging_seconds`` since ``waiting_since``, capped at
urgent) descending, then ``waiting_since``, then creation. A batch's ``max_concurrent`` counts running
companies of all replicas together. The claiming transaction locks the chosen batch row (PostgreSQL:
``FOR UPDATE SKIP LOCKED``; SQLite: the whole write transaction), so two replicas never claim past the
limit of one batch; while one replica holds a batch's row the others skip to the next batch instead of
queueing behind it.

The functions here take a ``SqlTx``: one open transaction of either engine, ``?`` placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from server.domain import BatchStatus
from server.storage.base import ClaimedCompany, HeldLease
from server.storage.codec import options_from_json, to_epoch

CLAIM_CANDIDATES = 4
"""Batches tried per claim when the first ones turn out full under their lock (another replica's claim)."""
_MAX_LEVEL = 3
_RANK_SQL = "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END"
_ACTIVE_SQL = "('queued', 'processing')"
_FINAL_SQL = "('completed', 'failed', 'cancelled')"


class SqlTx(Protocol):
    """One open transaction: run a statement, get its rows (``RETURNING`` rows for writes)."""

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]: ...


CHANGES_CHANNEL = "company_batch_changes"
"""PostgreSQL NOTIFY channel; the payload is the changed batch's id, then its new status when one was
written (schemas sharing one server only see extra ids)."""


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines in these statements."""

    level: str  # the effective level of a batch row; two placeholders: now, aging_seconds
    lock_batch: str  # appended to the candidate SELECT
    room: str  # companies a batch may still start; placeholders: limit, max_concurrent (over its running)


SQLITE_DIALECT = Dialect(
    level=f"min({_MAX_LEVEL}, {_RANK_SQL} + CAST(max(0.0, ? - waiting_since) / ? AS INTEGER))",
    lock_batch="",  # BEGIN IMMEDIATE already holds the database's one write lock
    room="max(0, min(?, ? - count(*)))",  # clamped: a negative LIMIT means "no limit" in SQLite
)
POSTGRES_DIALECT = Dialect(
    level=f"LEAST({_MAX_LEVEL}, {_RANK_SQL} + floor(GREATEST(0, ? - waiting_since) / ?))",
    lock_batch="FOR UPDATE SKIP LOCKED",
    room="GREATEST(0, LEAST(?, ? - count(*)))",
)

FENCE_CLAUSE = " AND attempts = ? AND lease_owner IS NOT DISTINCT FROM ?"
"""Appended to a finish's WHERE when it is fenced: the attempt and owner that claimed the company."""


async def claim(
    tx: SqlTx,
    dialect: Dialect,
    owner: str,
    now: datetime,
    lease_seconds: float,
    aging_seconds: float,
    limit: int,
) -> list[ClaimedCompany]:
    """Claim up to ``limit`` companies of the first batch that may start one (see the module docstring).

    All claimed companies come from one batch (the one the queue order puts first), in submit order,
    never more than its ``max_concurrent`` allows; an empty list when no batch may start a company.
    """
    at = to_epoch(now)
    expires = to_epoch(now + timedelta(seconds=lease_seconds))
    tried: list[str] = []
    for _ in range(CLAIM_CANDIDATES):
        excluded = f" AND batch_id NOT IN ({', '.join('?' * len(tried))})" if tried else ""
        rows = await tx.fetch(
            "SELECT batch_id, max_concurrent, status, options, trace_id FROM batches b "
            f"WHERE status IN {_ACTIVE_SQL}{excluded} "
            "AND EXISTS (SELECT 1 FROM companies c WHERE c.batch_id = b.batch_id AND c.state = 'pending') "
            "AND (SELECT count(*) FROM companies r WHERE r.batch_id = b.batch_id AND r.state = 'running') "
            "< b.max_concurrent "
            f"ORDER BY {dialect.level} DESC, waiting_since, created_at, batch_id "
            f"LIMIT 1 {dialect.lock_batch}",
            (*tried, at, aging_seconds),
        )
        if not rows:
            return []
        batch_id, max_concurrent, status, options, trace_id = rows[0]
        starts = status == BatchStatus.QUEUED.value
        # The running companies are counted again inside the UPDATE, a statement begun after the batch's
        # lock was taken: the candidate query's count may predate a claim another replica committed
        # just before this one took the lock.
        claimed = await tx.fetch(
            "WITH picked AS (SELECT position FROM companies WHERE batch_id = ? AND state = 'pending' "
            "ORDER BY position "
            f"LIMIT (SELECT {dialect.room} FROM companies WHERE batch_id = ? AND state = 'running')) "
            "UPDATE companies SET state = 'running', attempts = attempts + 1, started_at = ?, "
            "lease_owner = ?, lease_expires = ? FROM picked "
            "WHERE companies.batch_id = ? AND companies.position = picked.position "
            "AND companies.state = 'pending' "
            "RETURNING companies.position, name, domain_hint, attempts",
            (
                batch_id,
                limit,
                max_concurrent,
                batch_id,
                at,
                owner,
                expires,
                batch_id,
            ),
        )
        if not claimed:
            tried.append(batch_id)
            continue
        if starts:
            await tx.fetch(
                "UPDATE batches SET status = ?, started_at = coalesce(started_at, ?), last_update = ? "
                f"WHERE batch_id = ? AND status IN {_ACTIVE_SQL} RETURNING batch_id",
                (BatchStatus.PROCESSING.value, at, at, batch_id),
            )
        batch_options = options_from_json(options)
        return [
            ClaimedCompany(
                batch_id=batch_id,
                position=position,
                name=name,
                domain_hint=domain_hint,
                attempt=attempt,
                started_at=now,
                options=batch_options,
                trace_id=trace_id,
                batch_started=starts,
            )
            for position, name, domain_hint, attempt in sorted(claimed, key=lambda row: int(row[0]))
        ]
    return []


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


async def has_work(tx: SqlTx, batch_id: str) -> bool:
    """Whether any company of the batch is pending or running."""
    rows = await tx.fetch(
        "SELECT EXISTS (SELECT 1 FROM companies WHERE batch_id = ? AND state IN ('pending', 'running'))",
        (batch_id,),
    )
    return bool(rows[0][0])


async def complete_if_done(tx: SqlTx, batch_id: str, now: datetime, lock_row: str) -> BatchStatus | None:
    """The final status of a live batch without pending or running companies, written; else None.

    ``lock_row`` (``FOR UPDATE`` on PostgreSQL) serialises two replicas finishing a batch's last two
    companies at once, so one of them always sees both results and neither writes the status twice.
    """
    counts_sql = (
        "SELECT sum(CASE WHEN state IN ('pending', 'running') THEN 1 ELSE 0 END), "
        "sum(CASE WHEN state = 'success' THEN 1 ELSE 0 END) FROM companies WHERE batch_id = ?"
    )
    if await has_work(tx, batch_id):
        return None  # checked before the lock: most finishes leave work behind and need not queue for it
    batch = await tx.fetch(f"SELECT status FROM batches WHERE batch_id = ? {lock_row}", (batch_id,))
    if not batch or batch[0][0] in (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED):
        return None
    remaining, succeeded = (await tx.fetch(counts_sql, (batch_id,)))[0]
    if remaining:
        return None
    final = BatchStatus.COMPLETED if succeeded else BatchStatus.FAILED
    at = to_epoch(now)
    await tx.fetch(
        "UPDATE batches SET status = ?, completed_at = ?, last_update = ? "
        f"WHERE batch_id = ? AND status NOT IN {_FINAL_SQL} RETURNING batch_id",
        (final.value, at, at, batch_id),
    )
    return final


async def unfinished_without_work(tx: SqlTx) -> list[str]:
    """Live batches none of whose companies is pending or running (a crash between two writes)."""
    rows = await tx.fetch(
        f"SELECT batch_id FROM batches b WHERE status NOT IN {_FINAL_SQL} AND NOT EXISTS "
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
