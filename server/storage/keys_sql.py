"""The ``api_keys`` table as portable SQL, shared by both stores (``?`` placeholders, as in stats_sql)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from server.storage.base import StoredApiKey
from server.storage.codec import from_epoch, to_epoch

Fetch = Callable[[str, Sequence[Any]], Awaitable[Sequence[Sequence[Any]]]]
"""Runs one statement with parameters in its own transaction and returns its rows."""

_KEY_COLUMNS = "key_id, key_hash, tenant, admin, created_at, revoked_at"

INSERT_KEY = f"INSERT INTO api_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING key_id"
KEY_BY_HASH = f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE key_hash = ?"
ALL_KEYS = f"SELECT {_KEY_COLUMNS} FROM api_keys ORDER BY created_at, key_id"
REVOKE_KEY = "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL RETURNING key_id"


def key_from_row(row: Sequence[Any]) -> StoredApiKey:
    created = from_epoch(row[4])
    assert created is not None  # NOT NULL column
    return StoredApiKey(
        key_id=row[0],
        key_hash=row[1],
        tenant=row[2],
        admin=bool(row[3]),
        created_at=created,
        revoked_at=from_epoch(row[5]),
    )


async def add_key(fetch: Fetch, key: StoredApiKey) -> None:
    await fetch(
        INSERT_KEY,
        (key.key_id, key.key_hash, key.tenant, int(key.admin), to_epoch(key.created_at), None),
    )


async def key_by_hash(fetch: Fetch, key_hash: str) -> StoredApiKey | None:
    rows = await fetch(KEY_BY_HASH, (key_hash,))
    return key_from_row(rows[0]) if rows else None


async def all_keys(fetch: Fetch) -> list[StoredApiKey]:
    return [key_from_row(row) for row in await fetch(ALL_KEYS, ())]


async def revoke_key(fetch: Fetch, key_id: str, now: datetime) -> bool:
    return bool(await fetch(REVOKE_KEY, (to_epoch(now), key_id)))
