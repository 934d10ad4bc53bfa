"""Parsing's cost: CPU per page against lxml's own parse, and the event loop's lag while a batch runs.

**Parse ratio.** Every ``*.html`` page of the real-web corpus (``../shared/realweb/sites`` beside the
repository, or ``$COMPANY_BATCH_REALWEB_DIR``; read by the benchmark only, never by tests) is decoded as
the fetcher decodes it, then parsed ``rounds`` times by ``parse_page`` and by ``lxml.html`` from the same
bytes, in this process, one after the other; the figure is total ``parse_page`` CPU over total lxml CPU
(both per 100 KB in the details). Without the corpus the row is left out and the report says so.

**Event-loop lag.** A 20-company batch of the authored sandbox corpus (sandbox web in a child process,
every response delayed as in the parallel-efficiency figure) runs through the real scheduler and
``WebExtractor`` (so through the parse pool), while a probe on the same loop sleeps ``PROBE_SECONDS``
over and over and records how late it wakes up. The figure is the 99th percentile of that lateness:
how long any RPC, health check or timeout of the server would have waited for the loop.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]

from bench.figures import Row
from bench.parallel_efficiency import plain_corpus_companies
from bench.sandbox_process import sandbox_in_child_process
from bench.scheduling_overhead import AGING_SECONDS, run_batch_to_end
from server.domain import BatchOptions, BatchSpec
from server.extraction.base import Extractor
from server.extraction.fetcher import decode_body
from server.extraction.parse import parse_page
from server.extraction.pipeline import WebExtractor
from server.scheduling.scheduler import BatchScheduler
from server.settings import Settings
from server.storage import open_store
from server.testing import service_settings

REALWEB_ENV = "COMPANY_BATCH_REALWEB_DIR"
REALWEB_DIR = Path(__file__).resolve().parents[2] / "shared" / "realweb"
TARGET_PARSE_RATIO = 2.5
TARGET_LAG_P99_MS = 50.0
PROBE_SECONDS = 0.005
P99_INDEX = 98  # statistics.quantiles(n=100) returns the 1st..99th percentiles
BYTES_PER_FIGURE = 100_000


@dataclass(frozen=True)
class ParsePlan:
    rounds: int


@dataclass(frozen=True)
class LagPlan:
    companies: int
    concurrency: int
    latency: float


FULL_PARSE_PLAN = ParsePlan(rounds=3)
QUICK_PARSE_PLAN = ParsePlan(rounds=1)
FULL_LAG_PLAN = LagPlan(companies=20, concurrency=10, latency=0.2)
QUICK_LAG_PLAN = LagPlan(companies=4, concurrency=2, latency=0.05)


def realweb_dir() -> Path:
    """Where the real-web corpus is looked for."""
    configured = os.environ.get(REALWEB_ENV)
    return Path(configured) if configured else REALWEB_DIR


def measure_parse_ratio(plan: ParsePlan) -> Row | None:
    """``parse_page`` CPU over lxml CPU on the real-web pages; None when the corpus is absent."""
    pages = sorted((realweb_dir() / "sites").glob("**/*.html"))
    if not pages:
        return None
    parse_cpu = lxml_cpu = 0.0
    total_bytes = 0
    for path in pages:
        body = path.read_bytes()
        text = decode_body(body, "text/html")
        url = f"https://{path.relative_to(realweb_dir() / 'sites').parts[0]}/"
        for _ in range(plan.rounds):
            started = time.process_time()
            if body.strip():
                lxml.html.document_fromstring(body)
            lxml_cpu += time.process_time() - started
            started = time.process_time()
            parse_page(text, url)
            parse_cpu += time.process_time() - started
            total_bytes += len(body)
    per_figure = BYTES_PER_FIGURE / total_bytes * 1000.0
    return Row(
        key="parse_cpu_ratio",
        title="Page parse CPU / lxml parse CPU, real-web pages",
        measured=parse_cpu / lxml_cpu,
        target=TARGET_PARSE_RATIO,
        unit="x lxml",
        details={
            "pages": len(pages),
            "rounds": plan.rounds,
            "bytes_per_round": total_bytes // plan.rounds,
            "parse_ms_per_100kb": parse_cpu * per_figure,
            "lxml_ms_per_100kb": lxml_cpu * per_figure,
        },
        notes=(
            f"{len(pages)} pages of {realweb_dir()}, {plan.rounds} rounds: parse_page "
            f"{parse_cpu * per_figure:.2f} ms per 100 KB, lxml.html.document_fromstring of the same bytes "
            f"{lxml_cpu * per_figure:.2f} ms per 100 KB (process CPU time)",
        ),
    )


async def loop_lag_during(work: asyncio.Task[float]) -> list[float]:
    """How late (seconds) each ``PROBE_SECONDS`` sleep on this loop woke up while ``work`` ran."""
    lateness: list[float] = []
    while not work.done():
        asked = time.perf_counter()
        await asyncio.sleep(PROBE_SECONDS)
        lateness.append(max(0.0, time.perf_counter() - asked - PROBE_SECONDS))
    return lateness


ExtractorFactory = Callable[[Settings], Extractor]


async def batch_lag(
    plan: LagPlan, make_extractor: ExtractorFactory = WebExtractor.from_settings
) -> tuple[list[float], float]:
    """Probe lateness samples during one batch of ``plan``, and the batch's wall seconds."""
    hints = plain_corpus_companies(plan.companies)
    spec = BatchSpec(tuple(hints), BatchOptions(max_concurrent=plan.concurrency), domain_hints=hints)
    async with sandbox_in_child_process(plan.latency) as sandbox:
        overrides = sandbox.overrides
        with tempfile.TemporaryDirectory(prefix="bench-lag-") as tmp:
            settings = service_settings(Path(tmp), **overrides)
            store = await open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            extractor = make_extractor(settings)
            scheduler = BatchScheduler(
                store, extractor, workers=settings.workers, aging_seconds=AGING_SECONDS
            )
            try:
                await scheduler.start()
                # Untimed: the first company starts the parse workers and loads lazy tables.
                warm = BatchSpec(spec.company_names[:1], spec.options, domain_hints=hints)
                await run_batch_to_end(scheduler, warm)
                work = asyncio.ensure_future(run_batch_to_end(scheduler, spec))
                lateness = await loop_lag_during(work)
                seconds = await work
            finally:
                await scheduler.stop()
                await extractor.aclose()
                await store.close()
    return lateness, seconds


def p99(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[P99_INDEX]


async def measure_loop_lag(plan: LagPlan) -> Row:
    """p99 of the event loop's lateness while the batch runs."""
    lateness, seconds = await batch_lag(plan)
    millis = [sample * 1000.0 for sample in lateness]
    return Row(
        key="event_loop_lag_p99",
        title=f"Event-loop lag p99 during a {plan.companies}-company batch",
        measured=p99(millis),
        target=TARGET_LAG_P99_MS,
        unit="ms",
        details={
            "companies": plan.companies,
            "concurrency": plan.concurrency,
            "injected_latency_seconds": plan.latency,
            "samples": len(millis),
            "median_ms": statistics.median(millis),
            "max_ms": max(millis),
            "batch_seconds": seconds,
        },
        notes=(
            f"a {PROBE_SECONDS * 1000:g} ms sleep on the server's loop, repeated while {plan.companies} "
            f"sandbox companies (C={plan.concurrency}, {plan.latency:g} s per response) run through the "
            f"scheduler, WebExtractor and parse pool: {len(millis)} samples, median "
            f"{statistics.median(millis):.2f} ms, max {max(millis):.1f} ms late",
        ),
    )
