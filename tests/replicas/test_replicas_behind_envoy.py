"""Two replicas on one PostgreSQL schema behind a real Envoy; one is killed while a batch runs.

The REST client polls the batch's status through Envoy the whole time and must see one continuous,
correct story: every poll answered, counts never going backwards, every company finished exactly once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from replica_corpus import CORPUS, corpus_batch

from sandbox.web import SandboxWeb
from server.storage.testing import POSTGRES
from server.testing import REPLICAS_ENVOY_CONFIG, healthy_upstreams, running_envoy, server_process

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param(POSTGRES, marks=pytest.mark.postgres, id=POSTGRES)], indirect=True
)

SANDBOX_LATENCY_SECONDS = 0.15
COMPANIES = 12
FINISHED_BEFORE_KILL = 3
POLL_SECONDS = 0.1
WAIT_LIMIT_SECONDS = 60.0
FINAL = {"completed", "failed", "cancelled"}


def replica_settings(web: SandboxWeb, database_url: str, name: str) -> dict[str, Any]:
    return {
        **web.settings_overrides(),
        "database_url": database_url,
        "replica_id": name,
        "cache_ttl_seconds": 0,
        "workers": 3,
        "lease_seconds": 2.0,
        "heartbeat_seconds": 0.5,
        "shutdown_grace_seconds": 1.0,
        "log_format": "text",
    }


async def test_a_batch_completes_through_the_surviving_replica_with_a_continuous_progress_story(
    database_url: str, tmp_path: Path
) -> None:
    names, hints = corpus_batch(COMPANIES)
    async with (
        SandboxWeb(CORPUS, latency=SANDBOX_LATENCY_SECONDS) as web,
        server_process(replica_settings(web, database_url, "doomed"), tmp_path / "a.log") as doomed,
        server_process(replica_settings(web, database_url, "survivor"), tmp_path / "b.log") as survivor,
        running_envoy([doomed.grpc_port, survivor.grpc_port], REPLICAS_ENVOY_CONFIG, healthy=2) as envoy,
        httpx.AsyncClient(base_url=envoy.url, timeout=30) as http,
    ):
        submitted = await http.post(
            "/api/v1/company/batch/submit",
            json={"company_names": names, "domain_hints": hints, "max_concurrent": 6},
        )
        assert submitted.status_code == 202, submitted.text
        batch_id = submitted.json()["data"]["batch_id"]

        story: list[tuple[int, int, str]] = []
        killed_at: int | None = None
        async with asyncio.timeout(WAIT_LIMIT_SECONDS):
            while True:
                reply = await http.get(f"/api/v1/company/batch/{batch_id}/status")
                assert reply.status_code == 200, (
                    f"poll {len(story)} after the kill at {killed_at}: {reply.text}"
                )
                data = reply.json()["data"]
                progress = data["progress"]
                story.append((progress["completed"], progress["failed"], data["status"]))
                if data["status"] in FINAL:
                    break
                if killed_at is None and progress["completed"] + progress["failed"] >= FINISHED_BEFORE_KILL:
                    doomed.kill()  # between two polls: no request of this client is in flight
                    killed_at = len(story)
                await asyncio.sleep(POLL_SECONDS)
        results = (await http.get(f"/api/v1/company/batch/{batch_id}/results")).json()["data"]
        healthy_after = await healthy_upstreams(envoy)

    assert killed_at is not None, "the batch finished before the kill; raise the latency"
    assert killed_at < len(story) - 1, "no poll after the kill"
    done = [completed + failed for completed, failed, _ in story]
    assert done == sorted(done), f"progress went backwards: {done}"
    completed, failed, status = story[-1]
    assert status in ("completed", "failed")
    assert completed + failed == COMPANIES
    result_names = [r["company_name"] for r in results["results"]]
    assert len(result_names) == len(set(result_names)), "a company appears twice in the results"
    assert set(result_names) <= set(names)
    assert results["successful_extractions"] + results["failed_extractions"] == COMPANIES
    assert healthy_after == 1, "Envoy still counts the killed replica as healthy"
