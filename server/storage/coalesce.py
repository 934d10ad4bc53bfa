"""Group commit: concurrent calls of one store write run together, one statement per round.

A replica's workers each finish a company and each ask the store to record it. Sent one by one, every
result costs a round trip and a commit, and the database's per-statement work, not the replica, becomes
what limits a cluster (measured in ``bench.replicas``). ``Coalescer`` sends the first call at once and
queues the calls that arrive while that round is in flight; the next round carries all of them in one
call of ``run_many``. An idle store adds no delay; a busy one sends fewer, larger statements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Item, Result]):
    """Runs ``run_many`` over the items queued since the last round; each caller gets its own result.

    ``run_many`` returns one result per item, in order. If it raises, every caller of that round gets
    the exception. A caller cancelled while waiting does not take its item out of a round already sent.
    """

    def __init__(self, run_many: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]]) -> None:
        self._run_many = run_many
        self._queued: list[tuple[Item, asyncio.Future[Result]]] = []
        self._rounds: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Queue ``item`` for the next round and wait for its result."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        if self._rounds is None or self._rounds.done():
            self._rounds = asyncio.create_task(self._run_rounds(), name="store-coalescer")
        return await future

    async def aclose(self) -> None:
        """Stop; callers still waiting get ``asyncio.CancelledError``."""
        if self._rounds is not None:
            self._rounds.cancel()
            await asyncio.gather(self._rounds, return_exceptions=True)
            self._rounds = None
        queued, self._queued = self._queued, []
        for _, future in queued:
            future.cancel()

    async def _run_rounds(self) -> None:
        while self._queued:
            queued, self._queued = self._queued, []
            try:
                results = await self._run_many([item for item, _ in queued])
                if len(results) != len(queued):
                    raise RuntimeError(f"{len(results)} results for {len(queued)} calls")
            except asyncio.CancelledError:
                for _, future in queued:
                    future.cancel()
                raise
            except Exception as exc:
                for _, future in queued:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(queued, results, strict=True):
                if not future.done():
                    future.set_result(result)
