"""Persistence of batches and companies: the store's roles (``BatchStore`` is all of them) and two engines."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from server.storage.postgres import PostgresBatchStore
from server.storage.roles import BatchStore
from server.storage.sqlite import SqliteBatchStore

SQLITE_SCHEME = "sqlite"
POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})

__all__ = ["BatchStore", "PostgresBatchStore", "SqliteBatchStore", "open_store", "sqlite_path_from_url"]


def sqlite_path_from_url(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL.

    Raises:
        ValueError: the URL is not a SQLite URL with a path.
    """
    parts = urlsplit(url)
    if parts.scheme != SQLITE_SCHEME:
        raise ValueError(f"not a sqlite URL: {url!r} (expected sqlite:///path/to/file.sqlite3)")
    if parts.netloc:
        raise ValueError(f"sqlite URL {url!r} must have an empty host: sqlite:///path/to/file.sqlite3")
    # sqlite:///data/x.db -> path "/data/x.db" -> relative "data/x.db"; sqlite:////abs -> "//abs" -> "/abs".
    raw = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not raw:
        raise ValueError(f"sqlite URL {url!r} names no file: sqlite:///path/to/file.sqlite3")
    return Path(raw)


async def open_store(url: str) -> BatchStore:
    """Open the store a URL names, bringing its schema up to date.

    ``sqlite:///path`` opens (creating the parent directory as needed) an embedded SQLite file;
    ``postgresql://user@host:port/db`` (optionally ``?search_path=schema``) a PostgreSQL database.

    Raises:
        ValueError: the URL's scheme is not supported or it names no file.
        ServiceUnavailable: the database cannot be reached or migrated.
    """
    scheme = urlsplit(url).scheme
    store: BatchStore
    if scheme in POSTGRES_SCHEMES:
        store = PostgresBatchStore(url)
    elif scheme == SQLITE_SCHEME:
        path = sqlite_path_from_url(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        store = SqliteBatchStore(path)
    else:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r} in {url!r}: use sqlite:///path or "
            "postgresql://user@host:port/database"
        )
    await store.open()
    return store
