"""Every BatchStore, SQLite and PostgreSQL alike: atomic creates, idempotency, guarded writes, paging."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from server.domain import (
    BatchOptions,
    BatchStatus,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
    ExtractionMode,
    Priority,
)
from server.errors import ServiceUnavailable
from server.storage.base import BatchChange, BatchIdTaken, NewBatch, NewCompany, PageCursor
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory

T0 = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def new_batch(
    batch_id: str, names: list[str], *, request_id: str | None = None, at: datetime = T0
) -> NewBatch:
    return NewBatch(
        batch_id=batch_id,
        options=BatchOptions(extraction_mode=ExtractionMode.BASIC, priority=Priority.HIGH, max_concurrent=3),
        companies=tuple(
            NewCompany(name, f"{name.lower()}.example" if i == 0 else None) for i, name in enumerate(names)
        ),
        created_at=at,
        request_id=request_id,
        trace_id="trace-1",
    )


async def test_create_batch_persists_batch_and_companies_in_order(store: BatchStore) -> None:
    stored, created = await store.create_batch(new_batch("batch_1", ["Acme", "Globex", "Initech"]))
    assert created
    assert stored.status is BatchStatus.QUEUED
    assert stored.total_companies == 3
    assert stored.trace_id == "trace-1"
    assert stored.options.priority is Priority.HIGH and stored.options.max_concurrent == 3
    assert stored.created_at == T0
    assert stored.count(CompanyState.PENDING) == 3
    companies = await store.list_companies("batch_1")
    assert [c.name for c in companies] == ["Acme", "Globex", "Initech"]
    assert companies[0].domain_hint == "acme.example"
    assert {c.state for c in companies} == {CompanyState.PENDING}


async def test_same_request_id_returns_the_existing_batch(store: BatchStore) -> None:
    first, created = await store.create_batch(new_batch("batch_1", ["Acme"], request_id="req-1"))
    again, created_again = await store.create_batch(
        new_batch("batch_2", ["Other", "Names"], request_id="req-1")
    )
    assert created and not created_again
    assert again.batch_id == first.batch_id == "batch_1"
    assert await store.get_batch("batch_2") is None


async def test_concurrent_creates_with_one_request_id_create_one_batch(store_factory: StoreFactory) -> None:
    stores = [await store_factory() for _ in range(2)]
    results = await asyncio.gather(
        *(s.create_batch(new_batch(f"batch_{i}", ["Acme"], request_id="same")) for i, s in enumerate(stores))
    )
    assert sorted(created for _, created in results) == [False, True]
    assert len({b.batch_id for b, _ in results}) == 1
    assert len(await stores[0].list_batches(10)) == 1


async def test_duplicate_batch_id_raises_batch_id_taken_and_creates_nothing(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["Acme"]))
    with pytest.raises(BatchIdTaken):
        await store.create_batch(new_batch("batch_1", ["Globex", "Initech"]))
    assert [c.name for c in await store.list_companies("batch_1")] == ["Acme"]


async def test_failed_create_leaves_no_half_created_batch(store: BatchStore) -> None:
    # A NULL name violates the companies table after the batch row was inserted: all must roll back.
    bad = new_batch("batch_bad", ["Acme"])
    bad = NewBatch(bad.batch_id, bad.options, (NewCompany("Acme"), NewCompany(None)), bad.created_at)  # type: ignore[arg-type]
    with pytest.raises(ServiceUnavailable):
        await store.create_batch(bad)
    assert await store.get_batch("batch_bad") is None
    assert await store.list_companies("batch_bad") == []
    stored, created = await store.create_batch(new_batch("batch_bad", ["Acme"]))
    assert created and stored.total_companies == 1


async def test_started_and_finished_companies_roundtrip_with_batch_change(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["Acme", "Globex"]))
    t1, t2 = T0 + timedelta(seconds=1), T0 + timedelta(seconds=3)
    await store.mark_started(
        "batch_1", 0, t1, BatchChange("batch_1", BatchStatus.PROCESSING, last_update=t1, started_at=t1)
    )
    profile = {"company_name": "Acme", "domain": "acme.example"}
    await store.finish_company(
        "batch_1",
        0,
        CompanyOutcome("Acme", CompanyState.SUCCESS, profile=profile, started_at=t1, finished_at=t2),
    )
    batch = await store.get_batch("batch_1")
    assert batch is not None
    assert batch.status is BatchStatus.PROCESSING and batch.started_at == t1 and batch.last_update == t1
    assert batch.count(CompanyState.SUCCESS) == 1 and batch.count(CompanyState.PENDING) == 1
    acme = (await store.list_companies("batch_1"))[0]
    assert acme.attempts == 1
    assert acme.outcome() == CompanyOutcome(
        "Acme", CompanyState.SUCCESS, profile=profile, started_at=t1, finished_at=t2, attempts=1
    )


async def test_finish_is_ignored_unless_the_company_is_running(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["Acme"]))
    failure = ExtractionFailure(ErrorType.FETCH, "refused")
    await store.finish_company("batch_1", 0, CompanyOutcome("Acme", CompanyState.FAILED, error=failure))
    assert (await store.list_companies("batch_1"))[0].state is CompanyState.PENDING


async def test_failure_details_roundtrip(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["Acme"]))
    await store.mark_started("batch_1", 0, T0)
    failure = ExtractionFailure(ErrorType.COMPANY_ANALYSIS, "not found", "no web presence")
    await store.finish_company(
        "batch_1",
        0,
        CompanyOutcome("Acme", CompanyState.FAILED, error=failure, started_at=T0, finished_at=T0),
    )
    company = (await store.list_companies("batch_1"))[0]
    assert company.error == failure and company.profile is None


async def test_requeue_running_returns_running_companies_to_pending(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["A", "B", "C"]))
    await store.mark_started("batch_1", 0, T0)
    await store.mark_started("batch_1", 1, T0)
    assert await store.requeue_running("batch_1", [1]) == 1
    assert [c.state for c in await store.list_companies("batch_1")] == [
        CompanyState.RUNNING,
        CompanyState.PENDING,
        CompanyState.PENDING,
    ]
    assert await store.requeue_running() == 1
    companies = await store.list_companies("batch_1")
    assert {c.state for c in companies} == {CompanyState.PENDING}
    assert companies[0].started_at is None and companies[0].attempts == 1


async def test_cancel_batch_cancels_pending_and_running_and_keeps_finished(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["A", "B", "C"]))
    await store.mark_started("batch_1", 0, T0)
    await store.finish_company(
        "batch_1", 0, CompanyOutcome("A", CompanyState.SUCCESS, profile={}, started_at=T0, finished_at=T0)
    )
    await store.mark_started("batch_1", 1, T0)
    t = T0 + timedelta(seconds=5)
    await store.cancel_batch(
        BatchChange("batch_1", BatchStatus.CANCELLED, last_update=t, completed_at=t),
        ExtractionFailure(ErrorType.CANCELLED, "batch cancelled"),
    )
    a, b, c = await store.list_companies("batch_1")
    assert a.state is CompanyState.SUCCESS
    assert b.state is CompanyState.CANCELLED and b.error is not None and b.error.type is ErrorType.CANCELLED
    assert b.finished_at == t
    assert c.state is CompanyState.CANCELLED and c.error is None and c.finished_at is None
    batch = await store.get_batch("batch_1")
    assert batch is not None and batch.status is BatchStatus.CANCELLED and batch.completed_at == t


async def test_list_batches_pages_newest_first(store: BatchStore) -> None:
    for i in range(5):
        await store.create_batch(new_batch(f"batch_{i}", ["A"], at=T0 + timedelta(minutes=i)))
    first = await store.list_batches(2)
    assert [b.batch_id for b in first] == ["batch_4", "batch_3"]
    rest = await store.list_batches(10, PageCursor(first[-1].created_at, first[-1].batch_id))
    assert [b.batch_id for b in rest] == ["batch_2", "batch_1", "batch_0"]


async def test_unfinished_batches_excludes_final_ones(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_done", ["A"]))
    await store.create_batch(new_batch("batch_live", ["A"], at=T0 + timedelta(seconds=1)))
    await store.set_batch_status(
        BatchChange("batch_done", BatchStatus.COMPLETED, last_update=T0, completed_at=T0)
    )
    assert [b.batch_id for b in await store.unfinished_batches()] == ["batch_live"]


async def test_recent_durations_are_grouped_by_mode(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["A", "B"]))
    for position, seconds in ((0, 2.0), (1, 4.0)):
        await store.mark_started("batch_1", position, T0)
        await store.finish_company(
            "batch_1",
            position,
            CompanyOutcome(
                "x",
                CompanyState.SUCCESS,
                profile={},
                started_at=T0,
                finished_at=T0 + timedelta(seconds=seconds),
            ),
        )
    assert sorted((await store.recent_durations(10))["basic"]) == [2.0, 4.0]
    assert len((await store.recent_durations(1))["basic"]) == 1


async def test_recent_durations_leave_out_cache_hits(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_1", ["A", "B"]))
    for position, from_cache in ((0, False), (1, True)):
        await store.mark_started("batch_1", position, T0)
        outcome = CompanyOutcome(
            "x",
            CompanyState.SUCCESS,
            profile={},
            started_at=T0,
            finished_at=T0 + timedelta(seconds=3.0 if not from_cache else 0.001),
            from_cache=from_cache,
        )
        await store.finish_company("batch_1", position, outcome)
    assert (await store.recent_durations(10))["basic"] == [3.0]


async def test_closed_store_raises_service_unavailable(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.close()
    with pytest.raises(ServiceUnavailable):
        await store.get_batch("batch_1")
