"""Tests of error translation: real gRPC statuses with rich details, sent by a loopback server.

The server here is a minimal BatchService that only fails, so that each status is exactly known; the
happy paths run against the whole service in test_client.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import grpc.aio
import pytest
from click.testing import CliRunner
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from client import (
    BatchClient,
    BatchServiceError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    SyncBatchClient,
    Unavailable,
)
from client.cli import EXIT_SERVICE_ERROR, EXIT_UNAVAILABLE, main
from client.errors import FieldViolation, error_from_status
from company_protos.company.v1 import batch_service_pb2, batch_service_pb2_grpc

VIOLATIONS = [("company_names[1]", "must not be empty"), ("max_concurrent", "must be between 1 and 20")]


def _packed(*details: error_details_pb2.ErrorInfo | error_details_pb2.BadRequest) -> list[any_pb2.Any]:
    packed = []
    for detail in details:
        item = any_pb2.Any()
        item.Pack(detail)
        packed.append(item)
    return packed


def _status(
    code: int, message: str, reason: str, violations: list[tuple[str, str]] = ()
) -> status_pb2.Status:
    details: list[error_details_pb2.ErrorInfo | error_details_pb2.BadRequest] = [
        error_details_pb2.ErrorInfo(reason=reason, domain="company-batch", metadata={"batch_id": "b1"})
    ]
    if violations:
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations
                ]
            )
        )
    return status_pb2.Status(code=code, message=message, details=_packed(*details))


STATUSES = {
    "invalid": _status(code_pb2.INVALID_ARGUMENT, "invalid request", "INVALID_REQUEST", VIOLATIONS),
    "missing": _status(code_pb2.NOT_FOUND, "batch 'missing' not found", "BATCH_NOT_FOUND"),
    "finished": _status(code_pb2.FAILED_PRECONDITION, "cannot pause: completed", "INVALID_TRANSITION"),
    "draining": _status(code_pb2.UNAVAILABLE, "shutting down", "SERVICE_UNAVAILABLE"),
    "broken": _status(code_pb2.INTERNAL, "internal error", "INTERNAL"),
}


class FailingBatchService(batch_service_pb2_grpc.BatchServiceServicer):
    """Answers GetBatch and PauseBatch with the rich status named by the batch id."""

    async def GetBatch(
        self, request: batch_service_pb2.GetBatchRequest, context: grpc.aio.ServicerContext
    ) -> batch_service_pb2.GetBatchResponse:
        await self._fail(request.batch_id, context)
        raise AssertionError("abort returns only by raising")

    async def PauseBatch(
        self, request: batch_service_pb2.PauseBatchRequest, context: grpc.aio.ServicerContext
    ) -> batch_service_pb2.PauseBatchResponse:
        await self._fail(request.batch_id, context)
        raise AssertionError("abort returns only by raising")

    async def _fail(self, batch_id: str, context: grpc.aio.ServicerContext) -> None:
        if batch_id == "disagreeing":
            # A details trailer whose code contradicts the status, as a misbehaving proxy might send.
            trailer = STATUSES["missing"].SerializeToString()
            await context.abort(
                grpc.StatusCode.INTERNAL,
                "proxy error",
                trailing_metadata=(("grpc-status-details-bin", trailer),),
            )
        if batch_id == "plain":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no details here")
        await context.abort_with_status(rpc_status.to_status(STATUSES[batch_id]))


@pytest.fixture
async def target() -> AsyncIterator[str]:
    server = grpc.aio.server()
    batch_service_pb2_grpc.add_BatchServiceServicer_to_server(FailingBatchService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


@pytest.mark.parametrize(
    ("batch_id", "error_class", "reason"),
    [
        pytest.param("invalid", InvalidArgument, "INVALID_REQUEST", id="invalid-argument"),
        pytest.param("missing", NotFound, "BATCH_NOT_FOUND", id="not-found"),
        pytest.param("finished", FailedPrecondition, "INVALID_TRANSITION", id="failed-precondition"),
        pytest.param("draining", Unavailable, "SERVICE_UNAVAILABLE", id="unavailable"),
        pytest.param("broken", BatchServiceError, "INTERNAL", id="other-codes-use-the-base-class"),
    ],
)
async def test_async_client_raises_the_error_class_of_the_status(
    target: str, batch_id: str, error_class: type[BatchServiceError], reason: str
) -> None:
    async with BatchClient(target) as client:
        with pytest.raises(error_class) as raised:
            await client.get(batch_id)
    assert type(raised.value) is error_class
    assert raised.value.reason == reason
    assert raised.value.message == STATUSES[batch_id].message
    assert raised.value.metadata == {"batch_id": "b1"}
    assert isinstance(raised.value.__cause__, grpc.aio.AioRpcError)


async def test_field_violations_are_read_from_bad_request_details(target: str) -> None:
    async with BatchClient(target) as client:
        with pytest.raises(InvalidArgument) as raised:
            await client.get("invalid")
    assert raised.value.field_violations == tuple(FieldViolation(f, d) for f, d in VIOLATIONS)
    assert "  - max_concurrent: must be between 1 and 20" in str(raised.value)


async def test_sync_client_translates_errors_the_same_way(target: str) -> None:
    def get(batch_id: str) -> None:
        with SyncBatchClient(target) as client:
            client.get(batch_id)

    with pytest.raises(InvalidArgument) as raised:
        await asyncio.to_thread(get, "invalid")
    assert [v.field for v in raised.value.field_violations] == ["company_names[1]", "max_concurrent"]
    assert isinstance(raised.value.__cause__, grpc.RpcError)


async def test_status_without_details_still_gets_its_error_class(target: str) -> None:
    async with BatchClient(target) as client:
        with pytest.raises(NotFound) as raised:
            await client.get("plain")
    assert (raised.value.message, raised.value.reason, raised.value.field_violations) == (
        "no details here",
        "",
        (),
    )


async def test_details_contradicting_the_status_are_ignored(target: str) -> None:
    async with BatchClient(target) as client:
        with pytest.raises(BatchServiceError) as raised:
            await client.get("disagreeing")
    assert raised.value.code is grpc.StatusCode.INTERNAL
    assert raised.value.reason == ""


async def test_unreachable_service_raises_unavailable() -> None:
    async with BatchClient("127.0.0.1:1", timeout=5) as client:
        with pytest.raises(Unavailable):
            await client.get("anything")


def test_error_from_status_without_rich_status() -> None:
    error = error_from_status(grpc.StatusCode.DEADLINE_EXCEEDED, "too slow", None)
    assert isinstance(error, Unavailable)
    assert str(error) == "DEADLINE_EXCEEDED: too slow"


async def test_cli_lists_field_violations_and_exits_1_without_traceback(target: str) -> None:
    result = await asyncio.to_thread(CliRunner().invoke, main, ["--target", target, "status", "invalid"])
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: INVALID_ARGUMENT: invalid request",
        "  - company_names[1]: must not be empty",
        "  - max_concurrent: must be between 1 and 20",
    ]
    assert "Traceback" not in result.output


async def test_cli_reads_the_target_from_the_environment(target: str) -> None:
    result = await asyncio.to_thread(
        CliRunner(env={"COMPANYCTL_TARGET": target}).invoke, main, ["pause", "finished"]
    )
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stderr == "error: FAILED_PRECONDITION: cannot pause: completed\n"


async def test_cli_exits_3_when_the_service_is_unavailable(target: str) -> None:
    result = await asyncio.to_thread(CliRunner().invoke, main, ["--target", target, "status", "draining"])
    assert result.exit_code == EXIT_UNAVAILABLE
    assert result.stderr == "error: UNAVAILABLE: shutting down\n"
