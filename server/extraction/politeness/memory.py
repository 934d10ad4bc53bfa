"""Politeness kept in this process: asyncio semaphores, pyrate-limiter's in-memory state, a dict."""

from __future__ import annotations

from pyrate_limiter.abstracts.algorithm import Decision
from pyrate_limiter.buckets.state_bucket import InMemoryStateStore

from server.extraction.politeness import HostPolicy, Politeness, checked
from server.settings import Settings


class MemoryPoliteness(Politeness):
    """The single-process default: limits hold for this server only."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._buckets: dict[str, InMemoryStateStore] = {}
        self._blocked: dict[str, float] = {}

    async def _turn(self, policy: HostPolicy, now_ms: int) -> tuple[float, Decision]:
        blocked = self._blocked.get(policy.key, 0.0)
        if blocked * 1000 > now_ms:
            return blocked, Decision(failing_rate=None)
        store = self._buckets.setdefault(policy.key, InMemoryStateStore())
        return blocked, await checked(store, policy.rates, now_ms)

    async def _block(self, key: str, until: float) -> None:
        self._blocked[key] = max(self._blocked.get(key, 0.0), until)
