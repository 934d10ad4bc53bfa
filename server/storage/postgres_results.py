"""A replica's results on PostgreSQL, written in groups: fenced finishes, then batch completions.

Every running company ends with a fenced final write and a completion check. ``ResultWriter`` sends
the ones made while a previous write is in flight together (``coalesce``): one ``MARK_FINISHED_MANY``
statement and commit per round, then one completion statement per batch the round recorded results of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from server.domain import BatchStatus, CompanyOutcome
from server.errors import ServiceUnavailable
from server.storage.coalesce import Coalescer
from server.storage.codec import outcome_columns, to_epoch
from server.storage.postgres_sql import COMPLETE_AND_NOTIFY, MARK_FINISHED_MANY

Connection = Callable[..., AbstractAsyncContextManager[asyncpg.Connection]]
"""The store's ``_conn``: a pooled connection, from the progress pool with ``progress=True``."""


@dataclass(frozen=True)
class FencedFinish:
    """One replica's result for one company, waiting for its round."""

    batch_id: str
    position: int
    outcome: CompanyOutcome
    attempt: int
    owner: str


class ResultWriter:
    """Group commit of replicas' results and of completion checks (see the module docstring)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._finishes: Coalescer[FencedFinish, bool] = Coalescer(self._record)
        self._completions: Coalescer[tuple[str, datetime], BatchStatus | None] = Coalescer(self._complete)

    async def finish(self, finish: FencedFinish) -> bool:
        """Record the result unless its lease was lost; complete its batch if it was the last."""
        return await self._finishes.submit(finish)

    async def complete_if_done(self, batch_id: str, now: datetime) -> BatchStatus | None:
        """The final status, to every caller of the round that wrote it; None if there was none to write."""
        return await self._completions.submit((batch_id, now))

    async def aclose(self) -> None:
        await self._finishes.aclose()
        await self._completions.aclose()

    async def _record(self, finishes: Sequence[FencedFinish]) -> list[bool]:
        """One round of results: one statement, one commit (without the WAL wait, the progress pool)."""
        columns: list[list[Any]] = [[] for _ in range(13)]
        for finish in finishes:
            row = (
                finish.batch_id,
                finish.position,
                *outcome_columns(finish.outcome),
                finish.attempt,
                finish.owner,
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        async with self._connection(progress=True) as conn:
            recorded = {row[0] for row in await conn.fetch(MARK_FINISHED_MANY, *columns)}
        verdicts = [item in recorded for item in range(1, len(finishes) + 1)]
        # After the commit, so that of two rounds recording a batch's last results the later sees both.
        done = [finish for finish, ok in zip(finishes, verdicts, strict=True) if ok]
        try:
            await self._complete([(f.batch_id, f.outcome.finished_at or datetime.now(UTC)) for f in done])
        except ServiceUnavailable:
            pass  # the results are recorded; every replica's sweep completes batches left without work
        return verdicts

    async def _complete(self, checks: Sequence[tuple[str, datetime]]) -> list[BatchStatus | None]:
        latest: dict[str, datetime] = {}
        for batch_id, at in checks:
            latest[batch_id] = max(at, latest.get(batch_id, at))
        final: dict[str, BatchStatus] = {}
        async with self._connection() as conn:
            for batch_id, at in sorted(latest.items()):
                status = await conn.fetchval(COMPLETE_AND_NOTIFY, to_epoch(at), batch_id)
                if status is not None:
                    final[batch_id] = BatchStatus(status)
        return [final.get(batch_id) for batch_id, _ in checks]
