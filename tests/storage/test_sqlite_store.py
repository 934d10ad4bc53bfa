"""What only the SQLite store does: WAL on a file, URL parsing, the parent directory created on open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.domain import BatchOptions
from server.storage import SqliteBatchStore, open_store, sqlite_path_from_url
from server.storage.base import NewBatch, NewCompany
from server.storage.schema import LATEST_VERSION


async def test_open_applies_migrations_once_and_enables_wal(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    for _ in range(2):  # reopening must not re-run migration 1 (CREATE TABLE would fail)
        store = SqliteBatchStore(path)
        await store.open()
        assert await store.schema_version() == LATEST_VERSION
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == LATEST_VERSION
    conn.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("sqlite:///data/x.sqlite3", Path("data/x.sqlite3"), id="relative"),
        pytest.param("sqlite:////var/lib/x.sqlite3", Path("/var/lib/x.sqlite3"), id="absolute"),
    ],
)
def test_sqlite_url_paths(url: str, expected: Path) -> None:
    assert sqlite_path_from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("mysql:///x", "unsupported database URL scheme", id="unknown-scheme"),
        pytest.param("sqlite:///", "names no file", id="no-file"),
        pytest.param("sqlite://host/x.db", "empty host", id="sqlite-with-host"),
    ],
)
async def test_open_store_rejects_unsupported_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await open_store(url)


async def test_open_store_creates_the_parent_directory(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "dir" / "db.sqlite3"
    store = await open_store(f"sqlite:///{target}")
    try:
        assert isinstance(store, SqliteBatchStore) and target.exists()
        batch = NewBatch("batch_1", BatchOptions(), (NewCompany("Acme"),), datetime(2024, 1, 1, tzinfo=UTC))
        stored, _ = await store.create_batch(batch)
        assert stored.batch_id == "batch_1"
    finally:
        await store.close()
