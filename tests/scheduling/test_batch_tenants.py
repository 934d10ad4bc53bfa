"""Both schedulers keep a batch's tenant: on submit, in the stored row, across a restart, in listings,
stats and request-id replays; TenantBatches answers another tenant's batch as not found."""

from __future__ import annotations

import asyncio

import pytest
from scheduling_fakes import ScriptedExtractor, new_scheduler

from server.auth import Principal
from server.domain import BatchOptions, BatchSpec, BatchStatus
from server.errors import BatchNotFound
from server.scheduling.scheduler import BatchScheduler
from server.scheduling.tenancy import TenantBatches
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory


async def start(kind: str, store: BatchStore, extractor: ScriptedExtractor) -> BatchScheduler:
    scheduler = new_scheduler(kind, store, extractor, workers=2, aging_seconds=30.0)
    await scheduler.start()
    return scheduler


async def test_the_tenant_survives_submit_restart_and_listing(
    queue_kind: str, store_factory: StoreFactory, extractor: ScriptedExtractor
) -> None:
    extractor.hold_all = asyncio.Event()  # keep the batches live across the restart
    store = await store_factory()
    scheduler = await start(queue_kind, store, extractor)
    alpha = TenantBatches(scheduler, Principal("alpha", key_id="k1"))
    beta = TenantBatches(scheduler, Principal("beta", key_id="k2"))
    spec = BatchSpec(("T-1", "T-2"), BatchOptions(), request_id="po-1")
    mine = (await alpha.submit(spec)).batch.batch_id
    theirs = await beta.submit(spec)
    assert not theirs.idempotent_replay and theirs.batch.batch_id != mine
    replay = await alpha.submit(spec)
    assert replay.idempotent_replay and replay.batch.batch_id == mine
    assert await scheduler.batch_tenant(mine) == "alpha"
    await scheduler.stop()

    restarted = await start(queue_kind, await store_factory(), extractor)
    try:
        assert await restarted.batch_tenant(mine) == "alpha"
        assert await restarted.batch_tenant("batch_20240101_none") is None
        alpha = TenantBatches(restarted, Principal("alpha", key_id="k1"))
        beta = TenantBatches(restarted, Principal("beta", key_id="k2"))
        admin = TenantBatches(restarted, Principal("ops", admin=True, key_id="k3"))
        for action in (beta.get, beta.pause, beta.resume, beta.cancel, beta.watch):
            with pytest.raises(BatchNotFound):
                await action(mine)
        assert (await alpha.get(mine)).status is not BatchStatus.CANCELLED
        assert [v.batch_id for v in (await alpha.list_batches(10, ""))[0]] == [mine]
        assert {v.batch_id for v in (await admin.list_batches(10, ""))[0]} == {mine, theirs.batch.batch_id}
        assert (await alpha.stats("1h", False, 0)).total_batches == 1
        assert (await admin.stats("1h", False, 0)).total_batches == 2
        assert (await admin.cancel(mine)).status is BatchStatus.CANCELLED  # an admin may act on any
    finally:
        extractor.hold_all.set()
        await restarted.stop()
