"""Helpers for testing against a real, in-process service (also usable by users of the package)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from server.app import Service
from server.app import running_service as _running_service
from server.extraction.base import Extractor
from server.settings import Settings


def service_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a throwaway service: free port, SQLite under ``tmp_path``, no ``.env`` file."""
    values: dict[str, Any] = {"grpc_port": 0, "data_dir": tmp_path, "shutdown_grace_seconds": 2.0}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_service(
    tmp_path: Path, extractor: Extractor | None = None, **overrides: Any
) -> AsyncIterator[Service]:
    """A whole server on a free loopback port; ``.grpc_target`` is where to connect.

    With ``extractor`` the service uses it instead of the web extractor.
    """
    async with _running_service(service_settings(tmp_path, **overrides), extractor) as service:
        yield service
