"""Politeness towards the hosts extraction reads: one seam, three places where its state lives.

Every request the fetcher sends first takes a slot of its host (at most ``concurrency`` in flight) and
then waits for its turn on the host's token buckets: ``per_host_delay_seconds`` between two requests
and the rate a service publishes for its clients (``host_rules``: SEC EDGAR 10 a second, Wikimedia's
request for serial API calls, GLEIF 60 a minute). A ``429`` or a ``Retry-After`` stops every request to
that host until the time it named. A rule names a domain and holds for every host under it (SEC's limit
counts www.sec.gov and data.sec.gov together); other hosts are limited one by one.

Where the counts live decides what they limit:

- ``MemoryPoliteness``: this process (one server, the tests, the bench);
- ``PostgresPoliteness``: every replica on one PostgreSQL database (a small slot and rate table);
- ``RedisPoliteness``: every replica using one Redis (``redis_url``).

The buckets are pyrate-limiter's ``TokenBucket`` (GCRA: one theoretical arrival time per rate), kept in
its in-memory or Redis state store or in PostgreSQL; ``build_politeness`` picks by the settings.
"""

from __future__ import annotations

import asyncio
import math
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

from pyrate_limiter import Rate
from pyrate_limiter.abstracts.algorithm import ADMITTED, Decision, TokenBucket
from pyrate_limiter.abstracts.store import StateStore

from server.errors import FetchError
from server.settings import HostRule, Settings

Sleep = Callable[[float], Awaitable[None]]
BACKENDS = ("memory", "postgres", "redis")
Backend = Literal["memory", "postgres", "redis"]
RATE_LIMITED_STATUSES = frozenset({429, 503})
DEFAULT_BACKOFF_SECONDS = 10.0
"""How long a host that answered 429 without ``Retry-After`` is left alone."""
MAX_BACKOFF_SECONDS = 3600.0
"""A ``Retry-After`` beyond this is read as this (a host cannot park the service for days)."""
SLOT_POLL_SECONDS = 0.02
"""How often a request waiting for a shared slot asks again (PostgreSQL, Redis)."""
ALGORITHM = TokenBucket()


@dataclass(frozen=True)
class HostPolicy:
    """What limits requests to one host: the key its counts are kept under, its slots and its rates."""

    key: str
    concurrency: int
    rates: tuple[Rate, ...]


def policy_for(host: str, settings: Settings) -> HostPolicy:
    """The policy of ``host``: the rule of the longest domain it belongs to, else the defaults."""
    host = host.lower().rstrip(".")
    domain = max(
        (name for name in settings.host_rules if host == name or host.endswith(f".{name}")),
        key=len,
        default=None,
    )
    rule = settings.host_rules[domain] if domain is not None else HostRule()
    rates: list[Rate] = []
    if settings.per_host_delay_seconds > 0:
        rates.append(Rate(1, max(1, round(settings.per_host_delay_seconds * 1000)), burst=1))
    if rule.requests is not None:
        rates.append(Rate(rule.requests, max(1, round(rule.per_seconds * 1000))))
    concurrency = rule.concurrency if rule.concurrency is not None else settings.per_host_concurrency
    return HostPolicy(domain or host, concurrency, tuple(rates))


def retry_after_seconds(status: int, headers: dict[str, str], now: float | None = None) -> float | None:
    """How long a response asks us to stay away: its ``Retry-After`` (seconds or an HTTP date) on a
    429 or 503, ``DEFAULT_BACKOFF_SECONDS`` for a 429 without one; None when it asks nothing. Capped at
    ``MAX_BACKOFF_SECONDS``; an unreadable header counts as absent."""
    if status not in RATE_LIMITED_STATUSES:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    seconds: float | None = None
    if value.isdigit():
        seconds = float(value)
    elif value:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError):
            seconds = None
    if seconds is None:
        return DEFAULT_BACKOFF_SECONDS if status == 429 else None
    return min(max(seconds, 0.0), MAX_BACKOFF_SECONDS)


class Politeness(ABC):
    """Slots, token buckets and back-off per host; the fetcher holds ``request_slot`` around each request.

    Subclasses say where the state lives: ``_take_slot``/``_give_slot`` (a slot of ``concurrency``),
    ``_turn`` (the back-off and pyrate-limiter's token buckets under the host's key) and ``_block``.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._policies: dict[str, HostPolicy] = {}
        # A process never needs more of a host's slots than the host has: waiting here first keeps
        # the shared backends from being polled by every waiting request.
        self._local_slots: dict[str, asyncio.Semaphore] = {}

    def policy(self, host: str) -> HostPolicy:
        if host not in self._policies:
            self._policies[host] = policy_for(host, self._settings)
        return self._policies[host]

    @asynccontextmanager
    async def request_slot(
        self, host: str, sleep: Sleep, *, honour_backoff: bool = True
    ) -> AsyncIterator[None]:
        """Hold one of the host's slots and wait for its turn; the request is sent inside.
        ``honour_backoff=False``: the caller has already waited out the back-off it caused itself (the
        fetcher's retry after a ``Retry-After``), so only the slots and the rate limits apply.

        Raises:
            FetchError: the host asked us (``Retry-After``) to wait longer than a fetch may take.
        """
        policy = self.policy(host)
        local = self._local_slots.setdefault(policy.key, asyncio.Semaphore(policy.concurrency))
        async with local:
            token = await self._acquire(policy, sleep)
            try:
                await self._wait_turn(host, policy, sleep, honour_backoff)
                yield
            finally:
                await self._give_slot(policy, token)

    async def back_off(self, host: str, seconds: float) -> None:
        """No request to ``host`` (or its rule's domain) starts for ``seconds``, in any process sharing
        this state."""
        if seconds > 0:
            await self._block(self.policy(host).key, time.time() + seconds)

    async def aclose(self) -> None:
        return None

    async def _acquire(self, policy: HostPolicy, sleep: Sleep) -> str | None:
        while True:
            token = await self._take_slot(policy)
            if token is not None:
                return token
            await sleep(SLOT_POLL_SECONDS)

    async def _wait_turn(self, host: str, policy: HostPolicy, sleep: Sleep, honour_backoff: bool) -> None:
        while True:
            now = time.time()
            blocked_until, decision = await self._turn(policy, int(now * 1000))
            blocked = blocked_until - now if honour_backoff else 0.0
            if blocked > self._settings.fetch_timeout_seconds:
                raise FetchError(
                    f"{host} asked to be left alone", details=f"Retry-After: {math.ceil(blocked)} s more"
                )
            if blocked > 0:
                await sleep(blocked)
            elif decision.allowed:
                return
            else:
                await sleep(max(decision.retry_after_ms or 0, 1) / 1000)

    async def _take_slot(self, policy: HostPolicy) -> str | None:
        """A token for one free slot of the host, or None when all are taken. In memory the local
        semaphore is the slot."""
        return ""

    async def _give_slot(self, policy: HostPolicy, token: str | None) -> None:
        return None

    @abstractmethod
    async def _turn(self, policy: HostPolicy, now_ms: int) -> tuple[float, Decision]:
        """When the host's back-off ends (epoch seconds), and, if it has ended, whether its buckets
        admit a request now (admitting spends a token)."""

    @abstractmethod
    async def _block(self, key: str, until: float) -> None:
        """Keep requests under ``key`` from starting before ``until`` (epoch seconds; never earlier
        than an existing back-off)."""


async def checked(store: StateStore, rates: tuple[Rate, ...], now_ms: int) -> Decision:
    """pyrate-limiter's check of one token against a state store, sync or async."""
    if not rates:
        return ADMITTED
    decision = store.check(ALGORITHM, list(rates), now_ms, 1)
    if isinstance(decision, Decision):
        return decision
    return await decision


def build_politeness(settings: Settings) -> Politeness:
    """Redis when ``redis_url`` is set, PostgreSQL when replicas share a queue there, else memory
    (``politeness_backend`` chooses explicitly)."""
    backend = settings.politeness_backend
    if backend == "auto":
        if settings.redis_url:
            backend = "redis"
        elif settings.uses_shared_queue() and settings.resolved_database_url().startswith("postgres"):
            backend = "postgres"
        else:
            backend = "memory"
    if backend == "redis":
        from server.extraction.politeness.redis import RedisPoliteness

        if not settings.redis_url:
            raise ValueError("politeness_backend=redis needs redis_url")
        return RedisPoliteness(settings, settings.redis_url)
    if backend == "postgres":
        from server.extraction.politeness.postgres import PostgresPoliteness

        return PostgresPoliteness(settings, settings.resolved_database_url())
    from server.extraction.politeness.memory import MemoryPoliteness

    return MemoryPoliteness(settings)
