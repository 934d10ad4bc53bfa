"""Commands that, once started, finish: a client's deadline must not stop a change half way.

A gRPC handler is cancelled when its client gives up (a deadline of a few milliseconds is enough). The
store keeps each of its calls atomic, but a command is several steps (write the batch, then queue it in
this process; change the status in memory, persist it, publish it): cancelled in between, a submit would
leave a batch in the database that this process never runs, and a cancel a batch that is cancelled in
memory but not on disk. ``run_to_completion`` runs the command in a task of its own that the caller's
cancellation does not reach: the caller still gets ``CancelledError`` at once (its client is gone
anyway), the change completes, and the client's retry with the same ``request_id`` finds it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

Result = TypeVar("Result")

_log = logging.getLogger("company_batch.scheduler")


async def run_to_completion(command: Coroutine[Any, Any, Result]) -> Result:
    """Await ``command`` in its own task; a cancel of the caller leaves it running to the end."""
    task = asyncio.ensure_future(command)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_report_orphan)
        raise


def _report_orphan(task: asyncio.Task[Any]) -> None:
    """The outcome of a command whose caller left: nobody else will read its exception."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        _log.error("a command whose caller was cancelled failed", exc_info=exc)
