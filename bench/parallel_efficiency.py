"""Parallel efficiency: a batch through the real scheduler and ``WebExtractor`` against the sandbox web.

Every response of the sandbox web is delayed by a fixed latency, standing in for the network. First each
company is extracted alone, one after another (a fresh extractor, so connections start cold as in the
batch); the mean of those times is the sequential time of one company. Then the same companies run as
one batch with ``max_concurrent = C`` (another fresh extractor). One untimed extraction before both
keeps one-time process costs (lazy imports, parser tables) out of either figure, and each fresh
extractor's parse workers are started before its clock runs. With perfect
parallelism each company would take its time alone, started in submission order on the first of the C
slots to come free (how the scheduler hands them out): that makespan is the ideal, and efficiency is
measured time over it. For companies that take equal times it is ``mean * ceil(N / C)``; they do not
(1.5 s to 2.7 s alone: foreign sites set aside for the request's country send their company down the
resolution chain, only some companies have knowledge-source records), and ``mean * ceil(N / C)`` then
undercounts what even a perfect scheduler needs, so it stays in the details for comparison only.

Companies are the corpus companies without a hard case (no injected failure, extra latency, old domain
or missing hint), each on its own host, and they are given their domain as a hint: the figure is about
running companies in parallel, not about how many name-derived domain candidates each name happens to
produce (which would make companies unequal). ``per_host_concurrency`` (default 2) limits requests to
one host; since no two companies share a host, it shapes each company's own time equally in the
sequential and the parallel run. The knowledge sources are shared hosts (www.wikidata.org,
api.gleif.org, ...): there concurrent companies queue for the same slots, which the batch pays and the
companies alone do not; that is real contention of the service and counts against the figure.

The details also give the floor a shared host's own limit puts under the batch: the requests the sandbox
answered during the batch under each domain of ``host_rules``, times the injected latency, over that
domain's concurrency (Wikimedia's serial rule: one at a time). No scheduler finishes the batch before its
busiest such domain has answered them, whatever the ideal says; ``limited_floor_over_ideal`` above the
target means the target cannot be met with those requests under that limit. A second batch, the same
companies with every such domain open to C requests at once and no rate (``limits_lifted_ratio``),
separates the two: what remains over the ideal there is the service's own cost of running companies
together; the rest of the measured figure is the services' limits. The ideal is the same for both:
a company alone seldom has two requests for one of those hosts ready at once.
"""

from __future__ import annotations

import heapq
import json
import math
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import Row
from bench.sandbox_process import CORPUS_DIR, sandbox_in_child_process
from bench.scheduling_overhead import AGING_SECONDS, run_batch_to_end
from server.domain import BatchOptions, BatchSpec, CompanyState, ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.page_pool import PagePool
from server.extraction.pipeline import WebExtractor
from server.extraction.response_cache import ResponseCache
from server.scheduling.scheduler import BatchScheduler
from server.settings import HostRule, Settings
from server.storage import open_store
from server.storage.roles import BatchStore
from server.testing import service_settings

TARGET_EFFICIENCY_RATIO = 1.05
TRUTH_FILE = CORPUS_DIR / "truth.json"


@dataclass(frozen=True)
class ParallelPlan:
    """``companies`` corpus companies at ``concurrency``, every response delayed ``latency`` seconds."""

    companies: int
    concurrency: int
    latency: float


FULL_PLAN = ParallelPlan(companies=20, concurrency=10, latency=0.2)
QUICK_PLAN = ParallelPlan(companies=4, concurrency=2, latency=0.05)


def plain_corpus_companies(count: int) -> dict[str, str]:
    """Names and domains of the first ``count`` corpus companies that have no hard case."""
    truth: dict[str, Any] = json.loads(TRUTH_FILE.read_text(encoding="utf-8"))
    plain = {
        company["name"]: company["domain"]
        for company in truth["companies"]
        if company["expected_outcome"] == "success" and not company["hard_case"]
    }
    if len(plain) < count:
        raise ValueError(f"the corpus has only {len(plain)} plain companies, {count} asked")
    return dict(list(plain.items())[:count])


@dataclass(frozen=True)
class SequentialTimings:
    """Wall seconds of each company extracted alone, and the CPU seconds this process spent on them."""

    wall: list[float]
    cpu: float


def extraction_request(spec: BatchSpec, name: str) -> ExtractionRequest:
    """The request the scheduler builds for ``name`` of ``spec``."""
    options = spec.options
    return ExtractionRequest(
        name, options.extraction_mode, options.country, options.language, spec.domain_hints.get(name)
    )


def ideal_batch_seconds(alone: list[float], concurrency: int) -> float:
    """Makespan of perfect parallelism: each company, in submission order, takes its time alone on the
    first of ``concurrency`` slots to come free."""
    slots = [0.0] * min(concurrency, len(alone))
    for seconds in alone:
        heapq.heappush(slots, heapq.heappop(slots) + seconds)
    return max(slots, default=0.0)


@dataclass(frozen=True)
class LimitedFloor:
    """The busiest limited domain of a run: its requests, and the seconds they take at its concurrency."""

    domain: str
    requests: int
    seconds: float


def limited_host_floor(
    requests_by_host: dict[str, int], rules: dict[str, HostRule], default_concurrency: int, latency: float
) -> LimitedFloor:
    """The floor the busiest domain of ``rules`` puts under a run that sent it ``requests_by_host``: its
    requests (every host under the domain together) times ``latency``, over its concurrency."""
    floors = [LimitedFloor("", 0, 0.0)]
    for domain, rule in rules.items():
        sent = sum(n for host, n in requests_by_host.items() if host == domain or host.endswith(f".{domain}"))
        floors.append(LimitedFloor(domain, sent, sent * latency / (rule.concurrency or default_concurrency)))
    return max(floors, key=lambda floor: floor.seconds)


def lifted_limits(settings: Settings, concurrency: int) -> Settings:
    """``settings`` with every ``host_rules`` domain open to ``concurrency`` requests at once and no
    rate: what the batch takes when the shared services' own limits cost nothing. Only the sandbox is
    asked so; the service itself never runs without its rules."""
    rules = {domain: HostRule(concurrency=concurrency) for domain in settings.host_rules}
    return settings.model_copy(update={"host_rules": rules})


async def warm_up(settings: Settings, spec: BatchSpec) -> None:
    """One untimed extraction, so one-time costs (lazy imports, parser tables) burden neither run."""
    extractor = WebExtractor.from_settings(settings)
    try:
        await extractor.extract(extraction_request(spec, spec.company_names[0]))
    finally:
        await extractor.aclose()


async def fresh_extractor(settings: Settings, store: BatchStore) -> WebExtractor:
    """A new extractor, as the service builds it (knowledge answers kept in ``store``, empty at the
    start), whose parse workers already run: starting them (a process each, importing the parsers)
    took up to 24 s on a loaded 2-core machine, which would land on whichever company parses first, in
    one run and not the other."""
    parser = PagePool(settings)
    await parser.parse("<html><body>warm-up</body></html>", "https://warm-up.invalid/")
    fetcher = WebFetcher(settings, responses=ResponseCache(store))
    return WebExtractor(settings, fetcher=fetcher, parser=parser)


async def sequential_timings(settings: Settings, spec: BatchSpec, database: Path) -> SequentialTimings:
    """Each company extracted alone, in turn, by one fresh extractor (on a store of its own)."""
    store = await open_store(f"sqlite:///{database}")
    extractor = await fresh_extractor(settings, store)
    wall: list[float] = []
    cpu_started = time.process_time()
    try:
        for name in spec.company_names:
            started = time.perf_counter()
            await extractor.extract(extraction_request(spec, name))
            wall.append(time.perf_counter() - started)
    finally:
        await extractor.aclose()
        await store.close()
    return SequentialTimings(wall, time.process_time() - cpu_started)


async def batch_run(settings: Settings, spec: BatchSpec, database: Path) -> tuple[float, int]:
    """The batch through a real scheduler and store; wall seconds and how many companies succeeded."""
    store = await open_store(f"sqlite:///{database}")
    extractor = await fresh_extractor(settings, store)
    scheduler = BatchScheduler(store, extractor, workers=settings.workers, aging_seconds=AGING_SECONDS)
    try:
        await scheduler.start()
        seconds = await run_batch_to_end(scheduler, spec)
        batch_id = (await scheduler.list_batches(1, ""))[0][0].batch_id
        companies = await store.list_companies(batch_id)
    finally:
        await scheduler.stop()
        await extractor.aclose()
        await store.close()
    return seconds, sum(company.state is CompanyState.SUCCESS for company in companies)


async def measure_parallel_efficiency(plan: ParallelPlan) -> Row:
    """Measured batch time over the ideal ``mean sequential time * ceil(N / C)``."""
    hints = plain_corpus_companies(plan.companies)
    spec = BatchSpec(tuple(hints), BatchOptions(max_concurrent=plan.concurrency), domain_hints=hints)
    async with sandbox_in_child_process(plan.latency) as sandbox:
        overrides = sandbox.overrides
        with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
            settings = service_settings(Path(tmp), **overrides)
            await warm_up(settings, spec)
            sequential = await sequential_timings(settings, spec, Path(tmp) / "sequential.sqlite3")
            before = await sandbox.requests_by_host()
            measured, succeeded = await batch_run(settings, spec, Path(tmp) / "bench.sqlite3")
            after = await sandbox.requests_by_host()
            lifted = lifted_limits(settings, plan.concurrency)
            lifted_measured, _ = await batch_run(lifted, spec, Path(tmp) / "lifted.sqlite3")
    in_batch = {host: n - before.get(host, 0) for host, n in after.items()}
    floor = limited_host_floor(in_batch, settings.host_rules, settings.per_host_concurrency, plan.latency)
    rounds = math.ceil(plan.companies / plan.concurrency)
    alone = sequential.wall
    mean_alone = statistics.fmean(alone)
    ideal = ideal_batch_seconds(alone, plan.concurrency)
    equal_companies_ideal = mean_alone * rounds
    return Row(
        key="parallel_efficiency",
        title="Parallel efficiency (measured / ideal), sandbox web",
        measured=measured / ideal,
        target=TARGET_EFFICIENCY_RATIO,
        unit="ratio",
        details={
            "companies": plan.companies,
            "concurrency": plan.concurrency,
            "injected_latency_seconds": plan.latency,
            "rounds": rounds,
            "sequential_mean_seconds": mean_alone,
            "sequential_min_seconds": min(alone),
            "sequential_max_seconds": max(alone),
            "sequential_cpu_seconds_per_company": sequential.cpu / plan.companies,
            "ideal_seconds": ideal,
            "equal_companies_ideal_seconds": equal_companies_ideal,
            "ratio_to_equal_companies_ideal": measured / equal_companies_ideal,
            "measured_seconds": measured,
            "companies_succeeded": succeeded,
            "busiest_limited_domain": floor.domain,
            "busiest_limited_domain_requests": floor.requests,
            "limited_floor_seconds": floor.seconds,
            "limited_floor_over_ideal": floor.seconds / ideal,
            "limits_lifted_measured_seconds": lifted_measured,
            "limits_lifted_ratio": lifted_measured / ideal,
            "per_host_concurrency": settings.per_host_concurrency,
            "knowledge_host_rules": {
                domain: rule.model_dump(exclude_none=True) for domain, rule in settings.host_rules.items()
            },
        },
        notes=(
            f"N={plan.companies} corpus companies (domain hints given), C={plan.concurrency}, "
            f"{plan.latency:g} s injected per response; ideal = each company's time alone on the first of "
            f"C slots to come free, in submission order = {ideal:.3f} s (mean alone {mean_alone:.3f} s x "
            f"ceil(N/C)={rounds} would be {equal_companies_ideal:.3f} s), measured {measured:.3f} s, "
            f"{succeeded}/{plan.companies} succeeded",
            f"the batch sent {floor.requests} requests to {floor.domain or 'no limited domain'}, which its "
            f"limit serves in at least {floor.seconds:.3f} s = {floor.seconds / ideal:.2f} x the ideal",
            f"the same batch with every host_rules domain open to C requests at once (sandbox only) took "
            f"{lifted_measured:.3f} s = {lifted_measured / ideal:.2f} x the ideal: what sharing costs the "
            "service apart from the services' own limits",
            f"this process spent {sequential.cpu * 1000 / plan.companies:.1f} ms of CPU per company alone "
            "(parsing, TLS); in the batch the CPU work of concurrent companies shares one event loop",
            f"per_host_concurrency={settings.per_host_concurrency} limits requests per host; every company "
            "site is on its own host, so that slows each company equally alone and in the batch, but the "
            "knowledge sources' hosts are shared: concurrent companies queue there",
        ),
    )
