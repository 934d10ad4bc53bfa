"""WatchBatch's events are serialised once and sent as those bytes: the same message every watcher gets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import grpc
from google.api import httpbody_pb2
from google.protobuf import json_format

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.api.convert import JSON_PRINT_OPTIONS, event_to_proto
from server.api.watch_messages import SharedEventMessages
from server.api.wire import response_serializer
from server.domain import (
    BatchEvent,
    BatchEventType,
    BatchOptions,
    BatchStatus,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ExtractionRequest,
    Phase,
    Profile,
    Progress,
)
from server.testing import ScriptedExtractor, running_service

NOW = datetime(2024, 6, 1, 12, 0, 5, tzinfo=UTC)
PROFILE = {
    "company_name": "Acme",
    "domain": "acme.example",
    "industry": "Industrial Robotics",
    "headquarters": {"city": "Berlin", "country": "Germany"},
    "contacts": {"phones": [{"number": "+4930123456"}], "emails": [{"address": "info@acme.example"}]},
}


def succeeded(sequence: int) -> BatchEvent:
    view = BatchView(
        "batch_20240601_abc", BatchStatus.PROCESSING, BatchOptions(),
        Progress(3, 1, 0, 1, 0, Phase.EXTRACTION), NOW, NOW, None, NOW, 5.0, 10.0, None,
    )  # fmt: skip
    outcome = CompanyOutcome("Acme", CompanyState.SUCCESS, PROFILE, None, NOW, NOW)
    return BatchEvent(BatchEventType.COMPANY_SUCCEEDED, view, sequence, NOW, "Acme", outcome)


@dataclass
class GatedExtractor(ScriptedExtractor):
    """Answers once ``gate`` is set."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def extract(self, request: ExtractionRequest) -> Profile:
        await self.gate.wait()
        return await super().extract(request)


BIG_COMPANIES = 40


@asynccontextmanager
async def held_big_batch(
    tmp_path: Path,
) -> AsyncIterator[tuple[pb_grpc.BatchServiceStub, str, asyncio.Event]]:
    """A batch of 40 results of 4 KB (more than a stream's window), answered once the event is set."""
    names = [f"Company {i}" for i in range(BIG_COMPANIES)]
    extractor = GatedExtractor(profiles={name: {**PROFILE, "description": "x" * 4000} for name in names})
    async with (
        running_service(tmp_path, extractor) as service,
        grpc.aio.insecure_channel(service.grpc_target) as channel,
    ):
        stub = pb_grpc.BatchServiceStub(channel)
        batch_id = (await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=names))).data.batch_id
        yield stub, batch_id, extractor.gate


def test_an_events_bytes_are_the_message_event_to_proto_builds() -> None:
    event = succeeded(7)
    sent = SharedEventMessages().serialized(event)
    assert sent == event_to_proto(event).SerializeToString()
    parsed = pb.WatchBatchResponse.FromString(sent)
    assert parsed == event_to_proto(event)
    assert parsed.result.data.industry == "Industrial Robotics" and parsed.sequence == 7


def test_every_watcher_of_an_event_is_handed_the_same_bytes_and_other_events_their_own() -> None:
    messages = SharedEventMessages()
    event, other = succeeded(1), succeeded(2)
    first = messages.serialized(event)
    assert messages.serialized(event) is first
    assert messages.serialized(other) is not first
    assert pb.WatchBatchResponse.FromString(messages.serialized(other)).sequence == 2


def test_an_events_server_sent_event_is_its_message_as_json_in_one_shared_http_body() -> None:
    messages = SharedEventMessages()
    event = succeeded(4)
    sent = messages.server_sent(event)
    assert messages.server_sent(event) is sent  # one rendering for every SSE watcher of the event
    body = httpbody_pb2.HttpBody.FromString(sent)
    assert body.content_type == "text/event-stream"
    text = body.data.decode()
    assert text.startswith("data: ") and text.endswith("\n\n") and text.count("\n") == 2
    printed = json.loads(text.removeprefix("data: "))
    assert printed == json_format.MessageToDict(event_to_proto(event), **JSON_PRINT_OPTIONS)
    assert pb.WatchBatchResponse.FromString(messages.serialized(event)).sequence == printed["sequence"] == 4


def test_a_small_cache_forgets_old_events_but_answers_them_alike() -> None:
    messages = SharedEventMessages(capacity=1)
    event = succeeded(1)
    first = messages.serialized(event)
    messages.serialized(succeeded(2))
    again = messages.serialized(event)
    assert again == first and again is not first


def test_the_response_serializer_sends_bytes_as_they_are_and_serialises_messages() -> None:
    serialize = response_serializer(pb.WatchBatchResponse.SerializeToString)
    message = event_to_proto(succeeded(3))
    raw = message.SerializeToString()
    assert serialize(raw) is raw
    assert serialize(message) == raw


async def test_a_watchers_company_result_is_the_one_get_results_gives(tmp_path: Path) -> None:
    extractor = GatedExtractor(profiles={"Acme": PROFILE})
    async with (
        running_service(tmp_path, extractor) as service,
        grpc.aio.insecure_channel(service.grpc_target) as channel,
    ):
        stub = pb_grpc.BatchServiceStub(channel)
        batch_id = (await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=["Acme"]))).data.batch_id
        stream = stub.WatchBatch(pb.WatchBatchRequest(batch_id=batch_id)).__aiter__()
        events = [await anext(stream)]  # the snapshot: this watcher sees the company finish
        extractor.gate.set()
        events += [event async for event in stream]
        results = await stub.GetResults(pb.GetResultsRequest(batch_id=batch_id))
    done = [e for e in events if e.event_type == pb.WatchBatchResponse.EventType.company_succeeded]
    assert len(done) == 1 and done[0].company_name == "Acme"
    assert done[0].result == results.data.results[0]
    assert done[0].result.data.headquarters.city == "Berlin"
    assert events[-1].batch.status == results.data.status == enums_pb2.completed


async def test_a_watcher_that_stops_reading_delays_no_other_and_still_gets_the_final_status(
    tmp_path: Path,
) -> None:
    """Its stream fills its flow-control window and waits; the batch and the other watchers go on."""
    async with held_big_batch(tmp_path) as (stub, batch_id, gate):
        request = pb.WatchBatchRequest(batch_id=batch_id)
        stalled = stub.WatchBatch(request).__aiter__()
        readers = [stub.WatchBatch(request).__aiter__() for _ in range(5)]
        for stream in [stalled, *readers]:
            await anext(stream)  # every watcher has its snapshot before anything happens
        gate.set()
        finals = [[event async for event in stream][-1] for stream in readers]
        assert [event.batch.status for event in finals] == [enums_pb2.completed] * 5
        rest = [event async for event in stalled]  # read at last: what it missed, then the end
    assert rest[-1].batch.status == enums_pb2.completed
    assert rest[-1].batch.progress.completed == BIG_COMPANIES


def test_a_run_of_events_is_one_http_body_of_their_frames_in_order() -> None:
    messages = SharedEventMessages()
    events = [succeeded(5), succeeded(6), succeeded(7)]
    body = httpbody_pb2.HttpBody.FromString(messages.server_sent_run(events))
    one_by_one = [httpbody_pb2.HttpBody.FromString(messages.server_sent(e)).data for e in events]
    assert body.content_type == "text/event-stream"
    assert body.data == b"".join(one_by_one)  # the client reads the same bytes as three bodies
    frames = body.data.decode().split("\n\n")
    assert frames[-1] == ""
    assert [json.loads(f.removeprefix("data: "))["sequence"] for f in frames[:-1]] == [5, 6, 7]
    assert messages.server_sent_run(events[:1]) is messages.server_sent(events[0])


async def test_an_sse_watcher_that_fell_behind_gets_what_it_missed_in_fewer_bodies_and_every_event(
    tmp_path: Path,
) -> None:
    """Its stream waits on flow control while events pile up; then each body carries all that waited."""
    async with held_big_batch(tmp_path) as (stub, batch_id, gate):
        request = pb.WatchBatchEventsRequest(batch_id=batch_id)
        stalled = stub.WatchBatchEvents(request).__aiter__()
        reader = stub.WatchBatchEvents(request).__aiter__()
        snapshot = json.loads((await anext(stalled)).data.decode().removeprefix("data: "))
        await anext(reader)  # both have their snapshot; the stalled one reads nothing more for now
        gate.set()
        [body async for body in reader]  # the batch is over: every event waits for the stalled one
        bodies = [body.data async for body in stalled]
    frames = b"".join(bodies).decode().split("\n\n")
    assert frames[-1] == ""  # every body ends its last event's frame
    events = [json.loads(frame.removeprefix("data: ")) for frame in frames[:-1]]
    assert len(bodies) < len(events)  # several events shared a body: fewer writes
    sequences = [event["sequence"] for event in events]
    first = snapshot["sequence"] + 1
    assert sequences == list(range(first, first + len(events)))  # every event, in order, none dropped
    assert events[-1]["batch"]["status"] == "completed"
