"""Webhooks through the whole service to a real receiver on loopback: signed, retried, kept across restarts.

The service runs with ``allow_private_addresses`` (the documented setting the sandbox uses for fetches
too): the receiver listens on 127.0.0.1, which the address guard refuses otherwise (last test).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import REGISTRY
from standardwebhooks import Webhook

from client import BatchClient, InvalidArgument
from company_protos.company.v1 import batch_service_pb2
from server.testing import ScriptedExtractor, free_port, running_service
from server.webhooks.signing import new_secret

SECRET = new_secret()
WAIT_SECONDS = 20.0
FAST_RETRIES = {"webhook_retry_schedule_seconds": [0.05] * 6, "webhook_poll_seconds": 0.05}
PROFILES = {"Acme-0": {"domain": "acme.example"}, "Acme-1": {"domain": "acme-one.example"}}


@dataclass
class Receiver:
    """An HTTP endpoint that records every delivery and answers ``failures`` 500s before any 200."""

    port: int
    failures: int = 0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    delivered: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append((headers, body))
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500, text="not now")
        self.delivered.append((headers, body))
        return web.Response(status=204)


async def eventually(predicate: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    """Wait (yielding to the loop) until ``predicate`` holds; a readiness wait, not a timing check."""
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            result = predicate()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)
    raise AssertionError(what)  # pragma: no cover


async def _serve(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", receiver.port).start()
    return runner


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(free_port())
    runner = await _serve(found)
    yield found
    await runner.cleanup()


def _verified(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The body as the receiver would read it, after checking its Standard Webhooks signature."""
    document: dict[str, Any] = Webhook(SECRET).verify(body, headers)
    assert headers["content-type"] == "application/json"
    return document


def _deliveries_counted(outcome: str) -> float:
    """The Prometheus counter of webhook attempts with this outcome (this process's registry)."""
    value = REGISTRY.get_sample_value("company_batch_webhook_deliveries_total", {"outcome": outcome})
    return value or 0.0


async def _status(client: BatchClient, batch_id: str) -> batch_service_pb2.Batch:
    return await client.get(batch_id)


async def test_events_reach_a_loopback_receiver_signed(tmp_path: Path, receiver: Receiver) -> None:
    extractor = ScriptedExtractor(profiles=PROFILES)
    settings = {"allow_private_addresses": True, "webhook_secret": SECRET, **FAST_RETRIES}
    async with running_service(tmp_path, extractor, **settings) as service:
        async with BatchClient(service.grpc_target) as client:
            submitted = await client.submit(
                ["Acme-0", "Acme-1", "Nobody-2"],
                webhook_url=receiver.url,
                webhook_events=["company.finished", "batch.completed"],
            )
            await eventually(lambda: len(receiver.delivered) == 4, "three companies and the batch")
            batch = await _status(client, submitted.batch_id)

    documents = [_verified(headers, body) for headers, body in receiver.delivered]
    assert sorted(d["type"] for d in documents) == ["batch.completed"] + ["company.finished"] * 3
    by_company = {d["data"]["company_name"]: d["data"] for d in documents if d["type"] == "company.finished"}
    assert by_company["Acme-0"]["extraction_status"] == "success"
    assert by_company["Acme-0"]["domain"] == "acme.example"
    assert by_company["Nobody-2"]["error"]["type"] == "CompanyAnalysisError"
    (final,) = (d["data"] for d in documents if d["type"] == "batch.completed")
    assert (final["batch_id"], final["status"], final["completed"], final["failed"]) == (
        submitted.batch_id,
        "completed",
        2,
        1,
    )
    ids = [headers["webhook-id"] for headers, _ in receiver.delivered]
    assert len(set(ids)) == 4
    assert batch.webhook.url == receiver.url
    shown = {(d.webhook_id, d.state, d.attempts, d.last_status_code) for d in batch.webhook.deliveries}
    assert shown == {(webhook_id, "delivered", 1, 204) for webhook_id in ids}


async def test_a_receiver_that_fails_twice_gets_the_third_attempt(tmp_path: Path, receiver: Receiver) -> None:
    receiver.failures = 2
    delivered_before, retrying_before = _deliveries_counted("delivered"), _deliveries_counted("retrying")
    settings = {"allow_private_addresses": True, "webhook_secret": SECRET, **FAST_RETRIES}
    async with running_service(tmp_path, ScriptedExtractor(profiles=PROFILES), **settings) as service:
        async with BatchClient(service.grpc_target) as client:
            submitted = await client.submit(["Acme-0"], webhook_url=receiver.url)

            async def delivered() -> bool:
                deliveries = (await _status(client, submitted.batch_id)).webhook.deliveries
                return len(deliveries) == 1 and deliveries[0].state == "delivered"

            await eventually(delivered, "the delivery succeeds at last")
            (delivery,) = (await _status(client, submitted.batch_id)).webhook.deliveries

    assert len(receiver.received) == 3 and len(receiver.delivered) == 1
    assert {headers["webhook-id"] for headers, _ in receiver.received} == {delivery.webhook_id}
    for headers, body in receiver.received:  # every attempt is signed afresh, and verifies
        assert _verified(headers, body)["type"] == "batch.completed"
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (3, 204, "")
    assert delivery.HasField("delivered_at")
    assert _deliveries_counted("retrying") - retrying_before == 2
    assert _deliveries_counted("delivered") - delivered_before == 1


async def test_a_delivery_not_made_before_a_restart_is_made_after_it(tmp_path: Path) -> None:
    receiver = Receiver(free_port())  # nothing listens there yet: attempts fail to connect
    settings = {
        "allow_private_addresses": True,
        "webhook_secret": SECRET,
        "webhook_retry_schedule_seconds": [0.1] * 50,
        "webhook_poll_seconds": 0.05,
    }
    async with running_service(tmp_path, ScriptedExtractor(profiles=PROFILES), **settings) as service:
        async with BatchClient(service.grpc_target) as client:
            submitted = await client.submit(["Acme-0"], webhook_url=receiver.url)

            async def attempted() -> bool:
                deliveries = (await _status(client, submitted.batch_id)).webhook.deliveries
                return len(deliveries) == 1 and deliveries[0].HasField("last_attempt_at")

            await eventually(attempted, "a first attempt failed")
            (before,) = (await _status(client, submitted.batch_id)).webhook.deliveries
    assert before.state == "pending" and before.last_status_code == 0 and before.last_error

    runner = await _serve(receiver)
    try:
        async with running_service(tmp_path, ScriptedExtractor(), **settings) as service:
            async with BatchClient(service.grpc_target) as client:
                await eventually(lambda: len(receiver.delivered) == 1, "delivered after the restart")

                async def recorded() -> bool:
                    deliveries = (await _status(client, submitted.batch_id)).webhook.deliveries
                    return deliveries[0].state == "delivered"

                await eventually(recorded, "the delivery is recorded")
                (after,) = (await _status(client, submitted.batch_id)).webhook.deliveries
    finally:
        await runner.cleanup()
    headers, body = receiver.delivered[0]
    assert headers["webhook-id"] == before.webhook_id == after.webhook_id
    assert _verified(headers, body)["data"]["batch_id"] == submitted.batch_id
    assert after.attempts > before.attempts


async def test_a_retried_batch_announces_its_new_completion(tmp_path: Path, receiver: Receiver) -> None:
    settings = {"allow_private_addresses": True, "webhook_secret": SECRET, **FAST_RETRIES}
    async with running_service(tmp_path, ScriptedExtractor(profiles=PROFILES), **settings) as service:
        async with BatchClient(service.grpc_target) as client:
            submitted = await client.submit(["Acme-0", "Nobody-1"], webhook_url=receiver.url)
            await eventually(lambda: len(receiver.delivered) == 1, "first completion")
            retried = await client.retry(submitted.batch_id)
            assert retried.retried_companies == 1
            await eventually(lambda: len(receiver.delivered) == 2, "second completion")
    first, second = (_verified(h, b) for h, b in receiver.delivered)
    assert first["type"] == second["type"] == "batch.completed"
    assert first["data"]["completed_at"] != second["data"]["completed_at"]
    assert receiver.delivered[0][0]["webhook-id"] != receiver.delivered[1][0]["webhook-id"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param("http://127.0.0.1:8080/hooks", "non-public", id="loopback"),
        pytest.param("http://169.254.169.254/latest/meta-data", "non-public", id="metadata"),
        pytest.param("http://[::ffff:10.0.0.1]/hooks", "non-public", id="mapped-private"),
        pytest.param("http://2130706433/hooks", "non-public", id="numeric-loopback"),
        pytest.param("https://localhost/hooks", "localhost", id="localhost"),
        pytest.param("ftp://example.com/hooks", "http(s)", id="scheme"),
    ],
)
async def test_a_url_the_address_guard_refuses_is_rejected_at_submit(
    tmp_path: Path, url: str, reason: str
) -> None:
    async with running_service(tmp_path, ScriptedExtractor()) as service:
        async with BatchClient(service.grpc_target) as client:
            with pytest.raises(InvalidArgument) as refused:
                await client.submit(["Acme-0"], webhook_url=url)
            listed = await client.list()
    assert [v.field for v in refused.value.field_violations] == ["webhook_url"]
    assert reason in refused.value.field_violations[0].description
    assert len(listed.batches) == 0  # nothing was created


async def test_webhook_events_are_checked(tmp_path: Path) -> None:
    async with running_service(tmp_path, ScriptedExtractor()) as service:
        async with BatchClient(service.grpc_target) as client:
            with pytest.raises(InvalidArgument) as unknown:
                await client.submit(
                    ["Acme-0"], webhook_url="https://example.com/h", webhook_events=["batch.done"]
                )
            with pytest.raises(InvalidArgument) as no_url:
                await client.submit(["Acme-0"], webhook_events=["batch.completed"])
    assert [v.field for v in unknown.value.field_violations] == ["webhook_events[0]"]
    assert [v.field for v in no_url.value.field_violations] == ["webhook_events"]


def _readme_receiver() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (code,) = [c for c in re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL) if "Webhook(" in c]
    return code


async def test_the_readme_receiver_verifies_and_prints_a_delivery(tmp_path: Path) -> None:
    """The README's receiver, run as written (only its port changed) in its own interpreter."""
    code = _readme_receiver()
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code.replace("8080", str(port)),
        env={**os.environ, "COMPANY_BATCH_WEBHOOK_SECRET": SECRET},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        settings = {
            "allow_private_addresses": True,
            "webhook_secret": SECRET,
            # Retried until the receiver's interpreter is up (connections are refused until then).
            "webhook_retry_schedule_seconds": [0.1] * 150,
            "webhook_poll_seconds": 0.05,
        }
        async with running_service(tmp_path, ScriptedExtractor(profiles=PROFILES), **settings) as service:
            async with BatchClient(service.grpc_target) as client:
                submitted = await client.submit(["Acme-0"], webhook_url=f"http://127.0.0.1:{port}/")
                assert process.stdout is not None
                async with asyncio.timeout(WAIT_SECONDS):
                    line = await process.stdout.readline()  # the receiver may start after the batch
    finally:
        process.kill()
        await process.wait()
    assert line.decode().split() == ["batch.completed", submitted.batch_id]
