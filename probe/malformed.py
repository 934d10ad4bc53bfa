"""Malformed requests over REST and native gRPC against a real server behind a real Envoy.

Every case is generated (seeded, so a run can be repeated) from a family of hostile inputs: bad paths
and ids, bad JSON, wrong types, unknown fields, huge bodies and headers, bad encodings, bad deadlines,
bad query parameters, undecodable gRPC messages. A case *held* when the answer is the contract's error:
REST a 4xx whose body is the envelope with a field name, gRPC INVALID_ARGUMENT with field violations,
and either small enough to pass every proxy (``MAX_ERROR_BYTES``). Two more rows: a well-formed client
running alongside never sees an error, and no rejected request created a batch.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
from google.rpc import error_details_pb2, status_pb2

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from probe.base import ProbeRow
from probe.malformed_cases import API, SEED, Case, GrpcCase, RestCase, generate, random_name
from server.testing import ScriptedExtractor, running_envoy, running_service

FULL_CASES = 10_000
QUICK_CASES = 400
CONCURRENCY = 16
HOSTILE_TIMEOUT_SECONDS = 10.0
"""A hostile request unanswered this long is a stall (a failure), however it ends."""
MAX_ERROR_BYTES = 8192
"""An error body (REST) or its trailing metadata (gRPC) above this breaks clients' header limits."""

ENVELOPE_ERROR_KEYS = {"type", "message", "details", "field_violations", "code"}


def check_grpc_http1(status: int, headers: httpx.Headers) -> str:
    """Why a trailers-only gRPC answer over HTTP/1.1 is not INVALID_ARGUMENT with details, or ''."""
    if status != 200 or headers.get("grpc-status") != "3":
        message = headers.get("grpc-message", "")[:100]
        return f"status {status}, grpc-status {headers.get('grpc-status')!r}: {message}"
    raw = headers.get("grpc-status-details-bin", "")
    try:
        details = status_pb2.Status.FromString(base64.b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        return "grpc-status-details-bin does not decode"
    bad = error_details_pb2.BadRequest()
    if any(d.Unpack(bad) for d in details.details if d.Is(bad.DESCRIPTOR)) and bad.field_violations:
        return ""
    return "no field violations in the status details"


def check_envelope(status: int, headers: httpx.Headers, body: bytes, case: RestCase) -> str:
    """Why a REST answer breaks the contract, or '' when it holds."""
    if status not in case.statuses:
        return f"status {status} (want {sorted(case.statuses)}): {body[:120]!r}"
    if status == 200:  # a request that is large but allowed
        return ""
    if len(body) > MAX_ERROR_BYTES:
        return f"error body of {len(body)} bytes"
    if not headers.get("content-type", "").startswith("application/json"):
        return f"content-type {headers.get('content-type')!r}"
    try:
        doc = json.loads(body)
    except ValueError:
        return f"body is not JSON: {body[:120]!r}"
    if not isinstance(doc, dict) or doc.get("success") is not False or not isinstance(doc.get("error"), dict):
        return f"not the envelope: {body[:160]!r}"
    error = doc["error"]
    if not ENVELOPE_ERROR_KEYS <= set(error):
        return f"envelope lacks {sorted(ENVELOPE_ERROR_KEYS - set(error))}: {body[:160]!r}"
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("trace_id"), str) or not meta["trace_id"]:
        return f"metadata without trace_id: {body[:160]!r}"
    violations = error["field_violations"]
    if (
        case.needs_field
        and status != 404
        and not (
            isinstance(violations, list)
            and violations
            and all(isinstance(v, dict) and v.get("field") for v in violations)
        )
    ):
        return f"no field named: {body[:200]!r}"
    return ""


def check_grpc(error: grpc.aio.AioRpcError | None, case: GrpcCase) -> str:
    if error is None:
        return "answered OK"
    if error.code() not in case.codes:
        return f"{error.code().name}: {(error.details() or '')[:120]}"
    metadata: Any = error.trailing_metadata() or ()  # grpc-stubs types the pairs as one opaque item
    trailers: list[tuple[str, str | bytes]] = [(str(key), value) for key, value in metadata]
    size = sum(len(k) + len(v) for k, v in trailers)
    if size > MAX_ERROR_BYTES:
        return f"trailers of {size} bytes"
    if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
        return ""
    raw = dict(trailers).get("grpc-status-details-bin")
    if not isinstance(raw, bytes):
        return "no rich status details"
    status = status_pb2.Status.FromString(raw)
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            if bad.field_violations and all(v.field for v in bad.field_violations):
                return ""
    return "no field violations in the status details"


@dataclass
class _Run:
    http: httpx.AsyncClient
    channel: grpc.aio.Channel
    rows: dict[str, ProbeRow] = field(default_factory=dict)

    def row(self, name: str) -> ProbeRow:
        return self.rows.setdefault(name, ProbeRow(name))

    async def one(self, case: Case) -> None:
        try:
            problem = await (self._rest(case) if isinstance(case, RestCase) else self._grpc(case))
        except Exception as exc:  # a transport failure is a finding, not a crash of the probe
            problem = f"{type(exc).__name__}: {str(exc)[:120]}"
        self.row(case.family).record(not problem, f"{case.label}: {problem}")

    async def _rest(self, case: RestCase) -> str:
        request = self.http.build_request(
            case.method, case.path, content=case.body, headers=list(case.headers)
        )
        response = await self.http.send(request)
        if dict(case.headers).get("content-type", "").startswith("application/grpc"):
            return check_grpc_http1(response.status_code, response.headers)
        return check_envelope(response.status_code, response.headers, response.content, case)

    async def _grpc(self, case: GrpcCase) -> str:
        call = self.channel.unary_unary(case.method, request_serializer=None, response_deserializer=None)
        try:
            await call(case.payload, timeout=case.timeout)
        except grpc.aio.AioRpcError as error:
            return check_grpc(error, case)
        return check_grpc(None, case)


async def _count_batches(http: httpx.AsyncClient) -> int:
    count, token = 0, ""
    while True:
        response = await http.get(
            f"{API}/batches", params={"page_size": 100, **({"page_token": token} if token else {})}
        )
        data = response.json()["data"]
        count += len(data["batches"])
        token = data.get("next_page_token", "")
        if not token:
            return count


async def _well_formed_client(
    http: httpx.AsyncClient,
    stub: pb_grpc.BatchServiceStub,
    row: ProbeRow,
    created: list[str],
    stop: asyncio.Event,
) -> None:
    """REST and gRPC calls that must all succeed while the hostile ones run."""
    rng = random.Random(SEED + 1)
    calls: list[tuple[str, Callable[[], Awaitable[bool]]]] = []

    async def rest_submit() -> bool:
        response = await http.post(
            f"{API}/batch/submit", json={"company_names": [random_name(rng)], "extraction_mode": "basic"}
        )
        if response.status_code == 202:
            created.append(response.json()["data"]["batch_id"])
            return True
        return False

    async def rest_status() -> bool:
        if not created:
            return True
        response = await http.get(f"{API}/batch/{created[-1]}/status")
        return response.status_code == 200

    async def grpc_submit() -> bool:
        reply = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=[random_name(rng)]), timeout=30)
        created.append(reply.data.batch_id)
        return True

    async def grpc_stats() -> bool:
        await stub.GetStats(pb.GetStatsRequest(timeframe="1h"), timeout=30)
        return True

    calls = [
        ("REST submit", rest_submit),
        ("REST status", rest_status),
        ("gRPC submit", grpc_submit),
        ("gRPC stats", grpc_stats),
    ]
    while not stop.is_set():
        label, call = rng.choice(calls)
        try:
            ok = await call()
            problem = "" if ok else "unexpected status"
        except Exception as exc:
            problem = f"{type(exc).__name__}: {str(exc)[:120]}"
        row.record(not problem, f"{label}: {problem}")
        await asyncio.sleep(0.02)


async def run(quick: bool) -> list[ProbeRow]:
    """``FULL_CASES`` malformed requests (``QUICK_CASES`` with ``quick``) and the two bystander rows."""
    cases = generate(QUICK_CASES if quick else FULL_CASES, quick)
    with tempfile.TemporaryDirectory(prefix="probe-malformed-") as tmp:
        extractor = ScriptedExtractor(delay=0.01)
        async with running_service(Path(tmp), extractor, workers=8) as service:
            async with running_envoy([service.grpc_port]) as envoy:
                limits = httpx.Limits(max_connections=CONCURRENCY + 4)
                async with (
                    httpx.AsyncClient(
                        base_url=envoy.url, timeout=HOSTILE_TIMEOUT_SECONDS, limits=limits
                    ) as http,
                    httpx.AsyncClient(base_url=envoy.url, timeout=60) as bystander,
                    grpc.aio.insecure_channel(envoy.grpc_target) as channel,
                    grpc.aio.insecure_channel(envoy.grpc_target) as bystander_channel,
                ):
                    return await _drive(cases, http, channel, bystander, bystander_channel)


async def _drive(
    cases: list[Case],
    http: httpx.AsyncClient,
    channel: grpc.aio.Channel,
    bystander: httpx.AsyncClient,
    bystander_channel: grpc.aio.Channel,
) -> list[ProbeRow]:
    probe = _Run(http, channel)
    for case in cases:  # rows in a stable order
        probe.row(case.family)
    before = await _count_batches(bystander)
    unaffected = ProbeRow("other clients unaffected")
    created: list[str] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(
        _well_formed_client(bystander, pb_grpc.BatchServiceStub(bystander_channel), unaffected, created, stop)
    )
    queue: asyncio.Queue[Case] = asyncio.Queue()
    for case in cases:
        queue.put_nowait(case)

    async def worker() -> None:
        while not queue.empty():
            await probe.one(queue.get_nowait())

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    stop.set()
    await watcher
    nothing = ProbeRow("nothing created by hostile requests")
    extra = await _count_batches(bystander) - before - len(created)
    nothing.tried = 1
    nothing.held = 1 if extra == 0 else 0
    if extra:
        nothing.examples.append(f"{extra} batches created beyond the well-formed client's {len(created)}")
    return [*probe.rows.values(), unaffected, nothing]
