"""A cancelled store call never breaks the store: every write, cancelled at every await, on both backends.

For each write method, each way of cancelling (``cancel_points.MODES``) and each k = 1, 2, ... until the
call completes without reaching a k-th await, the call is cancelled at its k-th await on the database
(and, in the ``twice`` variants, once more at the next one, which is where the rollback runs). Then:

- the store still answers, and a fresh transaction commits (the old bug: every later write failed
  with "cannot start a transaction within a transaction");
- what the call writes is all there or not at all (a batch with all its companies or none; a status
  change with the company change it belongs to, or neither), and all there if the call returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cancel_points import MODES, CancelPoints, injected

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
)
from server.storage.base import BatchChange, NewBatch, NewCompany
from server.storage.roles import BatchStore

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
OWNER = "replica-a"
LEASE = 30.0
AGING = 60.0
MAX_AWAITS = 60
"""No store call awaits the database this often; reaching it means the loop never ends."""
FAILURE = ExtractionFailure(ErrorType.CANCELLED, "cancelled by request")


def batch(batch_id: str, count: int, *, request_id: str | None = None) -> NewBatch:
    companies = tuple(NewCompany(f"{batch_id}-{i}") for i in range(count))
    return NewBatch(batch_id, BatchOptions(max_concurrent=10), companies, T0, request_id, "trace")


def success(name: str) -> CompanyOutcome:
    return CompanyOutcome(
        name, CompanyState.SUCCESS, profile={"company_name": name}, started_at=T0, finished_at=T0
    )


async def states(store: BatchStore, batch_id: str) -> list[CompanyState]:
    return [c.state for c in await store.list_companies(batch_id)]


async def status(store: BatchStore, batch_id: str) -> BatchStatus | None:
    stored = await store.get_batch(batch_id)
    return None if stored is None else stored.status


@dataclass(frozen=True)
class Scenario:
    """A write: how to set up its preconditions, the call, and what "all or nothing" means for it."""

    setup: Callable[[BatchStore, str], Awaitable[None]]
    call: Callable[[BatchStore, str], Awaitable[Any]]
    check: Callable[[BatchStore, str, bool], Awaitable[None]]


async def no_setup(store: BatchStore, tag: str) -> None:
    pass


async def one_pending(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 1))


async def three_pending(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 3))


async def one_running(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 1))
    await store.mark_started(tag, 0, T0)


async def two_running(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 2))
    await store.mark_started(tag, 0, T0)
    await store.mark_started(tag, 1, T0)


async def two_claimed(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 2))
    assert len(await store.claim(OWNER, T0, LEASE, AGING, limit=2)) == 2


async def one_claimed(store: BatchStore, tag: str) -> None:
    await store.create_batch(batch(tag, 1))
    assert len(await store.claim(OWNER, T0, LEASE, AGING, limit=1)) == 1


async def one_finished_unannounced(store: BatchStore, tag: str) -> None:
    await one_running(store, tag)
    assert await store.finish_company(tag, 0, success(f"{tag}-0"))


# -- checks ------------------------------------------------------------------------------------------


async def check_created(store: BatchStore, tag: str, completed: bool) -> None:
    found = await store.get_batch(tag)
    companies = await states(store, tag)
    if found is None:
        assert not completed and companies == []
    else:
        assert found.total_companies == 3 and companies == [CompanyState.PENDING] * 3
    # The client's retry with the same request id gets exactly one batch, whatever happened first.
    again, _ = await store.create_batch(batch(f"{tag}-retry", 3, request_id=f"req-{tag}"))
    assert again.batch_id == (tag if found is not None else f"{tag}-retry")


async def check_started_with_status(store: BatchStore, tag: str, completed: bool) -> None:
    first, rest = (await states(store, tag))[0], (await states(store, tag))[1:]
    batch_status = await status(store, tag)
    assert rest == [CompanyState.PENDING]
    assert (first, batch_status) in {
        (CompanyState.RUNNING, BatchStatus.PROCESSING),
        (CompanyState.PENDING, BatchStatus.QUEUED),
    }
    assert not completed or first is CompanyState.RUNNING


async def check_finished_with_status(store: BatchStore, tag: str, completed: bool) -> None:
    pair = ((await states(store, tag))[0], await status(store, tag))
    assert pair in {(CompanyState.SUCCESS, BatchStatus.COMPLETED), (CompanyState.RUNNING, BatchStatus.QUEUED)}
    assert not completed or pair[0] is CompanyState.SUCCESS


async def check_replica_finish(store: BatchStore, tag: str, completed: bool) -> None:
    # The batch's completion may be left to the sweep when the call was cut short: run it.
    await store.complete_if_done(tag, T0)
    pair = ((await states(store, tag))[0], await status(store, tag))
    assert pair in {
        (CompanyState.SUCCESS, BatchStatus.COMPLETED),
        (CompanyState.RUNNING, BatchStatus.PROCESSING),
    }
    assert not completed or pair[0] is CompanyState.SUCCESS


async def check_cancelled(store: BatchStore, tag: str, completed: bool) -> None:
    now = (tuple(await states(store, tag)), await status(store, tag))
    assert now in {
        ((CompanyState.CANCELLED,) * 3, BatchStatus.CANCELLED),
        ((CompanyState.RUNNING, CompanyState.PENDING, CompanyState.PENDING), BatchStatus.PROCESSING),
    }
    assert not completed or now[1] is BatchStatus.CANCELLED


async def check_claimed(store: BatchStore, tag: str, completed: bool) -> None:
    now = (tuple(await states(store, tag)), await status(store, tag))
    assert now in {
        ((CompanyState.RUNNING,) * 2, BatchStatus.PROCESSING),
        ((CompanyState.PENDING,) * 2, BatchStatus.QUEUED),
    }
    assert not completed or now[1] is BatchStatus.PROCESSING
    # Leftovers must not be claimed by the next iterations.
    await store.cancel_batch(BatchChange(tag, BatchStatus.CANCELLED, T0, completed_at=T0), FAILURE)


async def check_released(store: BatchStore, tag: str, completed: bool) -> None:
    now = await states(store, tag)
    assert now in ([CompanyState.RUNNING] * 2, [CompanyState.PENDING] * 2)
    assert not completed or now == [CompanyState.PENDING] * 2
    await store.cancel_batch(BatchChange(tag, BatchStatus.CANCELLED, T0, completed_at=T0), FAILURE)


async def check_requeued(store: BatchStore, tag: str, completed: bool) -> None:
    now = await states(store, tag)
    assert now in ([CompanyState.RUNNING] * 2, [CompanyState.PENDING] * 2)
    assert not completed or now == [CompanyState.PENDING] * 2


async def check_completed_if_done(store: BatchStore, tag: str, completed: bool) -> None:
    assert await status(store, tag) in {BatchStatus.COMPLETED, BatchStatus.QUEUED}
    assert not completed or await status(store, tag) is BatchStatus.COMPLETED


async def check_paused(store: BatchStore, tag: str, completed: bool) -> None:
    assert await status(store, tag) in {BatchStatus.PAUSED, BatchStatus.QUEUED}
    assert not completed or await status(store, tag) is BatchStatus.PAUSED


SCENARIOS = {
    "create_batch": Scenario(
        no_setup, lambda s, t: s.create_batch(batch(t, 3, request_id=f"req-{t}")), check_created
    ),
    "mark_started": Scenario(
        lambda s, t: s.create_batch(batch(t, 2)),
        lambda s, t: s.mark_started(t, 0, T0, BatchChange(t, BatchStatus.PROCESSING, T0, started_at=T0)),
        check_started_with_status,
    ),
    "finish_company": Scenario(
        one_running,
        lambda s, t: s.finish_company(
            t, 0, success(f"{t}-0"), BatchChange(t, BatchStatus.COMPLETED, T0, completed_at=T0), attempt=1
        ),
        check_finished_with_status,
    ),
    "finish_claimed": Scenario(
        one_claimed,
        lambda s, t: s.finish_claimed(t, 0, success(f"{t}-0"), attempt=1, owner=OWNER),
        check_replica_finish,
    ),
    "cancel_batch": Scenario(
        lambda s, t: _then_start_first(s, t),
        lambda s, t: s.cancel_batch(BatchChange(t, BatchStatus.CANCELLED, T0, completed_at=T0), FAILURE),
        check_cancelled,
    ),
    "claim": Scenario(
        lambda s, t: s.create_batch(batch(t, 2)),
        lambda s, t: s.claim(OWNER, T0, LEASE, AGING, limit=2),
        check_claimed,
    ),
    "release_owned": Scenario(two_claimed, lambda s, t: s.release_owned(OWNER), check_released),
    "requeue_running": Scenario(two_running, lambda s, t: s.requeue_running(t), check_requeued),
    "complete_if_done": Scenario(
        one_finished_unannounced, lambda s, t: s.complete_if_done(t, T0), check_completed_if_done
    ),
    "set_batch_status": Scenario(
        one_pending,
        lambda s, t: s.set_batch_status(BatchChange(t, BatchStatus.PAUSED, T0)),
        check_paused,
    ),
}


async def _then_start_first(store: BatchStore, tag: str) -> None:
    await three_pending(store, tag)
    await store.mark_started(tag, 0, T0, BatchChange(tag, BatchStatus.PROCESSING, T0, started_at=T0))


async def assert_store_answers(store: BatchStore, tag: str) -> None:
    """A new transaction commits and reads back: nothing was left open by the cancelled call."""
    stored, created = await store.create_batch(batch(f"{tag}-probe", 2))
    assert created and stored.total_companies == 2
    await store.cancel_batch(BatchChange(f"{tag}-probe", BatchStatus.CANCELLED, T0, completed_at=T0), FAILURE)
    assert await status(store, f"{tag}-probe") is BatchStatus.CANCELLED


@pytest.mark.parametrize("twice", [pytest.param(False, id="once"), pytest.param(True, id="twice")])
@pytest.mark.parametrize("mode", [pytest.param(m, id=m) for m in MODES])
@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in SCENARIOS])
async def test_a_write_cancelled_at_any_await_leaves_the_store_usable_and_consistent(
    store: BatchStore, name: str, mode: str, twice: bool
) -> None:
    scenario = SCENARIOS[name]
    for k in range(1, MAX_AWAITS + 1):
        tag = f"b{k}"
        await scenario.setup(store, tag)
        points = CancelPoints(mode, {k, k + 1} if twice else {k})
        async with injected(store, points):
            task = asyncio.create_task(scenario.call(store, tag))
            points.target = task
            await asyncio.wait({task})
            await points.settle()
        completed = not task.cancelled()
        if completed:
            task.result()  # a cancel never turns into another error
        await assert_store_answers(store, tag)
        await scenario.check(store, tag, completed)
        if points.fired == 0:
            assert k > 1, "the call never awaited the database"
            return  # k passed the call's last await: every point was tried
    pytest.fail(f"{name} still reached a {MAX_AWAITS}th await")
