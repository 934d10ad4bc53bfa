"""``python -m bench`` (``make bench``): measure, print the figures against their targets, write JSON."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from bench import parallel_efficiency, parse_cost, proxy_latency, replicas, scheduling_overhead, stats_scale
from bench.report import BenchReport, Machine, print_report, render_markdown, write_json

DEFAULT_JSON_OUT = Path(__file__).resolve().parent / "out" / "results.json"
DEFAULT_MARKDOWN_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


async def run_all(quick: bool) -> BenchReport:
    """Every measurement, one after another (never side by side, so they do not disturb each other)."""
    started = time.perf_counter()
    overhead_plan = scheduling_overhead.QUICK_PLAN if quick else scheduling_overhead.FULL_PLAN
    overhead = await scheduling_overhead.measure_scheduling_overhead(overhead_plan)
    replica_overhead = await scheduling_overhead.measure_replica_scheduling_overhead(overhead_plan)
    efficiency = await parallel_efficiency.measure_parallel_efficiency(
        parallel_efficiency.QUICK_PLAN if quick else parallel_efficiency.FULL_PLAN
    )
    latency = await proxy_latency.measure_proxy_latency(
        proxy_latency.QUICK_PLAN if quick else proxy_latency.FULL_PLAN
    )
    stats = await stats_scale.measure_stats_scale(stats_scale.QUICK_PLAN if quick else stats_scale.FULL_PLAN)
    scale_out = await replicas.measure_replicas(
        replicas.QUICK_PLAN if quick else replicas.FULL_PLAN,
        None if quick else replicas.FULL_SANDBOX_PLAN,
    )
    if quick:
        click.echo("quick run: two replicas vs one on the sandbox batch is measured in full runs only")
    parse_ratio = parse_cost.measure_parse_ratio(
        parse_cost.QUICK_PARSE_PLAN if quick else parse_cost.FULL_PARSE_PLAN
    )
    if parse_ratio is None:
        click.echo(f"real-web corpus not found at {parse_cost.realweb_dir()}: parse CPU ratio not measured")
    loop_lag = await parse_cost.measure_loop_lag(
        parse_cost.QUICK_LAG_PLAN if quick else parse_cost.FULL_LAG_PLAN
    )
    parse_rows = (loop_lag,) if parse_ratio is None else (parse_ratio, loop_lag)
    return BenchReport(
        mode="quick" if quick else "full",
        machine=Machine.current(),
        rows=(overhead, replica_overhead, efficiency, *latency.rows, stats, *scale_out, *parse_rows),
        latency_paths=latency.paths,
        latency_cpu_ms_per_call=latency.cpu_ms_per_call,
        duration_seconds=time.perf_counter() - started,
    )


@click.command()
@click.option("--quick", is_flag=True, help="Small counts: a smoke run, not figures to judge by.")
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_JSON_OUT,
    show_default=True,
    help="Where the figures are written as JSON.",
)
@click.option(
    "--markdown-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_MARKDOWN_OUT,
    show_default=True,
    help="Where a full run writes the figures the README points to (a quick run writes none).",
)
def main(quick: bool, json_out: Path, markdown_out: Path) -> None:
    """Measure scheduling overhead, parallel efficiency and Envoy's added latency against their targets."""
    report = asyncio.run(run_all(quick))
    print_report(report)
    write_json(report, json_out)
    click.echo(f"figures written to {json_out}")
    if not quick:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        markdown_out.write_text(render_markdown(report, when), encoding="utf-8")
        click.echo(f"README figures written to {markdown_out}")


if __name__ == "__main__":
    main()
