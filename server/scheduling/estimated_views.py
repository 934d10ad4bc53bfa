"""Batch status documents with their completion estimate, for live batches and for stored ones."""

from __future__ import annotations

from datetime import datetime

from server.domain import BatchView, CompanyState
from server.scheduling.estimates import DurationModel, QueuedWork, batch_seconds
from server.scheduling.queue import BatchQueue
from server.scheduling.runtime import BatchRuntime, stored_view
from server.storage.base import StoredBatch

ESTIMATE_DIGITS = 1
"""Estimates are rounded to a tenth of a second: more digits would only be noise."""


def live_view(
    rt: BatchRuntime,
    queue: BatchQueue[BatchRuntime],
    model: DurationModel,
    workers_total: int,
    now: datetime,
) -> BatchView:
    """The view of a batch live in this process, behind the batches ``queue`` serves before it."""
    if rt.is_final:
        return rt.view(now, 0.0)
    queued = [
        QueuedWork(
            other.remaining,
            other.options.max_concurrent,
            model.company_seconds(other.options.extraction_mode),
        )
        for other in queue.ahead_of(rt)
    ]
    estimate = batch_seconds(
        rt.remaining,
        model.company_seconds(rt.options.extraction_mode),
        rt.options.max_concurrent,
        workers_total,
        queued,
    )
    return rt.view(now, round(estimate, ESTIMATE_DIGITS))


def estimated_stored_view(
    stored: StoredBatch, model: DurationModel, workers_total: int, now: datetime
) -> BatchView:
    """The view of a stored batch, estimated as if nothing were queued ahead of it."""
    remaining = stored.count(CompanyState.PENDING) + stored.count(CompanyState.RUNNING)
    estimate = batch_seconds(
        remaining,
        model.company_seconds(stored.options.extraction_mode),
        stored.options.max_concurrent,
        workers_total,
        [],
    )
    return stored_view(stored, now, round(estimate, ESTIMATE_DIGITS))
