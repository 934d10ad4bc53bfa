"""Clients that give up mid-submit: deadlines of 0.5-20 ms never break the store or strand a batch."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest_asyncio

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.app import Service
from server.testing import ScriptedExtractor, running_service

DEADLINES_MS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
SUBMITS = 320
"""On the old store the first write that failed with "cannot start a transaction within a transaction"
came after 90-180 such submits; this is well past that."""
WAVE = 16
"""Submits in flight at once, so some are cancelled while they wait for the store's lock."""
FINAL = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}


@pytest_asyncio.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    extractor = ScriptedExtractor(profiles={f"Co{i}": {"domain": f"co{i}.example"} for i in range(4)})
    async with running_service(tmp_path, extractor) as running:
        yield running


def submit_request(index: int) -> pb.SubmitBatchRequest:
    names = [f"Co{(index + j) % 4}" for j in range(1 + index % 3)]
    return pb.SubmitBatchRequest(company_names=names, request_id=f"hostile-{index}")


async def final_status(stub: pb_grpc.BatchServiceStub, batch_id: str) -> int:
    """The status the batch's watch stream ends with (a batch not live in the server: its snapshot)."""
    last = enums_pb2.batch_status_unspecified
    async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id)):
        last = event.batch.status
    return last


async def all_batch_ids(stub: pb_grpc.BatchServiceStub) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = await stub.ListBatches(pb.ListBatchesRequest(page_size=100, page_token=token))
        ids += [batch.batch_id for batch in page.data.batches]
        token = page.data.next_page_token
        if not token:
            return ids


async def test_submits_cut_off_by_deadlines_leave_the_server_accepting_and_completing(
    service: Service,
) -> None:
    deadlines = itertools.cycle(DEADLINES_MS)
    codes: dict[grpc.StatusCode, int] = {}
    async with grpc.aio.insecure_channel(service.grpc_target) as channel:
        stub = pb_grpc.BatchServiceStub(channel)

        async def hostile(index: int) -> None:
            try:
                await stub.SubmitBatch(submit_request(index), timeout=next(deadlines) / 1000)
                code = grpc.StatusCode.OK
            except grpc.aio.AioRpcError as error:
                code = error.code()
            codes[code] = codes.get(code, 0) + 1

        for start in range(0, SUBMITS, WAVE):
            await asyncio.gather(*(hostile(i) for i in range(start, start + WAVE)))
        # Only the client's own deadline may end a submit: never a store error (UNAVAILABLE, UNKNOWN).
        assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.DEADLINE_EXCEEDED}, codes
        assert codes.get(grpc.StatusCode.DEADLINE_EXCEEDED, 0) > 0, "no submit was cut off: the test is void"

        accepted = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Co0", "Co1"]))
        assert await final_status(stub, accepted.data.batch_id) == enums_pb2.completed

        # Every batch a cut-off submit wrote runs to its end: none is left queued and never scheduled.
        ids = await all_batch_ids(stub)
        statuses = await asyncio.gather(*(final_status(stub, batch_id) for batch_id in ids))
        stranded = [b for b, s in zip(ids, statuses, strict=True) if s not in FINAL]
        assert stranded == []

        # A client's retry with the same request id finds its batch, whatever the first try saw.
        again = await stub.SubmitBatch(submit_request(0))
        assert again.data.batch_id in ids or not again.data.idempotent_replay
