"""30-day GetStats over one million stored company results on PostgreSQL (target: under 200 ms).

Fills a throwaway schema with ``generate_series`` (batches of 50 companies spread evenly over 30 days,
80 % successes, failures of three types, 1 in 7 from the cache), builds the hourly summary the way
migration 3 does, vacuums so index-only scans work, then times ``PostgresBatchStore.stats_since`` over
the last 30 days: one warm-up, then the median of several runs. ``now`` is not on an hour boundary, so
the partial hours at both edges are read from company rows as in production. For comparison it also
times the same figures from a full scan of the company rows (what the store did without the summary).

Run alone: ``python -m bench.stats_scale [--rows N] [--runs K] [--url postgresql://...]``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import click

from bench.figures import Row
from server.storage.postgres import PostgresBatchStore
from server.storage.schema import HOURLY_SUMMARY_BACKFILL
from server.storage.scratch import postgres_test_url, scratch_schema

TARGET_MS = 200.0
WINDOW = timedelta(days=30)
COMPANIES_PER_BATCH = 50
FILL_TIMEOUT_SECONDS = 600.0
NOW = datetime(2024, 6, 30, 12, 17, 43, tzinfo=UTC)  # fixed, and deliberately not on an hour boundary


@dataclass(frozen=True)
class StatsScalePlan:
    rows: int
    runs: int


FULL_PLAN = StatsScalePlan(rows=1_000_000, runs=7)
QUICK_PLAN = StatsScalePlan(rows=20_000, runs=3)

# Batches created evenly over the window (ending 700 s before now so every batch has finished).
FILL_BATCHES = """
    INSERT INTO batches (batch_id, request_id, trace_id, options, extraction_mode, priority, status,
                         total_companies, created_at, started_at, completed_at, last_update)
    SELECT 'bench_' || i, NULL, '', '{}',
           (ARRAY['basic', 'standard', 'comprehensive', 'contact_focused', 'financial_focused'])[1 + i % 5],
           (ARRAY['low', 'normal', 'high', 'urgent'])[1 + i % 4],
           CASE WHEN i % 33 = 0 THEN 'cancelled' WHEN i % 20 = 0 THEN 'failed' ELSE 'completed' END,
           $2, t, t + 5, t + 605, t + 605
    FROM (SELECT i, $3::float8 - 700 - (i::float8 / $1) * $4::float8 AS t
          FROM generate_series(0, $1 - 1) AS i) AS spread
"""

FILL_COMPANIES = """
    INSERT INTO companies (batch_id, position, name, domain_hint, extraction_mode, priority, state,
                           attempts, started_at, finished_at, profile, error_type, error_message,
                           error_details, from_cache)
    SELECT b.batch_id, p, 'Company ' || p, NULL, b.extraction_mode, b.priority,
           CASE WHEN (n + p) % 5 = 0 THEN 'failed' ELSE 'success' END, 1,
           b.started_at + p * 12, b.started_at + p * 12 + 1 + (n + p) % 11,
           CASE WHEN (n + p) % 5 = 0 THEN NULL ELSE '{}' END,
           CASE WHEN (n + p) % 5 <> 0 THEN NULL
                ELSE (ARRAY['CompanyAnalysisError', 'TimeoutError', 'FetchError'])[1 + (n + p) % 3] END,
           CASE WHEN (n + p) % 5 = 0 THEN 'bench' END, NULL,
           ((n + p) % 7 = 0)::int
    FROM (SELECT batch_id, extraction_mode, priority, started_at,
                 substr(batch_id, 7)::int AS n FROM batches) AS b
    CROSS JOIN generate_series(0, $1 - 1) AS p
"""


async def fill(url: str, rows: int) -> None:
    """``rows`` finished companies in batches of ``COMPANIES_PER_BATCH``, plus their hourly summary."""
    batches = max(1, rows // COMPANIES_PER_BATCH)
    conn = await asyncpg.connect(url, command_timeout=FILL_TIMEOUT_SECONDS)
    try:
        async with conn.transaction():
            await conn.execute(
                FILL_BATCHES, batches, COMPANIES_PER_BATCH, NOW.timestamp(), WINDOW.total_seconds()
            )
            await conn.execute(FILL_COMPANIES, COMPANIES_PER_BATCH)
            await conn.execute(HOURLY_SUMMARY_BACKFILL)
        await conn.execute("VACUUM (ANALYZE) batches, companies, company_hourly")
    finally:
        await conn.close()


async def time_ms(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Milliseconds of ``runs`` awaits of ``call()`` after one warm-up."""
    await call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def measure_stats_scale(plan: StatsScalePlan, server_url: str | None = None) -> Row:
    """Fill a scratch schema and time the 30-day stats query; the schema is dropped afterwards."""
    async with scratch_schema(server_url or postgres_test_url()) as url:
        store = PostgresBatchStore(url)
        await store.open()
        try:
            fill_started = time.perf_counter()
            await fill(url, plan.rows)
            fill_seconds = time.perf_counter() - fill_started
            since = NOW - WINDOW
            summary_ms = await time_ms(lambda: store.stats_since(since, NOW), plan.runs)
            scan_ms = await time_ms(lambda: store.stats_since_full_scan(since, NOW), plan.runs)
            figures = await store.stats_since(since, NOW)
        finally:
            await store.close()
    return Row(
        key="stats_30d_postgres",
        title=f"30-day GetStats over {plan.rows:,} company results (PostgreSQL)",
        measured=statistics.median(summary_ms),
        target=TARGET_MS,
        unit="ms",
        details={
            "rows": plan.rows,
            "companies_in_window": figures.companies_processed,
            "batches_in_window": sum(figures.batches_by_status.values()),
            "runs_ms": [round(ms, 2) for ms in summary_ms],
            "full_scan_median_ms": round(statistics.median(scan_ms), 2),
            "fill_seconds": round(fill_seconds, 1),
        },
        notes=(
            "whole hours from the company_hourly summary, the two partial edge hours from company rows",
            "full_scan_median_ms: the same figures aggregated from every company row, for comparison",
        ),
    )


@click.command()
@click.option("--rows", type=int, default=FULL_PLAN.rows, show_default=True, help="Company rows to store.")
@click.option("--runs", type=int, default=FULL_PLAN.runs, show_default=True, help="Timed runs (median).")
@click.option("--url", default=None, help="PostgreSQL server (default: the tests' server).")
def main(rows: int, runs: int, url: str | None) -> None:
    """Print the figure as JSON."""
    row = asyncio.run(measure_stats_scale(StatsScalePlan(rows, runs), url))
    click.echo(json.dumps(row.to_json(), indent=2))


if __name__ == "__main__":
    main()
