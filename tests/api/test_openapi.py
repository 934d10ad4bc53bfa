"""The OpenAPI document is generated from the protos, valid OpenAPI 3, fresh, and served by Envoy."""

from __future__ import annotations

import httpx
import pytest
from openapi_spec_validator import validate

from server.api.openapi import DESCRIPTOR_SET, DOCUMENT, openapi_document, render
from server.testing import ScriptedExtractor, running_envoy, running_service


def test_the_committed_document_is_what_the_protos_give() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(DESCRIPTOR_SET.read_bytes()), "run `make protos`"


def test_the_document_is_valid_openapi_3() -> None:
    validate(openapi_document(DESCRIPTOR_SET.read_bytes()))


def test_every_method_of_the_rest_contract_is_described() -> None:
    document = openapi_document(DESCRIPTOR_SET.read_bytes())
    operations = {
        operation["operationId"]: (verb, path)
        for path, verbs in document["paths"].items()
        for verb, operation in verbs.items()
    }
    assert operations["SubmitBatch"] == ("post", "/api/v1/company/batch/submit")
    assert operations["GetBatch"] == ("get", "/api/v1/company/batch/{batch_id}/status")
    assert operations["ExtractCompany"] == ("post", "/api/v1/company/extract")
    submit = document["paths"]["/api/v1/company/batch/submit"]["post"]
    assert set(submit["responses"]) >= {"202", "400", "429"}
    body = submit["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["company_names"] == {"type": "array", "items": {"type": "string"}}
    assert "urgent" in body["properties"]["priority"]["enum"]


@pytest.mark.envoy
async def test_envoy_serves_the_document(tmp_path: pytest.TempPathFactory) -> None:
    async with running_service(tmp_path, ScriptedExtractor()) as service:  # type: ignore[arg-type]
        async with running_envoy([service.grpc_port]) as envoy, httpx.AsyncClient(base_url=envoy.url) as http:
            served = await http.get("/api/v1/openapi.json")
            refused = await http.post("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/json"
    assert served.json() == openapi_document(DESCRIPTOR_SET.read_bytes())
    assert refused.status_code == 404
