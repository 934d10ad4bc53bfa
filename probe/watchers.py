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
to 1,000 watchers costs. The watchers run in ``CLIENT_PROCESSES`` processes of their own
(``probe.watch_clients``), apart from the sandbox web, but on the same machine as the server and Envoy:
the delay includes the clients' own work (receiving every event for 250 watchers per process) and
their competition for its cores, so it is an upper bound on what the server adds. A receipt is timed
when the event's bytes are read (a gRPC message as bytes, an SSE ``data:`` line); parsing them, which
says the event's sequence, waits until every stream ended, since it would only compete for the cores
with the deliveries being measured.

Since that delay depends on whatever else the machine runs, a last row gives what load barely changes:
the CPU seconds the server process (its main process: the fan-out's, and also the extraction's), Envoy
and the client processes used from the resume until every stream ended (the clients' parsing after
that is not counted), each divided by the events delivered to all watchers (snapshots included, the
first one excepted). The same batch is then run again with one watcher per client process, and the row
also gives each process's CPU beyond that run per event delivered beyond it: the fan-out's own cost,
without the extraction the server's main process does for the batch either way.

A last row is the floor under the delay (``floor_row``): the same client processes and watchers (gRPC
only), fed by a bare ``grpc.aio`` server that does nothing but send small ready-made messages, one event at
a time. What the service adds is the delay above it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import grpc
import psutil

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from probe.base import ProbeRow
from probe.watch_clients import CONNECT_LIMIT_SECONDS, WATCH_METHOD, Watch
from sandbox.web import SandboxWeb
from server.__main__ import settle_garbage_collector
from server.testing import REPO_ROOT, running_envoy, server_process

CORPUS_DIR = REPO_ROOT / "sandbox" / "corpus"
DELAY_LIMIT_SECONDS = 0.1
SANDBOX_LATENCY_SECONDS = 0.05
CLIENT_PROCESSES = 4
FLOOR_EVENTS = 40
FLOOR_GAP_SECONDS = 0.15


def _names(count: int) -> list[str]:
    corpus = [company["name"] for company in json.loads((CORPUS_DIR / "truth.json").read_text())["companies"]]
    names = corpus[:count]
    names += [f"Probe Unlisted Company {i}" for i in range(count - len(names))]  # fail: not found
    return names


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(quick: bool) -> list[ProbeRow]:
    """Watchers that got the final status (gRPC, SSE) and the p99 event delay, as rows."""
    watchers, companies = (100, 20) if quick else (1000, 100)
    watches, cpu = await _measured_batch(watchers, companies)
    baseline = await _measured_batch(CLIENT_PROCESSES, companies)
    return [*_rows(watches), _cpu_row(watches, cpu, baseline), await floor_row(watchers)]


async def _measured_batch(watchers: int, companies: int) -> tuple[list[Watch], dict[str, float]]:
    """One batch of ``companies`` watched by ``watchers``, on a server, Envoy and sandbox of its own."""
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
                processes = {"server": server.process.pid, "Envoy": envoy.process.pid}
                return await _watch_one_batch(envoy.grpc_target, envoy.url, watchers, companies, processes)


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def _watch_one_batch(
    grpc_target: str, rest_url: str, watchers: int, companies: int, processes: dict[str, int]
) -> tuple[list[Watch], dict[str, float]]:
    """What every watcher saw, and the CPU seconds each of ``processes`` (name: pid) and the watchers'
    own processes (``clients``) used while the batch ran."""
    async with grpc.aio.insecure_channel(grpc_target) as channel:
        stub = pb_grpc.BatchServiceStub(channel)
        submitted = await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=_names(companies)))
        batch_id = submitted.data.batch_id
        await stub.PauseBatch(pb.PauseBatchRequest(batch_id=batch_id))

        async def resume() -> None:
            await stub.ResumeBatch(pb.ResumeBatchRequest(batch_id=batch_id))

        return await watched(
            {"grpc_target": grpc_target, "rest_url": rest_url, "batch_id": batch_id},
            watchers,
            sse_share=0.5,
            begin=resume,
            processes=processes,
        )


async def watched(
    target: dict[str, str],
    watchers: int,
    *,
    sse_share: float,
    begin: Callable[[], Awaitable[None]],
    processes: dict[str, int],
) -> tuple[list[Watch], dict[str, float]]:
    """``watchers`` watchers (``sse_share`` of them over SSE) in ``CLIENT_PROCESSES`` client processes of
    ``probe.watch_clients`` on ``target`` (its ``grpc_target``, ``rest_url`` and ``batch_id``); once every
    one has its first event, ``begin()`` (the batch's events then come); what each saw, and the CPU seconds
    each of ``processes`` (name: pid) and the client processes (``clients``) used from then on."""
    clients = []
    for i in range(CLIENT_PROCESSES):
        share = watchers // CLIENT_PROCESSES + (1 if i < watchers % CLIENT_PROCESSES else 0)
        grpc_count = int(share * (1 - sse_share))
        args = {**target, "grpc": grpc_count, "sse": share - grpc_count}
        clients.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "probe.watch_clients",
                json.dumps(args),
                cwd=REPO_ROOT,
                stdout=asyncio.subprocess.PIPE,
                limit=1 << 30,
            )
        )
    try:
        async with asyncio.timeout(CONNECT_LIMIT_SECONDS + 30):
            for client in clients:
                assert client.stdout is not None
                await client.stdout.readline()  # "ready": all its watchers have their snapshot
        started = {name: _cpu_seconds(pid) for name, pid in processes.items()}
        outputs, _ = await asyncio.gather(
            asyncio.gather(*(client.communicate() for client in clients)), begin()
        )
        cpu = {name: _cpu_seconds(pid) - started[name] for name, pid in processes.items()}
    finally:
        for client in clients:
            if client.returncode is None:
                client.kill()
                await client.wait()
    watches: list[Watch] = []
    cpu["clients"] = 0.0
    for stdout, _ in outputs:
        report = json.loads(stdout.decode().strip().splitlines()[-1])
        cpu["clients"] += report["cpu_seconds"]
        for raw in report["watches"]:
            raw["received"] = [tuple(pair) for pair in raw["received"]]
            watches.append(Watch(**raw))
    return watches, cpu


def _rows(watches: list[Watch]) -> list[ProbeRow]:
    rows = []
    for transport in ("gRPC", "SSE"):
        row = ProbeRow(f"watchers: {transport} watcher got the final status")
        for watch in watches:
            if watch.transport == transport:
                lost = watch.error or ("never connected" if not watch.connected else "stream ended early")
                row.record(watch.final, lost)
        rows.append(row)
    by_transport = event_delays(watches)
    delays = by_transport["gRPC"] + by_transport["SSE"]
    p50, p99 = _p(delays, 0.5), _p(delays, 0.99)
    worst = max(delays, default=0.0)
    row = ProbeRow(f"watchers: p99 event delay < {DELAY_LIMIT_SECONDS * 1000:.0f} ms")
    split = ", ".join(
        f"{name} p50 {_p(values, 0.5) * 1000:.0f} ms p99 {_p(values, 0.99) * 1000:.0f} ms"
        for name, values in by_transport.items()
    )
    figures = (
        f"{len(delays)} events: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms ({split}), "
        f"max {worst * 1000:.0f} ms, mean {statistics.fmean(delays) * 1000 if delays else 0:.0f} ms"
    )
    row.record(bool(delays) and p99 < DELAY_LIMIT_SECONDS, figures)
    row.name += f" ({figures})" if p99 < DELAY_LIMIT_SECONDS else ""
    rows.append(row)
    return rows


def event_delays(watches: list[Watch]) -> dict[str, list[float]]:
    """Per transport, each receipt's delay: when it came minus when the first watcher got that event."""
    first: dict[int, float] = {}
    for watch in watches:
        for sequence, at in watch.received:
            first[sequence] = min(at, first.get(sequence, at))
    by_transport: dict[str, list[float]] = {"gRPC": [], "SSE": []}
    for watch in watches:
        by_transport[watch.transport] += [at - first[seq] for seq, at in watch.received]
    return by_transport


def _cpu_row(
    watches: list[Watch], cpu: dict[str, float], baseline: tuple[list[Watch], dict[str, float]]
) -> ProbeRow:
    """A figures row (it always holds): CPU per delivered event of each process, in microseconds; and
    the same beyond what the same batch costs with a watcher per client process (``baseline``): the
    server's main process also runs the batch's extraction, which the fan-out does not add to."""
    delivered = max(1, _delivered(watches))
    per_event = ", ".join(
        f"{name} {seconds / delivered * 1e6:.0f} us ({seconds:.1f} s)" for name, seconds in cpu.items()
    )
    total = sum(cpu.values()) / delivered * 1e6
    few, few_cpu = baseline
    added = max(1, delivered - _delivered(few))
    beyond = ", ".join(
        f"{name} {(seconds - few_cpu.get(name, 0.0)) / added * 1e6:.0f} us ({few_cpu.get(name, 0.0):.1f} s)"
        for name, seconds in cpu.items()
    )
    row = ProbeRow(
        f"watchers: CPU per delivered event: {per_event}; all {total:.0f} us, {delivered} events; beyond the "
        f"same batch with {len(few)} watchers (its CPU in brackets): {beyond}"
    )
    row.record(True)
    return row


def _delivered(watches: list[Watch]) -> int:
    return sum(len(watch.received) for watch in watches)


async def floor_row(watchers: int) -> ProbeRow:
    """The floor under the delay (a figures row: it always holds).

    The same client processes, gRPC watchers only, on a bare ``grpc.aio`` server in this process that does
    nothing but send: no Envoy, no extraction, no conversion (its garbage collector set as the service's,
    ``settle_garbage_collector``). It serves the watch method's name with
    ``WatchBatchResponse`` bytes built beforehand, a snapshot and then ``FLOOR_EVENTS`` small progress
    events ``FLOOR_GAP_SECONDS`` apart, so that no event comes during another's fan-out, the last one with a
    final status. Its delay, computed as above, is what this machine and grpc cost the same watchers before
    the service does anything.
    """
    batch = pb.Batch(batch_id="probe_floor", status=enums_pb2.processing, max_concurrent=10)
    messages = [
        pb.WatchBatchResponse(
            event_type=pb.WatchBatchResponse.company_started,
            batch=batch,
            company_name="Probe Floor",
            sequence=i,
        )
        for i in range(FLOOR_EVENTS + 1)
    ]
    messages[0].event_type = pb.WatchBatchResponse.snapshot
    messages[-1].batch.status = enums_pb2.completed
    wire = [message.SerializeToString() for message in messages]
    sent = [asyncio.Event() for _ in wire]
    sent[0].set()

    async def watch(_request: bytes, _context: object) -> AsyncIterator[bytes]:
        for message, due in zip(wire, sent, strict=True):
            await due.wait()
            yield message

    async def publish() -> None:
        for due in sent[1:]:
            await asyncio.sleep(FLOOR_GAP_SECONDS)
            due.set()

    service, method = WATCH_METHOD.strip("/").split("/")
    thresholds = gc.get_threshold()
    settle_garbage_collector()  # as the service's server does: its full collections stop the loop for long
    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                service, {method: grpc.unary_stream_rpc_method_handler(watch)}
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        target = {
            "grpc_target": f"127.0.0.1:{port}",
            "rest_url": "http://127.0.0.1:9",
            "batch_id": "probe_floor",
        }
        watches, _ = await watched(target, watchers, sse_share=0.0, begin=publish, processes={})
    finally:
        await server.stop(None)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    delays = event_delays(watches)["gRPC"]
    row = ProbeRow(
        f"watchers: floor, bare grpc.aio to the same {len(watches)} gRPC watchers, {FLOOR_EVENTS} events "
        f"{FLOOR_GAP_SECONDS * 1000:.0f} ms apart: p50 {_p(delays, 0.5) * 1000:.0f} ms, "
        f"p99 {_p(delays, 0.99) * 1000:.0f} ms, max {max(delays, default=0.0) * 1000:.0f} ms; "
        f"{sum(watch.final for watch in watches)} got the final status"
    )
    row.record(True)
    return row
