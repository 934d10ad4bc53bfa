"""Politeness shared through Redis: pyrate-limiter's token buckets in Redis, slots in a sorted set."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pyrate_limiter.abstracts.algorithm import Decision
from pyrate_limiter.buckets.redis_state import RedisStateStore
from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.errors import FetchError
from server.extraction.politeness import HostPolicy, Politeness, checked
from server.settings import Settings

SLOT_LEASE_SECONDS_MARGIN = 5.0
"""A slot is leased for two fetch timeouts (the longest wait for its turn, then the request) and this
much more; a replica that dies holding one frees it then."""

# Members of a host's sorted set are the holders of its slots, scored by when each lease expires.
TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
    redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
    return 1
end
return 0
"""
# The back-off only ever moves later.
BLOCK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
    redis.call('SET', KEYS[1], ARGV[1], 'PXAT', math.ceil(tonumber(ARGV[1]) * 1000))
end
return 1
"""


class RedisPoliteness(Politeness):
    """Every replica using one Redis shares each host's slots, buckets and back-off."""

    def __init__(self, settings: Settings, url: str) -> None:
        super().__init__(settings)
        self._url = url
        self._prefix = settings.redis_key_prefix
        self._redis: Redis | None = None
        self._buckets: dict[str, RedisStateStore] = {}
        self._replica = f"{settings.replica_id}:{secrets.token_hex(4)}"

    def _client(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(self._url)
            self._buckets.clear()
        return self._redis

    async def _take_slot(self, policy: HostPolicy) -> str | None:
        token = f"{self._replica}:{secrets.token_hex(6)}"
        now = time.time()
        expires = now + 2 * self._settings.fetch_timeout_seconds + SLOT_LEASE_SECONDS_MARGIN
        with _translated():
            taken = await self._client().eval(
                TAKE_SLOT, 1, f"{self._prefix}slots:{policy.key}", now, expires, policy.concurrency, token
            )
        return token if int(taken) else None

    async def _give_slot(self, policy: HostPolicy, token: str | None) -> None:
        if token:
            with _translated():
                await self._client().zrem(f"{self._prefix}slots:{policy.key}", token)

    async def _turn(self, policy: HostPolicy, now_ms: int) -> tuple[float, Decision]:
        client = self._client()
        with _translated():
            raw = await client.get(f"{self._prefix}blocked:{policy.key}")
            blocked = float(raw) if raw is not None else 0.0
            if blocked * 1000 > now_ms:
                return blocked, Decision(failing_rate=None)
            if policy.key not in self._buckets:
                self._buckets[policy.key] = RedisStateStore(client, f"{self._prefix}bucket:{policy.key}")
            return blocked, await checked(self._buckets[policy.key], policy.rates, now_ms)

    async def _block(self, key: str, until: float) -> None:
        with _translated():
            await self._client().eval(BLOCK, 1, f"{self._prefix}blocked:{key}", until)

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


@contextmanager
def _translated() -> Iterator[None]:
    """Redis errors become fetch errors: politeness that cannot be checked sends nothing."""
    try:
        yield
    except RedisError as exc:
        raise FetchError("Politeness state unavailable", details=f"Redis: {exc}") from exc
