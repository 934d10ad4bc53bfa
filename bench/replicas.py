"""Companies per second with two replicas versus one, on one PostgreSQL database (target: at least 1.4x).

Each replica is a real server process (``python -m bench.replicas serve``: the service as ``python -m
server`` runs it, with an extractor that answers at once), so two replicas use two cores the way two
deployments would. The batches are written straight into the database (the API's submit path is not
what is measured), all at once after the replicas serve; the clock runs from that write until every
batch is final. The same work runs with one replica, then with two, each on a fresh schema.

Where the time goes: the CPU seconds of every replica process and of every PostgreSQL process (the
backends the pools open during the run included) per company, this process's own (writing batches,
polling for the end), and how many of the machine's cores were busy. With an instant extractor a
replica spends its CPU on claiming, recording and notifying (the scheduling path); PostgreSQL on the
claim and result statements. On a 2-core machine PostgreSQL shares the cores being measured: when one
replica plus the database already keep more than a core busy, a second replica can add only the rest.

The row's figure is the two-replica run time over the one-replica run time (below 1/1.4 meets the
1.4x target). Run alone: ``python -m bench.replicas [--batches N]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import click
import psutil

from bench.figures import Row
from server.domain import BatchOptions, ExtractionRequest, Profile
from server.storage.base import NewBatch, NewCompany
from server.storage.postgres import PostgresBatchStore
from server.storage.scratch import postgres_test_url, scratch_schema
from server.testing import ServerProcess, server_process

TARGET_SPEEDUP = 1.4
COMPANIES_PER_BATCH = 100
BATCH_MAX_CONCURRENT = 20
WORKERS_PER_REPLICA = 16
RUN_TIMEOUT_SECONDS = 300.0
POLL_SECONDS = 0.01
BUSY_MACHINE = 0.85
"""A run keeping more than this share of the machine's cores busy is bound by CPU, not by waiting."""


@dataclass(frozen=True)
class ReplicaPlan:
    """``batches`` of 100 companies, run ``rounds`` times with one replica and with two (alternating)."""

    batches: int
    rounds: int = 1


FULL_PLAN = ReplicaPlan(batches=60, rounds=3)
QUICK_PLAN = ReplicaPlan(batches=3, rounds=1)


class InstantExtractor:
    """Answers every company at once: the run measures scheduling and storage, not extraction."""

    async def extract(self, request: ExtractionRequest) -> Profile:
        return {"company_name": request.company_name, "domain": "example.com", "confidence": 1.0}

    async def aclose(self) -> None:
        return None


@dataclass(frozen=True)
class RunFigures:
    replicas: int
    companies: int
    seconds: float
    replica_cpu_seconds: float
    postgres_cpu_seconds: float
    bench_cpu_seconds: float  # this process: writing the batches, polling for the end
    machine_busy_seconds: float  # every process on the machine, summed over the cores

    @property
    def per_second(self) -> float:
        return self.companies / self.seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "replicas": self.replicas,
            "companies": self.companies,
            "seconds": round(self.seconds, 3),
            "companies_per_second": round(self.per_second, 1),
            "replica_cpu_ms_per_company": round(self.replica_cpu_seconds * 1000 / self.companies, 3),
            "postgres_cpu_ms_per_company": round(self.postgres_cpu_seconds * 1000 / self.companies, 3),
            "replica_cpu_utilisation": round(self.replica_cpu_seconds / (self.seconds * self.replicas), 2),
            "bench_cpu_ms_per_company": round(self.bench_cpu_seconds * 1000 / self.companies, 3),
            "machine_busy_cores": round(self.machine_busy_seconds / self.seconds, 2),
        }


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL process now, by pid (backends come and go during a run)."""
    found: dict[int, float] = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if process.info["name"] in ("postgres", "postgresql") and times is not None:
            found[process.pid] = times.user + times.system
    return found


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += times.user + times.system
    return total


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle, summed over its cores."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


async def _write_batches(store: PostgresBatchStore, batches: int) -> None:
    now = datetime.now(UTC)
    options = BatchOptions(max_concurrent=BATCH_MAX_CONCURRENT)
    for i in range(batches):
        companies = tuple(NewCompany(f"Company {i}-{p}") for p in range(COMPANIES_PER_BATCH))
        await store.create_batch(NewBatch(f"bench_{i:04d}", options, companies, now))


async def _wait_all_final(url: str) -> None:
    """Poll until every batch is final (not NOTIFY: the figure must not depend on it).

    One cheap count per poll: the store's ``unfinished_batches`` also counts every company of every
    live batch, which at 20 polls a second took a noticeable share of the CPU being measured.
    """
    conn = await asyncpg.connect(url)
    try:
        async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
            while await conn.fetchval(  # noqa: ASYNC110 (the work is another process's)
                "SELECT count(*) FROM batches WHERE status NOT IN ('completed', 'failed', 'cancelled')"
            ):
                await asyncio.sleep(POLL_SECONDS)
    finally:
        await conn.close()


async def run_with(replicas: int, plan: ReplicaPlan, server_url: str) -> RunFigures:
    """The plan's batches through ``replicas`` replica processes on a fresh schema."""
    async with scratch_schema(server_url) as url, AsyncExitStack() as stack:
        # The replicas' logs live as long as the run: nothing is left behind in /tmp.
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-replicas-")))
        store = PostgresBatchStore(url)
        await store.open()
        stack.push_async_callback(store.close)
        servers: list[ServerProcess] = []
        for index in range(replicas):
            settings = {
                "database_url": url,
                "replica_id": f"bench-{index}",
                "workers": WORKERS_PER_REPLICA,
                "cache_ttl_seconds": 0,
                "log_level": "WARNING",
            }
            servers.append(
                await stack.enter_async_context(instant_server(settings, workdir / f"replica-{index}.log"))
            )
        processes = [psutil.Process(server.process.pid) for server in servers]
        cpu_before, db_before = _cpu_seconds(processes), _postgres_cpu()
        machine_before, bench_before = _machine_busy_seconds(), time.process_time()
        started = time.perf_counter()
        await _write_batches(store, plan.batches)
        await _wait_all_final(url)
        seconds = time.perf_counter() - started
        bench = time.process_time() - bench_before
        machine = _machine_busy_seconds() - machine_before
        cpu = _cpu_seconds(processes) - cpu_before
        db = sum(used - db_before.get(pid, 0.0) for pid, used in _postgres_cpu().items())
    companies = plan.batches * COMPANIES_PER_BATCH
    return RunFigures(replicas, companies, seconds, cpu, db, bench, machine)


@asynccontextmanager
async def instant_server(settings: dict[str, Any], log_path: Path) -> AsyncIterator[ServerProcess]:
    """``server_process``, but running ``python -m bench.replicas serve`` (the instant extractor)."""
    async with server_process(settings, log_path, module="bench.replicas", args=("serve",)) as server:
        yield server


async def measure_replica_speedup(plan: ReplicaPlan, server_url: str | None = None) -> Row:
    """One replica, then two, on the same work (``rounds`` times, alternating); medians compared."""
    url = server_url or postgres_test_url()
    ones, twos = [], []
    for _ in range(plan.rounds):
        ones.append(await run_with(1, plan, url))
        twos.append(await run_with(2, plan, url))
    one = sorted(ones, key=lambda run: run.seconds)[len(ones) // 2]
    two = sorted(twos, key=lambda run: run.seconds)[len(twos) // 2]
    speedup = two.per_second / one.per_second
    bottleneck = _bottleneck(one, two)
    return Row(
        key="replicas_speedup",
        title=f"Two replicas vs one, {one.companies} instant companies (time ratio; 1/1.4 = 1.4x)",
        measured=two.seconds / one.seconds,
        target=1 / TARGET_SPEEDUP,
        unit="x",
        details={
            "speedup": round(speedup, 2),
            "one_replica": one.to_json(),
            "two_replicas": two.to_json(),
            "rounds_seconds_one": [round(run.seconds, 3) for run in ones],
            "rounds_seconds_two": [round(run.seconds, 3) for run in twos],
            "nproc": os.cpu_count(),
            "ceiling_speedup": round(_ceiling(one), 2),
            "bottleneck": bottleneck,
        },
        notes=(
            "each replica is its own server process with an extractor that answers at once",
            "cpu figures: user+system seconds over the run of the replica processes and of every "
            "PostgreSQL process (backends opened during the run included); machine_busy_cores: all "
            "processes on the machine",
        ),
    )


def _bottleneck(one: RunFigures, two: RunFigures) -> str:
    """Where the time went: the machine's CPU (and whose share is largest), or waiting."""
    cores = os.cpu_count() or 1

    def figures(run: RunFigures) -> str:
        replica_ms = run.replica_cpu_seconds * 1000 / run.companies
        database_ms = run.postgres_cpu_seconds * 1000 / run.companies
        utilisation = run.replica_cpu_seconds / (run.seconds * run.replicas)
        busy = run.machine_busy_seconds / run.seconds
        return (
            f"{run.replicas} replica(s): machine {busy:.2f} of {cores} cores busy; per company "
            f"replicas {replica_ms:.2f} ms CPU ({utilisation:.0%} of a core each), "
            f"PostgreSQL {database_ms:.2f} ms CPU"
        )

    saturated = two.machine_busy_seconds / two.seconds >= BUSY_MACHINE * cores
    if not saturated:
        verdict = "waiting, not CPU: the replicas wait on database round trips"
    elif two.postgres_cpu_seconds > two.replica_cpu_seconds:
        verdict = (
            "the machine's CPU, PostgreSQL's share first: it shares the cores with the replicas, so "
            "one replica already uses more than one core of the two"
        )
    else:
        verdict = "the machine's CPU, the replicas' share first (their claim and record path)"
    ceiling = (
        f"at most {_ceiling(one):.2f}x is possible here: one replica with the database already keeps "
        f"{one.machine_busy_seconds / one.seconds:.2f} of {cores} cores busy"
    )
    return f"{verdict}; {ceiling}. {figures(one)}. {figures(two)}"


def _ceiling(one: RunFigures) -> float:
    """The most a second replica can add when the one-replica run already keeps this many cores busy."""
    return (os.cpu_count() or 1) / (one.machine_busy_seconds / one.seconds)


async def _serve() -> None:
    """The service (as ``python -m server`` runs it) with ``InstantExtractor``; stops on SIGTERM."""
    from server.app import running_service
    from server.settings import Settings

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_service(Settings(), InstantExtractor()):
        await stop.wait()


@click.group(invoke_without_command=True)
@click.option("--batches", type=int, default=FULL_PLAN.batches, show_default=True)
@click.option("--rounds", type=int, default=FULL_PLAN.rounds, show_default=True)
@click.pass_context
def main(context: click.Context, batches: int, rounds: int) -> None:
    """Print the figure as JSON (or, with ``serve``, run one instant replica)."""
    if context.invoked_subcommand is None:
        row = asyncio.run(measure_replica_speedup(ReplicaPlan(batches, rounds)))
        click.echo(json.dumps(row.to_json(), indent=2))


@main.command()
def serve() -> None:
    """Run one replica with the instant extractor (settings from ``COMPANY_BATCH_*``)."""
    asyncio.run(_serve())


if __name__ == "__main__":
    sys.exit(main())
