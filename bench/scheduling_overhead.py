"""Scheduling overhead per company, for both ways the service schedules, with an instant extractor.

- One process: ``BatchScheduler`` over its in-memory queue on a real SQLite file (the default store).
- Replicas: ``ReplicaScheduler`` (leases in the store) on a scratch schema of the PostgreSQL server the
  tests use, one replica; the default whenever the store is PostgreSQL.

Everything but the extraction itself is measured: the submit (batch and companies written), every
company's start and finish writes (or claims and leased results), the events, the final status. The wall
time from ``submit`` to the final status event of ``watch`` is divided by the batch's size.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.figures import Row
from server.domain import BatchOptions, BatchSpec, ExtractionRequest, Profile
from server.scheduling.replicas import ReplicaScheduler
from server.scheduling.scheduler import BatchScheduler
from server.settings import Settings
from server.storage import open_store
from server.storage.roles import BatchStore
from server.storage.scratch import postgres_test_url, scratch_schema

TARGET_MS_PER_COMPANY = 0.3  # issue 10: persistence included, now that SQLite commits in groups
WORKERS = Settings.model_fields["workers"].default  # the service's default pool
MAX_CONCURRENT = 20  # the contract's maximum per batch
AGING_SECONDS = Settings.model_fields["aging_seconds"].default


@dataclass(frozen=True)
class OverheadPlan:
    """How many batches of how many companies; the first ``warmup`` batches are run but not counted."""

    batches: int
    companies: int
    warmup: int = 1


FULL_PLAN = OverheadPlan(batches=10, companies=100)
QUICK_PLAN = OverheadPlan(batches=2, companies=20)


class InstantExtractor:
    """Answers every company at once with a tiny profile, so only the scheduler's own work is timed."""

    async def extract(self, request: ExtractionRequest) -> Profile:
        return {"company_name": request.company_name, "domain": "instant.example"}

    async def aclose(self) -> None:
        return None


async def run_batch_to_end(scheduler: BatchScheduler, spec: BatchSpec) -> float:
    """Submit ``spec`` and wait for its final status; returns the wall seconds in between."""
    started = time.perf_counter()
    submitted = await scheduler.submit(spec)
    async for event in await scheduler.watch(submitted.batch.batch_id):
        if event.batch.status.is_final:
            break
    return time.perf_counter() - started


async def measure_scheduling_overhead(plan: OverheadPlan) -> Row:
    """Median milliseconds per company over ``plan.batches`` batches, one process on SQLite."""
    with tempfile.TemporaryDirectory(prefix="bench-sched-") as tmp:
        per_company_ms = await _per_company_ms(
            f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            lambda store: BatchScheduler(
                store, InstantExtractor(), workers=WORKERS, aging_seconds=AGING_SECONDS
            ),
            plan,
        )
    return _row(
        plan,
        per_company_ms,
        key="scheduling_overhead",
        title="Scheduling overhead incl. SQLite persistence",
        scheduler="BatchScheduler (in-memory queue), SQLite file",
    )


async def measure_replica_scheduling_overhead(plan: OverheadPlan, server_url: str | None = None) -> Row:
    """Median milliseconds per company over ``plan.batches`` batches, one replica on PostgreSQL."""
    async with scratch_schema(server_url or postgres_test_url()) as url:
        per_company_ms = await _per_company_ms(
            url,
            lambda store: ReplicaScheduler(
                store, InstantExtractor(), replica_id="bench", workers=WORKERS, aging_seconds=AGING_SECONDS
            ),
            plan,
        )
    return _row(
        plan,
        per_company_ms,
        key="scheduling_overhead_replica",
        title="Scheduling overhead incl. PostgreSQL persistence, replica scheduler",
        scheduler="ReplicaScheduler (leases in the store), PostgreSQL, one replica",
    )


async def _per_company_ms(
    store_url: str, scheduler_on: Callable[[BatchStore], BatchScheduler], plan: OverheadPlan
) -> list[float]:
    """Each counted batch's milliseconds per company, ``scheduler_on`` the store at ``store_url``."""
    names = tuple(f"Instant Company {index:03d}" for index in range(plan.companies))
    spec = BatchSpec(names, BatchOptions(max_concurrent=MAX_CONCURRENT))
    per_company_ms: list[float] = []
    store = await open_store(store_url)
    scheduler = scheduler_on(store)
    try:
        await scheduler.start()
        for index in range(plan.warmup + plan.batches):
            seconds = await run_batch_to_end(scheduler, spec)
            if index >= plan.warmup:
                per_company_ms.append(seconds * 1000.0 / plan.companies)
    finally:
        await scheduler.stop()
        await store.close()
    return per_company_ms


def _row(plan: OverheadPlan, per_company_ms: list[float], *, key: str, title: str, scheduler: str) -> Row:
    return Row(
        key=key,
        title=title,
        measured=statistics.median(per_company_ms),
        target=TARGET_MS_PER_COMPANY,
        unit="ms/company",
        details={
            "scheduler": scheduler,
            "batches": plan.batches,
            "warmup_batches": plan.warmup,
            "companies_per_batch": plan.companies,
            "workers": WORKERS,
            "max_concurrent": MAX_CONCURRENT,
            "per_batch_ms_per_company": per_company_ms,
        },
        notes=(
            f"{scheduler}: {plan.batches} batches x {plan.companies} companies (after {plan.warmup} "
            f"warm-up), workers={WORKERS}, max_concurrent={MAX_CONCURRENT}, instant extractor; "
            "submit -> final status via watch(), median over batches",
        ),
    )
