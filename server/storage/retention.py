"""Retention: finished batches (with their results) and expired cache entries are purged periodically.

One sweep is a few indexed DELETEs in short chunks, so running it hourly costs nothing noticeable; with
several replicas each sweeps, and a sweep finding nothing to delete is a cheap no-op.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.errors import ServiceUnavailable
from server.storage.roles import Retention

LOGGER_NAME = "company_batch.retention"
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class SweepResult:
    """What one sweep deleted."""

    batches: int
    cache_entries: int


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RetentionSweeper:
    """Purges batches finished more than ``retention_days`` ago, every ``interval_seconds``.

    ``retention_days == 0`` keeps batches forever (expired cache entries are still dropped).
    """

    def __init__(
        self,
        store: Retention,
        *,
        retention_days: float,
        interval_seconds: float,
        now: Callable[[], datetime] = _utcnow,
        logger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._retention = timedelta(seconds=retention_days * SECONDS_PER_DAY)
        self._interval = interval_seconds
        self._now = now
        self._log = logger or logging.getLogger(LOGGER_NAME)
        self._task: asyncio.Task[None] | None = None
        self.sweeps = 0

    async def sweep_once(self) -> SweepResult:
        """Run one purge now."""
        now = self._now()
        batches = 0
        if self._retention > timedelta(0):
            batches = await self._store.purge_finished(now - self._retention)
        cache_entries = await self._store.purge_expired_cache(now)
        self.sweeps += 1
        if batches or cache_entries:
            self._log.info(
                "purged %d finished batches and %d expired cache entries",
                batches,
                cache_entries,
                extra={"event": "retention_sweep", "batches": batches, "cache_entries": cache_entries},
            )
        return SweepResult(batches, cache_entries)

    def start(self) -> None:
        """Sweep now and then every ``interval_seconds`` in a background task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="retention-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except ServiceUnavailable:
                # The next sweep retries; retention is never urgent.
                self._log.warning("retention sweep failed", extra={"event": "retention_failed"})
            await asyncio.sleep(self._interval)
