"""The 30-day stats benchmark fills PostgreSQL as documented and measures real figures (small run)."""

from __future__ import annotations

import pytest

from bench.stats_scale import TARGET_MS, StatsScalePlan, measure_stats_scale
from server.storage.scratch import postgres_opted_out

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_opted_out(), reason="COMPANY_BATCH_TEST_POSTGRES=0"),
]


async def test_a_small_stats_scale_run_reports_the_window_it_filled() -> None:
    row = await measure_stats_scale(StatsScalePlan(rows=5_000, runs=2))
    assert row.target == TARGET_MS and row.measured > 0
    assert row.details["batches_in_window"] == 5_000 // 50
    # Every batch ended inside the window; only companies finished before its start fall outside.
    assert 0.99 * 5_000 <= row.details["companies_in_window"] <= 5_000
    assert len(row.details["runs_ms"]) == 2 and row.details["full_scan_median_ms"] > 0
