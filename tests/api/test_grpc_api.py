"""Native gRPC behaviour of the service: rich error details, health, reflection, shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.app import Service
from server.testing import REPO_ROOT, ScriptedExtractor, free_port, running_service

GRPCURL = Path(sys.executable).parent / "grpcurl"


@pytest_asyncio.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    extractor = ScriptedExtractor(profiles={"Acme": {"domain": "acme.example"}}, delays={"Slow": 3600.0})
    async with running_service(tmp_path, extractor) as running:
        yield running


@pytest_asyncio.fixture
async def stub(service: Service) -> AsyncIterator[pb_grpc.BatchServiceStub]:
    async with grpc.aio.insecure_channel(service.grpc_target) as channel:
        yield pb_grpc.BatchServiceStub(channel)


def rich_details(error: grpc.aio.AioRpcError) -> tuple[error_details_pb2.ErrorInfo, list[tuple[str, str]]]:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(raw)
    info = error_details_pb2.ErrorInfo()
    violations: list[tuple[str, str]] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = [(v.field, v.description) for v in bad.field_violations]
    return info, violations


async def test_invalid_submit_is_invalid_argument_with_field_violations(
    stub: pb_grpc.BatchServiceStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Acme"], priority=9, timeout_seconds=1))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    error_info, violations = rich_details(info.value)
    assert error_info.reason == "INVALID_REQUEST"
    assert {field for field, _ in violations} == {"timeout_seconds", "priority"}
    listed = await stub.ListBatches(pb.ListBatchesRequest())
    assert list(listed.data.batches) == []


async def test_unknown_batch_is_not_found_with_its_id(stub: pb_grpc.BatchServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetBatch(pb.GetBatchRequest(batch_id="batch_20240115_abc123"))
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    error_info, _ = rich_details(info.value)
    assert error_info.metadata["batch_id"] == "batch_20240115_abc123"


async def test_watch_of_an_unknown_batch_fails_before_streaming(stub: pb_grpc.BatchServiceStub) -> None:
    call = stub.WatchBatch(pb.WatchBatchRequest(batch_id="batch_20240115_zzz999"))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in call:
            pass
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


async def test_cancel_of_a_finished_batch_is_failed_precondition(stub: pb_grpc.BatchServiceStub) -> None:
    submitted = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Acme"]))
    async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=submitted.data.batch_id)):
        last = event
    assert last.batch.status == enums_pb2.completed
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CancelBatch(pb.CancelBatchRequest(batch_id=submitted.data.batch_id))
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION


async def test_responses_carry_a_trace_id_in_the_contract_style(stub: pb_grpc.BatchServiceStub) -> None:
    submitted = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Acme"]))
    assert submitted.metadata.trace_id.startswith("batch_submit_")
    status = await stub.GetBatch(pb.GetBatchRequest(batch_id=submitted.data.batch_id))
    assert status.metadata.trace_id.startswith("batch_status_")
    assert status.metadata.trace_id != submitted.metadata.trace_id


async def test_health_reports_serving_then_not_serving_on_shutdown(tmp_path: Path) -> None:
    extractor = ScriptedExtractor(delays={"Slow": 3600.0})
    async with running_service(tmp_path, extractor, shutdown_grace_seconds=0.2) as service:
        async with grpc.aio.insecure_channel(service.grpc_target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service="company.v1.BatchService")
            assert (await health.Check(request)).status == health_pb2.HealthCheckResponse.SERVING
            stub = pb_grpc.BatchServiceStub(channel)
            batch = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Slow"]))
            watch = health.Watch(request)
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
            shutdown = asyncio.create_task(service.shutdown())
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Acme"]))
            assert info.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
            await shutdown
    # The slow company was re-queued, not failed: a restart on the same data continues it.
    async with running_service(tmp_path, ScriptedExtractor(profiles={"Slow": {}})) as service:
        async with grpc.aio.insecure_channel(service.grpc_target) as channel:
            stub = pb_grpc.BatchServiceStub(channel)
            async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch.data.batch_id)):
                last = event
            assert last.batch.status == enums_pb2.completed
            assert last.batch.progress.completed == 1


def test_sigterm_drains_and_exits_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "COMPANY_BATCH_GRPC_PORT": str(port),
        "COMPANY_BATCH_DATA_DIR": str(tmp_path),
        "COMPANY_BATCH_SHUTDOWN_GRACE_SECONDS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "listening" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    events = [json.loads(line)["msg"] for line in stderr.splitlines() if line.startswith("{")]
    assert "shutting down" in events


async def test_grpcurl_lists_and_calls_services_through_reflection(service: Service) -> None:
    listed = await _run(str(GRPCURL), "-plaintext", service.grpc_target, "list")
    assert "company.v1.BatchService" in listed
    assert "company.v1.ExtractionService" in listed
    out = await _run(
        str(GRPCURL),
        "-plaintext",
        "-d",
        '{"company_names": ["Acme"], "priority": "high"}',
        service.grpc_target,
        "company.v1.BatchService/SubmitBatch",
    )
    body = json.loads(out)
    assert body["data"]["priority"] == "high"
    assert body["data"]["batch_id"].startswith("batch_")


async def _run(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()
