"""The SQLite store's connection (WAL, pragmas, migrations), its ``SqlTx`` adapter and its error edge."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from server.errors import ServiceUnavailable
from server.storage.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another process's write lock before failing."""


async def open_connection(path: Path) -> aiosqlite.Connection:
    """Connect in autocommit mode, switch to WAL, and apply pending migrations.

    Raises:
        ServiceUnavailable: the file cannot be opened or a migration failed.
    """
    with translated("open"):
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: commits are durable across process crashes; only an OS crash may lose
            # the last transactions, which the restart logic tolerates (companies simply rerun).
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Migrations run before foreign keys are enforced: a table rebuild (schema migration 5)
            # drops and renames the parent table, which with enforcement on would cascade-delete
            # every company. The pragma cannot change inside a transaction, so it is set after.
            await migrate(conn)
            await conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            await conn.close()
            raise
    return conn


async def migrate(conn: aiosqlite.Connection) -> None:
    """Apply pending migrations, each in its own write transaction."""
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
    rows = await conn.execute_fetchall("SELECT max(version) FROM schema_version")
    current = int(next(iter(rows))[0] or 0)
    for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
        try:  # BEGIN inside: see SqliteBatchStore._transaction
            await conn.execute("BEGIN IMMEDIATE")
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            await conn.commit()
        except BaseException:
            await conn.rollback()  # a no-op when BEGIN itself failed
            raise


class SqliteTx:
    """``leases.SqlTx`` over the store's connection (the caller holds the lock or the transaction)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """Rows of ``sql``."""
        return list(await self._conn.execute_fetchall(sql, params))


@contextmanager
def translated(action: str) -> Iterator[None]:
    """sqlite3's exceptions become ``ServiceUnavailable`` here, the store's one edge."""
    try:
        yield
    except sqlite3.Error as exc:
        raise ServiceUnavailable(f"store {action} failed: {exc}") from exc
