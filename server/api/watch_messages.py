"""WatchBatch's messages, converted once per event however many watchers the event goes to.

A batch's events are shared objects: the scheduler publishes one ``BatchEvent`` and every watcher's
buffer holds that same object. Converting it per watcher cost one ``event_to_proto`` (a profile parsed
into protobuf for every company result) per event per watcher: with 1,000 watchers on one batch that
was seconds per event, and watchers fell so far behind that their clients gave up before the final
status. The message is immutable once built, so every watcher's stream can send the same one.
"""

from __future__ import annotations

from collections import OrderedDict

from client.stubs.company.v1 import batch_service_pb2 as pb
from server.api.convert import event_to_proto
from server.domain import BatchEvent

SHARED_MESSAGES = 1024
"""Recent events whose message is kept; the events being fanned out right now are always among them."""


class SharedEventMessages:
    """``event_to_proto`` memoised by event identity, for the most recent ``capacity`` events."""

    def __init__(self, capacity: int = SHARED_MESSAGES) -> None:
        self._capacity = capacity
        # Keyed by id(); the entry holds the event itself, so that id cannot be reused while cached.
        self._messages: OrderedDict[int, tuple[BatchEvent, pb.WatchBatchResponse]] = OrderedDict()

    def message(self, event: BatchEvent) -> pb.WatchBatchResponse:
        """The message of ``event``, built on its first request; callers must not modify it."""
        key = id(event)
        cached = self._messages.get(key)
        if cached is not None and cached[0] is event:
            self._messages.move_to_end(key)
            return cached[1]
        message = event_to_proto(event)
        self._messages[key] = (event, message)
        if len(self._messages) > self._capacity:
            self._messages.popitem(last=False)
        return message
