"""1,000 watchers on one batch of 100 companies, half gRPC and half SSE, through a real server and Envoy.

The server is a ``python -m server`` subprocess on SQLite, extracting from the sandbox web; Envoy is
the real ``envoy.yaml``. The batch is paused right after the submit, every watcher connects and gets
its snapshot, then the batch resumes, so every watcher sees the whole batch. Rows: the watchers that
got the batch's final status (per transport), and whether the 99th percentile of the event delay
stayed under ``DELAY_LIMIT_SECONDS``, with the figures measured.

An event's delay is when a watcher received it minus when the first watcher received the same event
(by ``sequence``; a snapshot sent to a watcher that fell behind counts against the event it reflects):
the events' own timestamps have whole seconds only, as the contract prints them. The first receipt is
within a few milliseconds of the publish when the server is not saturated, so this is what the fan-out
to 1,000 watchers costs. The watchers share this process (and its event loop) with the sandbox web, so
it includes the clients' own lag too: an upper bound on what the server adds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx

from client.stubs.company.v1 import batch_service_pb2 as pb
from client.stubs.company.v1 import batch_service_pb2_grpc as pb_grpc
from client.stubs.company.v1 import enums_pb2
from probe.base import ProbeRow
from sandbox.web import SandboxWeb
from server.testing import REPO_ROOT, running_envoy, server_process

CORPUS_DIR = REPO_ROOT / "sandbox" / "corpus"
DELAY_LIMIT_SECONDS = 0.1
SANDBOX_LATENCY_SECONDS = 0.05
CONNECT_LIMIT_SECONDS = 120.0
"""How long every watcher may take to connect and get its snapshot."""
WATCH_LIMIT_SECONDS = 300.0
"""How long a watcher waits for the batch's final status before it counts as having missed it."""
FINAL_GRPC = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}
FINAL_JSON = {"completed", "failed", "cancelled"}
GRPC_CHANNELS = 4
"""gRPC watchers are spread over this many connections to Envoy, as several clients' would be."""


@dataclass
class Watch:
    """What one watcher saw."""

    connected: bool = False
    final: bool = False
    error: str = ""
    received: list[tuple[int, float]] = field(default_factory=list)  # (sequence, time) after the first


def _names(count: int) -> list[str]:
    corpus = [company["name"] for company in json.loads((CORPUS_DIR / "truth.json").read_text())["companies"]]
    names = corpus[:count]
    names += [f"Probe Unlisted Company {i}" for i in range(count - len(names))]  # fail: not found
    return names


async def _grpc_watch(
    stub: pb_grpc.BatchServiceStub, batch_id: str, watch: Watch, ready: asyncio.Event
) -> None:
    try:
        call = stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id), timeout=WATCH_LIMIT_SECONDS)
        async for event in call:
            received = time.time()
            if not watch.connected:
                watch.connected = True
                ready.set()
            else:
                watch.received.append((event.sequence, received))
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
                if not watch.connected:
                    watch.connected = True
                    ready.set()
                else:
                    watch.received.append((int(event.get("sequence", 0)), received))
                if event.get("batch", {}).get("status") in FINAL_JSON:
                    watch.final = True
    except httpx.HTTPError as error:
        watch.error = f"SSE {type(error).__name__}: {error}"


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(quick: bool) -> list[ProbeRow]:
    """Watchers that got the final status (gRPC, SSE) and the p99 event delay, as rows."""
    watchers, companies = (100, 20) if quick else (1000, 100)
    with tempfile.TemporaryDirectory(prefix="probe-watchers-") as tmp:
        async with SandboxWeb(CORPUS_DIR, latency=SANDBOX_LATENCY_SECONDS) as web:
            settings = {
                **web.settings_overrides(),
                "database_url": f"sqlite:///{Path(tmp) / 'store.sqlite3'}",
                "cache_ttl_seconds": 0,
                "log_format": "text",
                "log_level": "WARNING",
            }
            async with (
                server_process(settings, Path(tmp) / "server.log") as server,
                running_envoy([server.grpc_port]) as envoy,
            ):
                grpc_watches, sse_watches = await _watch_one_batch(
                    envoy.grpc_target, envoy.url, watchers, companies
                )
    return _rows(grpc_watches, sse_watches)


async def _watch_one_batch(
    grpc_target: str, rest_url: str, watchers: int, companies: int
) -> tuple[list[Watch], list[Watch]]:
    channels = [grpc.aio.insecure_channel(grpc_target) for _ in range(GRPC_CHANNELS)]
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(WATCH_LIMIT_SECONDS, connect=30.0)
    async with contextlib.AsyncExitStack() as stack:
        for channel in channels:
            await stack.enter_async_context(channel)
        http = await stack.enter_async_context(httpx.AsyncClient(limits=limits, timeout=timeout))
        stubs = [pb_grpc.BatchServiceStub(channel) for channel in channels]
        submitted = await stubs[0].SubmitBatch(pb.SubmitBatchRequest(company_names=_names(companies)))
        batch_id = submitted.data.batch_id
        await stubs[0].PauseBatch(pb.PauseBatchRequest(batch_id=batch_id))
        grpc_watches = [Watch() for _ in range(watchers // 2)]
        sse_watches = [Watch() for _ in range(watchers - watchers // 2)]
        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(_grpc_watch(stubs[i % GRPC_CHANNELS], batch_id, watch, ready))
            for i, watch in enumerate(grpc_watches)
        ]
        url = f"{rest_url}/api/v1/company/batch/{batch_id}/watch"
        tasks += [asyncio.create_task(_sse_watch(http, url, watch, ready)) for watch in sse_watches]
        deadline = time.monotonic() + CONNECT_LIMIT_SECONDS
        everyone = [*grpc_watches, *sse_watches]
        while not all(w.connected or w.error for w in everyone) and time.monotonic() < deadline:
            ready.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ready.wait(), 1.0)
        await stubs[0].ResumeBatch(pb.ResumeBatchRequest(batch_id=batch_id))
        await asyncio.gather(*tasks)
    return grpc_watches, sse_watches


def _rows(grpc_watches: list[Watch], sse_watches: list[Watch]) -> list[ProbeRow]:
    rows = []
    for name, watches in (("gRPC", grpc_watches), ("SSE", sse_watches)):
        row = ProbeRow(f"watchers: {name} watcher got the final status")
        for watch in watches:
            row.record(
                watch.final,
                watch.error or ("never connected" if not watch.connected else "stream ended early"),
            )
        rows.append(row)
    first: dict[int, float] = {}
    for watch in (*grpc_watches, *sse_watches):
        for sequence, at in watch.received:
            first[sequence] = min(at, first.get(sequence, at))
    delays = [at - first[seq] for watch in (*grpc_watches, *sse_watches) for seq, at in watch.received]
    p50, p99 = _p(delays, 0.5), _p(delays, 0.99)
    worst = max(delays, default=0.0)
    row = ProbeRow(f"watchers: p99 event delay < {DELAY_LIMIT_SECONDS * 1000:.0f} ms")
    figures = (
        f"{len(delays)} events: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
        f"mean {statistics.fmean(delays) * 1000 if delays else 0:.0f} ms"
    )
    row.record(bool(delays) and p99 < DELAY_LIMIT_SECONDS, figures)
    row.name += f" ({figures})" if p99 < DELAY_LIMIT_SECONDS else ""
    rows.append(row)
    return rows
