"""Cache tests run once per backend: SQLite in tmp_path and PostgreSQL in a scratch schema."""

from server.storage.testing import database_url, store, store_factory

__all__ = ["database_url", "store", "store_factory"]
