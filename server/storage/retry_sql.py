"""RetryBatch in the store: a finished batch's failed companies re-queued in one transaction, both engines.

The statements are written once with ``?`` placeholders and run through ``leases.SqlTx`` (SQLite inside
its write transaction; PostgreSQL after ``lock_batch``, so two retries of one batch, or a retry and a
claim, never interleave). A retried company keeps its ``attempts`` (the next run counts on from it) and
loses its previous outcome: results always show the latest attempt. ``batch_retries`` remembers each
retry's ``request_id`` per batch, so a repeated request answers with the first retry's count and changes
nothing. On PostgreSQL the retried companies' earlier failures are taken out of ``company_hourly`` in
the same transaction, so the summary keeps counting every company once, as ``companies`` does (and as
the SQLite stats, which read ``companies``, do).
"""

from __future__ import annotations

import json
from datetime import datetime

from server.domain import RETRYABLE_BATCH_STATUSES, BatchStatus
from server.storage.codec import to_epoch
from server.storage.leases import SqlTx
from server.storage.schema import HOUR_SECONDS, HOURLY_SHARDS

_RETRIED_SQL = "state = 'failed'"


def _failed_filter(error_types: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """The WHERE condition (after ``batch_id = ?``) choosing the companies to retry, and its values."""
    if not error_types:
        return _RETRIED_SQL, ()
    ordered = tuple(sorted(error_types))
    return f"{_RETRIED_SQL} AND error_type IN ({', '.join('?' * len(ordered))})", ordered


_UNCOUNT_HOURLY = f"""
    UPDATE company_hourly AS h SET companies = h.companies - d.n, from_cache = h.from_cache - d.cached,
        seconds = h.seconds - d.secs
    FROM (
        SELECT floor(finished_at / {HOUR_SECONDS}) * {HOUR_SECONDS} AS hour, extraction_mode, priority,
               state, coalesce(error_type, '') AS error_type, position % {HOURLY_SHARDS} AS shard,
               count(*) AS n, sum(from_cache) AS cached, coalesce(sum(finished_at - started_at), 0) AS secs
        FROM companies WHERE batch_id = ? AND finished_at IS NOT NULL AND {{condition}}
        GROUP BY 1, 2, 3, 4, 5, 6
    ) AS d
    WHERE h.hour = d.hour AND h.extraction_mode = d.extraction_mode AND h.priority = d.priority
        AND h.state = d.state AND h.error_type = d.error_type AND h.shard = d.shard
"""
"""PostgreSQL: the retried companies' rows leave the hourly summary they were added to when they failed."""


async def retry_failed(
    tx: SqlTx,
    batch_id: str,
    error_types: frozenset[str],
    bypass_cache: bool,
    request_id: str | None,
    now: datetime,
    *,
    hourly: bool,
) -> tuple[int, bool, bool] | None:
    """Retry inside the caller's transaction (see the module docstring).

    Returns:
        None when there is no such batch, else (retried companies, replay, refused).
    """
    rows = await tx.fetch("SELECT status, options FROM batches WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    status, options_text = BatchStatus(rows[0][0]), rows[0][1]
    if request_id is not None:
        earlier = await tx.fetch(
            "SELECT retried FROM batch_retries WHERE batch_id = ? AND request_id = ?", (batch_id, request_id)
        )
        if earlier:
            return int(earlier[0][0]), True, False
    if status not in RETRYABLE_BATCH_STATUSES:
        return 0, False, True
    condition, values = _failed_filter(error_types)
    at = to_epoch(now)
    if hourly:
        await tx.fetch(_UNCOUNT_HOURLY.format(condition=condition), (batch_id, *values))
    retried = await tx.fetch(
        "UPDATE companies SET state = 'pending', started_at = NULL, finished_at = NULL, profile = NULL, "
        "error_type = NULL, error_message = NULL, error_details = NULL, from_cache = 0, "
        f"lease_owner = NULL, lease_expires = NULL WHERE batch_id = ? AND {condition} RETURNING position",
        (batch_id, *values),
    )
    if retried:
        options = json.loads(options_text)
        options["bypass_cache"] = bypass_cache
        await tx.fetch(
            "UPDATE batches SET status = ?, completed_at = NULL, last_update = ?, waiting_since = ?, "
            "options = ? WHERE batch_id = ?",
            (BatchStatus.QUEUED.value, at, at, json.dumps(options, sort_keys=True), batch_id),
        )
    if request_id is not None:
        await tx.fetch(
            "INSERT INTO batch_retries (batch_id, request_id, retried, created_at) VALUES (?, ?, ?, ?)",
            (batch_id, request_id, len(retried), at),
        )
    return len(retried), False, False
