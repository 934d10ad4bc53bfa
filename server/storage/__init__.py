"""Persistence of batches and companies: one protocol (``BatchStore``) and its implementations."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from server.storage.base import BatchStore
from server.storage.sqlite import SqliteBatchStore

SQLITE_SCHEME = "sqlite"

__all__ = ["BatchStore", "SqliteBatchStore", "open_store", "sqlite_path_from_url"]


def sqlite_path_from_url(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL.

    Raises:
        ValueError: the URL is not a SQLite URL with a path.
    """
    parts = urlsplit(url)
    if parts.scheme != SQLITE_SCHEME:
        raise ValueError(
            f"unsupported database URL scheme {parts.scheme!r} in {url!r}: only sqlite:///path is "
            "supported for now (PostgreSQL support is planned)"
        )
    if parts.netloc:
        raise ValueError(f"sqlite URL {url!r} must have an empty host: sqlite:///path/to/file.sqlite3")
    # sqlite:///data/x.db -> path "/data/x.db" -> relative "data/x.db"; sqlite:////abs -> "//abs" -> "/abs".
    raw = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not raw:
        raise ValueError(f"sqlite URL {url!r} names no file: sqlite:///path/to/file.sqlite3")
    return Path(raw)


async def open_store(url: str) -> BatchStore:
    """Open (creating the parent directory and the schema as needed) the store a URL names.

    Raises:
        ValueError: the URL's scheme is not supported or it names no file.
    """
    path = sqlite_path_from_url(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = SqliteBatchStore(path)
    await store.open()
    return store
