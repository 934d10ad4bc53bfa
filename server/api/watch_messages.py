"""WatchBatch's messages, converted and serialised once per event however many watchers it goes to.

A batch's events are shared objects: the scheduler publishes one ``BatchEvent`` and every watcher's
buffer holds that same object. Converting it per watcher cost one ``event_to_proto`` (a profile parsed
into protobuf for every company result) per event per watcher: with 1,000 watchers on one batch that
was seconds per event, and watchers fell so far behind that their clients gave up before the final
status. Serialising it per watcher still cost one ``SerializeToString`` of a profile-sized message
(several KB) per delivery, since grpc serialises what a stream yields call by call. So the cache holds
the wire bytes: every watcher's stream yields the same ``bytes`` object, which grpc sends as it is
(``server.api.wire.response_serializer``).

The REST watch stream (``WatchBatchEvents``) is the same events as server-sent events. When Envoy
transcoded WatchBatch to JSON, it did so once per event *per watcher*, which cost more than all the
server's own fan-out; now the server prints each event's JSON once, exactly as the transcoder did
(``server.api.transcoded_json``), wraps it in the ``data:`` framing in one ``google.api.HttpBody``, and
Envoy passes those bytes through to every SSE watcher. A watcher that several events waited for gets
them in one ``HttpBody``, their frames concatenated in order (``server_sent_run``): one write instead of
one per event, and the same byte stream for its client.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from google.api import httpbody_pb2

from company_protos.company.v1 import batch_service_pb2 as pb
from server.api.convert import event_to_proto
from server.api.transcoded_json import message_json
from server.domain import BatchEvent

SHARED_MESSAGES = 1024
"""Recent events whose bytes are kept; the events being fanned out right now are always among them."""
SSE_CONTENT_TYPE = "text/event-stream"


@dataclass
class _Encodings:
    """One event's message and the two wire forms built from it, each on first request."""

    event: BatchEvent  # held so that the id() keying the cache cannot be reused while cached
    message: pb.WatchBatchResponse
    grpc: bytes | None = None
    frame: bytes | None = None  # the server-sent event: ``data: {json}\n\n``
    sse: bytes | None = None  # the serialised ``HttpBody`` holding just that frame


class SharedEventMessages:
    """An event's ``WatchBatchResponse`` bytes and its server-sent-events chunk, memoised per event."""

    def __init__(self, capacity: int = SHARED_MESSAGES) -> None:
        self._capacity = capacity
        self._messages: OrderedDict[int, _Encodings] = OrderedDict()

    def serialized(self, event: BatchEvent) -> bytes:
        """The wire bytes of ``event``'s ``WatchBatchResponse``, built on the event's first request."""
        encodings = self._encodings(event)
        if encodings.grpc is None:
            encodings.grpc = encodings.message.SerializeToString()
        return encodings.grpc

    def server_sent(self, event: BatchEvent) -> bytes:
        """The wire bytes of an ``HttpBody`` holding ``event`` as one server-sent event (``data: {json}``)."""
        encodings = self._encodings(event)
        if encodings.sse is None:
            encodings.sse = _http_body(self._frame(encodings))
        return encodings.sse

    def server_sent_run(self, events: Sequence[BatchEvent]) -> bytes:
        """The wire bytes of an ``HttpBody`` holding ``events`` as server-sent events, in order."""
        if len(events) == 1:
            return self.server_sent(events[0])
        return _http_body(b"".join(self._frame(self._encodings(event)) for event in events))

    @staticmethod
    def _frame(encodings: _Encodings) -> bytes:
        if encodings.frame is None:
            encodings.frame = f"data: {message_json(encodings.message)}\n\n".encode()
        return encodings.frame

    def _encodings(self, event: BatchEvent) -> _Encodings:
        key = id(event)
        cached = self._messages.get(key)
        if cached is not None and cached.event is event:
            self._messages.move_to_end(key)
            return cached
        encodings = _Encodings(event, event_to_proto(event))
        self._messages[key] = encodings
        if len(self._messages) > self._capacity:
            self._messages.popitem(last=False)
        return encodings


def _http_body(frames: bytes) -> bytes:
    body: bytes = httpbody_pb2.HttpBody(content_type=SSE_CONTENT_TYPE, data=frames).SerializeToString()
    return body
