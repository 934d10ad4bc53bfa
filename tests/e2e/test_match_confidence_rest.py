"""``min_match_confidence`` over REST through a real Envoy: a doubtful match fails as "Ambiguous match"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from server.testing import ScriptedExtractor, running_envoy, running_service

pytestmark = pytest.mark.asyncio(loop_scope="module")

CANDIDATES = [
    {"domain": "doubtful.example", "score": 0.86, "outcome": "accepted"},
    {"domain": "doubtful.test", "score": 0.4, "outcome": "rejected"},
]
PROFILES = {
    "Doubtful Co": {"domain": "doubtful.example", "match_confidence": 0.55, "match_candidates": CANDIDATES},
    "Certain Co": {
        "domain": "certain.example",
        "match_confidence": 0.98,
        "match_candidates": CANDIDATES[:1],
        "founded_year": 1999,
        "provenance": {
            "founded_year": {"source": "wikidata", "confidence": 0.8, "evidence": "claims.P571[0]"},
        },
    },
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def http(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    tmp: Path = tmp_path_factory.mktemp("match")
    async with running_service(tmp, ScriptedExtractor(profiles=PROFILES)) as service:
        async with running_envoy([service.grpc_port]) as envoy:
            async with httpx.AsyncClient(base_url=envoy.url, timeout=30) as client:
                yield client


async def test_extract_below_the_minimum_fails_as_ambiguous_and_lists_the_candidates(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.post(
        "/api/v1/company/extract", json={"company_name": "Doubtful Co", "min_match_confidence": 0.6}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()["data"]
    assert result["extraction_status"] == "failed"
    assert (result["error"]["type"], result["error"]["message"]) == (
        "CompanyAnalysisError",
        "Ambiguous match",
    )
    assert "doubtful.example (score 0.86" in result["error"]["details"]
    assert "doubtful.test (score 0.40" in result["error"]["details"]


async def test_extract_at_or_above_the_minimum_returns_the_profile_with_its_match_confidence(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.post(
        "/api/v1/company/extract", json={"company_name": "Doubtful Co", "min_match_confidence": 0.55}
    )
    data = answer.json()["data"]["data"]
    assert data["match_confidence"] == 0.55
    assert data["match_candidates"][0]["domain"] == "doubtful.example"


@pytest.mark.parametrize("minimum", [1.5, -0.1, "high"])
async def test_a_minimum_outside_zero_to_one_is_a_400_naming_the_field(
    http: httpx.AsyncClient, minimum: Any
) -> None:
    answer = await http.post(
        "/api/v1/company/extract", json={"company_name": "Acme", "min_match_confidence": minimum}
    )
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    if isinstance(minimum, float):  # a non-number is refused by the transcoder before validation
        assert [v["field"] for v in error["field_violations"]] == ["min_match_confidence"]


async def test_a_batch_with_a_minimum_fails_only_the_doubtful_company(http: httpx.AsyncClient) -> None:
    submitted = await http.post(
        "/api/v1/company/batch/submit",
        json={"company_names": ["Doubtful Co", "Certain Co"], "min_match_confidence": 0.9},
    )
    assert submitted.status_code == 202, submitted.text
    batch_id = submitted.json()["data"]["batch_id"]
    for _ in range(300):
        status = (await http.get(f"/api/v1/company/batch/{batch_id}/status")).json()["data"]
        if status["status"] in {"completed", "failed"}:
            break
        await asyncio.sleep(0.05)
    results = (await http.get(f"/api/v1/company/batch/{batch_id}/results")).json()["data"]["results"]
    by_name = {r["company_name"]: r for r in results}
    assert by_name["Certain Co"]["extraction_status"] == "success"
    # Evidence reaches the JSON results as it left the extractor.
    assert by_name["Certain Co"]["data"]["provenance"]["founded_year"]["evidence"] == "claims.P571[0]"
    assert by_name["Doubtful Co"]["error"]["message"] == "Ambiguous match"
