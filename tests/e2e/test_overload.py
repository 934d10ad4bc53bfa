"""A full queue refuses new work with 429 (REST) / RESOURCE_EXHAUSTED (gRPC) and creates nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import httpx

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from server.testing import ScriptedExtractor, running_envoy, running_service

SUBMIT = "/api/v1/company/batch/submit"


async def test_submits_beyond_the_queue_capacity_get_429_and_replays_still_succeed(tmp_path: Path) -> None:
    extractor = ScriptedExtractor(delay=3600.0)
    async with running_service(tmp_path, extractor, workers=1, max_queued_companies=2) as service:
        async with running_envoy([service.grpc_port]) as envoy, httpx.AsyncClient(base_url=envoy.url) as http:
            running = await http.post(SUBMIT, json={"company_names": ["Busy"]})
            assert running.status_code == 202
            for _ in range(200):  # until the one worker has taken it
                if service.scheduler.workers_busy == 1:
                    break
                await asyncio.sleep(0.01)
            queued = await http.post(SUBMIT, json={"company_names": ["A", "B"], "request_id": "crm-1"})
            assert queued.status_code == 202

            refused = await http.post(SUBMIT, json={"company_names": ["C"]})
            assert refused.status_code == 429
            body = refused.json()
            assert body["success"] is False
            assert body["error"]["type"] == "RateLimited"
            assert body["error"]["code"] == "RESOURCE_EXHAUSTED"

            replay = await http.post(SUBMIT, json={"company_names": ["A", "B"], "request_id": "crm-1"})
            assert replay.status_code == 202
            assert replay.json()["data"]["batch_id"] == queued.json()["data"]["batch_id"]

            listed = (await http.get("/api/v1/company/batches")).json()["data"]["batches"]
            assert len(listed) == 2, "the refused submit created a batch"

        async with grpc.aio.insecure_channel(service.grpc_target) as channel:
            with_grpc = pb_grpc.BatchServiceStub(channel)
            try:
                await with_grpc.SubmitBatch(pb.SubmitBatchRequest(company_names=["D"]))
            except grpc.aio.AioRpcError as error:
                assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            else:
                raise AssertionError("a full queue accepted more work")
