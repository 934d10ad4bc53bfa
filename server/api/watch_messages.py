"""WatchBatch's messages, converted and serialised once per event however many watchers it goes to.

A batch's events are shared objects: the scheduler publishes one ``BatchEvent`` and every watcher's
buffer holds that same object. Converting it per watcher cost one ``event_to_proto`` (a profile parsed
into protobuf for every company result) per event per watcher: with 1,000 watchers on one batch that
was seconds per event, and watchers fell so far behind that their clients gave up before the final
status. Serialising it per watcher still cost one ``SerializeToString`` of a profile-sized message
(several KB) per delivery, since grpc serialises what a stream yields call by call. So the cache holds
the wire bytes: every watcher's stream yields the same ``bytes`` object, which grpc sends as it is
(``server.api.wire.response_serializer``).
"""

from __future__ import annotations

from collections import OrderedDict

from server.api.convert import event_to_proto
from server.domain import BatchEvent

SHARED_MESSAGES = 1024
"""Recent events whose bytes are kept; the events being fanned out right now are always among them."""


class SharedEventMessages:
    """``event_to_proto(event).SerializeToString()`` memoised by event identity, for recent events."""

    def __init__(self, capacity: int = SHARED_MESSAGES) -> None:
        self._capacity = capacity
        # Keyed by id(); the entry holds the event itself, so that id cannot be reused while cached.
        self._messages: OrderedDict[int, tuple[BatchEvent, bytes]] = OrderedDict()

    def serialized(self, event: BatchEvent) -> bytes:
        """The wire bytes of ``event``'s ``WatchBatchResponse``, built on the event's first request."""
        key = id(event)
        cached = self._messages.get(key)
        if cached is not None and cached[0] is event:
            self._messages.move_to_end(key)
            return cached[1]
        message: bytes = event_to_proto(event).SerializeToString()
        self._messages[key] = (event, message)
        if len(self._messages) > self._capacity:
            self._messages.popitem(last=False)
        return message
