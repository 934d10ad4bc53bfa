"""Throwaway PostgreSQL schemas for tests and benchmarks: each run sees only its own tables.

``scratch_schema`` creates ``cb_<random>`` on the server a URL names and yields that URL with
``search_path`` pointing at it; the schema is dropped (with everything in it) on exit.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

TEST_POSTGRES_URL_ENV = "COMPANY_BATCH_TEST_POSTGRES_URL"
"""Where the tests' PostgreSQL server is (the machines' default below when unset)."""
TEST_POSTGRES_ENV = "COMPANY_BATCH_TEST_POSTGRES"
"""Set to ``0`` to skip the PostgreSQL half of the suite locally; CI never sets it."""
DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "cb_"
CONNECT_TIMEOUT_SECONDS = 5.0


def postgres_test_url() -> str:
    """The server the test suite uses."""
    return os.environ.get(TEST_POSTGRES_URL_ENV, DEFAULT_TEST_POSTGRES_URL)


def postgres_opted_out() -> bool:
    """True when the developer asked to skip PostgreSQL tests (``COMPANY_BATCH_TEST_POSTGRES=0``)."""
    return os.environ.get(TEST_POSTGRES_ENV, "1").strip() == "0"


def with_search_path(url: str, schema: str) -> str:
    """``url`` with ``search_path=schema`` (asyncpg passes unknown query parameters as server settings)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


@asynccontextmanager
async def scratch_schema(url: str) -> AsyncIterator[str]:
    """A new empty schema on ``url``'s server; yields the URL that uses it, drops it afterwards.

    Raises:
        OSError, asyncpg.PostgresError: the server cannot be reached or refuses the schema.
    """
    schema = f"{SCHEMA_PREFIX}{secrets.token_hex(6)}"
    await _execute(url, f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(url, schema)
    finally:
        # A fresh connection: the drop may run on another event loop than the create (process exit).
        await _execute(url, f"DROP SCHEMA {schema} CASCADE")


async def _execute(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
