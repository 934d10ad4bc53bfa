"""How often the webhook dispatcher passes over the outbox when the store notifies many changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from server.domain import BatchOptions, BatchStatus
from server.storage.base import BatchChange, NewBatch, NewCompany, WebhookBacklog
from server.storage.sqlite import SqliteBatchStore
from server.webhooks.dispatcher import PASS_SPACING_SECONDS, WebhookDispatcher

NOTIFICATIONS = 40
NOTIFY_EVERY_SECONDS = 0.005


class PassCountingStore(SqliteBatchStore):
    """A real SQLite store that notes the loop time at which each webhook pass reads the backlog."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.passes: list[float] = []

    async def webhook_backlog(self, limit: int) -> list[WebhookBacklog]:
        self.passes.append(asyncio.get_running_loop().time())
        return await super().webhook_backlog(limit)


async def test_a_burst_of_change_notifications_is_served_by_passes_at_least_the_spacing_apart(
    tmp_path: Path,
) -> None:
    """Each notification used to start a pass of its own as soon as the last one ended."""
    store = PassCountingStore(tmp_path / "store.db")
    await store.open()
    dispatcher = WebhookDispatcher(
        store,
        secret=None,
        retry_schedule=(),
        timeout_seconds=1.0,
        poll_seconds=60.0,  # no pass on a timer during the test: only notifications wake it
        allow_private_addresses=True,
        user_agent="test",
    )
    try:
        now = datetime.now(UTC)
        await store.create_batch(NewBatch("b1", BatchOptions(), (NewCompany("Acme"),), now))
        await dispatcher.start()
        for index in range(NOTIFICATIONS):
            # Real status writes: each notifies the store's listeners, the dispatcher among them.
            status = BatchStatus.PAUSED if index % 2 == 0 else BatchStatus.QUEUED
            await store.set_batch_status(BatchChange("b1", status, datetime.now(UTC)))
            await asyncio.sleep(NOTIFY_EVERY_SECONDS)
        async with asyncio.timeout(5):
            while len(store.passes) < 2:  # noqa: ASYNC110 (the dispatcher's own task passes)
                await asyncio.sleep(0.01)
    finally:
        await dispatcher.stop()
        await store.close()
    gaps = [later - earlier for earlier, later in zip(store.passes, store.passes[1:], strict=False)]
    assert gaps and min(gaps) >= PASS_SPACING_SECONDS * 0.99
    assert len(store.passes) < NOTIFICATIONS
