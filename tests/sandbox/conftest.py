"""Fixtures for the sandbox web's tests: the committed corpus, served on free loopback ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.web import SandboxWeb

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"


@pytest.fixture
async def sandbox_web() -> AsyncIterator[SandboxWeb]:
    async with SandboxWeb(CORPUS_DIR) as web:
        yield web
