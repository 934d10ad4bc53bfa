"""kill -9 a real server in the middle of a batch and start it again: nothing lost, nothing twice.

The subprocess runs the real web extractor against the sandbox web (with injected latency, so a batch
is still running when the kill comes). SQLite restarts re-queue what was running; PostgreSQL replicas
wait for the dead process's leases to expire (``lease_seconds``) and then run those companies again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from replica_corpus import CORPUS, corpus_batch

from client.async_client import BatchClient
from company_protos.company.v1 import batch_service_pb2, enums_pb2
from sandbox.web import SandboxWeb
from server.testing import server_process

SANDBOX_LATENCY_SECONDS = 0.15
"""Added to every sandbox response so one company takes a noticeable while to extract."""
COMPANIES = 10
RESULTS_BEFORE_KILL = 2
WAIT_LIMIT_SECONDS = 60.0


def replica_settings(web: SandboxWeb, database_url: str) -> dict[str, Any]:
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


async def results_by_name(client: BatchClient, batch_id: str) -> dict[str, batch_service_pb2.CompanyResult]:
    results = (await client.results(batch_id, include_failed=True)).results
    names = [r.company_name for r in results]
    assert len(names) == len(set(names)), f"a company appears twice in the results: {names}"
    return {r.company_name: r for r in results}


async def test_a_killed_server_restarted_finishes_the_batch_keeping_every_result_once(
    database_url: str, tmp_path: Path
) -> None:
    names, hints = corpus_batch(COMPANIES)
    log = tmp_path / "server.log"
    async with SandboxWeb(CORPUS, latency=SANDBOX_LATENCY_SECONDS) as web:
        settings = replica_settings(web, database_url)
        async with server_process(settings, log) as first, BatchClient(first.grpc_target) as client:
            submitted = await client.submit(
                names, domain_hints=hints, max_concurrent=3, include_failed_results=True
            )
            batch_id = submitted.batch_id
            async with asyncio.timeout(WAIT_LIMIT_SECONDS):
                async for event in client.watch(batch_id):
                    if event.batch.progress.completed + event.batch.progress.failed >= RESULTS_BEFORE_KILL:
                        break
            before = await results_by_name(client, batch_id)
            running = (await client.get(batch_id)).progress.in_progress
            first.kill()
            await first.process.wait()
        assert len(before) < COMPANIES, "the batch finished before the kill; raise the latency"
        assert running > 0, "nothing was running at the kill"

        async with server_process(settings, log) as second, BatchClient(second.grpc_target) as client:
            async with asyncio.timeout(WAIT_LIMIT_SECONDS):
                events = [event async for event in client.watch(batch_id)]
            after = await results_by_name(client, batch_id)
            final = await client.get(batch_id)

    snapshot = events[0]
    assert snapshot.event_type == batch_service_pb2.WatchBatchResponse.snapshot
    # The reconnecting watcher starts from the true state: at least what was recorded before the kill.
    assert snapshot.batch.progress.completed + snapshot.batch.progress.failed >= len(before)
    done = [e.batch.progress.completed + e.batch.progress.failed for e in events]
    assert done == sorted(done), "progress went backwards"
    assert final.status in (enums_pb2.completed, enums_pb2.failed)
    assert final.progress.completed + final.progress.failed == COMPANIES
    assert sorted(after) == sorted(names)
    for name, result in before.items():
        # Recorded before the kill: still there, unchanged (not re-extracted, not overwritten).
        assert after[name] == result, name
