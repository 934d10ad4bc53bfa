"""The scheduler as one caller sees it: a tenant only ever finds, reads and changes its own batches.

Another tenant's batch is answered exactly like a batch that does not exist (``BatchNotFound``, so
NOT_FOUND / 404, never 403): an id reveals nothing about who owns it. The check runs before the command,
so a refused cancel, pause or resume changes nothing. Admins (and every caller while auth is off) see
every tenant. The extraction cache stays shared between tenants: it holds facts read from the public
web, keyed by the question, never anything a tenant submitted beyond the company name it asked about.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from server.auth import Principal
from server.domain import (
    BatchResults,
    BatchSpec,
    BatchStatusReport,
    BatchView,
    RetryOutcome,
    RetrySpec,
    StatsReport,
    SubmitOutcome,
)
from server.errors import BatchNotFound

if TYPE_CHECKING:
    from server.scheduling.base import Scheduler
    from server.scheduling.events import EventStream


class TenantBatches:
    """The ``Scheduler``'s commands and queries, limited to what ``principal`` may see."""

    def __init__(self, scheduler: Scheduler, principal: Principal) -> None:
        self._scheduler = scheduler
        self._principal = principal

    @property
    def scope(self) -> str | None:
        """The tenant whose batches and stats this caller sees; None: all of them."""
        return self._principal.scope

    async def _visible(self, batch_id: str) -> str:
        owner = await self._scheduler.batch_tenant(batch_id)
        if owner is None or not self._principal.may_see(owner):
            raise BatchNotFound(batch_id)
        return batch_id

    async def submit(self, spec: BatchSpec, *, trace_id: str = "") -> SubmitOutcome:
        """Submit as the caller's tenant: the batch is its, and ``request_id`` is looked up among its own."""
        return await self._scheduler.submit(replace(spec, tenant=self._principal.tenant), trace_id=trace_id)

    async def get(self, batch_id: str) -> BatchView:
        return await self._scheduler.get(await self._visible(batch_id))

    async def status(self, batch_id: str) -> BatchStatusReport:
        return await self._scheduler.status(await self._visible(batch_id))

    async def watch(self, batch_id: str) -> EventStream:
        return await self._scheduler.watch(await self._visible(batch_id))

    async def results(self, batch_id: str, include_failed: bool | None) -> BatchResults:
        return await self._scheduler.results(await self._visible(batch_id), include_failed)

    async def cancel(self, batch_id: str) -> BatchView:
        return await self._scheduler.cancel(await self._visible(batch_id))

    async def pause(self, batch_id: str) -> BatchView:
        return await self._scheduler.pause(await self._visible(batch_id))

    async def resume(self, batch_id: str) -> BatchView:
        return await self._scheduler.resume(await self._visible(batch_id))

    async def retry(self, batch_id: str, spec: RetrySpec) -> RetryOutcome:
        return await self._scheduler.retry(await self._visible(batch_id), spec)

    async def list_batches(self, page_size: int, page_token: str) -> tuple[list[BatchView], str]:
        return await self._scheduler.list_batches(page_size, page_token, self.scope)

    async def stats(self, timeframe: str, include_details: bool, active_connections: int) -> StatsReport:
        """The tenant's own figures (an admin's: the whole service's)."""
        return await self._scheduler.stats(timeframe, include_details, active_connections, self.scope)
