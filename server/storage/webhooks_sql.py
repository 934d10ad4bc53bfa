"""The webhook outbox in the store, written once for both engines (``?`` placeholders, ``leases.SqlTx``).

The outbox is filled from the state itself, not by the writes that change it: a batch with a
``webhook_url`` whose final status is not yet announced (``webhook_settled_at`` is not its
``completed_at``), or a company whose finished attempt is not (``webhook_attempt < attempts``), is in the
backlog until ``enqueue`` writes its deliveries and those marks in one transaction. Delivery ids are
derived from what they announce (batch, status and completion time; company and attempt), so two
replicas enqueueing the same backlog insert each delivery once (``ON CONFLICT DO NOTHING``), and a crash
anywhere between a change and its delivery loses nothing: the next pass finds the backlog again.

Deliveries are claimed with a lease (one guarded UPDATE: on PostgreSQL a second replica's claim of the
same row re-reads it after the first commits and skips it), and every attempt is a row of
``webhook_attempts`` written with the delivery's new state in one transaction, fenced by attempt number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from server.domain import CompanyState, WebhookDelivery
from server.storage.base import DueDelivery, NewDelivery, StoredBatch, WebhookBacklog
from server.storage.codec import (
    BATCH_COLUMNS,
    COMPANY_COLUMNS,
    batch_from_row,
    company_from_row,
    from_epoch,
    to_epoch,
)
from server.storage.leases import SqlTx
from server.storage.schema import FINAL_STATUSES_SQL

SETTLE_TOLERANCE_SECONDS = 1e-5
DELIVERY_COLUMNS = (
    "delivery_id, event_type, state, attempts, created_at, next_attempt_at, last_attempt_at, "
    "last_status_code, last_error, delivered_at"
)

BACKLOG = f"""
    SELECT batch_id, webhook_url, webhook_settled_at FROM batches b
    WHERE webhook_url IS NOT NULL AND (
        (status IN {FINAL_STATUSES_SQL}
         AND (webhook_settled_at IS NULL OR webhook_settled_at <> completed_at))
        OR EXISTS (SELECT 1 FROM companies c WHERE c.batch_id = b.batch_id
                   AND c.state IN ('success', 'failed') AND c.webhook_attempt < c.attempts)
    )
    ORDER BY created_at, batch_id LIMIT ?
"""
"""Batches with something to announce, oldest first."""

UNANNOUNCED = (
    f"SELECT {COMPANY_COLUMNS} FROM companies WHERE batch_id = ? AND state IN ('success', 'failed') "
    "AND webhook_attempt < attempts ORDER BY position"
)

_INSERT_DELIVERY = (
    "INSERT INTO webhook_deliveries (delivery_id, batch_id, tenant, event_type, url, payload, state, "
    "attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
    "ON CONFLICT (delivery_id) DO NOTHING"
)

_CLAIM = """
    UPDATE webhook_deliveries SET attempts = attempts + 1, lease_expires = ?
    WHERE delivery_id IN (
        SELECT delivery_id FROM webhook_deliveries
        WHERE state = 'pending' AND next_attempt_at <= ? AND coalesce(lease_expires, 0) < ?
        ORDER BY next_attempt_at, delivery_id LIMIT ?
    ) AND state = 'pending' AND coalesce(lease_expires, 0) < ?
    RETURNING delivery_id, batch_id, tenant, event_type, url, payload, attempts, created_at
"""


async def _stored_batch(tx: SqlTx, batch_id: str) -> StoredBatch | None:
    rows = await tx.fetch(f"SELECT {BATCH_COLUMNS} FROM batches WHERE batch_id = ?", (batch_id,))
    if not rows:
        return None
    counts = await tx.fetch(
        "SELECT state, count(*) FROM companies WHERE batch_id = ? GROUP BY state", (batch_id,)
    )
    return batch_from_row(rows[0], {CompanyState(state): int(count) for state, count in counts})


async def backlog(tx: SqlTx, limit: int) -> list[WebhookBacklog]:
    """The batches with something to announce (``BACKLOG``), each with its unannounced companies."""
    found = []
    for batch_id, url, settled in await tx.fetch(BACKLOG, (limit,)):
        batch = await _stored_batch(tx, batch_id)
        if batch is None:
            continue
        companies = tuple(company_from_row(row) for row in await tx.fetch(UNANNOUNCED, (batch_id,)))
        found.append(WebhookBacklog(batch, url, from_epoch(settled), companies))
    return found


async def enqueue(
    tx: SqlTx,
    item: WebhookBacklog,
    deliveries: Sequence[NewDelivery],
    announced: Sequence[tuple[int, int]],
    settled: datetime | None,
) -> None:
    """Insert ``deliveries``, mark ``announced`` (position, attempt) companies and, when ``settled`` is
    the batch's completion time still, the batch."""
    batch_id = item.batch.batch_id
    for new in deliveries:
        at = to_epoch(new.created_at)
        await tx.fetch(
            _INSERT_DELIVERY,
            (new.delivery_id, batch_id, item.batch.tenant, new.event_type, item.url, new.payload, at, at),
        )
    for position, attempt in announced:
        await tx.fetch(
            "UPDATE companies SET webhook_attempt = ? WHERE batch_id = ? AND position = ? "
            "AND webhook_attempt < ?",
            (attempt, batch_id, position, attempt),
        )
    if settled is not None:
        epoch = to_epoch(settled)
        # A copy of the column itself (the backlog compares the two exactly); matched within a
        # microsecond, what a datetime keeps of the stored float.
        await tx.fetch(
            "UPDATE batches SET webhook_settled_at = completed_at WHERE batch_id = ? "
            "AND abs(completed_at - ?) < ?",
            (batch_id, epoch, SETTLE_TOLERANCE_SECONDS),
        )


async def claim(tx: SqlTx, now: datetime, lease_seconds: float, limit: int) -> list[DueDelivery]:
    """Lease up to ``limit`` due deliveries (``attempts`` + 1 each)."""
    at = now.timestamp()
    rows = await tx.fetch(_CLAIM, (at + lease_seconds, at, at, limit, at))
    claimed = []
    for delivery_id, batch_id, tenant, event_type, url, payload, attempts, created_at in rows:
        created = from_epoch(created_at)
        assert created is not None  # NOT NULL
        claimed.append(
            DueDelivery(delivery_id, batch_id, tenant, event_type, url, payload, attempts, created)
        )
    return sorted(claimed, key=lambda d: (d.created_at, d.delivery_id))


async def record_attempt(
    tx: SqlTx,
    delivery: DueDelivery,
    at: datetime,
    status_code: int | None,
    error: str,
    seconds: float,
    retry_at: datetime | None,
    delivered: bool,
) -> bool:
    """Write one attempt and the delivery's new state (delivered; pending again at ``retry_at``; else
    failed for good); False when the lease was lost meanwhile."""
    state = "delivered" if delivered else "pending" if retry_at is not None else "failed"
    delivery_id, attempt = delivery.delivery_id, delivery.attempt
    epoch = to_epoch(at)
    await tx.fetch(
        "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        (delivery_id, attempt, epoch, status_code, error, seconds),
    )
    rows = await tx.fetch(
        "UPDATE webhook_deliveries SET state = ?, next_attempt_at = coalesce(?, next_attempt_at), "
        "lease_expires = NULL, last_attempt_at = ?, last_status_code = ?, last_error = ?, delivered_at = ? "
        "WHERE delivery_id = ? AND attempts = ? AND state = 'pending' RETURNING delivery_id",
        (
            state,
            to_epoch(retry_at),
            epoch,
            status_code,
            error,
            epoch if state == "delivered" else None,
            delivery_id,
            attempt,
        ),
    )
    return bool(rows)


async def deliveries(tx: SqlTx, batch_id: str) -> list[WebhookDelivery]:
    """A batch's deliveries, oldest first."""
    rows = await tx.fetch(
        f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE batch_id = ? "
        "ORDER BY created_at, delivery_id",
        (batch_id,),
    )
    return [_record(row) for row in rows]


def _record(row: Sequence[Any]) -> WebhookDelivery:
    created = from_epoch(row[4])
    assert created is not None  # NOT NULL
    pending = row[2] == "pending"
    return WebhookDelivery(
        delivery_id=row[0],
        event_type=row[1],
        state=row[2],
        attempts=int(row[3]),
        created_at=created,
        next_attempt_at=from_epoch(row[5]) if pending else None,
        last_attempt_at=from_epoch(row[6]),
        last_status_code=row[7],
        last_error=row[8] or "",
        delivered_at=from_epoch(row[9]),
    )


async def tenant_secret(tx: SqlTx, tenant: str, candidate: str, now: datetime) -> str:
    """The tenant's signing secret: the stored one, or ``candidate`` stored now."""
    await tx.fetch(
        "INSERT INTO webhook_secrets (tenant, secret, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (tenant) DO NOTHING",
        (tenant, candidate, to_epoch(now)),
    )
    rows = await tx.fetch("SELECT secret FROM webhook_secrets WHERE tenant = ?", (tenant,))
    return str(rows[0][0])
