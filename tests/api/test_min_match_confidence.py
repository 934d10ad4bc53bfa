"""min_match_confidence through the in-process gRPC server and the real extractor on the sandbox web."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from client.async_client import BatchClient
from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import extraction_service_pb2 as extraction_pb
from company_protos.company.v1 import extraction_service_pb2_grpc as extraction_grpc
from sandbox.web import SandboxWeb
from server.api import validation
from server.app import running_service
from server.domain import BatchOptions
from server.errors import InvalidRequest
from server.storage.codec import options_from_json, options_to_json
from server.testing import service_settings

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
SEARCH_FOUND = "Ursa Minor Robotics"  # found by web search only: a good but not certain match


@pytest_asyncio.fixture
async def target(tmp_path: Path) -> AsyncIterator[str]:
    """A service with the real extractor over the sandbox web, its cache on."""
    async with SandboxWeb(CORPUS) as web:
        settings = service_settings(tmp_path, **web.settings_overrides(), cache_ttl_seconds=3600)
        async with running_service(settings) as service:
            yield service.grpc_target


@pytest_asyncio.fixture
async def channel(target: str) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(target) as opened:
        yield opened


async def _extract(channel: grpc.aio.Channel, **fields: object) -> pb.CompanyResult:
    stub = extraction_grpc.ExtractionServiceStub(channel)
    response = await stub.ExtractCompany(
        extraction_pb.ExtractCompanyRequest(company_name=SEARCH_FOUND, **fields)
    )
    result: pb.CompanyResult = response.data
    return result


async def test_a_match_below_the_minimum_fails_and_a_cached_profile_serves_every_threshold(
    channel: grpc.aio.Channel,
) -> None:
    found = await _extract(channel)
    assert found.extraction_status == pb.CompanyResult.success
    confidence = found.data.match_confidence
    assert 0.0 < confidence < 1.0
    assert [c.domain for c in found.data.match_candidates if c.outcome == "accepted"] == [
        "ursaminor-labs.example"
    ]

    refused = await _extract(channel, min_match_confidence=min(1.0, confidence + 0.01))
    assert refused.extraction_status == pb.CompanyResult.failed
    assert (refused.error.type, refused.error.message) == ("CompanyAnalysisError", "Ambiguous match")
    assert "ursaminor-labs.example (score 1.00, accepted)" in refused.error.details

    again = await _extract(channel, min_match_confidence=confidence)
    # The profile came from the cache (the refusal itself was never cached) and passes a lower minimum.
    assert again.extraction_status == pb.CompanyResult.success and again.from_cache


async def test_a_batch_passes_its_minimum_to_every_company(channel: grpc.aio.Channel) -> None:
    stub = pb_grpc.BatchServiceStub(channel)
    submitted = await stub.SubmitBatch(
        pb.SubmitBatchRequest(company_names=[SEARCH_FOUND], min_match_confidence=1.0, bypass_cache=True)
    )
    async for _ in stub.WatchBatch(pb.WatchBatchRequest(batch_id=submitted.data.batch_id)):
        pass
    results = await stub.GetResults(pb.GetResultsRequest(batch_id=submitted.data.batch_id))
    (result,) = results.data.results
    assert result.error.message == "Ambiguous match"
    assert "candidates: ursaminor-labs.example" in result.error.details


async def test_the_client_passes_the_minimum_on_extract(target: str) -> None:
    async with BatchClient(target) as client:
        result = await client.extract(SEARCH_FOUND, min_match_confidence=1.0, bypass_cache=True)
    assert result.error.message == "Ambiguous match"


@pytest.mark.parametrize("minimum", [1.01, -0.5, float("nan"), float("inf")])
def test_min_match_confidence_outside_zero_to_one_is_refused(minimum: float) -> None:
    with pytest.raises(InvalidRequest) as submit:
        validation.submit_spec(pb.SubmitBatchRequest(company_names=["Acme"], min_match_confidence=minimum))
    with pytest.raises(InvalidRequest) as extract:
        validation.extraction_request(
            extraction_pb.ExtractCompanyRequest(company_name="Acme", min_match_confidence=minimum)
        )
    for info in (submit, extract):
        assert [v.field for v in info.value.violations] == ["min_match_confidence"]


def test_min_match_confidence_is_optional_and_kept_when_valid() -> None:
    assert (
        validation.submit_spec(pb.SubmitBatchRequest(company_names=["Acme"])).options.min_match_confidence
        is None
    )
    spec = validation.submit_spec(pb.SubmitBatchRequest(company_names=["Acme"], min_match_confidence=0.0))
    assert spec.options.min_match_confidence == 0.0
    single = validation.extraction_request(
        extraction_pb.ExtractCompanyRequest(company_name="Acme", min_match_confidence=0.75)
    )
    assert single.request.min_match_confidence == 0.75


def test_the_minimum_is_stored_with_the_batch_options() -> None:
    """A replica or a restarted server reads the batch's options back from the store."""
    stored = options_to_json(BatchOptions(min_match_confidence=0.7))
    assert options_from_json(stored).min_match_confidence == 0.7
    assert options_from_json('{"country": "US"}').min_match_confidence is None  # batches from before it
