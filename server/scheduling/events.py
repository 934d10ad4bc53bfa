"""Batch events fanned out to watchers: cheap for many watchers, never slowed by a slow one.

Each batch has one ``EventChannel``. Publishing numbers the event (per-batch sequence, starting at 1) and
appends it to every watcher's bounded buffer; that is all the scheduler ever waits for. A watcher that
falls ``capacity`` events behind loses its buffer and is owed a fresh snapshot instead (its next read
builds one from the batch as it is then), so memory per watcher stays bounded. The event carrying a final
status is always kept, so no watcher misses the end of a batch.

On a batch with at least ``COALESCE_MIN_WATCHERS`` watchers, a watcher is also resynchronised when it
lags in time: an event arrives while the oldest one it has not read yet has waited
``COALESCE_AFTER_SECONDS`` (its client is slow, or the fan-out itself keeps the event loop busy). Its
progress events are then coalesced into one snapshot, so a watcher that falls behind costs one message
per catch-up instead of one per event, and the state it reads is fresh. A watcher that keeps up gets every
event, however many come at once; so does every watcher of a batch with few watchers, where the fan-out
costs little (they are only resynchronised when ``capacity`` events pile up).
Snapshots taken at the same sequence within ``SNAPSHOT_SHARE_SECONDS`` are one object, shared by every
watcher that asks (1,000 watchers connecting or catching up at once build and convert one).

A snapshot carries the sequence of the last event it already reflects (0 before any event), so the
sequences one watcher sees only ever increase.

A watcher may read its events in runs (``Watcher.take``): every event waiting for it when it reads. A
transport that can send several events as one write (the server-sent events stream) then writes once
per run instead of once per event. A transport that writes each event on its own (gRPC) reads them one
by one, so the events it has not sent yet stay in the buffer, where they still count as lagging and
are coalesced. ``EventStream`` is one watcher's events, read either way.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from datetime import datetime

from server.domain import BatchEvent, BatchEventType, BatchView, CompanyOutcome

WATCHER_CAPACITY = 256
"""Events buffered per watcher before it is resynchronised with a snapshot."""
COALESCE_AFTER_SECONDS = 0.05
"""How long an unread event may wait before a watcher's further progress events are coalesced."""
COALESCE_MIN_WATCHERS = 16
"""Watchers of one batch from which lagging ones are coalesced (see the module docstring)."""
SNAPSHOT_SHARE_SECONDS = 0.05
"""How long a snapshot is handed to further watchers while no event happened since."""


class Watcher:
    """One subscriber's buffer."""

    def __init__(
        self,
        capacity: int = WATCHER_CAPACITY,
        coalesce_after: float = COALESCE_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self._buffer: deque[BatchEvent] = deque()
        self._offered: deque[float] = deque()  # when each buffered event arrived
        self._resync = False
        self._coalescing = False  # whether the last event offered allowed coalescing
        self._wakeup = asyncio.Event()
        self._coalesce_after = coalesce_after
        self._clock = clock

    @property
    def pending(self) -> int:
        """Buffered events not read yet."""
        return len(self._buffer)

    def offer(self, event: BatchEvent, coalesce: bool = False) -> None:
        """Buffer an event without ever blocking the publisher; ``coalesce``: this watcher may lag."""
        now = self._clock()
        self._coalescing = coalesce
        if event.batch.status.is_final:
            self._buffer.append(event)
            self._offered.append(now)
        elif self._resync:
            return  # the snapshot this watcher is owed will include this change
        elif len(self._buffer) >= self.capacity or (coalesce and self._lags(now)):
            self._buffer.clear()
            self._offered.clear()
            self._resync = True
        else:
            self._buffer.append(event)
            self._offered.append(now)
        self._wakeup.set()

    def _lags(self, now: float) -> bool:
        """Whether the oldest event not read yet has waited long enough to be coalesced."""
        return bool(self._offered) and now - self._offered[0] >= self._coalesce_after

    async def next(self, snapshot: Callable[[], BatchEvent]) -> BatchEvent:
        """The next event, or a fresh snapshot when this watcher fell behind."""
        return (await self.take(snapshot, 1))[0]

    async def take(self, snapshot: Callable[[], BatchEvent], most: int | None = None) -> list[BatchEvent]:
        """The waiting events, oldest first (``most`` of them, or all; waits for one), or a fresh snapshot
        when this watcher fell behind: it was owed one, or the oldest event waiting is old enough to be
        coalesced (a watcher that takes whole runs empties its buffer, so no later offer would see it)."""
        while True:
            if self._resync or (self._coalescing and self._lags(self._clock())):
                self._resync = False
                self._buffer.clear()
                self._offered.clear()
                return [snapshot()]
            if self._buffer:
                if most is None or most >= len(self._buffer):
                    run = list(self._buffer)
                    self._buffer.clear()
                    self._offered.clear()
                    return run
                for _ in range(most):
                    self._offered.popleft()
                return [self._buffer.popleft() for _ in range(most)]
            self._wakeup.clear()
            await self._wakeup.wait()


class EventStream:
    """A watcher's events: one by one (``async for``), or in ``runs`` of the events that waited together.

    ``runs`` is an async generator of non-empty runs that is sent how many events the reader takes at
    most (``None``: every one waiting); the first run is the snapshot. Ends after the final status.
    """

    def __init__(self, runs: AsyncGenerator[Sequence[BatchEvent], int | None]) -> None:
        self._runs = runs
        self._started = False
        self._pending: deque[BatchEvent] = deque()

    @classmethod
    def one_by_one(cls, events: AsyncIterator[BatchEvent]) -> EventStream:
        """A stream of ``events`` whose runs are one event each (a feed with no buffer to drain)."""

        async def runs() -> AsyncGenerator[Sequence[BatchEvent], int | None]:
            async for event in events:
                yield (event,)

        return cls(runs())

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> BatchEvent:
        while not self._pending:  # its StopAsyncIteration ends this stream
            self._pending.extend(await self._runs.asend(1 if self._started else None))
            self._started = True
        return self._pending.popleft()

    def runs(self) -> AsyncIterator[Sequence[BatchEvent]]:
        """The rest of the stream, run by run (each non-empty, in order)."""
        return self._after_pending() if self._pending else self._runs

    async def _after_pending(self) -> AsyncGenerator[Sequence[BatchEvent], None]:
        run = tuple(self._pending)
        self._pending.clear()
        yield run
        async for later in self._runs:
            yield later

    async def aclose(self) -> None:
        await self._runs.aclose()


class EventChannel:
    """The watchers of one batch and its event sequence."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, coalesce_min_watchers: int = COALESCE_MIN_WATCHERS
    ) -> None:
        self.sequence = 0
        self._watchers: set[Watcher] = set()
        self._clock = clock
        self._coalesce_min_watchers = coalesce_min_watchers
        self._shared: tuple[BatchEvent, float] | None = None  # the last snapshot and when it was taken

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    def subscribe(self, capacity: int = WATCHER_CAPACITY) -> Watcher:
        watcher = Watcher(capacity, clock=self._clock)
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
        coalesce = len(self._watchers) >= self._coalesce_min_watchers
        for watcher in self._watchers:
            watcher.offer(event, coalesce)

    def snapshot(self, view: BatchView, at: datetime) -> BatchEvent:
        """A snapshot event of the batch as ``view`` shows it."""
        return BatchEvent(BatchEventType.SNAPSHOT, view, self.sequence, at)

    def shared_snapshot(self, view: Callable[[], BatchView], at: Callable[[], datetime]) -> BatchEvent:
        """A snapshot, the same object for every watcher asking at this sequence within the share window."""
        now = self._clock()
        if self._shared is not None:
            event, taken = self._shared
            if event.sequence == self.sequence and now - taken < SNAPSHOT_SHARE_SECONDS:
                return event
        event = self.snapshot(view(), at())
        self._shared = (event, now)
        return event
