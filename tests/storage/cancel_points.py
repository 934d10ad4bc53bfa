"""Cancel a store call at its k-th await on the database: the injector behind the cancellation tests.

``CancelPoints`` stands between a store and its database connection (the aiosqlite connection of the
SQLite store, the asyncpg pools of the PostgreSQL store) and counts every await the store makes on it:
a statement, a commit or rollback, a pool acquire, a transaction's start and end. At the chosen counts it
cancels the task under test, in one of three ways:

- ``before``: the statement is never sent (as if the cancel arrived just before the await);
- ``during``: the task is cancelled while it awaits the real statement, which the driver may still run
  (aiosqlite's thread does; asyncpg sends a cancel request that may come too late);
- ``after``: the statement completed, then the cancel arrives before the store sees its result.

The target is the task the test started, not whichever task happens to make the await: the store's own
background tasks (a coalescer's rounds) are not the caller's, and a client's cancel does not reach them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

MODES = ("before", "during", "after")


class CancelPoints:
    """Counts awaits on the database and cancels ``target`` at the counts in ``at``."""

    def __init__(self, mode: str, at: set[int]) -> None:
        assert mode in MODES
        self.mode = mode
        self.at = at
        self.count = 0
        self.fired = 0
        self.target: asyncio.Task[Any] | None = None
        self.background: set[asyncio.Task[Any]] = set()

    async def around(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run one await of the store on the database, cancelling the target if this is a chosen one."""
        self.count += 1
        current = asyncio.current_task()
        if current is not None and current is not self.target:
            self.background.add(current)  # the store's own task (a coalescer round): awaited by settle()
        if self.target is None or self.count not in self.at or self.target.done():
            return await call()
        self.fired += 1
        target, caller = self.target, asyncio.current_task() is self.target
        if self.mode == "before":
            target.cancel()
            if caller:
                await asyncio.sleep(0)  # raises CancelledError here, as a real cancel would
            return await call()  # the store's own task (a coalescer round) still sends it
        if self.mode == "during":
            # The cancel lands while the real statement is awaited (it has been sent by then).
            asyncio.get_running_loop().call_soon(target.cancel)
            return await call()
        result = await call()
        target.cancel()
        if caller:
            await asyncio.sleep(0)
        return result

    async def settle(self) -> None:
        """Wait for the store's own tasks that ran statements for the cancelled call to finish."""
        while pending := {task for task in self.background if not task.done()}:
            await asyncio.wait(pending)


class SqliteConnectionProxy:
    """The aiosqlite connection's methods the store awaits, each counted by ``points``."""

    def __init__(self, conn: Any, points: CancelPoints) -> None:
        self._conn = conn
        self._points = points

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._conn, name)
        if name not in {"execute", "execute_fetchall", "executemany", "commit", "rollback"}:
            return attr

        async def counted(*args: Any, **kwargs: Any) -> Any:
            return await self._points.around(lambda: attr(*args, **kwargs))

        return counted


class AsyncpgConnectionProxy:
    """An asyncpg connection's awaited methods and its transactions, each counted by ``points``."""

    def __init__(self, conn: Any, points: CancelPoints) -> None:
        self._conn = conn
        self._points = points

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._conn, name)
        if name not in {"execute", "executemany", "fetch", "fetchval", "fetchrow"}:
            return attr

        async def counted(*args: Any, **kwargs: Any) -> Any:
            return await self._points.around(lambda: attr(*args, **kwargs))

        return counted

    def transaction(self) -> Any:
        return _TransactionProxy(self._conn.transaction(), self._points)


class _TransactionProxy:
    def __init__(self, tx: Any, points: CancelPoints) -> None:
        self._tx = tx
        self._points = points

    async def __aenter__(self) -> Any:
        return await self._points.around(self._tx.__aenter__)

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._points.around(lambda: self._tx.__aexit__(*exc))


class AsyncpgPoolProxy:
    """An asyncpg pool whose acquires (and the connections they hand out) are counted by ``points``."""

    def __init__(self, pool: Any, points: CancelPoints) -> None:
        self._pool = pool
        self._points = points

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[AsyncpgConnectionProxy]:
        context = self._pool.acquire()
        acquired: list[Any] = []

        async def enter() -> Any:
            acquired.append(await context.__aenter__())
            return acquired[0]

        try:
            conn = await self._points.around(enter)
        except BaseException as exc:
            # asyncpg's own acquire gives back a connection whose caller was cancelled; so does this.
            if acquired:
                await context.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        try:
            yield AsyncpgConnectionProxy(conn, self._points)
        except BaseException as exc:
            await context.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        await context.__aexit__(None, None, None)


@asynccontextmanager
async def injected(store: Any, points: CancelPoints) -> AsyncIterator[None]:
    """Put ``points`` between ``store`` and its database for the duration (either backend).

    It replaces the store's private connection attributes: the seam is the driver object itself, so
    the test exercises exactly the code that runs in production between the store and the driver.
    """
    if hasattr(store, "_progress_pool"):
        pool, progress = store._pool, store._progress_pool
        store._pool, store._progress_pool = AsyncpgPoolProxy(pool, points), AsyncpgPoolProxy(progress, points)
        try:
            yield
        finally:
            store._pool, store._progress_pool = pool, progress
    else:
        conn = store._conn
        store._conn = SqliteConnectionProxy(conn, points)
        try:
            yield
        finally:
            store._conn = conn
