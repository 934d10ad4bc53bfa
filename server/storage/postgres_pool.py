"""Connection pools, migrations and the one exception edge of the PostgreSQL store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from server.errors import ServiceUnavailable
from server.storage.postgres_sql import postgres_claim_function
from server.storage.schema import POSTGRES_MIGRATIONS

MIGRATION_LOCK_KEY = 0x636F6D7062617463  # "compbatc": one advisory lock id for this service's migrations
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10.0
COMMAND_TIMEOUT_SECONDS = 30.0
PROGRESS_WRITES = "synchronous_commit=off"
"""How a replica's claims, heartbeats and fenced results commit: without waiting for the WAL flush.

Measured on the 2-core bench machine, one flush per finished company was the ceiling of the whole
cluster (backends queued on WALWrite), so a second replica added almost nothing. PostgreSQL stays
consistent either way; what an OS or database crash (not a replica crash: the server keeps its WAL
buffers) can lose is the last fraction of a second of such commits: those companies are then running
under an expired lease, or pending, and are run again, with a new attempt number, exactly once. That is
the trade SQLite's ``synchronous=NORMAL`` makes too. Batches, status changes and cancels stay durable."""


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pool connection released without asyncpg's reset query (one round trip fewer per use).

    asyncpg sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release,
    which doubled the round trips of the one-statement writes a replica makes per company (measured
    in the replica benchmark). The store leaves no session state on pooled connections: LISTEN has
    its own connection (``postgres_changes``), the only advisory lock is transaction-scoped, nothing
    runs SET or opens a cursor. asyncpg still rolls back a transaction left open.
    """

    def get_reset_query(self) -> str:
        return ""


async def open_pools(url: str, max_connections: int) -> tuple[asyncpg.Pool, asyncpg.Pool]:
    """The durable pool and the progress pool (``PROGRESS_WRITES``), migrations applied in between.

    Raises:
        ServiceUnavailable: the database cannot be reached or a migration failed.
    """
    with translated("open"):
        pool = await asyncpg.create_pool(
            url,
            min_size=POOL_MIN_SIZE,
            max_size=max_connections,
            timeout=CONNECT_TIMEOUT_SECONDS,
            command_timeout=COMMAND_TIMEOUT_SECONDS,
            connection_class=PooledConnection,
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            progress_pool = await asyncpg.create_pool(
                url,
                min_size=POOL_MIN_SIZE,
                max_size=max_connections,
                timeout=CONNECT_TIMEOUT_SECONDS,
                command_timeout=COMMAND_TIMEOUT_SECONDS,
                connection_class=PooledConnection,
                server_settings={"synchronous_commit": "off"},
            )
        except BaseException:
            await pool.close()
            raise
    return pool, progress_pool


async def migrate(conn: asyncpg.Connection) -> None:
    """Apply pending migrations in one transaction, one replica at a time; (re)install the functions.

    Server-side functions are code rather than schema: each start replaces them with this version's
    text (their names carry a version, so replicas of two versions each call their own).
    """
    async with conn.transaction():
        # Held until commit: a second replica blocks here, then finds the migrations applied.
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
        current = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
        for version, statements in enumerate(POSTGRES_MIGRATIONS[current:], start=current + 1):
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
        await conn.execute(postgres_claim_function())


@contextmanager
def translated(action: str) -> Iterator[None]:
    """asyncpg's (and the socket's) exceptions become ``ServiceUnavailable`` here, the store's one edge."""
    try:
        yield
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise ServiceUnavailable(f"store {action} failed: {exc}") from exc
