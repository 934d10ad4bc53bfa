"""Batch events fanned out to watchers: cheap for many watchers, never slowed by a slow one.

Each batch has one ``EventChannel``. Publishing numbers the event (per-batch sequence, starting at 1) and
appends it to every watcher's bounded buffer; that is all the scheduler ever waits for. A watcher that
falls ``capacity`` events behind loses its buffer and is owed a fresh snapshot instead (its next read
builds one from the batch as it is then), so memory per watcher stays bounded. The event carrying a final
status is always kept, so no watcher misses the end of a batch.

A snapshot carries the sequence of the last event it already reflects (0 before any event), so the
sequences one watcher sees only ever increase.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import datetime

from server.domain import BatchEvent, BatchEventType, BatchView, CompanyOutcome

WATCHER_CAPACITY = 256
"""Events buffered per watcher before it is resynchronised with a snapshot."""


class Watcher:
    """One subscriber's buffer."""

    def __init__(self, capacity: int = WATCHER_CAPACITY) -> None:
        self.capacity = capacity
        self._buffer: deque[BatchEvent] = deque()
        self._resync = False
        self._wakeup = asyncio.Event()

    @property
    def pending(self) -> int:
        """Buffered events not read yet."""
        return len(self._buffer)

    def offer(self, event: BatchEvent) -> None:
        """Buffer an event without ever blocking the publisher."""
        if event.batch.status.is_final:
            self._buffer.append(event)
        elif self._resync:
            return  # the snapshot this watcher is owed will include this change
        elif len(self._buffer) >= self.capacity:
            self._buffer.clear()
            self._resync = True
        else:
            self._buffer.append(event)
        self._wakeup.set()

    async def next(self, snapshot: Callable[[], BatchEvent]) -> BatchEvent:
        """The next event, or a fresh snapshot when this watcher fell behind."""
        while True:
            if self._resync:
                self._resync = False
                self._buffer.clear()
                return snapshot()
            if self._buffer:
                return self._buffer.popleft()
            self._wakeup.clear()
            await self._wakeup.wait()


class EventChannel:
    """The watchers of one batch and its event sequence."""

    def __init__(self) -> None:
        self.sequence = 0
        self._watchers: set[Watcher] = set()

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    def subscribe(self, capacity: int = WATCHER_CAPACITY) -> Watcher:
        watcher = Watcher(capacity)
        self._watchers.add(watcher)
        return watcher

    def unsubscribe(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    def publish(
        self,
        event_type: BatchEventType,
        view: Callable[[], BatchView],
        at: datetime,
        *,
        company_name: str = "",
        result: CompanyOutcome | None = None,
    ) -> None:
        """Number an event and hand it to every watcher; the view is only built when someone watches."""
        self.sequence += 1
        if not self._watchers:
            return
        event = BatchEvent(event_type, view(), self.sequence, at, company_name=company_name, result=result)
        for watcher in self._watchers:
            watcher.offer(event)

    def snapshot(self, view: BatchView, at: datetime) -> BatchEvent:
        """A snapshot event of the batch as ``view`` shows it."""
        return BatchEvent(BatchEventType.SNAPSHOT, view, self.sequence, at)
