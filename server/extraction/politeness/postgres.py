"""Politeness shared through PostgreSQL: a slot table and a row of token-bucket state per host.

Tables ``politeness_slots`` and ``politeness_hosts`` come with the store's migrations; the slot function
``company_batch_take_slot_v1`` too. The buckets step with pyrate-limiter's ``TokenBucket`` on the row,
locked for the step, so every replica on the database spends from one bucket.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from pyrate_limiter.abstracts.algorithm import Decision

from server.errors import FetchError
from server.extraction.politeness import ALGORITHM, HostPolicy, Politeness
from server.settings import Settings

POOL_MAX_SIZE = 4
CONNECT_TIMEOUT_SECONDS = 10.0
COMMAND_TIMEOUT_SECONDS = 10.0
SLOT_LEASE_SECONDS_MARGIN = 5.0
"""A slot is leased for two fetch timeouts (the longest wait for its turn, then the request) and this
much more; a replica that dies holding one frees it then."""

TAKE_SLOT = "SELECT company_batch_take_slot_v1($1, $2, $3, $4, $5)"
GIVE_SLOT = "DELETE FROM politeness_slots WHERE key = $1 AND holder = $2"
# Locks the host's row (creating it) and reads it in one statement.
LOCK_HOST = """
    INSERT INTO politeness_hosts (key) VALUES ($1)
    ON CONFLICT (key) DO UPDATE SET key = excluded.key
    RETURNING tats, blocked_until
"""
SET_TATS = "UPDATE politeness_hosts SET tats = $2 WHERE key = $1"
BLOCK = """
    INSERT INTO politeness_hosts (key, blocked_until) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE
    SET blocked_until = greatest(politeness_hosts.blocked_until, excluded.blocked_until)
"""


class PostgresPoliteness(Politeness):
    """Every replica on one PostgreSQL database shares each host's slots, buckets and back-off."""

    def __init__(self, settings: Settings, url: str) -> None:
        super().__init__(settings)
        self._url = url
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._replica = f"{settings.replica_id}:{secrets.token_hex(4)}"

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._opening:  # the first requests arrive together: one pool for all of them
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._url,
                        min_size=1,
                        max_size=POOL_MAX_SIZE,
                        timeout=CONNECT_TIMEOUT_SECONDS,
                        command_timeout=COMMAND_TIMEOUT_SECONDS,
                    )
            async with self._pool.acquire() as conn:
                yield conn
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            # Politeness that cannot be checked sends nothing: the request fails, the service stays up.
            raise FetchError("Politeness state unavailable", details=f"PostgreSQL: {exc}") from exc

    async def _take_slot(self, policy: HostPolicy) -> str | None:
        token = f"{self._replica}:{secrets.token_hex(6)}"
        now = time.time()
        expires = now + 2 * self._settings.fetch_timeout_seconds + SLOT_LEASE_SECONDS_MARGIN
        async with self._connection() as conn:
            taken = await conn.fetchval(TAKE_SLOT, policy.key, token, policy.concurrency, now, expires)
        return token if taken else None

    async def _give_slot(self, policy: HostPolicy, token: str | None) -> None:
        if token:
            async with self._connection() as conn:
                await conn.execute(GIVE_SLOT, policy.key, token)

    async def _turn(self, policy: HostPolicy, now_ms: int) -> tuple[float, Decision]:
        rates = list(policy.rates)
        async with self._connection() as conn, conn.transaction():
            row = await conn.fetchrow(LOCK_HOST, policy.key)
            assert row is not None  # INSERT ... RETURNING always returns the row
            blocked = float(row["blocked_until"])
            if blocked * 1000 > now_ms:
                return blocked, Decision(failing_rate=None)
            stored = tuple(row["tats"] or ())
            # Rules changed since the row was written: start the buckets afresh.
            state = stored if len(stored) == len(rates) else ALGORITHM.initial(rates)
            new_state, decision = ALGORITHM.step(rates, state, now_ms, 1)
            if decision.allowed and rates:
                await conn.execute(SET_TATS, policy.key, [int(tat) for tat in new_state])
        return blocked, decision

    async def _block(self, key: str, until: float) -> None:
        async with self._connection() as conn:
            await conn.execute(BLOCK, key, until)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
