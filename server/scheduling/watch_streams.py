"""The event streams ``WatchBatch`` returns for a batch in this process: live, or one snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from server.domain import BatchEvent, BatchEventType, BatchView
from server.scheduling.base import utcnow
from server.scheduling.runtime import BatchRuntime


async def live_events(
    rt: BatchRuntime, capacity: int, view: Callable[[], BatchView]
) -> AsyncIterator[BatchEvent]:
    """A snapshot, then every event of the live batch, ending after its final status.

    Args:
        rt: the live batch.
        capacity: events a slow watcher may fall behind before it is sent a fresh snapshot instead.
        view: the batch's current view, called for each snapshot.
    """
    watcher = rt.channel.subscribe(capacity)
    try:
        # Shared: a thousand watchers connecting (or catching up) together get one snapshot object,
        # which the API layer then converts once (server.api.watch_messages).
        event = rt.channel.shared_snapshot(view, utcnow)
        while True:
            yield event
            if event.batch.status.is_final:
                return
            event = await watcher.next(lambda: rt.channel.shared_snapshot(view, utcnow))
    finally:
        rt.channel.unsubscribe(watcher)


async def single_snapshot(view: BatchView) -> AsyncIterator[BatchEvent]:
    """One snapshot of a batch that is not live here (normally a finished one)."""
    yield BatchEvent(BatchEventType.SNAPSHOT, view, 0, utcnow())
