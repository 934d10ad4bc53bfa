"""Replica tests run real ``python -m server`` subprocesses on a database of each backend."""

from server.storage.testing import database_url

__all__ = ["database_url"]
