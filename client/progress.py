"""Following a batch's WatchBatch stream, optionally drawing a live rich progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from company_protos.company.v1 import batch_service_pb2, enums_pb2

FINAL_STATUSES = frozenset({enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled})
UNSUCCESSFUL_STATUSES = frozenset({enums_pb2.failed, enums_pb2.cancelled})

EventSink = Callable[[batch_service_pb2.WatchBatchResponse], None]


def event_name(event: batch_service_pb2.WatchBatchResponse) -> str:
    """The lower-case name of a watch event's type (``snapshot``, ``company_succeeded``, ...)."""
    name: str = batch_service_pb2.WatchBatchResponse.EventType.Name(event.event_type)
    return name


def status_name(status: int) -> str:
    """The lower-case name of a ``BatchStatus`` value."""
    name: str = enums_pb2.BatchStatus.Name(status)
    return name


def _describe(batch: batch_service_pb2.Batch) -> str:
    phase = batch_service_pb2.BatchProgress.Phase.Name(batch.progress.current_phase)
    return f"{batch.batch_id} {status_name(batch.status)} ({phase}, {batch.progress.failed} failed)"


def follow(
    events: Iterable[batch_service_pb2.WatchBatchResponse],
    *,
    console: Console | None = None,
    on_event: EventSink | None = None,
) -> batch_service_pb2.Batch | None:
    """Consume ``events`` until the stream ends; return the last batch seen, or None if there was none.

    With ``console``, a progress bar (finished companies of total) is drawn there while events arrive.
    ``on_event`` sees every event, e.g. to print it.
    """
    last: batch_service_pb2.Batch | None = None
    progress = (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        if console is not None
        else None
    )
    task = progress.add_task("waiting for the first event", total=None) if progress is not None else None
    if progress is not None:
        progress.start()
    try:
        for event in events:
            if on_event is not None:
                on_event(event)
            last = event.batch
            if progress is not None and task is not None:
                counts = last.progress
                progress.update(
                    task,
                    description=_describe(last),
                    total=counts.total_companies or None,
                    completed=counts.completed + counts.failed,
                )
            if last.status in FINAL_STATUSES:
                break
    finally:
        if progress is not None:
            progress.stop()
    return last
