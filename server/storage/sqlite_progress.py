"""Companies' progress on SQLite, written in groups: starts and finishes made together share one commit.

Every company costs the embedded store a start and a final write. Sent one by one, each is a round trip
to aiosqlite's thread and a commit of its own, and those, not the scheduler, were what a company's
overhead was made of. ``ProgressWriter`` sends the writes made while a previous round is in flight
together (``coalesce``): one transaction per round, with every start in one statement
(``batch_sql.START_FROM_INPUT``), every final write in another (``batch_sql.FINISH_FROM_INPUT``), then
the batch status changes the round carries and the completion checks of replicas' results; a round
that is a single statement runs it alone, in autocommit. A caller returns only after its round has
committed, so what it then publishes is durable as before; a caller cancelled meanwhile does not take
its write out of the round (it is written or not with the round, whole).

A round the database refuses because of one of its rows (a constraint, a value it cannot store) is
tried again one write per transaction, so that row fails alone and its neighbours are recorded; a round
that fails for the store's sake (locked, I/O, closed) fails each of its callers, which would each fail
the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aiosqlite

from server.domain import BatchStatus
from server.errors import ServiceUnavailable
from server.storage import batch_sql, leases
from server.storage.base import BatchChange
from server.storage.coalesce import Coalescer
from server.storage.sqlite_connection import SqliteTx

Connection = Callable[[], AbstractAsyncContextManager[aiosqlite.Connection]]
"""The store's ``_transaction`` (one write transaction under its lock) or ``_locked`` (autocommit)."""

ROWS_PER_STATEMENT = 500
"""Writes per statement: at 13 parameters a row, far below SQLite's limit of 32766 parameters."""
_ABOUT_THE_ROWS = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
)
"""What a statement raises when some of its values are refused rather than the database unusable."""


@dataclass(frozen=True)
class Start:
    """A pending company starts (``batch_sql.START_FROM_INPUT``), with its batch's status change if any."""

    batch_id: str
    position: int
    started_at: float | None
    change: BatchChange | None = None


@dataclass(frozen=True)
class Finish:
    """A running company's final write (``codec.outcome_columns``), fenced when ``attempt`` is given.

    ``change`` is written only when the result is recorded; with ``complete_at`` the batch then gets its
    final status if this was its last outstanding company (``leases.complete_if_done``).
    """

    batch_id: str
    position: int
    columns: tuple[Any, ...]
    attempt: int | None = None
    owner: str | None = None
    change: BatchChange | None = None
    complete_at: datetime | None = None


Write = Start | Finish


@dataclass(frozen=True)
class Written:
    """What a write did: whether a final write was recorded and, for one, its batch's final status if it
    completed the batch (given to the round's last recorded write of that batch only)."""

    recorded: bool = True
    final: BatchStatus | None = None


class ProgressWriter:
    """Group commit of companies' starts and final writes (see the module docstring)."""

    def __init__(self, transaction: Connection, autocommit: Connection) -> None:
        self._transaction = transaction
        self._autocommit = autocommit
        self._rounds: Coalescer[Write, Written | ServiceUnavailable] = Coalescer(self._write_round)

    async def write(self, write: Write) -> Written:
        """Write in the next round; returns once that round committed.

        Raises:
            ServiceUnavailable: the round, or this write alone, failed (nothing of it was written).
        """
        result = await self._rounds.submit(write)
        if isinstance(result, ServiceUnavailable):
            raise result
        return result

    async def aclose(self) -> None:
        """Stop; a round in flight is rolled back unless its commit ran, and its callers are cancelled."""
        await self._rounds.aclose()

    async def _write_round(self, writes: Sequence[Write]) -> list[Written | ServiceUnavailable]:
        try:
            return list(await self._commit(writes))
        except ServiceUnavailable as exc:
            if len(writes) == 1 or not isinstance(exc.__cause__, _ABOUT_THE_ROWS):
                raise
        results: list[Written | ServiceUnavailable] = []
        for write in writes:  # one refused row fails alone
            try:
                results.extend(await self._commit([write]))
            except ServiceUnavailable as exc:
                results.append(exc)
        return results

    async def _commit(self, writes: Sequence[Write]) -> list[Written]:
        """Starts, then final writes, then the status changes and completions they bring, committed once.

        A round of one statement alone (starts only, or final writes only, without a status change) is
        that statement in autocommit, itself atomic: one round trip to the thread instead of three.
        """
        statements = _statements(writes)
        atomic = len(statements) > 1 or any(
            w.change is not None or (isinstance(w, Finish) and w.complete_at is not None) for w in writes
        )
        results = [Written() for _ in writes]
        async with self._transaction() if atomic else self._autocommit() as conn:
            for sql, params, finishes in statements:
                recorded = {(row[0], row[1]) for row in await conn.execute_fetchall(sql, params)}
                for index, finish in finishes:
                    if (finish.batch_id, finish.position) not in recorded:
                        results[index] = Written(recorded=False)
            tx = SqliteTx(conn)
            completing: dict[
                str, tuple[int, datetime]
            ] = {}  # batch: its last recorded write, the latest time
            for index, (write, result) in enumerate(zip(writes, results, strict=True)):
                if not result.recorded:
                    continue
                if write.change is not None:
                    await batch_sql.write_change(tx, write.change)
                if isinstance(write, Finish) and write.complete_at is not None:
                    _, latest = completing.get(write.batch_id, (index, write.complete_at))
                    completing[write.batch_id] = (index, max(latest, write.complete_at))
            # One writer at a time: this transaction sees every other result.
            for batch_id, (index, at) in completing.items():
                results[index] = Written(final=await leases.complete_if_done(tx, batch_id, at))
        return results


Statement = tuple[str, list[Any], Sequence[tuple[int, Finish]]]
"""SQL, its parameters, and the final writes (with their index in the round) whose rows it returns."""


def _statements(writes: Sequence[Write]) -> list[Statement]:
    """The round's company writes as multi-row statements: starts first, then final writes.

    A company written twice in one round goes into a later statement than its first write, so of the
    two exactly the first is recorded, as when they are sent one after the other.
    """
    starts = [(w.batch_id, w.position, w.started_at) for w in writes if isinstance(w, Start)]
    waves: list[list[tuple[int, Finish]]] = []
    writes_of: dict[tuple[str, int], int] = {}
    for index, write in enumerate(writes):
        if isinstance(write, Finish):
            key = (write.batch_id, write.position)
            wave = writes_of.get(key, 0)
            writes_of[key] = wave + 1
            if wave == len(waves):
                waves.append([])
            waves[wave].append((index, write))
    statements: list[Statement] = []
    for chunk in _chunks(starts):
        sql = _from_input(batch_sql.START_INPUT_COLUMNS, batch_sql.START_FROM_INPUT, len(chunk))
        statements.append((sql, [value for row in chunk for value in row], []))
    for wave_finishes in waves:
        for finishes in _chunks(wave_finishes):
            sql = _from_input(batch_sql.FINISH_INPUT_COLUMNS, batch_sql.FINISH_FROM_INPUT, len(finishes))
            params = [
                value
                for _, f in finishes
                for value in (f.batch_id, f.position, *f.columns, f.attempt, f.owner)
            ]
            statements.append((f"{sql} RETURNING batch_id, position", params, finishes))
    return statements


def _from_input(columns: str, update: str, rows: int) -> str:
    """``update`` over ``rows`` input rows of ``columns`` (a CTE ``input`` of ``VALUES``)."""
    row = f"({batch_sql.placeholders(columns.count(',') + 1)})"
    return f"WITH input ({columns}) AS (VALUES {', '.join([row] * rows)}) {update}"


Chunked = TypeVar("Chunked")


def _chunks(rows: Sequence[Chunked]) -> list[Sequence[Chunked]]:
    return [rows[start : start + ROWS_PER_STATEMENT] for start in range(0, len(rows), ROWS_PER_STATEMENT)]
