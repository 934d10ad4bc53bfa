"""Smoke test of `python -m bench --quick`: it runs end to end and stores every figure (no timing checks)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTED_ROWS = {
    "scheduling_overhead",
    "scheduling_overhead_replica",
    "parallel_efficiency",
    "envoy_rest_added_latency",
    "envoy_proxy_added_latency",
    "stats_30d_postgres",
    "replica_cpu_per_company",
    "postgres_cpu_per_company",
    "event_loop_lag_p99",  # the parse ratio needs the real-web corpus, which tests never read
}
EXPECTED_PATHS = {
    "grpc_direct",
    "grpc_via_envoy",
    "rest_via_envoy",
    "rest_via_envoy_httpx",
    "httpx_to_envoy_admin_ready",
}
# A difference of two medians measured on a loaded machine can come out below zero (the proxy is
# cheaper than the noise); it must be a number, and its sign is not the test's business.
DIFFERENCE_ROWS = {"envoy_rest_added_latency", "envoy_proxy_added_latency"}
BENCH_TIMEOUT_SECONDS = 100


@pytest.mark.envoy
def test_quick_bench_writes_every_figure_as_a_number(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json-out", str(out)],
        cwd=REPO_ROOT,
        env={**os.environ, "COMPANY_BATCH_REALWEB_DIR": str(tmp_path / "no-realweb")},
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(out.read_text(encoding="utf-8"))

    rows = {row["key"]: row for row in results["rows"]}
    assert set(rows) == EXPECTED_ROWS
    for key, row in rows.items():
        assert math.isfinite(row["measured"]) and math.isfinite(row["ratio"]), row
        if key not in DIFFERENCE_ROWS:
            assert row["measured"] > 0, row
            assert row["ratio"] > 0, row
        assert row["target"] > 0, row
        assert row["verdict"] in {"meets", "misses"}, row
        # Every printed row names its figure, so a reader can match the table to the JSON.
        assert row["title"] in completed.stdout
    assert rows["parallel_efficiency"]["details"]["companies_succeeded"] > 0
    assert rows["parallel_efficiency"]["details"]["limits_lifted_measured_seconds"] > 0
    assert "real-web corpus not found" in completed.stdout  # said plainly, not silently left out
    assert "measured in full runs only" in completed.stdout

    assert set(results["latency_paths"]) == EXPECTED_PATHS
    for path in results["latency_paths"].values():
        assert path["count"] > 0
        assert path["median_ms"] > 0
        assert path["p95_ms"] >= path["median_ms"]
    assert results["machine"]["nproc"] > 0
    assert results["machine"]["python"]
