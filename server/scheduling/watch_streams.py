"""The event streams ``WatchBatch`` returns for a batch in this process: live, or one snapshot."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence

from server.domain import BatchEvent, BatchEventType, BatchView
from server.scheduling.base import utcnow
from server.scheduling.events import EventStream
from server.scheduling.runtime import BatchRuntime


def live_events(rt: BatchRuntime, capacity: int, view: Callable[[], BatchView]) -> EventStream:
    """A snapshot, then every event of the live batch, ending after its final status.

    Args:
        rt: the live batch.
        capacity: events a slow watcher may fall behind before it is sent a fresh snapshot instead.
        view: the batch's current view, called for each snapshot.
    """
    return EventStream(_live_runs(rt, capacity, view))


async def _live_runs(
    rt: BatchRuntime, capacity: int, view: Callable[[], BatchView]
) -> AsyncGenerator[Sequence[BatchEvent], int | None]:
    watcher = rt.channel.subscribe(capacity)
    try:
        # Shared: a thousand watchers connecting (or catching up) together get one snapshot object,
        # which the API layer then converts once (server.api.watch_messages).
        run = [rt.channel.shared_snapshot(view, utcnow)]
        while True:
            for position, event in enumerate(run):
                if event.batch.status.is_final:
                    yield run[: position + 1]
                    return
            most = yield run
            run = await watcher.take(lambda: rt.channel.shared_snapshot(view, utcnow), most)
    finally:
        rt.channel.unsubscribe(watcher)


def single_snapshot(view: BatchView) -> EventStream:
    """One snapshot of a batch that is not live here (normally a finished one)."""
    return EventStream(_one_run(BatchEvent(BatchEventType.SNAPSHOT, view, 0, utcnow())))


async def _one_run(event: BatchEvent) -> AsyncGenerator[Sequence[BatchEvent], int | None]:
    yield (event,)
