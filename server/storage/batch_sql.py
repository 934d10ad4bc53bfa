"""Batch and company statements written once for both engines (``?`` placeholders, ``leases.SqlTx``).

Each function runs inside the caller's connection or transaction: SQLite under its lock or write
transaction, PostgreSQL on a pooled connection (``AsyncpgTx`` numbers the placeholders). What the
engines really do differently stays in their modules: how a submit settles a ``request_id`` race, how a
final write reaches the hourly summary, claims, and change notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from server.domain import BatchStatus, CompanyState, ExtractionFailure
from server.storage.base import BatchChange, NewBatch, PageCursor, StoredBatch, StoredCompany
from server.storage.codec import (
    BATCH_COLUMNS,
    COMPANY_COLUMNS,
    batch_from_row,
    company_from_row,
    options_to_json,
    to_epoch,
)
from server.storage.leases import SqlTx
from server.storage.schema import FINAL_STATUSES_SQL

INSERT_BATCH = (
    f"INSERT INTO batches ({BATCH_COLUMNS}, extraction_mode, priority, max_concurrent, waiting_since, "
    "webhook_url) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)"
)
"""A new batch row (parameters: ``batch_params``); an engine may append its conflict handling."""

MARK_STARTED = (
    "UPDATE companies SET state = 'running', attempts = attempts + 1, started_at = ? "
    "WHERE batch_id = ? AND position = ? AND state = 'pending'"
)
"""A pending company starts (parameters: started_at, batch id, position)."""

START_INPUT_COLUMNS = "batch_id, position, started_at"
"""The input rows of ``START_FROM_INPUT``."""

START_FROM_INPUT = (
    "UPDATE companies AS c SET state = 'running', attempts = c.attempts + 1, started_at = i.started_at "
    "FROM input AS i WHERE c.batch_id = i.batch_id AND c.position = i.position AND c.state = 'pending'"
)
"""``MARK_STARTED`` for several companies in one statement, from a CTE named ``input`` (see
``FINISH_FROM_INPUT``)."""

FINISH_COMPANY = (
    "UPDATE companies SET state = ?, started_at = ?, finished_at = ?, profile = ?, error_type = ?, "
    "error_message = ?, error_details = ?, from_cache = ?, error_sources = ?, lease_owner = NULL, "
    "lease_expires = NULL WHERE batch_id = ? AND position = ? AND state = 'running'"
)
"""A running company's final write (parameters: ``codec.outcome_columns``, batch id, position), to which
a fenced write appends ``leases.FENCE_CLAUSE``."""

FINISH_INPUT_COLUMNS = (
    "batch_id, position, state, started_at, finished_at, profile, error_type, error_message, "
    "error_details, from_cache, error_sources, attempt, owner"
)
"""The input rows of ``FINISH_FROM_INPUT``: a company's key, ``codec.outcome_columns``, then its fence
(the attempt and lease owner that claimed it; a NULL attempt writes unfenced)."""

FINISH_FROM_INPUT = (
    "UPDATE companies AS c SET state = i.state, started_at = i.started_at, finished_at = i.finished_at, "
    "profile = i.profile, error_type = i.error_type, error_message = i.error_message, "
    "error_details = i.error_details, from_cache = i.from_cache, error_sources = i.error_sources, "
    "lease_owner = NULL, lease_expires = NULL "
    "FROM input AS i WHERE c.batch_id = i.batch_id AND c.position = i.position AND c.state = 'running' "
    "AND (i.attempt IS NULL OR (c.attempts = i.attempt AND c.lease_owner IS NOT DISTINCT FROM i.owner))"
)
"""Several running companies' final writes in one statement (a store's group commit): each engine puts
its rows (``FINISH_INPUT_COLUMNS``) in a CTE named ``input`` before it and its RETURNING after it. Two
rows for one company in one statement record at most one of them."""

_WRITE_CHANGE = (
    # Guarded: a final status is never overwritten (a pause racing the last company's finish).
    "UPDATE batches SET status = ?, last_update = ?, started_at = coalesce(started_at, ?), "
    "completed_at = coalesce(?, completed_at), waiting_since = coalesce(?, waiting_since) "
    f"WHERE batch_id = ? AND status NOT IN {FINAL_STATUSES_SQL}"
)

_CANCEL_COMPANIES = (
    "UPDATE companies SET "
    "error_type = CASE WHEN state = 'running' THEN ? ELSE NULL END, "
    "error_message = CASE WHEN state = 'running' THEN ? ELSE NULL END, "
    "error_details = CASE WHEN state = 'running' THEN ? ELSE NULL END, "
    # PostgreSQL cannot infer a CASE branch's parameter type from the column: the cast names it.
    "finished_at = CASE WHEN state = 'running' THEN CAST(? AS DOUBLE PRECISION) ELSE NULL END, "
    "state = 'cancelled' "
    "WHERE batch_id = ? AND state IN ('pending', 'running')"
)

_RECENT_DURATIONS = (
    "SELECT extraction_mode, duration FROM ("
    "  SELECT extraction_mode, finished_at - started_at AS duration, row_number() OVER ("
    "    PARTITION BY extraction_mode ORDER BY finished_at DESC) AS rn"
    "  FROM companies WHERE state IN ('success', 'failed') AND finished_at IS NOT NULL"
    "    AND started_at IS NOT NULL AND from_cache = 0"
    ") AS recent WHERE rn <= ?"
)


def placeholders(count: int) -> str:
    """``?, ?, ...`` for an ``IN`` list of ``count`` values."""
    return ", ".join("?" * count)


def batch_params(batch: NewBatch) -> tuple[Any, ...]:
    """``INSERT_BATCH``'s parameters for a new batch (queued, waiting since its creation)."""
    opts = batch.options
    created = to_epoch(batch.created_at)
    return (
        batch.batch_id,
        batch.request_id,
        batch.trace_id,
        options_to_json(opts),
        BatchStatus.QUEUED.value,
        len(batch.companies),
        created,
        created,
        batch.tenant,
        opts.extraction_mode.value,
        opts.priority.value,
        opts.max_concurrent,
        created,
        opts.webhook_url,
    )


async def load_batches(tx: SqlTx, clause: str, params: Sequence[Any]) -> list[StoredBatch]:
    """The batches ``SELECT ... FROM batches {clause}`` finds, each with its company state counts."""
    rows = await tx.fetch(f"SELECT {BATCH_COLUMNS} FROM batches {clause}", params)
    if not rows:
        return []
    ids = [row[0] for row in rows]
    counts: dict[str, dict[CompanyState, int]] = {batch_id: {} for batch_id in ids}
    for batch_id, state, count in await tx.fetch(
        f"SELECT batch_id, state, count(*) FROM companies WHERE batch_id IN ({placeholders(len(ids))}) "
        "GROUP BY batch_id, state",
        ids,
    ):
        counts[batch_id][CompanyState(state)] = count
    return [batch_from_row(row, counts[row[0]]) for row in rows]


async def get_batch(tx: SqlTx, batch_id: str) -> StoredBatch | None:
    batches = await load_batches(tx, "WHERE batch_id = ?", (batch_id,))
    return batches[0] if batches else None


async def require_batch(tx: SqlTx, batch_id: str) -> StoredBatch:
    """A batch the caller knows exists (it wrote or just read it in this transaction)."""
    stored = await get_batch(tx, batch_id)
    assert stored is not None, batch_id
    return stored


async def batch_for_request(tx: SqlTx, request_id: str, tenant: str) -> StoredBatch | None:
    batches = await load_batches(tx, "WHERE request_id = ? AND tenant = ?", (request_id, tenant))
    return batches[0] if batches else None


async def list_batches(
    tx: SqlTx, limit: int, after: PageCursor | None, tenant: str | None
) -> list[StoredBatch]:
    """Newest first, strictly after ``after`` (see ``BatchStore.list_batches``)."""
    conditions: list[str] = []
    params: list[Any] = []
    if tenant is not None:
        conditions.append("tenant = ?")
        params.append(tenant)
    if after is not None:
        conditions.append("(created_at, batch_id) < (?, ?)")
        params += [to_epoch(after.created_at), after.batch_id]
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    return await load_batches(tx, f"{where}ORDER BY created_at DESC, batch_id DESC LIMIT ?", (*params, limit))


async def unfinished_batches(tx: SqlTx) -> list[StoredBatch]:
    clause = f"WHERE status NOT IN {FINAL_STATUSES_SQL} ORDER BY created_at, batch_id"
    return await load_batches(tx, clause, ())


async def list_companies(tx: SqlTx, batch_id: str) -> list[StoredCompany]:
    sql = f"SELECT {COMPANY_COLUMNS} FROM companies WHERE batch_id = ? ORDER BY position"
    rows = await tx.fetch(sql, (batch_id,))
    return [company_from_row(row) for row in rows]


async def write_change(tx: SqlTx, change: BatchChange) -> None:
    """Write a batch's status change (``BatchChange``) to its row, unless its status is final."""
    await tx.fetch(
        _WRITE_CHANGE,
        (
            change.status.value,
            to_epoch(change.last_update),
            to_epoch(change.started_at),
            to_epoch(change.completed_at),
            to_epoch(change.waiting_since),
            change.batch_id,
        ),
    )


async def cancel_companies(tx: SqlTx, change: BatchChange, failure: ExtractionFailure) -> None:
    """A cancelled batch's pending companies become cancelled, its running ones cancelled with ``failure``."""
    at = to_epoch(change.last_update)
    params = (failure.type.value, failure.message, failure.details, at, change.batch_id)
    await tx.fetch(_CANCEL_COMPANIES, params)


async def requeue_running(tx: SqlTx, batch_id: str | None, positions: Sequence[int]) -> int:
    """``running`` companies (all, one batch's, or some positions) back to ``pending``; how many."""
    sql = (
        "UPDATE companies SET state = 'pending', started_at = NULL, lease_owner = NULL, "
        "lease_expires = NULL WHERE state = 'running'"
    )
    params: list[Any] = []
    if batch_id is not None:
        sql += " AND batch_id = ?"
        params.append(batch_id)
        if positions:
            sql += f" AND position IN ({placeholders(len(positions))})"
            params.extend(positions)
    return len(await tx.fetch(f"{sql} RETURNING position", params))


async def mark_started(tx: SqlTx, batch_id: str, position: int, started_at: datetime) -> None:
    await tx.fetch(MARK_STARTED, (to_epoch(started_at), batch_id, position))


async def recent_durations(tx: SqlTx, per_mode: int) -> dict[str, list[float]]:
    """Up to ``per_mode`` latest extraction durations per mode (see ``BatchStore.recent_durations``)."""
    durations: dict[str, list[float]] = {}
    for mode, duration in await tx.fetch(_RECENT_DURATIONS, (per_mode,)):
        durations.setdefault(mode, []).append(float(duration))
    return durations
