"""GetStats' report: stored aggregates for a time frame plus the running process's own figures.

Stored figures cover batches *created* in the time frame and companies *finished* in it (so a batch
submitted yesterday whose last company finished an hour ago counts in the 1h company figures but not in
the 1h batch counts). ``active_batches`` is every live batch right now, whenever it was created.

Rates are percentages (0-100) as the REST contract shows them; times are seconds. ``cache_hit_rate`` is
the share of processed companies answered from the cache (0.0 until a cache exists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import psutil

from server.domain import (
    TIMEFRAMES,
    BatchStatus,
    BreakdownStats,
    ErrorCount,
    ExtractionMode,
    SourceCircuit,
    StatsReport,
)
from server.errors import FieldViolation, InvalidRequest
from server.storage.base import GroupFigures, StatsAggregates
from server.storage.roles import StatsQueries

TIMEFRAME_FIELD = "timeframe"
PERCENT_DIGITS = 1
SECONDS_DIGITS = 3


@dataclass(frozen=True)
class LiveFigures:
    """What only the running scheduler knows."""

    active_connections: int
    queue_size: int
    workers_busy: int
    workers_total: int
    source_circuits: tuple[SourceCircuit, ...] = ()  # knowledge-source hosts that have been failing


class StatsCollector:
    """Builds ``StatsReport``s; keeps one psutil Process so CPU is measured between calls."""

    def __init__(self, store: StatsQueries, *, now: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._now = now or (lambda: datetime.now(UTC))
        self._process = psutil.Process()
        # The first cpu_percent() call only starts the measurement; prime it so the first report is real.
        self._process.cpu_percent(interval=None)

    async def report(
        self, timeframe: str, include_details: bool, live: LiveFigures, tenant: str | None = None
    ) -> StatsReport:
        """The report for ``timeframe`` (a key of ``server.domain.TIMEFRAMES``).

        With ``tenant`` every stored figure is that tenant's, and so are the queue and busy-worker
        counts (its waiting and running companies); CPU, memory and ``workers_total`` describe the
        process all tenants share.

        Raises:
            InvalidRequest: unknown time frame.
        """
        seconds = TIMEFRAMES.get(timeframe)
        if seconds is None:
            raise InvalidRequest(
                [
                    FieldViolation(
                        TIMEFRAME_FIELD, f"must be one of {', '.join(TIMEFRAMES)}, got {timeframe!r}"
                    )
                ]
            )
        now = self._now()
        agg = await self._store.stats_since(now - timedelta(seconds=seconds), now, tenant)
        if agg.tenant_pending is not None and agg.tenant_running is not None:
            live = replace(live, queue_size=agg.tenant_pending, workers_busy=agg.tenant_running)
        return build_report(
            timeframe,
            agg,
            live,
            cpu_usage=float(self._process.cpu_percent(interval=None)),
            memory_usage=float(self._process.memory_percent()),
            include_details=include_details,
        )


def build_report(
    timeframe: str,
    agg: StatsAggregates,
    live: LiveFigures,
    *,
    cpu_usage: float,
    memory_usage: float,
    include_details: bool,
) -> StatsReport:
    """Turn raw aggregates and live figures into the report (pure arithmetic)."""
    by_status = agg.batches_by_status
    total_batches = sum(by_status.values())
    failures = sum(agg.errors.values())
    errors = tuple(
        ErrorCount(error_type, count, _percent(count, failures))
        for error_type, count in sorted(agg.errors.items(), key=lambda item: (-item[1], item[0]))
    )
    return StatsReport(
        timeframe=timeframe,
        total_batches=total_batches,
        completed_batches=by_status.get(BatchStatus.COMPLETED, 0),
        failed_batches=by_status.get(BatchStatus.FAILED, 0),
        cancelled_batches=by_status.get(BatchStatus.CANCELLED, 0),
        active_batches=agg.active_batches,
        total_companies_processed=agg.companies_processed,
        average_processing_time=_mean(agg.finished_batch_seconds, agg.finished_batches),
        success_rate=_percent(agg.companies_succeeded, agg.companies_processed),
        average_batch_size=round(agg.submitted_companies / total_batches, 1) if total_batches else 0.0,
        fastest_batch_time=round(agg.fastest_batch_seconds, SECONDS_DIGITS),
        slowest_batch_time=round(agg.slowest_batch_seconds, SECONDS_DIGITS),
        most_common_extraction_mode=_most_common_mode(agg),
        peak_concurrent_batches=agg.peak_concurrent_batches,
        cache_hit_rate=_percent(agg.companies_from_cache, agg.companies_processed),
        average_company_time=_mean(agg.company_seconds, agg.companies_processed),
        cpu_usage=round(cpu_usage, PERCENT_DIGITS),
        memory_usage=round(memory_usage, PERCENT_DIGITS),
        active_connections=live.active_connections,
        queue_size=live.queue_size,
        workers_busy=live.workers_busy,
        workers_total=live.workers_total,
        most_common_errors=errors,
        by_mode=_breakdown(agg.by_mode) if include_details else None,
        by_priority=_breakdown(agg.by_priority) if include_details else None,
        source_circuits=live.source_circuits,
    )


def _most_common_mode(agg: StatsAggregates) -> ExtractionMode | None:
    counts = [(fig.batches, name) for name, fig in agg.by_mode.items() if fig.batches]
    if not counts:
        return None
    # Most batches wins; ties go to the alphabetically first mode so the answer is stable.
    _, name = min(counts, key=lambda item: (-item[0], item[1]))
    return ExtractionMode(name)


def _breakdown(groups: Mapping[str, GroupFigures]) -> dict[str, BreakdownStats]:
    return {
        name: BreakdownStats(
            batches=fig.batches,
            companies_processed=fig.companies_processed,
            success_rate=_percent(fig.companies_succeeded, fig.companies_processed),
            average_company_time=_mean(fig.company_seconds, fig.companies_processed),
            average_queue_wait=_mean(fig.queue_wait_seconds, fig.queue_wait_count),
        )
        for name, fig in sorted(groups.items())
    }


def _percent(part: int, whole: int) -> float:
    return round(part / whole * 100, PERCENT_DIGITS) if whole else 0.0


def _mean(total: float, count: int) -> float:
    return round(total / count, SECONDS_DIGITS) if count else 0.0
