"""Change notifications between replicas: ``NOTIFY`` on a batch's changes, ``LISTEN`` for everyone's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import asyncpg

from server.domain import BatchStatus
from server.errors import ServiceUnavailable
from server.storage.base import ChangeListener
from server.storage.postgres_pool import CONNECT_TIMEOUT_SECONDS, translated
from server.storage.postgres_sql import CHANGES_CHANNEL

PROGRESS_NOTIFY_SECONDS = 0.05
"""Companies' progress is announced at most this late, merged per batch (see ``announce_soon``)."""


async def notify(conn: asyncpg.Connection, batch_id: str, status: BatchStatus | None = None) -> None:
    """NOTIFY every replica's listener; delivered only if (and when) the transaction commits."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANGES_CHANNEL, _payload(batch_id, status))


def _payload(batch_id: str, status: BatchStatus | None) -> str:
    """``batch_id`` or ``batch_id status`` (batch ids hold no spaces)."""
    return batch_id if status is None else f"{batch_id} {status.value}"


class ChangeFeed:
    """One store's side of ``CHANGES_CHANNEL``: its merged progress announcements and its listeners."""

    def __init__(
        self, url: str, connection: Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]
    ) -> None:
        self._url = url
        self._connection = connection
        self._listen_conn: asyncpg.Connection | None = None
        self._progress: set[str] = set()
        self._announcer: asyncio.Task[None] | None = None
        self._listeners: list[ChangeListener] = []

    async def close(self) -> None:
        """Stop announcing and listening (pending progress announcements are dropped)."""
        if self._announcer is not None:
            self._announcer.cancel()
            await asyncio.gather(self._announcer, return_exceptions=True)
            self._announcer = None
        if self._listen_conn is not None:
            listen_conn, self._listen_conn = self._listen_conn, None
            await listen_conn.close()

    def announce_soon(self, batch_id: str) -> None:
        """NOTIFY a company's progress within ``PROGRESS_NOTIFY_SECONDS``, merged per batch.

        Not in the change's own transaction, on purpose: PostgreSQL takes one database-wide lock while
        a transaction that sent NOTIFY commits, so a NOTIFY in every claim and finish serialised all of
        them (two replicas measured no faster than one). Sent after the commit, an announcement never
        precedes its change; a crash in between costs a watcher at most its next re-read. Status
        changes (start, pause, resume, cancel, completion) still notify in their own transaction.
        """
        self._progress.add(batch_id)
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.get_running_loop().create_task(self._announce_progress())

    async def _announce_progress(self) -> None:
        await asyncio.sleep(PROGRESS_NOTIFY_SECONDS)
        batch_ids, self._progress = sorted(self._progress), set()
        try:
            async with self._connection() as conn:
                await conn.execute(
                    "SELECT pg_notify($1, b) FROM unnest($2::text[]) AS b", CHANGES_CHANNEL, batch_ids
                )
        except ServiceUnavailable:
            pass  # watchers re-read on their own every few seconds

    async def add_listener(self, listener: ChangeListener) -> None:
        """LISTEN on a connection of its own (outside the pool) for every replica's NOTIFY."""
        with translated("listen"):
            if self._listen_conn is None:
                self._listen_conn = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT_SECONDS)
                await self._listen_conn.add_listener(CHANGES_CHANNEL, self._on_notify)
        self._listeners.append(listener)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        batch_id, _, status = payload.partition(" ")
        for listener in self._listeners:
            listener(batch_id, BatchStatus(status) if status else None)
