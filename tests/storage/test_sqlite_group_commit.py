"""SQLite's group commit of companies' progress: writes made together share a transaction, and what one
of them suffers (a refused row, a failed round, a cancelled caller) reaches only whom it should.

Transactions are counted from SQLite's own trace of the statements the store's connection ran.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from server.domain import BatchOptions, BatchStatus, CompanyOutcome, CompanyState
from server.errors import ServiceUnavailable
from server.storage import SqliteBatchStore
from server.storage.base import BatchChange, NewBatch, NewCompany

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
COMPANIES = 12
OWNER = "replica-a"
WRITES = {"UPDATE", "INSERT", "DELETE", "WITH"}  # the store's grouped writes start with their input CTE


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteBatchStore]:
    opened = SqliteBatchStore(tmp_path / "db.sqlite3")
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


class Trace:
    """The statements the store's connection runs (sqlite3's trace callback, on aiosqlite's thread)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, statement: str) -> None:
        self.statements.append(statement.strip())

    def writes(self) -> int:
        """Statements that write rows, committed or not."""
        return sum(_first_word(statement) in WRITES for statement in self.statements)

    def transactions(self) -> int:
        """Committed units of work: each BEGIN ... COMMIT, and each write run outside one (autocommit)."""
        count, open_ = 0, False
        for statement in self.statements:
            word = _first_word(statement)
            if word == "BEGIN":
                open_ = True
            elif word in {"COMMIT", "ROLLBACK"}:
                count += word == "COMMIT"
                open_ = False
            elif not open_ and word in WRITES:
                count += 1
        return count


def _first_word(statement: str) -> str:
    return statement.split(None, 1)[0].upper()


async def traced(store: SqliteBatchStore) -> Trace:
    trace = Trace()
    assert store._conn is not None  # the seam is the driver's own trace hook on the store's connection
    await store._conn.set_trace_callback(trace)
    return trace


def database(store: SqliteBatchStore) -> sqlite3.Connection:
    """A second connection to the store's file, as another tool on the machine would open it."""
    return sqlite3.connect(store.path, isolation_level=None)


async def running_batch(store: SqliteBatchStore, batch_id: str, count: int = COMPANIES) -> None:
    companies = tuple(NewCompany(f"{batch_id}-{i}") for i in range(count))
    await store.create_batch(NewBatch(batch_id, BatchOptions(max_concurrent=count), companies, T0))
    for position in range(count):
        await store.mark_started(batch_id, position, T0)


def success(name: str) -> CompanyOutcome:
    return CompanyOutcome(
        name, CompanyState.SUCCESS, profile={"company_name": name}, started_at=T0, finished_at=T0
    )


async def finish_all(store: SqliteBatchStore, batch_id: str, count: int = COMPANIES) -> list[bool]:
    return await asyncio.gather(
        *(store.finish_company(batch_id, p, success(f"{batch_id}-{p}"), attempt=1) for p in range(count))
    )


async def states(store: SqliteBatchStore, batch_id: str) -> list[CompanyState]:
    return [company.state for company in await store.list_companies(batch_id)]


async def test_concurrent_finishes_commit_in_fewer_transactions_than_calls(store: SqliteBatchStore) -> None:
    await running_batch(store, "b")
    trace = await traced(store)
    assert await finish_all(store, "b") == [True] * COMPANIES
    assert await states(store, "b") == [CompanyState.SUCCESS] * COMPANIES
    assert 1 <= trace.transactions() <= 2  # the first call may go alone, the rest share the next round


async def test_concurrent_starts_commit_in_fewer_transactions_than_calls(store: SqliteBatchStore) -> None:
    companies = tuple(NewCompany(f"s-{i}") for i in range(COMPANIES))
    await store.create_batch(NewBatch("s", BatchOptions(max_concurrent=COMPANIES), companies, T0))
    trace = await traced(store)
    change = BatchChange("s", BatchStatus.PROCESSING, T0, started_at=T0)
    await asyncio.gather(
        *(store.mark_started("s", p, T0, change if p == 0 else None) for p in range(COMPANIES))
    )
    assert await states(store, "s") == [CompanyState.RUNNING] * COMPANIES
    stored = await store.get_batch("s")
    assert stored is not None and stored.status is BatchStatus.PROCESSING
    assert 1 <= trace.transactions() <= 2


async def test_a_status_change_is_written_only_with_the_result_it_came_with(store: SqliteBatchStore) -> None:
    await running_batch(store, "c", 2)
    completed = BatchChange("c", BatchStatus.COMPLETED, T0, completed_at=T0)
    recorded, refused = await asyncio.gather(
        store.finish_company("c", 0, success("c-0"), attempt=1),
        store.finish_company("c", 1, success("c-1"), completed, attempt=2),  # a stale attempt
    )
    assert (recorded, refused) == (True, False)
    stored = await store.get_batch("c")
    assert stored is not None and stored.status is BatchStatus.QUEUED
    assert await states(store, "c") == [CompanyState.SUCCESS, CompanyState.RUNNING]


async def test_two_writes_of_one_company_in_a_round_record_the_first_only(store: SqliteBatchStore) -> None:
    await running_batch(store, "d", 1)
    failed = CompanyOutcome("d-0", CompanyState.FAILED, started_at=T0, finished_at=T0)
    first, second = await asyncio.gather(
        store.finish_company("d", 0, success("d-0"), attempt=1),
        store.finish_company("d", 0, failed, attempt=1),
    )
    assert (first, second) == (True, False)
    assert await states(store, "d") == [CompanyState.SUCCESS]


async def test_a_refused_row_fails_alone_and_its_neighbours_are_recorded(store: SqliteBatchStore) -> None:
    await running_batch(store, "e")
    with database(store) as other:
        other.execute(
            "CREATE TRIGGER refuse_one BEFORE UPDATE ON companies WHEN NEW.position = 3 "
            "AND NEW.state = 'success' BEGIN SELECT RAISE(ABORT, 'position 3 refused'); END"
        )
    other.close()
    results = await asyncio.gather(
        *(store.finish_company("e", p, success(f"e-{p}"), attempt=1) for p in range(COMPANIES)),
        return_exceptions=True,
    )
    refused = results.pop(3)
    assert isinstance(refused, ServiceUnavailable) and "position 3 refused" in str(refused)
    assert results == [True] * (COMPANIES - 1)
    expected = [CompanyState.SUCCESS] * COMPANIES
    expected[3] = CompanyState.RUNNING
    assert await states(store, "e") == expected


async def test_a_failed_round_fails_each_of_its_callers_and_the_store_recovers(
    store: SqliteBatchStore,
) -> None:
    await running_batch(store, "f")
    with database(store) as other:
        # Every UPDATE of a company now fails in SQLite itself ("no such table"), not on its values.
        other.execute("CREATE TABLE doomed (x INTEGER)")
        other.execute(
            "CREATE TRIGGER broken AFTER UPDATE ON companies BEGIN INSERT INTO doomed VALUES (1); END"
        )
        other.execute("DROP TABLE doomed")
    other.close()
    trace = await traced(store)
    results = await asyncio.gather(
        *(store.finish_company("f", p, success(f"f-{p}"), attempt=1) for p in range(COMPANIES)),
        return_exceptions=True,
    )
    assert all(isinstance(r, ServiceUnavailable) and "doomed" in str(r) for r in results), results
    assert trace.writes() <= 2  # one statement per round, not retried row by row
    with database(store) as other:
        other.execute("DROP TRIGGER broken")
    other.close()
    # Nothing of the round was written (this read also has the connection see the trigger gone: SQLite
    # compiles triggers into a statement when preparing it, from the schema as of its last read).
    assert await states(store, "f") == [CompanyState.RUNNING] * COMPANIES
    assert await finish_all(store, "f") == [True] * COMPANIES


async def test_a_cancelled_caller_leaves_its_round_and_the_store_intact(store: SqliteBatchStore) -> None:
    await running_batch(store, "g")
    calls = [
        asyncio.create_task(store.finish_company("g", p, success(f"g-{p}"), attempt=1))
        for p in range(COMPANIES)
    ]
    await asyncio.sleep(0)  # every call has handed its write to the store
    calls[-1].cancel()
    assert await asyncio.gather(*calls[:-1]) == [True] * (COMPANIES - 1)
    with pytest.raises(asyncio.CancelledError):
        await calls[-1]
    # The cancel reached the caller only: its write went with the round it had joined.
    assert await states(store, "g") == [CompanyState.SUCCESS] * COMPANIES
    await running_batch(store, "g2", 2)
    assert await finish_all(store, "g2", 2) == [True, True]


async def test_replicas_results_in_one_round_complete_their_batch_once(store: SqliteBatchStore) -> None:
    companies = tuple(NewCompany(f"h-{i}") for i in range(COMPANIES))
    await store.create_batch(NewBatch("h", BatchOptions(max_concurrent=COMPANIES), companies, T0))
    claims = await store.claim(OWNER, T0, 30.0, 60.0, limit=COMPANIES)
    assert len(claims) == COMPANIES
    finals: list[BatchStatus | None] = []
    await store.add_change_listener(lambda batch_id, status: finals.append(status))
    trace = await traced(store)
    recorded = await asyncio.gather(
        *(store.finish_claimed("h", c.position, success(c.name), c.attempt, OWNER) for c in claims)
    )
    assert recorded == [True] * COMPANIES
    assert finals.count(BatchStatus.COMPLETED) == 1 and len(finals) == COMPANIES
    stored = await store.get_batch("h")
    assert stored is not None and stored.status is BatchStatus.COMPLETED
    assert trace.transactions() <= 2


async def test_a_refused_result_in_a_round_does_not_keep_the_others_from_completing_their_batch(
    store: SqliteBatchStore,
) -> None:
    companies = (NewCompany("k-0"), NewCompany("k-1"))
    await store.create_batch(NewBatch("k", BatchOptions(max_concurrent=2), companies, T0))
    claims = await store.claim(OWNER, T0, 30.0, 60.0, limit=2)
    finals: list[BatchStatus | None] = []
    await store.add_change_listener(lambda batch_id, status: finals.append(status))
    recorded = await asyncio.gather(
        *(store.finish_claimed("k", c.position, success(c.name), c.attempt, OWNER) for c in claims),
        store.finish_claimed("k", 1, success("k-1"), claims[1].attempt + 1, OWNER),  # a stale fence, last
    )
    assert recorded == [True, True, False]
    assert finals.count(BatchStatus.COMPLETED) == 1
    stored = await store.get_batch("k")
    assert stored is not None and stored.status is BatchStatus.COMPLETED
