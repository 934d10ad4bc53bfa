"""End-to-end fixtures: one in-process service and one real Envoy per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from server.domain import SourceOutcome, SourceState
from server.errors import SourceUnavailableError
from server.testing import ScriptedExtractor, ServiceStack, running_envoy, running_service

PROFILES = {
    "Acme Robotics": {
        "company_name": "Acme Robotics",
        "domain": "acme-robotics.example",
        "industry": "Industrial Robotics",
        "sector": "Technology",
        "employee_count": "501-1000",
        "employee_count_exact": 640,
        "headquarters": {"city": "San Francisco", "state": "California", "country": "United States"},
        "financial_data": {"valuation": "$86B", "funding_raised": "$11.3B"},
        "confidence": 0.92,
    },
    "Globex Health": {
        "company_name": "Globex Health",
        "domain": "globex-health.example",
        "industry": "Medical Devices",
        "sector": "Healthcare",
        "employee_count": "51-200",
        "headquarters": {"city": "Toronto", "state": "Ontario", "country": "Canada"},
        "confidence": 0.8,
    },
    "Initech": {
        "company_name": "Initech",
        "domain": "initech.example",
        "sector": "Technology",
        "employee_count": "11-50",
        "headquarters": {"city": "Austin", "state": "Texas", "country": "United States"},
        "confidence": 0.7,
    },
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServiceStack]:
    extractor = ScriptedExtractor(
        profiles=PROFILES,
        errors={
            # What the real extractor says of a site answering 500 (see test_company_outcomes).
            "Broken Site Ltd": SourceUnavailableError(
                "Sources could not be reached: website:broken.example (HTTP 500 from https://broken.example/)",
                "hint candidate broken.example: rejected, unreachable (HTTP 500)",
                (
                    SourceOutcome("website:broken.example", SourceState.UNAVAILABLE, "HTTP 500", True),
                    SourceOutcome("wikidata", SourceState.OK),
                ),
            )
        },
        delay=0.01,
        delays={"Slow Corp": 3600.0},
    )
    tmp: Path = tmp_path_factory.mktemp("e2e")
    async with running_service(tmp, extractor, workers=8) as service:
        async with running_envoy([service.grpc_port]) as envoy:
            yield ServiceStack(service, envoy, extractor)


@pytest_asyncio.fixture(loop_scope="module")
async def http(stack: ServiceStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        yield client
