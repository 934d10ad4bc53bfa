"""Fixtures for extraction tests: the sandbox web on loopback and settings that point the fetcher at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.web import SandboxWeb
from server.extraction.fetcher import WebFetcher
from server.settings import Settings
from tests.extraction.failing_web import write_corpus

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
FAST_TIMEOUT_SECONDS = 1.0  # well above a loopback answer, well below the "slow" host latency


@pytest.fixture
async def sandbox_web() -> AsyncIterator[SandboxWeb]:
    async with SandboxWeb(CORPUS_DIR) as web:
        yield web


@pytest.fixture
async def failing_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    """The sandbox web serving hosts that fail each way (``failing_web.HOSTS``)."""
    async with SandboxWeb(write_corpus(tmp_path / "corpus")) as web:
        yield web


@pytest.fixture
def sandbox_settings(sandbox_web: SandboxWeb) -> Settings:
    """Settings pointing the service at the sandbox, with a short timeout so failing hosts fail fast."""
    return Settings(**sandbox_web.settings_overrides(), fetch_timeout_seconds=FAST_TIMEOUT_SECONDS)


@pytest.fixture
async def fetcher(sandbox_settings: Settings) -> AsyncIterator[WebFetcher]:
    web_fetcher = WebFetcher(sandbox_settings)
    yield web_fetcher
    await web_fetcher.aclose()
