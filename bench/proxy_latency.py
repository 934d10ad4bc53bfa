"""GetBatch latency three ways: direct gRPC, native gRPC through Envoy, REST through Envoy's transcoder.

The in-process service (scripted extractor) and a real Envoy from ``envoy.yaml`` run on loopback; one
batch is created and run to completion, then its status is read over warm connections: a grpc.aio
channel straight to the server, a grpc.aio channel to Envoy, and keep-alive HTTP/1.1 clients to Envoy's
REST route (aiohttp, whose C-accelerated client is what the REST row uses, and httpx, what the contract's
examples use). Calls go one at a time, in blocks that alternate between the three paths (the order rotates
every round) so that noise from the shared machine falls on all of them alike.

Two differences are reported: REST-through-Envoy minus direct gRPC (what a REST caller pays over a gRPC
caller: Envoy, the JSON transcoder and a different client library) against the 1 ms target, and
gRPC-through-Envoy minus direct gRPC (the same client library: the proxy hop alone).
A fourth path, httpx to Envoy's admin ``/ready`` (a trivial answer from Envoy itself, no upstream), is
the floor of any httpx call here; it shows how much of the REST figure is the client library.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from grpc import aio

from bench.figures import LatencySummary, Row
from company_protos.company.v1 import batch_service_pb2
from company_protos.company.v1.batch_service_pb2_grpc import BatchServiceStub
from server.testing import ScriptedExtractor, running_envoy, running_service

TARGET_ENVOY_ADDED_MS = 1.0
BATCH_NAMES = ("Bench Alpha", "Bench Beta", "Bench Gamma")
HTTP_OK = 200
DIRECT = "grpc_direct"
GRPC_VIA_ENVOY = "grpc_via_envoy"
REST_VIA_ENVOY = "rest_via_envoy"
REST_VIA_ENVOY_HTTPX = "rest_via_envoy_httpx"
HTTPX_FLOOR = "httpx_to_envoy_admin_ready"
ADMIN_READY_PATH = "/ready"


@dataclass(frozen=True)
class LatencyPlan:
    """``calls`` timed calls per path in blocks of ``block``, after ``warmup`` untimed calls per path."""

    calls: int
    block: int
    warmup: int


FULL_PLAN = LatencyPlan(calls=2000, block=100, warmup=100)
QUICK_PLAN = LatencyPlan(calls=100, block=25, warmup=10)

Call = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class ProxyLatency:
    """The two difference rows and the latency of each path."""

    rows: tuple[Row, Row]
    paths: dict[str, LatencySummary]
    cpu_ms_per_call: dict[str, float]  # this process (client + in-process server), not Envoy


@dataclass
class PathSamples:
    """Wall seconds of each call on one path, and this process's CPU seconds over all of them."""

    wall: list[float] = field(default_factory=list)
    cpu: float = 0.0

    @property
    def cpu_ms_per_call(self) -> float:
        return self.cpu * 1000.0 / len(self.wall)


async def interleaved_samples(calls: dict[str, Call], plan: LatencyPlan) -> dict[str, PathSamples]:
    """Each call timed, per path, in rotating blocks.

    The server runs in this process, so the CPU time of a path is the client library's plus the
    server's; the server's part is the same on every path, so CPU differences between paths are the
    client libraries' (Envoy, in its own process, is not counted).
    """
    for call in calls.values():
        for _ in range(plan.warmup):
            await call()
    samples = {name: PathSamples() for name in calls}
    order = list(calls)
    for _ in range(plan.calls // plan.block):
        for name in order:
            call, bucket = calls[name], samples[name]
            cpu_started = time.process_time()
            for _ in range(plan.block):
                started = time.perf_counter()
                await call()
                bucket.wall.append(time.perf_counter() - started)
            bucket.cpu += time.process_time() - cpu_started
        order = order[1:] + order[:1]
    return samples


async def measure_proxy_latency(plan: LatencyPlan) -> ProxyLatency:
    """Latency of GetBatch on each path and Envoy's share of it."""
    extractor = ScriptedExtractor(profiles={name: {"domain": "bench.example"} for name in BATCH_NAMES})
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as tmp:
        async with (
            running_service(Path(tmp), extractor) as service,
            running_envoy([service.grpc_port]) as envoy,
            aio.insecure_channel(service.grpc_target) as direct_channel,
            aio.insecure_channel(envoy.grpc_target) as envoy_channel,
            httpx.AsyncClient(base_url=envoy.url) as rest,
            aiohttp.ClientSession(base_url=envoy.url) as rest_aiohttp,
        ):
            direct, via_envoy = BatchServiceStub(direct_channel), BatchServiceStub(envoy_channel)
            submitted: batch_service_pb2.SubmitBatchResponse = await direct.SubmitBatch(
                batch_service_pb2.SubmitBatchRequest(company_names=BATCH_NAMES)
            )
            batch_id = submitted.data.batch_id
            async for event in await service.scheduler.watch(batch_id):
                if event.batch.status.is_final:
                    break
            request = batch_service_pb2.GetBatchRequest(batch_id=batch_id)
            status_path = f"/api/v1/company/batch/{batch_id}/status"

            async def get_direct() -> None:
                await direct.GetBatch(request)

            async def get_via_envoy() -> None:
                await via_envoy.GetBatch(request)

            async def get_rest() -> None:
                async with rest_aiohttp.get(status_path) as response:
                    await response.read()
                    if response.status != HTTP_OK:
                        raise RuntimeError(f"GET {status_path}: HTTP {response.status}")

            async def get_rest_httpx() -> None:
                await _get_ok(rest, status_path)

            async def get_admin_ready() -> None:
                await _get_ok(rest, envoy.admin_url + ADMIN_READY_PATH)

            samples = await interleaved_samples(
                {
                    DIRECT: get_direct,
                    GRPC_VIA_ENVOY: get_via_envoy,
                    REST_VIA_ENVOY: get_rest,
                    REST_VIA_ENVOY_HTTPX: get_rest_httpx,
                    HTTPX_FLOOR: get_admin_ready,
                },
                plan,
            )
    paths = {name: LatencySummary.of_seconds(path.wall) for name, path in samples.items()}
    cpu = {name: path.cpu_ms_per_call for name, path in samples.items()}
    rows = (
        _difference_row(paths, cpu, REST_VIA_ENVOY, plan),
        _difference_row(paths, cpu, GRPC_VIA_ENVOY, plan),
    )
    return ProxyLatency(rows, paths, cpu)


async def _get_ok(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    if response.status_code != HTTP_OK:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code} {response.text}")


def _difference_row(
    paths: dict[str, LatencySummary], cpu: dict[str, float], path: str, plan: LatencyPlan
) -> Row:
    direct, other = paths[DIRECT], paths[path]
    if path == REST_VIA_ENVOY:
        key, title = "envoy_rest_added_latency", "GetBatch: REST via Envoy - direct gRPC (median)"
        note = "the target applies to this row: what a REST caller pays over a direct gRPC caller"
    else:
        key, title = "envoy_proxy_added_latency", "GetBatch: gRPC via Envoy - direct gRPC (median)"
        note = "pure proxy cost (same grpc client on both paths); shown against the same 1 ms budget"
    return Row(
        key=key,
        title=title,
        measured=other.median_ms - direct.median_ms,
        target=TARGET_ENVOY_ADDED_MS,
        unit="ms",
        details={
            "calls_per_path": plan.calls,
            "block": plan.block,
            f"{DIRECT}_median_ms": direct.median_ms,
            f"{DIRECT}_p95_ms": direct.p95_ms,
            f"{path}_median_ms": other.median_ms,
            f"{path}_p95_ms": other.p95_ms,
            f"{DIRECT}_process_cpu_ms_per_call": cpu[DIRECT],
            f"{path}_process_cpu_ms_per_call": cpu[path],
        },
        notes=(
            note,
            f"{plan.calls} sequential calls per path over warm connections, interleaved in blocks of "
            f"{plan.block}; medians {other.median_ms:.3f} vs {direct.median_ms:.3f} ms",
        ),
    )
