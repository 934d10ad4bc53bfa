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

import aiohttp
import grpc

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2

WATCH_LIMIT_SECONDS = 300.0
"""How long a watcher waits for the batch's final status before it counts as having missed it."""
CONNECT_LIMIT_SECONDS = 120.0
"""How long every watcher of this process may take to connect and get its snapshot."""
FINAL_GRPC = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}
FINAL_JSON = {"completed", "failed", "cancelled"}
WATCH_METHOD = "/company.v1.BatchService/WatchBatch"
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


@dataclass
class _Arrivals:
    """A watcher's events as they arrived, kept as bytes: parsing them waits until every stream ended,
    so that a watcher's parsing does not delay the receipt of the others' events."""

    watch: Watch
    payloads: list[tuple[bytes, float]] = field(default_factory=list)  # (message or JSON, receipt time)

    def arrived(self, payload: bytes, ready: asyncio.Event) -> None:
        received = time.time()
        if self.watch.connected:
            self.payloads.append((payload, received))
        else:  # the snapshot: it only says this watcher is connected
            self.watch.connected = True
            ready.set()

    def parse(self) -> None:
        """Fill in the watch's sequences and whether it got a final status from the payloads kept."""
        for payload, received in self.payloads:
            if self.watch.transport == "gRPC":
                message = pb.WatchBatchResponse.FromString(payload)
                sequence, final = message.sequence, message.batch.status in FINAL_GRPC
            else:
                event: dict[str, Any] = json.loads(payload)
                sequence, final = (
                    int(event.get("sequence", 0)),
                    event.get("batch", {}).get("status") in FINAL_JSON,
                )
            self.watch.received.append((sequence, received))
            self.watch.final = self.watch.final or final
        self.payloads.clear()


async def _grpc_watch(watch_batch: Any, batch_id: str, arrivals: _Arrivals, ready: asyncio.Event) -> None:
    try:
        call = watch_batch(pb.WatchBatchRequest(batch_id=batch_id), timeout=WATCH_LIMIT_SECONDS)
        async for message in call:
            arrivals.arrived(message, ready)
    except grpc.aio.AioRpcError as error:
        arrivals.watch.error = f"gRPC {error.code().name}: {error.details()}"


async def _sse_watch(
    http: aiohttp.ClientSession, url: str, arrivals: _Arrivals, ready: asyncio.Event
) -> None:
    try:
        async with http.get(url) as response:
            if response.status != 200:
                arrivals.watch.error = f"SSE HTTP {response.status}"
                return
            async for line in response.content:
                if line.startswith(b"data: "):
                    arrivals.arrived(line[len(b"data: ") :], ready)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:  # ValueError: a line too long
        arrivals.watch.error = f"SSE {type(error).__name__}: {error}"


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
    arrivals = [_Arrivals(watch) for watch in watches]
    channels = [grpc.aio.insecure_channel(grpc_target) for _ in range(GRPC_CHANNELS)]
    # The messages as bytes (no deserializer): each is parsed once every stream ended.
    methods = [
        channel.unary_stream(
            WATCH_METHOD,
            request_serializer=pb.WatchBatchRequest.SerializeToString,
            response_deserializer=None,
        )
        for channel in channels
    ]
    url = f"{rest_url}/api/v1/company/batch/{batch_id}/watch"
    ready = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=WATCH_LIMIT_SECONDS, sock_connect=30.0)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        tasks = [
            asyncio.create_task(
                _grpc_watch(methods[i % GRPC_CHANNELS], batch_id, arrival, ready)
                if arrival.watch.transport == "gRPC"
                else _sse_watch(http, url, arrival, ready)
            )
            for i, arrival in enumerate(arrivals)
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
    for arrival in arrivals:
        arrival.parse()
    return watches, watched_cpu


def main() -> None:
    args = json.loads(sys.argv[1])
    watches, cpu = asyncio.run(
        watch_all(args["grpc_target"], args["rest_url"], args["batch_id"], args["grpc"], args["sse"])
    )
    print(json.dumps({"cpu_seconds": cpu, "watches": [asdict(w) for w in watches]}), flush=True)


if __name__ == "__main__":
    main()
