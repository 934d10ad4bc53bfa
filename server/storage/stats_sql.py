"""The stats aggregates as portable SQL: a handful of GROUP BY queries, never a load of every row.

Queries use ``?`` placeholders (a PostgreSQL store rewrites them to ``$n``). Each runs over an index:
batches by ``created_at``, companies by the covering ``ix_companies_finished``. Results are a few dozen
rows at most, folded into ``StatsAggregates`` here so every store shares the arithmetic.

A tenant's figures (``tenant=...``) come from the same queries restricted to its batches (and their
companies, through ``batch_id IN``); the hourly summary is service-wide, so a tenant's company figures
are read from company rows over ``ix_batches_tenant_created`` and the companies' primary key.

A store that keeps the ``company_hourly`` summary (PostgreSQL) passes ``hourly=True``: whole hours inside
the window are read from the summary and only the partial hours at both edges from ``companies``, so the
figures are exactly those of the full scan while reading at most two hours of company rows.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from server.domain import BatchStatus, CompanyState
from server.storage.base import GroupFigures, StatsAggregates
from server.storage.schema import HOUR_SECONDS

Fetch = Callable[[str, Sequence[Any]], Awaitable[Sequence[Sequence[Any]]]]
"""Runs one query with parameters and returns its rows."""

LIVE_STATUSES = (BatchStatus.QUEUED, BatchStatus.PROCESSING, BatchStatus.PAUSED)
_LIVE_SQL = "(" + ", ".join(f"'{status.value}'" for status in LIVE_STATUSES) + ")"

BATCHES_BY_GROUP = """
    SELECT status, extraction_mode, priority, count(*), sum(total_companies),
           sum(CASE WHEN started_at IS NOT NULL THEN started_at - created_at ELSE 0 END),
           count(started_at)
    FROM batches WHERE created_at >= ? AND created_at <= ?
    GROUP BY status, extraction_mode, priority
"""

FINISHED_BATCH_TIMES = """
    SELECT count(*), sum(completed_at - started_at), min(completed_at - started_at),
           max(completed_at - started_at)
    FROM batches
    WHERE created_at >= ? AND created_at <= ? AND status IN ('completed', 'failed')
      AND started_at IS NOT NULL AND completed_at IS NOT NULL
"""

ACTIVE_BATCHES = f"SELECT count(*) FROM batches WHERE status IN {_LIVE_SQL}"

COMPANIES_BY_GROUP = """
    SELECT extraction_mode, priority, state, error_type, count(*), sum(from_cache),
           sum(finished_at - started_at)
    FROM companies
    WHERE finished_at >= ? AND finished_at <= ? AND state IN ('success', 'failed')
    GROUP BY extraction_mode, priority, state, error_type
"""

# The same grouping for a half-open range [lo, hi): the left edge before the first whole summary hour.
COMPANIES_BY_GROUP_HALF_OPEN = COMPANIES_BY_GROUP.replace("finished_at <= ?", "finished_at < ?")

COMPANIES_BY_GROUP_HOURLY = """
    SELECT extraction_mode, priority, state, nullif(error_type, ''), sum(companies), sum(from_cache),
           sum(seconds)
    FROM company_hourly
    WHERE hour >= ? AND hour < ?
    GROUP BY extraction_mode, priority, state, error_type
    HAVING sum(companies) > 0
"""
"""(A group a RetryBatch emptied keeps its rows at zero: ``server.storage.retry_sql``.)"""

# Sweep line over batch run intervals (first start .. completion, or now while live), clipped to the
# window. Ends sort before starts at the same instant, so back-to-back batches do not count as overlapping.
PEAK_CONCURRENT_BATCHES = """
    SELECT coalesce(max(running), 0) FROM (
        SELECT sum(delta) OVER (ORDER BY t, delta ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS running
        FROM (
            SELECT CASE WHEN started_at > ? THEN started_at ELSE ? END AS t, 1 AS delta
            FROM batches
            WHERE started_at IS NOT NULL AND started_at <= ? AND coalesce(completed_at, ?) > ?
            UNION ALL
            SELECT coalesce(completed_at, ?) AS t, -1 AS delta
            FROM batches
            WHERE started_at IS NOT NULL AND started_at <= ? AND coalesce(completed_at, ?) > ?
        ) AS events
    ) AS sweep
"""


_TENANT_BATCHES = "FROM batches WHERE tenant = ? AND "
_TENANT_COMPANIES = "FROM companies WHERE batch_id IN (SELECT batch_id FROM batches WHERE tenant = ?) AND "


def _for_tenant(sql: str) -> str:
    """``sql`` with every ``FROM batches WHERE`` / ``FROM companies WHERE`` narrowed to one tenant.

    Each narrowed clause takes the tenant as its first parameter (see ``_tenant_params``).
    """
    scoped = " ".join(sql.split())  # one spelling of whitespace, so the clauses are found
    scoped = scoped.replace("FROM batches WHERE ", _TENANT_BATCHES)
    return scoped.replace("FROM companies WHERE ", _TENANT_COMPANIES)


TENANT_BATCHES_BY_GROUP = _for_tenant(BATCHES_BY_GROUP)
TENANT_FINISHED_BATCH_TIMES = _for_tenant(FINISHED_BATCH_TIMES)
TENANT_ACTIVE_BATCHES = _for_tenant(ACTIVE_BATCHES)
TENANT_COMPANIES_BY_GROUP = _for_tenant(COMPANIES_BY_GROUP)
TENANT_PEAK_CONCURRENT_BATCHES = _for_tenant(PEAK_CONCURRENT_BATCHES)
TENANT_LIVE_WORK = (
    "SELECT count(CASE WHEN state = 'pending' THEN 1 END), count(CASE WHEN state = 'running' THEN 1 END) "
    "FROM companies WHERE state IN ('pending', 'running') AND batch_id IN "
    f"(SELECT batch_id FROM batches WHERE tenant = ? AND status IN {_LIVE_SQL})"
)
"""A tenant's companies waiting and running now (a paused batch's running ones still hold workers)."""


async def _tenant_aggregates(
    fetch: Fetch, lo: float, hi: float, tenant: str
) -> tuple[list[Sequence[Any]], Sequence[Any], Sequence[Any], list[Sequence[Any]], Sequence[Any]]:
    """The five query results ``aggregate_stats`` folds, for one tenant's batches only."""
    batches = list(await fetch(TENANT_BATCHES_BY_GROUP, (tenant, lo, hi)))
    [finished] = await fetch(TENANT_FINISHED_BATCH_TIMES, (tenant, lo, hi))
    [active] = await fetch(TENANT_ACTIVE_BATCHES, (tenant,))
    companies = list(await fetch(TENANT_COMPANIES_BY_GROUP, (tenant, lo, hi)))
    # The sweep's two halves each read batches once: (t clip, t clip, tenant, window...) then
    # (coalesce, tenant, window...), in the order their placeholders appear.
    [peak] = await fetch(TENANT_PEAK_CONCURRENT_BATCHES, (lo, lo, tenant, hi, hi, lo, hi, tenant, hi, hi, lo))
    return batches, finished, active, companies, peak


async def _company_groups(fetch: Fetch, lo: float, hi: float, hourly: bool) -> list[Sequence[Any]]:
    """Company rows grouped by mode, priority, state and error type, finished in [lo, hi]."""
    first_hour = math.ceil(lo / HOUR_SECONDS) * HOUR_SECONDS
    end_hour = math.floor(hi / HOUR_SECONDS) * HOUR_SECONDS
    if not hourly or first_hour >= end_hour:
        return list(await fetch(COMPANIES_BY_GROUP, (lo, hi)))
    return [
        *await fetch(COMPANIES_BY_GROUP_HALF_OPEN, (lo, first_hour)),
        *await fetch(COMPANIES_BY_GROUP_HOURLY, (float(first_hour), float(end_hour))),
        *await fetch(COMPANIES_BY_GROUP, (float(end_hour), hi)),
    ]


async def aggregate_stats(
    fetch: Fetch, since: datetime, now: datetime, *, hourly: bool = False, tenant: str | None = None
) -> StatsAggregates:
    """Run the stats queries through ``fetch`` and fold their rows (``hourly``, ``tenant``: module doc)."""
    lo, hi = since.timestamp(), now.timestamp()
    tenant_pending = tenant_running = None
    if tenant is None:
        batch_rows = list(await fetch(BATCHES_BY_GROUP, (lo, hi)))
        [finished_row] = await fetch(FINISHED_BATCH_TIMES, (lo, hi))
        [active_row] = await fetch(ACTIVE_BATCHES, ())
        company_rows = await _company_groups(fetch, lo, hi, hourly)
        [peak_row] = await fetch(PEAK_CONCURRENT_BATCHES, (lo, lo, hi, hi, lo, hi, hi, hi, lo))
    else:
        batch_rows, finished_row, active_row, company_rows, peak_row = await _tenant_aggregates(
            fetch, lo, hi, tenant
        )
        [(pending, running)] = await fetch(TENANT_LIVE_WORK, (tenant,))
        tenant_pending, tenant_running = int(pending or 0), int(running or 0)
    by_status: Counter[BatchStatus] = Counter()
    by_mode: dict[str, GroupFigures] = defaultdict(GroupFigures)
    by_priority: dict[str, GroupFigures] = defaultdict(GroupFigures)
    submitted = 0
    for status, mode, priority, count, size_sum, wait_sum, wait_count in batch_rows:
        by_status[BatchStatus(status)] += count
        submitted += int(size_sum or 0)
        for groups, key in ((by_mode, mode), (by_priority, priority)):
            fig = groups[key]
            groups[key] = replace(
                fig,
                batches=fig.batches + count,
                queue_wait_seconds=fig.queue_wait_seconds + float(wait_sum or 0.0),
                queue_wait_count=fig.queue_wait_count + wait_count,
            )

    finished, finished_sum, fastest, slowest = finished_row
    (active,) = active_row

    errors: Counter[str] = Counter()
    processed = succeeded = from_cache = 0
    company_seconds = 0.0
    for mode, priority, state, error_type, count, cache_sum, seconds in company_rows:
        count = int(count)
        ok = count if state == CompanyState.SUCCESS else 0
        processed += count
        succeeded += ok
        from_cache += int(cache_sum or 0)
        company_seconds += float(seconds or 0.0)
        if state == CompanyState.FAILED:
            errors[error_type or "InternalError"] += count
        for groups, key in ((by_mode, mode), (by_priority, priority)):
            fig = groups[key]
            groups[key] = replace(
                fig,
                companies_processed=fig.companies_processed + count,
                companies_succeeded=fig.companies_succeeded + ok,
                company_seconds=fig.company_seconds + float(seconds or 0.0),
            )

    (peak,) = peak_row
    return StatsAggregates(
        batches_by_status=dict(by_status),
        active_batches=int(active),
        submitted_companies=submitted,
        finished_batches=int(finished),
        finished_batch_seconds=float(finished_sum or 0.0),
        fastest_batch_seconds=float(fastest or 0.0),
        slowest_batch_seconds=float(slowest or 0.0),
        companies_processed=processed,
        companies_succeeded=succeeded,
        companies_from_cache=from_cache,
        company_seconds=company_seconds,
        errors=dict(errors),
        peak_concurrent_batches=int(peak),
        by_mode=dict(by_mode),
        by_priority=dict(by_priority),
        tenant_pending=tenant_pending,
        tenant_running=tenant_running,
    )
