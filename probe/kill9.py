"""kill -9 a real server at many points of a batch's life, on SQLite and on PostgreSQL: nothing lost or twice.

Each drill starts ``python -m server`` (the web extractor against the sandbox web, with latency so the
batch is still running when the kill comes), submits one batch with a ``request_id``, sends SIGKILL at
its point, starts the server again on the same database and, like a client that never heard back,
submits the same request again. Then it waits for the batch's end and checks that:

- the retried submit found the one batch (no second batch for one request);
- every company is in the results exactly once, and the batch's counts add up to its size;
- every result recorded before the kill is still there, unchanged (not lost, not run again).

Points: in flight with the submit itself, just after the submit returned, after the first company
started, after 1, 3, ... results, and with one company left. PostgreSQL runs the replica scheduler, so a
restarted server first waits for the dead one's leases to expire (``lease_seconds``).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client.async_client import BatchClient
from company_protos.company.v1 import batch_service_pb2, enums_pb2
from probe.base import ProbeRow
from sandbox.web import SandboxWeb
from server.storage.scratch import postgres_test_url, scratch_schema
from server.testing import REPO_ROOT, server_process

CORPUS_DIR = REPO_ROOT / "sandbox" / "corpus"
SANDBOX_LATENCY_SECONDS = 0.15
WAIT_LIMIT_SECONDS = 90.0
FINAL = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}
Results = dict[str, batch_service_pb2.CompanyResult]


@dataclass(frozen=True)
class KillPoint:
    """When to kill: ``results`` finished companies seen (None: no wait for results) or a submit stage."""

    name: str
    stage: str  # "submit" (in flight), "submitted", "started", "results"
    results: int = 0


def _points(companies: int, quick: bool) -> list[KillPoint]:
    if quick:
        return [KillPoint("after 1 result", "results", 1)]
    points = [
        KillPoint("during the submit", "submit"),
        KillPoint("just after the submit", "submitted"),
        KillPoint("after the first start", "started"),
    ]
    points += [KillPoint(f"after {n} results", "results", n) for n in range(1, companies - 1, 2)]
    points.append(KillPoint("with one company left", "results", companies - 1))
    return points


def _batch(count: int) -> tuple[list[str], dict[str, str]]:
    truth = json.loads((CORPUS_DIR / "truth.json").read_text())
    names = [company["name"] for company in truth["companies"][:count]]
    hints = json.loads((CORPUS_DIR / "demo_batch.json").read_text()).get("domain_hints", {})
    return names, {name: domain for name, domain in hints.items() if name in names}


async def run(quick: bool) -> list[ProbeRow]:
    """One row per backend: drills tried and drills after which nothing was lost or duplicated."""
    companies = 4 if quick else 10
    rows = []
    async with SandboxWeb(CORPUS_DIR, latency=SANDBOX_LATENCY_SECONDS) as web:
        for backend in ("sqlite", "postgres"):
            row = ProbeRow(f"kill9 {backend}: nothing lost or twice")
            for point in _points(companies, quick):
                async with _database(backend) as database_url:
                    problem = await _drill(web, database_url, point, companies)
                row.record(problem == "", f"{point.name}: {problem}")
            rows.append(row)
    return rows


@asynccontextmanager
async def _database(backend: str) -> AsyncIterator[str]:
    if backend == "postgres":
        async with scratch_schema(postgres_test_url()) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="probe-kill9-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'store.sqlite3'}"


def _settings(web: SandboxWeb, database_url: str) -> dict[str, Any]:
    return {
        **web.settings_overrides(),
        "database_url": database_url,
        "cache_ttl_seconds": 0,  # a rerun company is extracted again, not answered from the cache
        "workers": 4,
        "lease_seconds": 2.0,
        "heartbeat_seconds": 0.5,
        "shutdown_grace_seconds": 1.0,
        "log_format": "text",
    }


async def _results(client: BatchClient, batch_id: str) -> tuple[Results, str]:
    """The batch's results by name, and a description of any company listed twice."""
    results = (await client.results(batch_id, include_failed=True)).results
    names = [r.company_name for r in results]
    twice = sorted({n for n in names if names.count(n) > 1})
    return {r.company_name: r for r in results}, (f"listed twice: {twice}" if twice else "")


async def _until(client: BatchClient, batch_id: str, done: Callable[[batch_service_pb2.Batch], bool]) -> None:
    async with asyncio.timeout(WAIT_LIMIT_SECONDS):
        async for event in client.watch(batch_id):
            if done(event.batch):
                return


async def _drill(web: SandboxWeb, database_url: str, point: KillPoint, companies: int) -> str:
    """One kill and restart; '' when everything held, else what did not."""
    names, hints = _batch(companies)
    request_id = f"kill9-{point.stage}-{point.results}"
    settings = _settings(web, database_url)
    with tempfile.TemporaryDirectory(prefix="probe-kill9-log-") as tmp:
        log = Path(tmp) / "server.log"

        async def submit(client: BatchClient) -> batch_service_pb2.SubmitBatchData:
            return await client.submit(
                names,
                domain_hints=hints,
                max_concurrent=3,
                include_failed_results=True,
                request_id=request_id,
            )

        before: Results = {}
        async with server_process(settings, log) as first, BatchClient(first.grpc_target) as client:
            if point.stage == "submit":
                in_flight = asyncio.create_task(submit(client))
                await asyncio.sleep(0.005)
                first.kill()
                await asyncio.gather(in_flight, return_exceptions=True)
            else:
                batch_id = (await submit(client)).batch_id
                if point.stage == "started":
                    await _until(client, batch_id, lambda b: b.progress.in_progress > 0 or b.status in FINAL)
                elif point.stage == "results":
                    await _until(
                        client,
                        batch_id,
                        lambda b: (
                            b.progress.completed + b.progress.failed >= point.results or b.status in FINAL
                        ),
                    )
                    before, twice = await _results(client, batch_id)
                    if twice:
                        return twice
                first.kill()
            await first.process.wait()

        async with server_process(settings, log) as second, BatchClient(second.grpc_target) as client:
            retried = await submit(client)
            batch_id = retried.batch_id
            listed = (await client.list(page_size=100)).batches
            if len(listed) > 1:
                return f"{len(listed)} batches for one request_id"
            if point.stage != "submit" and not retried.idempotent_replay:
                return "the retried submit created a second batch"
            await _until(client, batch_id, lambda b: b.status in FINAL)
            after, twice = await _results(client, batch_id)
            final = await client.get(batch_id)
    if twice:
        return twice
    if sorted(after) != sorted(names):
        return f"results for {sorted(after)} instead of every company"
    if final.progress.completed + final.progress.failed != companies:
        return f"counts add up to {final.progress.completed + final.progress.failed}, not {companies}"
    changed = [name for name, result in before.items() if after.get(name) != result]
    if changed:
        return f"results recorded before the kill changed or vanished: {changed}"
    return ""
