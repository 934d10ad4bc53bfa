"""What only the PostgreSQL store does: migrations under an advisory lock, errors translated at the edge."""

from __future__ import annotations

import asyncio
import socket

import asyncpg
import pytest

from server.errors import ServiceUnavailable
from server.storage import PostgresBatchStore, open_store
from server.storage.postgres import numbered
from server.storage.schema import POSTGRES_LATEST_VERSION
from server.storage.scratch import postgres_opted_out, postgres_test_url, scratch_schema, with_search_path

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_opted_out(), reason="COMPANY_BATCH_TEST_POSTGRES=0"),
]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_replicas_starting_together_apply_each_migration_once() -> None:
    async with scratch_schema(postgres_test_url()) as url:
        stores = [PostgresBatchStore(url) for _ in range(4)]
        try:
            await asyncio.gather(*(s.open() for s in stores))
            versions = [await s.schema_version() for s in stores]
        finally:
            for s in stores:
                await s.close()
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
        finally:
            await conn.close()
    assert versions == [POSTGRES_LATEST_VERSION] * 4
    assert [r["version"] for r in rows] == list(range(1, POSTGRES_LATEST_VERSION + 1))


async def test_open_store_dispatches_postgresql_urls_and_reopens_an_existing_schema() -> None:
    async with scratch_schema(postgres_test_url()) as url:
        for _ in range(2):
            store = await open_store(url)
            try:
                assert isinstance(store, PostgresBatchStore)
                assert await store.schema_version() == POSTGRES_LATEST_VERSION
            finally:
                await store.close()


async def test_an_unreachable_server_is_service_unavailable() -> None:
    store = PostgresBatchStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    with pytest.raises(ServiceUnavailable, match="store open failed"):
        await store.open()


async def test_a_query_error_is_translated_at_the_edge() -> None:
    async with scratch_schema(postgres_test_url()) as url:
        store = PostgresBatchStore(url)
        await store.open()
        try:
            async with store._conn() as conn:
                await conn.execute("DROP TABLE companies")
            with pytest.raises(ServiceUnavailable) as info:
                await store.list_companies("batch_1")
        finally:
            await store.close()
    assert isinstance(info.value.__cause__, asyncpg.UndefinedTableError)


def test_portable_placeholders_are_numbered_in_order() -> None:
    assert numbered("a = ? AND b IN (?, ?)") == "a = $1 AND b IN ($2, $3)"


def test_search_path_replaces_an_existing_one() -> None:
    url = with_search_path("postgresql://u@h/db?search_path=old&sslmode=disable", "new")
    assert url == "postgresql://u@h/db?sslmode=disable&search_path=new"


async def test_a_claim_skips_a_batch_another_replica_is_claiming_from() -> None:
    """The batch row locked elsewhere (a claim in progress) is skipped, not waited for."""
    from datetime import UTC, datetime

    from server.domain import BatchOptions, Priority
    from server.storage.base import NewBatch, NewCompany

    now = datetime.now(UTC)
    async with scratch_schema(postgres_test_url()) as url:
        store = PostgresBatchStore(url)
        await store.open()
        holder = await asyncpg.connect(url)
        try:
            for batch_id, priority in (("first", Priority.HIGH), ("second", Priority.NORMAL)):
                options = BatchOptions(priority=priority, max_concurrent=5)
                await store.create_batch(NewBatch(batch_id, options, (NewCompany(f"{batch_id}-0"),), now))
            async with holder.transaction():
                await holder.execute("SELECT 1 FROM batches WHERE batch_id = 'first' FOR UPDATE")
                async with asyncio.timeout(5):
                    skipped = await store.claim("r", now, 30.0, 60.0, 5)
            after = await store.claim("r", now, 30.0, 60.0, 5)
        finally:
            await holder.close()
            await store.close()
    assert [c.batch_id for c in skipped] == ["second"]
    assert [c.batch_id for c in after] == ["first"]
