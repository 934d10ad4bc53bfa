"""Hostile-input fixtures: one in-process service behind one real Envoy per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from server.testing import ScriptedExtractor, ServiceStack, running_envoy, running_service


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServiceStack]:
    extractor = ScriptedExtractor(profiles={"Acme Robotics": {"domain": "acme-robotics.example"}}, delay=0.01)
    async with running_service(tmp_path_factory.mktemp("hostile"), extractor, workers=4) as service:
        async with running_envoy([service.grpc_port]) as envoy:
            yield ServiceStack(service, envoy, extractor)


@pytest_asyncio.fixture(loop_scope="module")
async def http(stack: ServiceStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        yield client
