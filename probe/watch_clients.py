"""One process's share of the watchers probe: ``python -m probe.watch_clients '<json>'``.

The argument names the batch, the targets and how many gRPC and SSE watchers to open. The process
prints ``ready`` once each of its watchers got its first event (the snapshot), then, when every stream
has ended, one JSON line: what each watcher saw, and the CPU seconds this process used after ``ready``.
``probe.watchers`` spreads the watchers over a few such processes so that the clients' own work is not
one event loop that falls behind the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import grpc
import httpx

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2

WATCH_LIMIT_SECONDS = 300.0
"""How long a watcher waits for the batch's final status before it counts as having missed it."""
CONNECT_LIMIT_SECONDS = 120.0
"""How long every watcher of this process may take to connect and get its snapshot."""
FINAL_GRPC = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}
FINAL_JSON = {"completed", "failed", "cancelled"}
GRPC_CHANNELS = 2
"""gRPC watchers of one process are spread over this many connections, as several clients' would be."""


@dataclass
class Watch:
    """What one watcher saw: its transport, whether it got a final status, and when each event came."""

    transport: str
    connected: bool = False
    final: bool = False
    error: str = ""
    received: list[tuple[int, float]] = field(default_factory=list)  # (sequence, time) after the first


async def _grpc_watch(
    stub: pb_grpc.BatchServiceStub, batch_id: str, watch: Watch, ready: asyncio.Event
) -> None:
    try:
        call = stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id), timeout=WATCH_LIMIT_SECONDS)
        async for event in call:
            received = time.time()
            if watch.connected:
                watch.received.append((event.sequence, received))
            else:
                watch.connected = True
                ready.set()
            if event.batch.status in FINAL_GRPC:
                watch.final = True
    except grpc.aio.AioRpcError as error:
        watch.error = f"gRPC {error.code().name}: {error.details()}"


async def _sse_watch(http: httpx.AsyncClient, url: str, watch: Watch, ready: asyncio.Event) -> None:
    try:
        async with http.stream("GET", url) as response:
            if response.status_code != 200:
                watch.error = f"SSE HTTP {response.status_code}"
                return
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                received = time.time()
                event: dict[str, Any] = json.loads(line.removeprefix("data: "))
                if watch.connected:
                    watch.received.append((int(event.get("sequence", 0)), received))
                else:
                    watch.connected = True
                    ready.set()
                if event.get("batch", {}).get("status") in FINAL_JSON:
                    watch.final = True
    except httpx.HTTPError as error:
        watch.error = f"SSE {type(error).__name__}: {error}"


def cpu_seconds() -> float:
    """User and system CPU this process has used so far."""
    times = os.times()
    return times.user + times.system


async def watch_all(
    grpc_target: str, rest_url: str, batch_id: str, grpc_count: int, sse_count: int
) -> tuple[list[Watch], float]:
    """Open the watchers, say ``ready`` once all are connected, and return what they saw and the CPU
    seconds this process spent on it after ``ready``."""
    watches = [Watch("gRPC") for _ in range(grpc_count)] + [Watch("SSE") for _ in range(sse_count)]
    channels = [grpc.aio.insecure_channel(grpc_target) for _ in range(GRPC_CHANNELS)]
    stubs = [pb_grpc.BatchServiceStub(channel) for channel in channels]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    url = f"{rest_url}/api/v1/company/batch/{batch_id}/watch"
    ready = asyncio.Event()
    async with httpx.AsyncClient(
        limits=limits, timeout=httpx.Timeout(WATCH_LIMIT_SECONDS, connect=30.0)
    ) as http:
        tasks = [
            asyncio.create_task(
                _grpc_watch(stubs[i % GRPC_CHANNELS], batch_id, watch, ready)
                if watch.transport == "gRPC"
                else _sse_watch(http, url, watch, ready)
            )
            for i, watch in enumerate(watches)
        ]
        deadline = time.monotonic() + CONNECT_LIMIT_SECONDS
        while not all(w.connected or w.error for w in watches) and time.monotonic() < deadline:
            ready.clear()
            try:
                await asyncio.wait_for(ready.wait(), 1.0)
            except TimeoutError:
                continue
        print("ready", flush=True)
        ready_cpu = cpu_seconds()
        await asyncio.gather(*tasks)
        watched_cpu = cpu_seconds() - ready_cpu
    for channel in channels:
        await channel.close(None)
    return watches, watched_cpu


def main() -> None:
    args = json.loads(sys.argv[1])
    watches, cpu = asyncio.run(
        watch_all(args["grpc_target"], args["rest_url"], args["batch_id"], args["grpc"], args["sse"])
    )
    print(json.dumps({"cpu_seconds": cpu, "watches": [asdict(w) for w in watches]}), flush=True)


if __name__ == "__main__":
    main()
