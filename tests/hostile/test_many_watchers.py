"""Many watchers on one batch: every one of them, gRPC or server-sent events, gets the final status."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import grpc
import httpx

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.testing import ScriptedExtractor, running_envoy, running_service

GRPC_WATCHERS = 150
SSE_WATCHERS = 50
COMPANIES = 30
PROFILE = {
    "industry": "Industrial Robotics",
    "description": "A profile of some size, as every company result in the events carries one.",
    "contacts": {"phones": [{"number": "+4930123456"}], "emails": [{"address": "info@example.com"}]},
    "headquarters": {"city": "Berlin", "country": "Germany"},
}


async def grpc_watch(
    stub: pb_grpc.BatchServiceStub, batch_id: str, connected: asyncio.Queue[None]
) -> list[str]:
    statuses = []
    async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id)):
        if not statuses:
            connected.put_nowait(None)
        statuses.append(enums_pb2.BatchStatus.Name(event.batch.status))
    return statuses


async def sse_watch(http: httpx.AsyncClient, url: str, connected: asyncio.Queue[None]) -> list[str]:
    statuses = []
    async with http.stream("GET", url) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                if not statuses:
                    connected.put_nowait(None)
                statuses.append(json.loads(line.removeprefix("data: "))["batch"]["status"])
    return statuses


async def test_every_watcher_of_a_watched_batch_gets_its_final_status(tmp_path: Path) -> None:
    names = [f"Company {i}" for i in range(COMPANIES)]
    extractor = ScriptedExtractor(profiles=dict.fromkeys(names, PROFILE), delay=0.005)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with (
        running_service(tmp_path, extractor, workers=8) as service,
        running_envoy([service.grpc_port]) as envoy,
        grpc.aio.insecure_channel(service.grpc_target) as channel,
        httpx.AsyncClient(limits=limits, timeout=60.0) as http,
    ):
        stub = pb_grpc.BatchServiceStub(channel)
        batch_id = (await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=names))).data.batch_id
        await stub.PauseBatch(pb.PauseBatchRequest(batch_id=batch_id))
        connected: asyncio.Queue[None] = asyncio.Queue()
        url = f"{envoy.url}/api/v1/company/batch/{batch_id}/watch"
        watches = [asyncio.create_task(grpc_watch(stub, batch_id, connected)) for _ in range(GRPC_WATCHERS)]
        watches += [asyncio.create_task(sse_watch(http, url, connected)) for _ in range(SSE_WATCHERS)]
        for _ in range(GRPC_WATCHERS + SSE_WATCHERS):
            await connected.get()  # every watcher has its snapshot: each one sees the whole batch
        await stub.ResumeBatch(pb.ResumeBatchRequest(batch_id=batch_id))
        seen = await asyncio.gather(*watches)
    assert [statuses[-1] for statuses in seen] == ["completed"] * (GRPC_WATCHERS + SSE_WATCHERS)
    assert all(statuses[0] == "paused" for statuses in seen)
