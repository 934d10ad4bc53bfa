"""What a benchmark run shows and stores: the machine, the figures against targets, the JSON file."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.figures import MEETS, LatencySummary, Row

NOISE_NOTE = (
    "Figures come from one run on a noisy shared machine (other work runs beside it); "
    "read them as indications, and re-run before acting on a borderline verdict."
)
LATENCY_LEGEND = (
    "httpx_to_envoy_admin_ready is the floor of one httpx call here (Envoy answers /ready itself, no "
    "upstream): rest_via_envoy minus it is Envoy's routing, JSON transcoding and the upstream gRPC call. "
    "The CPU column is this process (client and in-process server; Envoy excluded): the server's work is "
    "the same on every GetBatch path, so CPU differences between them are the client libraries'."
)
REPORT_WIDTH = 130  # wide enough for the tables when output is piped (make bench in CI)


@dataclass(frozen=True)
class Machine:
    """Where the figures were measured."""

    nproc: int
    python: str
    platform: str

    @classmethod
    def current(cls) -> Machine:
        # Like nproc(1): the CPUs this process may run on, not every CPU of the host.
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return cls(usable, platform.python_version(), platform.platform())


@dataclass(frozen=True)
class BenchReport:
    """Everything one run measured."""

    mode: str
    machine: Machine
    rows: tuple[Row, ...]
    latency_paths: dict[str, LatencySummary]
    latency_cpu_ms_per_call: dict[str, float]
    duration_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "machine": asdict(self.machine),
            "note": NOISE_NOTE,
            "duration_seconds": self.duration_seconds,
            "rows": [row.to_json() for row in self.rows],
            "latency_paths": {
                name: {**asdict(summary), "process_cpu_ms_per_call": self.latency_cpu_ms_per_call[name]}
                for name, summary in self.latency_paths.items()
            },
        }


def write_json(report: BenchReport, path: Path) -> None:
    """Write the report as JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")


def render_markdown(report: BenchReport, when: str) -> str:
    """The figures as the Markdown page ``docs/benchmarks.md`` (the README's performance figures)."""
    machine = report.machine
    lines = [
        "# Benchmark figures",
        "",
        f"Written by `make bench` ({report.mode} run, {when}) on nproc {machine.nproc}, Python "
        f"{machine.python}, {machine.platform}; the run took {report.duration_seconds:.0f} s. Do not edit: "
        "run `make bench` again. The README quotes no figure of its own, so none can drift from the code.",
        "",
        NOISE_NOTE,
        "",
        "| figure | measured | target | measured / target | verdict |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in report.rows:
        lines.append(
            f"| {row.title} | {row.measured:.3f} {row.unit} | < {row.target:g} {row.unit} | "
            f"{row.ratio:.2f} | {row.verdict} |"
        )
    lines += ["", "GetBatch latency per path (sequential calls, warm connections):", ""]
    lines += ["| path | calls | median ms | p95 ms |", "| --- | ---: | ---: | ---: |"]
    for name, summary in report.latency_paths.items():
        lines.append(f"| {name} | {summary.count} | {summary.median_ms:.3f} | {summary.p95_ms:.3f} |")
    lines += ["", "How each figure was measured:", ""]
    for row in report.rows:
        for note in row.notes:
            lines.append(f"- {row.title}: {note}")
    return "\n".join(lines) + "\n"


def print_report(report: BenchReport, console: Console | None = None) -> None:
    """The figures side by side with their targets, then the latency per path and how each was taken."""
    out = console or Console(width=REPORT_WIDTH)
    machine = report.machine
    out.print(
        f"[bold]company-batch bench[/] ({report.mode}) - nproc {machine.nproc}, Python {machine.python}, "
        f"{machine.platform}; took {report.duration_seconds:.1f} s"
    )
    out.print(f"[italic]{NOISE_NOTE}[/]")

    figures = Table(title="Measured against targets")
    for column in ("Figure", "Measured", "Target", "Measured/target", "Verdict"):
        figures.add_column(column, justify="left" if column == "Figure" else "right")
    for row in report.rows:
        colour = "green" if row.verdict == MEETS else "red"
        figures.add_row(
            row.title,
            f"{row.measured:.3f} {row.unit}",
            f"< {row.target:g} {row.unit}",
            f"{row.ratio:.2f}",
            f"[{colour}]{row.verdict}[/]",
        )
    out.print(figures)

    latency = Table(title="GetBatch latency per path (sequential calls, warm connections)")
    for column in ("Path", "Calls", "Median ms", "p95 ms", "CPU ms/call in bench process"):
        latency.add_column(column, justify="left" if column == "Path" else "right")
    for name, summary in report.latency_paths.items():
        latency.add_row(
            name,
            str(summary.count),
            f"{summary.median_ms:.3f}",
            f"{summary.p95_ms:.3f}",
            f"{report.latency_cpu_ms_per_call[name]:.3f}",
        )
    out.print(latency)
    out.print(LATENCY_LEGEND)

    out.print("[bold]How each figure was measured[/]")
    for row in report.rows:
        for note in row.notes:
            out.print(f"- {row.title}: {note}")
