"""Pytest fixtures that run a test once per storage backend (SQLite file, PostgreSQL scratch schema).

Import them into a ``conftest.py``::

    from server.storage.testing import database_url, store, store_factory  # noqa: F401

Every test using them runs twice, ``[sqlite]`` and ``[postgres]``. The PostgreSQL run gets its own
schema, dropped afterwards. An unreachable PostgreSQL fails those tests with a message saying how to
start it; ``COMPANY_BATCH_TEST_POSTGRES=0`` skips them instead (for local runs without a server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import pytest

from server.storage import open_store
from server.storage.roles import BatchStore
from server.storage.scratch import (
    TEST_POSTGRES_ENV,
    TEST_POSTGRES_URL_ENV,
    postgres_opted_out,
    postgres_test_url,
    scratch_schema,
)

SQLITE = "sqlite"
POSTGRES = "postgres"
BACKENDS = (
    pytest.param(SQLITE, id=SQLITE),
    pytest.param(POSTGRES, id=POSTGRES, marks=pytest.mark.postgres),
)

StoreFactory = Callable[[], Awaitable[BatchStore]]
"""Opens one more store on the test's database (closed at teardown)."""


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of a fresh, empty database of the parametrised backend."""
    if request.param == SQLITE:
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if postgres_opted_out():
        pytest.skip(f"PostgreSQL tests skipped: {TEST_POSTGRES_ENV}=0")
    server = postgres_test_url()
    async with AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(scratch_schema(server))
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            pytest.fail(
                f"PostgreSQL at {server} is unreachable ({exc!r}). Start it (.ci/run does: "
                "pg_ctlcluster --skip-systemctl-redirect <version> main start), point "
                f"{TEST_POSTGRES_URL_ENV} at another server, or run with {TEST_POSTGRES_ENV}=0 to skip "
                "the PostgreSQL half of the suite locally.",
                pytrace=False,
            )
        yield url


@pytest.fixture
async def store_factory(database_url: str) -> AsyncIterator[StoreFactory]:
    """Open stores on the test's database; every one is closed at teardown."""
    opened: list[BatchStore] = []

    async def factory() -> BatchStore:
        store = await open_store(database_url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> BatchStore:
    """An open store on a fresh database, once per backend."""
    return await store_factory()
