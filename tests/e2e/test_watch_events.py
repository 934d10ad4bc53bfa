"""The REST watch stream through a real Envoy: the server renders each event's JSON once for every
server-sent-events watcher, and what clients read is what Envoy's transcoder printed before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import pytest_asyncio
from google.protobuf import json_format

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.api.convert import JSON_PRINT_OPTIONS
from server.testing import ScriptedExtractor, ServiceStack, running_envoy, running_service

pytestmark = pytest.mark.asyncio(loop_scope="module")

API = "/api/v1/company"
# Text the C++ printer escapes and a JSON library would not (or the other way round), and numbers it
# prints unlike Python: what the SSE watchers must keep reading byte for byte.
AWKWARD = 'Robots <b>&</b> "quoted" \\ \u00ad\u200b\u2028\ufeff\x7f é 株式会社 🚀 \U000e0041'
PROFILES: dict[str, dict[str, Any]] = {
    "Acme <Robotics> & Co": {
        "domain": "acme-robotics.example",
        "industry": AWKWARD,
        "description": "line one\nline two\ttabbed",
        "employee_count_exact": 640,
        "confidence": 0.1234567890123456,
        "match_confidence": 1.0,
        "social_profiles": {"linkedin": "https://www.linkedin.com/company/acme <robotics>"},
        "provenance": {"industry": {"source": "website", "confidence": 0.95, "evidence": AWKWARD}},
        "headquarters": {"city": "Zürich", "country": "Switzerland"},
    },
    "Globex Health": {"domain": "globex-health.example", "confidence": 100.0},
}
BIG = {"domain": "big.example", "description": "x" * 150_000}
"""A result far larger than a stream's flow-control window, so a reader that stops reading stalls."""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServiceStack]:
    profiles = {**PROFILES, **{f"Big Company {i}": BIG for i in range(40)}}
    extractor = ScriptedExtractor(profiles=profiles, delay=0.01)
    tmp: Path = tmp_path_factory.mktemp("watch-events")
    async with running_service(tmp, extractor, workers=4) as service:
        async with running_envoy([service.grpc_port]) as envoy:
            yield ServiceStack(service, envoy, extractor)


@pytest_asyncio.fixture(loop_scope="module")
async def stub(stack: ServiceStack) -> AsyncIterator[pb_grpc.BatchServiceStub]:
    async with grpc.aio.insecure_channel(stack.service.grpc_target) as channel:
        yield pb_grpc.BatchServiceStub(channel)


async def held_batch(
    stack: ServiceStack, stub: pb_grpc.BatchServiceStub, names: list[str]
) -> tuple[str, asyncio.Event]:
    """A batch whose companies are not answered before the event is set: watchers see them all finish."""
    release = asyncio.Event()
    for name in names:
        stack.extractor.holds[name] = release
    batch_id: str = (await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=names))).data.batch_id
    return batch_id, release


async def sse_body(response: httpx.Response, connected: asyncio.Event) -> str:
    """The whole body of a watch stream; ``connected`` is set once its first event (the snapshot) came."""
    body = ""
    async for chunk in response.aiter_text():
        body += chunk
        if "\n\n" in body:
            connected.set()
    return body


def events_of(body: str) -> list[str]:
    """The JSON of each server-sent event, checking the framing: one ``data:`` line, then a blank line."""
    assert body.endswith("\n\n")
    chunks = body.removesuffix("\n\n").split("\n\n")
    assert all(chunk.startswith("data: ") and "\n" not in chunk for chunk in chunks), body[:500]
    return [chunk.removeprefix("data: ") for chunk in chunks]


async def test_the_rest_stream_carries_the_grpc_events_as_json_until_the_final_status(
    stack: ServiceStack, stub: pb_grpc.BatchServiceStub
) -> None:
    batch_id, release = await held_batch(stack, stub, [*PROFILES, "Unknown Co"])
    grpc_events: list[pb.WatchBatchResponse] = []
    grpc_connected, sse_connected = asyncio.Event(), asyncio.Event()

    async def watch_grpc() -> None:
        async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id)):
            grpc_events.append(event)
            grpc_connected.set()

    async with (
        httpx.AsyncClient(base_url=stack.url, timeout=30) as http,
        http.stream("GET", f"{API}/batch/{batch_id}/watch") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        watching = asyncio.create_task(watch_grpc())
        reading = asyncio.create_task(sse_body(response, sse_connected))
        await grpc_connected.wait()
        await sse_connected.wait()  # both have their snapshot: each sees every event after it
        release.set()
        await watching
        body = await reading
    sse = [json.loads(text) for text in events_of(body)]
    assert sse[0]["event_type"] == "snapshot" and sse[-1]["batch"]["status"] == "completed"
    by_sequence = {event["sequence"]: event for event in sse[1:]}
    changes = grpc_events[1:]  # every change after the later of the two snapshots, in both streams
    assert sorted(by_sequence)[-len(changes) :] == [event.sequence for event in changes]
    for event in changes:
        assert by_sequence[event.sequence] == json_format.MessageToDict(event, **JSON_PRINT_OPTIONS)
    kinds = [event["event_type"] for event in sse]
    assert kinds.count("company_succeeded") == 2 and kinds.count("company_failed") == 1
    assert grpc_events[-1].batch.status == enums_pb2.completed


async def test_each_events_result_is_byte_for_byte_what_envoys_transcoder_prints_for_it(
    stack: ServiceStack, stub: pb_grpc.BatchServiceStub
) -> None:
    """Envoy is the oracle: it still prints GetResults, and every result there is the event's result."""
    batch_id, release = await held_batch(stack, stub, list(PROFILES))
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as http:
        async with http.stream("GET", f"{API}/batch/{batch_id}/watch") as response:
            connected = asyncio.Event()
            reading = asyncio.create_task(sse_body(response, connected))
            await connected.wait()
            release.set()
            body = await reading
        transcoded = (await http.get(f"{API}/batch/{batch_id}/results")).text
    results = [text for text in events_of(body) if '"event_type":"company_succeeded"' in text]
    assert len(results) == len(PROFILES)
    for text in results:
        # The result (field 4) is followed by the timestamp (field 5) in the event's JSON.
        result = text[text.index(',"result":') + len(',"result":') : text.rindex(',"timestamp":')]
        assert result in transcoded, result[:300]
    assert "\\u003cb\\u003e" in transcoded and '"confidence":0.12345678901234559' in transcoded


async def test_a_reader_that_stops_reading_holds_no_other_watcher_up_and_still_gets_the_end(
    stack: ServiceStack, stub: pb_grpc.BatchServiceStub
) -> None:
    names = [f"Big Company {i}" for i in range(40)]
    batch_id, release = await held_batch(stack, stub, names)
    url = f"{API}/batch/{batch_id}/watch"
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with (
        httpx.AsyncClient(base_url=stack.url, timeout=60, limits=limits) as http,
        http.stream("GET", url) as stalled,  # reads its headers, then nothing until the others are done
    ):
        assert stalled.status_code == 200
        readers = []
        for _ in range(3):
            response = await http.send(http.build_request("GET", url), stream=True)
            connected = asyncio.Event()
            readers.append((response, asyncio.create_task(sse_body(response, connected))))
            await connected.wait()
        release.set()
        for response, reading in readers:
            last = json.loads(events_of(await reading)[-1])
            await response.aclose()
            assert last["batch"]["status"] == "completed"
            assert last["batch"]["progress"]["completed"] == len(names)
        rest = events_of(await sse_body(stalled, asyncio.Event()))  # what it missed, then the end
    final = json.loads(rest[-1])
    assert final["batch"]["status"] == "completed" and final["batch"]["progress"]["completed"] == len(names)
