"""Two real replicas run one batch against knowledge hosts that refuse more concurrent requests than
their published limits: politeness shared through PostgreSQL (or Redis) keeps both within them."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from replica_corpus import CORPUS, corpus_batch

from client.async_client import BatchClient
from company_protos.company.v1 import enums_pb2
from sandbox.web import SandboxWeb
from server.storage.testing import POSTGRES
from server.testing import server_process

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param(POSTGRES, marks=pytest.mark.postgres, id=POSTGRES)], indirect=True
)

SANDBOX_LATENCY_SECONDS = 0.1
COMPANIES = 12
WAIT_LIMIT_SECONDS = 90.0
REDIS_URL = os.environ.get("COMPANY_BATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# What each shared host allows at once: Wikimedia's serial requests, the default two elsewhere.
HOST_LIMITS = {
    "www.wikidata.org": 1,
    "en.wikipedia.org": 1,
    "www.sec.gov": 2,
    "data.sec.gov": 2,
    "api.gleif.org": 2,
}


@pytest.mark.parametrize("through", ["postgres", "redis"])
async def test_two_replicas_stay_within_each_hosts_limit_together(
    database_url: str, tmp_path: Path, through: str
) -> None:
    names, hints = corpus_batch(COMPANIES)
    shared: dict[str, Any] = (
        {
            "politeness_backend": "redis",
            "redis_url": REDIS_URL,
            "redis_key_prefix": f"test:{secrets.token_hex(6)}:",
        }
        if through == "redis"
        else {}  # replicas on a PostgreSQL queue share politeness through it by default
    )
    async with SandboxWeb(CORPUS, latency=SANDBOX_LATENCY_SECONDS, concurrency_limits=HOST_LIMITS) as web:
        settings = {
            **web.settings_overrides(),
            **shared,
            "database_url": database_url,
            "cache_ttl_seconds": 0,
            "workers": 4,
            "log_format": "text",
        }
        async with (
            server_process({**settings, "replica_id": "one"}, tmp_path / "one.log") as one,
            server_process({**settings, "replica_id": "two"}, tmp_path / "two.log"),
            BatchClient(one.grpc_target) as client,
        ):
            batch = await client.submit(names, domain_hints=hints, max_concurrent=COMPANIES)
            async with asyncio.timeout(WAIT_LIMIT_SECONDS):
                async for _ in client.watch(batch.batch_id):
                    pass
            final = await client.get(batch.batch_id)
    assert final.status == enums_pb2.completed
    assert final.progress.completed + final.progress.failed == COMPANIES
    assert sum(web.refused.values()) == 0, dict(web.refused)
    for host, limit in HOST_LIMITS.items():
        assert web.peak_in_flight[host] <= limit, host
    assert web.peak_in_flight["www.wikidata.org"] == 1  # the batch did reach the serial host
    servers = {host for host, _ in web.requests}
    assert {"www.wikidata.org", "www.sec.gov"} <= servers
