"""The real extraction path end to end: REST through Envoy, the server, the web extractor, the sandbox web."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from sandbox.web import SandboxWeb
from server.app import running_service
from server.testing import EnvoyProcess, running_envoy, service_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
TRUTH: dict[str, Any] = json.loads((CORPUS / "truth.json").read_text())
FOUND = [c for c in TRUTH["companies"] if c["expected_outcome"] == "success"][:6]
# Some corpus domains cannot be derived from the name; the demo batch carries their hints.
HINTS: dict[str, str] = json.loads((CORPUS / "demo_batch.json").read_text()).get("domain_hints", {})


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def envoy(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EnvoyProcess]:
    async with SandboxWeb(CORPUS) as web:
        settings = service_settings(tmp_path_factory.mktemp("web"), **web.settings_overrides())
        async with running_service(settings) as service, running_envoy([service.grpc_port]) as proxy:
            yield proxy


async def test_a_batch_finds_corpus_companies_and_reports_the_unknown_one(envoy: EnvoyProcess) -> None:
    names = [c["name"] for c in FOUND] + TRUTH["unknown_companies"][:1]
    async with httpx.AsyncClient(base_url=envoy.url, timeout=60) as http:
        hints = {name: domain for name, domain in HINTS.items() if name in names}
        submitted = await http.post(
            "/api/v1/company/batch/submit",
            json={"company_names": names, "domain_hints": hints, "max_concurrent": 6},
        )
        assert submitted.status_code == 202, submitted.text
        batch_id = submitted.json()["data"]["batch_id"]
        for _ in range(600):
            status = (await http.get(f"/api/v1/company/batch/{batch_id}/status")).json()["data"]
            if status["status"] in {"completed", "failed", "cancelled"}:
                break
            await asyncio.sleep(0.1)
        results = (await http.get(f"/api/v1/company/batch/{batch_id}/results")).json()["data"]
    by_name = {r["company_name"]: r for r in results["results"]}
    for company in FOUND:
        result = by_name[company["name"]]
        assert result["extraction_status"] == "success", result
        profile = result["data"]
        assert profile["domain"] == company["domain"]
        assert profile["provenance"]["domain"]["url"].startswith("https://")
        expected_city = company["profile"].get("headquarters", {}).get("city")
        if expected_city and "headquarters" in profile and "city" in profile["headquarters"]:
            assert profile["headquarters"]["city"] == expected_city
    unknown = by_name[TRUTH["unknown_companies"][0]]
    assert unknown["extraction_status"] == "failed"
    assert unknown["error"]["type"] == "CompanyAnalysisError"
    assert unknown["error"]["details"], "a not-found result must say what was tried"
