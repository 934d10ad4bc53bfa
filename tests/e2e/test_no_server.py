"""Envoy with no healthy server behind it (start-up, or the server is down) answers readably on both doors."""

from __future__ import annotations

import httpx
import pytest

from client import BatchClient, Unavailable
from server.testing import free_port, running_envoy

NOT_AVAILABLE = (
    "company-batch is not available: no healthy server behind Envoy (it is starting, or not running)"
)


async def test_rest_gets_the_envelope_saying_the_service_is_not_available() -> None:
    async with running_envoy([free_port()], healthy=0) as envoy:
        async with httpx.AsyncClient(base_url=envoy.url) as http:
            response = await http.get("/api/v1/company/batch/stats")
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False and body["error"]["type"] == "Unavailable"
    assert body["error"]["message"].startswith(NOT_AVAILABLE)
    assert body["metadata"]["trace_id"]


async def test_native_grpc_gets_a_plain_message_without_the_rest_envelope() -> None:
    async with running_envoy([free_port()], healthy=0) as envoy, BatchClient(envoy.grpc_target) as client:
        with pytest.raises(Unavailable) as raised:
            await client.stats("1h")
    assert raised.value.message == NOT_AVAILABLE
    assert "{" not in str(raised.value)
