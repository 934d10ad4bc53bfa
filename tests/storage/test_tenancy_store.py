"""Tenancy in every BatchStore: request ids per tenant, tenant-scoped listing and stats, hashed API keys,
and the upgrade that adds them keeping every existing batch and company."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from server.auth import ApiKeys, hash_key
from server.domain import BatchOptions, CompanyOutcome, CompanyState, ErrorType, ExtractionFailure
from server.storage import open_store
from server.storage.base import NewBatch, NewCompany, PageCursor
from server.storage.roles import BatchStore
from server.storage.schema import MIGRATIONS, POSTGRES_MIGRATIONS
from server.storage.scratch import postgres_opted_out, postgres_test_url, scratch_schema

T0 = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def new_batch(
    batch_id: str,
    tenant: str,
    *,
    names: tuple[str, ...] = ("Acme",),
    request_id: str | None = None,
    at: datetime = T0,
) -> NewBatch:
    return NewBatch(
        batch_id, BatchOptions(), tuple(NewCompany(n) for n in names), at, request_id, "trace", tenant
    )


async def test_request_id_is_scoped_per_tenant(store: BatchStore) -> None:
    alpha, alpha_created = await store.create_batch(new_batch("batch_a", "alpha", request_id="order-1"))
    beta, beta_created = await store.create_batch(new_batch("batch_b", "beta", request_id="order-1"))
    replay, replay_created = await store.create_batch(new_batch("batch_c", "alpha", request_id="order-1"))
    assert alpha_created and beta_created and not replay_created
    assert (alpha.tenant, beta.tenant) == ("alpha", "beta")
    assert replay.batch_id == "batch_a"
    assert (await store.batch_for_request("order-1", "beta")).batch_id == "batch_b"  # type: ignore[union-attr]
    assert await store.batch_for_request("order-1", "gamma") is None
    assert await store.get_batch("batch_c") is None


async def test_listing_with_a_tenant_pages_through_its_batches_only(store: BatchStore) -> None:
    for i in range(5):
        await store.create_batch(new_batch(f"batch_a{i}", "alpha", at=T0 + timedelta(seconds=i)))
        await store.create_batch(new_batch(f"batch_b{i}", "beta", at=T0 + timedelta(seconds=i)))
    first = await store.list_batches(2, tenant="alpha")
    rest = await store.list_batches(10, PageCursor(first[-1].created_at, first[-1].batch_id), "alpha")
    assert [b.batch_id for b in first + rest] == [f"batch_a{i}" for i in reversed(range(5))]
    assert {b.tenant for b in first + rest} == {"alpha"}
    assert len(await store.list_batches(100)) == 10  # no tenant: everyone's


async def test_stats_of_a_tenant_count_only_its_batches_and_companies(store: BatchStore) -> None:
    await store.create_batch(new_batch("batch_a", "alpha", names=("A1", "A2")))
    await store.create_batch(new_batch("batch_b", "beta", names=("B1", "B2", "B3")))
    started = T0 + timedelta(seconds=1)
    done = CompanyOutcome(
        "B1", CompanyState.FAILED, None, ExtractionFailure(ErrorType.FETCH, "x"), started, started
    )
    await store.mark_started("batch_b", 0, started)
    await store.finish_company("batch_b", 0, done)
    await store.mark_started("batch_b", 1, started)
    since, now = T0 - timedelta(hours=1), T0 + timedelta(hours=1)

    alpha = await store.stats_since(since, now, "alpha")
    beta = await store.stats_since(since, now, "beta")
    everyone = await store.stats_since(since, now)
    assert sum(alpha.batches_by_status.values()) == 1 and alpha.submitted_companies == 2
    assert alpha.companies_processed == 0 and alpha.errors == {}
    assert (alpha.tenant_pending, alpha.tenant_running) == (2, 0)
    assert sum(beta.batches_by_status.values()) == 1 and beta.submitted_companies == 3
    assert beta.companies_processed == 1 and beta.errors == {"FetchError": 1}
    assert (beta.tenant_pending, beta.tenant_running) == (1, 1)
    assert sum(everyone.batches_by_status.values()) == 2 and everyone.companies_processed == 1
    assert everyone.tenant_pending is None


async def test_api_keys_round_trip_and_revocation(store: BatchStore) -> None:
    keys = ApiKeys(store)
    issued = await keys.create("alpha")
    admin = await keys.create("ops", admin=True)
    found = await keys.authenticate(issued.key)
    assert found is not None and (found.tenant, found.admin, found.key_id) == (
        "alpha",
        False,
        issued.stored.key_id,
    )
    assert (await keys.authenticate(admin.key)).admin  # type: ignore[union-attr]
    assert await keys.authenticate(issued.key + "x") is None
    assert await keys.authenticate("") is None
    assert [k.key_id for k in await keys.list()] == [issued.stored.key_id, admin.stored.key_id]
    assert await keys.revoke(issued.stored.key_id)
    assert not await keys.revoke(issued.stored.key_id)  # already revoked
    assert await keys.authenticate(issued.key) is None
    assert (await keys.list())[0].revoked_at is not None


async def test_tenant_names_are_validated(store: BatchStore) -> None:
    for bad in ("", "Alpha", "a b", "-x", "x" * 64, "a/b"):
        with pytest.raises(ValueError, match="tenant"):
            await ApiKeys(store).create(bad)


async def test_the_database_holds_the_key_hash_never_the_key(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        issued = await ApiKeys(store).create("alpha")
    finally:
        await store.close()
    secret = issued.key.split("_", 2)[2]  # cbk_<id>_<secret>: the secret itself may hold "_"
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        contents = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # db, -wal, -shm
        assert hash_key(issued.key).encode() in contents
        assert secret.encode() not in contents and issued.key.encode() not in contents
        return
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT api_keys::text AS row FROM api_keys")
    finally:
        await conn.close()
    [row] = [r["row"] for r in rows]
    assert hash_key(issued.key) in row and secret not in row


def _seed_old_schema(execute: list[str]) -> list[str]:
    """Statements that put one batch of two companies into a database at the previous version."""
    return [
        *execute,
        "INSERT INTO batches (batch_id, request_id, trace_id, options, extraction_mode, priority, status, "
        "total_companies, created_at, last_update, max_concurrent, waiting_since) VALUES ('batch_old', "
        "'req-1', '', '{}', 'standard', 'normal', 'queued', 2, 1.0, 1.0, 1, 1.0)",
        "INSERT INTO companies (batch_id, position, name, extraction_mode, priority, state) VALUES "
        "('batch_old', 0, 'Acme', 'standard', 'normal', 'pending'), "
        "('batch_old', 1, 'Globex', 'standard', 'normal', 'pending')",
    ]


async def _assert_upgraded(url: str) -> None:
    store = await open_store(url)
    try:
        old = await store.get_batch("batch_old")
        assert old is not None and old.tenant == "" and old.request_id == "req-1"
        assert [c.name for c in await store.list_companies("batch_old")] == ["Acme", "Globex"]
        # request ids of the batches made before tenancy stay claimed, now within the '' tenant
        assert (await store.batch_for_request("req-1")).batch_id == "batch_old"  # type: ignore[union-attr]
        _, created = await store.create_batch(new_batch("batch_new", "alpha", request_id="req-1"))
        assert created
    finally:
        await store.close()


async def test_sqlite_upgrade_keeps_batches_companies_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    previous = len(MIGRATIONS) - 1
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        statements = [s for migration in MIGRATIONS[:previous] for s in migration]
        for statement in _seed_old_schema(statements):
            conn.execute(statement)
        conn.executemany("INSERT INTO schema_version VALUES (?)", [(v,) for v in range(1, previous + 1)])
    conn.close()
    await _assert_upgraded(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("DELETE FROM batches WHERE batch_id = 'batch_old'")
        assert conn.execute("SELECT count(*) FROM companies WHERE batch_id = 'batch_old'").fetchone() == (0,)
    conn.close()


@pytest.mark.postgres
async def test_postgres_upgrade_keeps_batches_and_scopes_request_ids() -> None:
    if postgres_opted_out():
        pytest.skip("PostgreSQL tests skipped")
    previous = len(POSTGRES_MIGRATIONS) - 1
    async with scratch_schema(postgres_test_url()) as url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
            for statement in _seed_old_schema(
                [s for migration in POSTGRES_MIGRATIONS[:previous] for s in migration]
            ):
                await conn.execute(statement)
            await conn.executemany(
                "INSERT INTO schema_version VALUES ($1)", [(v,) for v in range(1, previous + 1)]
            )
        finally:
            await conn.close()
        await _assert_upgraded(url)
