"""Tenancy through the real server and a real Envoy, REST and native gRPC: one tenant cannot find, read
or change another's batches, request ids are per tenant, keys are required, checked and revocable,
stats are per tenant with an admin view, rate limits answer 429 with Retry-After, ids are unguessable."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import pytest_asyncio
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from client import BatchClient
from client.errors import NotFound, ResourceExhausted, Unauthenticated
from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2
from server.app import Service
from server.domain import ExtractionRequest, Profile
from server.testing import EnvoyProcess, ScriptedExtractor, running_envoy, running_service

pytestmark = pytest.mark.asyncio(loop_scope="module")

API = "/api/v1/company"
BATCH_ID = re.compile(r"^batch_\d{8}_[a-z0-9]{20}$")
QUICK = "Acme Robotics"
SLOW = "Slow Corp"  # runs for an hour: its batch stays live while a test pokes at it
PROFILES = {QUICK: {"domain": "acme-robotics.example", "industry": "Robotics", "confidence": 0.9}}
EVENT = pb.WatchBatchResponse


@dataclass
class SignallingExtractor(ScriptedExtractor):
    """Sets ``slow_started`` when asked for SLOW: a company's start is stored before its extraction
    begins, so from then on the database shows it running."""

    slow_started: asyncio.Event = field(default_factory=asyncio.Event)

    async def extract(self, request: ExtractionRequest) -> Profile:
        if request.company_name == SLOW:
            self.slow_started.set()
        return await super().extract(request)


@dataclass
class Tenancy:
    service: Service
    envoy: EnvoyProcess
    alpha: str
    beta: str
    admin: str
    extractor: SignallingExtractor

    @asynccontextmanager
    async def grpc(self, key: str | None) -> AsyncIterator[BatchClient]:
        """A native gRPC client through Envoy with ``key``."""
        async with BatchClient(self.envoy.grpc_target, api_key=key) as client:
            yield client

    @asynccontextmanager
    async def rest(self, key: str | None) -> AsyncIterator[httpx.AsyncClient]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx.AsyncClient(base_url=self.envoy.url, headers=headers, timeout=30) as client:
            yield client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tenancy(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Tenancy]:
    extractor = SignallingExtractor(profiles=PROFILES, delays={SLOW: 3600.0})
    tmp: Path = tmp_path_factory.mktemp("tenancy")
    async with running_service(tmp, extractor, workers=8, auth="on") as service:
        alpha = (await service.keys.create("alpha")).key
        beta = (await service.keys.create("beta")).key
        admin = (await service.keys.create("ops", admin=True)).key
        async with running_envoy([service.grpc_port]) as envoy:
            yield Tenancy(service, envoy, alpha, beta, admin, extractor)


async def started(client: BatchClient, batch_id: str) -> None:
    """Until the batch has a company in progress (the snapshot may already show it)."""
    async for event in client.watch(batch_id):
        if event.batch.progress.in_progress >= 1:
            return
    raise AssertionError(f"{batch_id} finished without starting a company")


async def finished(client: BatchClient, batch_id: str) -> pb.Batch:
    last = None
    async for event in client.watch(batch_id):
        last = event.batch
    assert last is not None
    return last


async def first_event(client: BatchClient, batch_id: str) -> EVENT:
    async for event in client.watch(batch_id):
        return event
    raise AssertionError("empty watch stream")


# -- one tenant on another's batches --------------------------------------------------------------


async def test_every_grpc_call_on_another_tenants_batch_is_not_found_and_changes_nothing(
    tenancy: Tenancy,
) -> None:
    async with tenancy.grpc(tenancy.alpha) as alpha, tenancy.grpc(tenancy.beta) as beta:
        live = await alpha.submit([SLOW, "Other Co"], max_concurrent=1)
        done = await alpha.submit([QUICK])
        await started(alpha, live.batch_id)
        assert (await finished(alpha, done.batch_id)).status == enums_pb2.completed
        before = await alpha.get(live.batch_id)

        calls: dict[str, Any] = {
            "GetBatch": beta.get,
            "WatchBatch": lambda batch_id: first_event(beta, batch_id),
            "GetResults": beta.results,
            "ExportResults": lambda batch_id: beta.download(batch_id, "csv"),
            "PauseBatch": beta.pause,
            "ResumeBatch": beta.resume,
            "CancelBatch": beta.cancel,
        }
        for batch_id in (live.batch_id, done.batch_id):
            for name, call in calls.items():
                with pytest.raises(NotFound) as caught:
                    await call(batch_id)
                assert caught.value.reason == "BATCH_NOT_FOUND", name
                assert caught.value.metadata == {"batch_id": batch_id}, name
        # Word for word what an id that exists nowhere gets: nothing confirms the batch exists.
        nowhere = live.batch_id[:-1] + ("a" if live.batch_id[-1] != "a" else "b")
        with pytest.raises(NotFound) as missing:
            await beta.get(nowhere)
        with pytest.raises(NotFound) as foreign:
            await beta.get(live.batch_id)
        assert foreign.value.message.replace(live.batch_id, "ID") == missing.value.message.replace(
            nowhere, "ID"
        )

        after = await alpha.get(live.batch_id)
        assert after.status == before.status == enums_pb2.processing
        assert after.progress.completed + after.progress.failed == 0
        assert (await alpha.results(done.batch_id)).results[0].company_name == QUICK
        listed = {b.batch_id for b in (await beta.list(100)).batches}
        assert live.batch_id not in listed and done.batch_id not in listed
        assert {live.batch_id, done.batch_id} <= {b.batch_id for b in (await alpha.list(100)).batches}
        await alpha.cancel(live.batch_id)


async def test_every_rest_call_on_another_tenants_batch_is_404_and_changes_nothing(
    tenancy: Tenancy,
) -> None:
    async with tenancy.grpc(tenancy.alpha) as alpha, tenancy.rest(tenancy.beta) as beta:
        live = await alpha.submit([SLOW, "Other Co"], max_concurrent=1)
        await started(alpha, live.batch_id)
        batch = f"{API}/batch/{live.batch_id}"
        requests = [
            ("GET", f"{batch}/status"),
            ("GET", f"{batch}/results"),
            ("GET", f"{batch}/results?format=csv"),
            ("GET", f"{batch}/results?format=excel"),
            ("GET", f"{batch}/download"),
            ("GET", f"{batch}/watch"),
            ("POST", f"{batch}/pause"),
            ("POST", f"{batch}/resume"),
            ("POST", f"{batch}/cancel"),
        ]
        for method, path in requests:
            response = await beta.request(method, path)
            assert response.status_code == 404, (method, path, response.text)
            body = response.json()
            assert body["success"] is False
            assert (body["error"]["type"], body["error"]["code"]) == ("NotFound", "NOT_FOUND")
        listed = (await beta.get(f"{API}/batches", params={"page_size": 100})).json()["data"]["batches"]
        assert live.batch_id not in {b["batch_id"] for b in listed}
        after = await alpha.get(live.batch_id)
        assert after.status == enums_pb2.processing
        await alpha.cancel(live.batch_id)


async def test_the_same_request_id_from_two_tenants_makes_two_batches(tenancy: Tenancy) -> None:
    body = {"company_names": [QUICK], "request_id": "purchase-order-7"}
    async with tenancy.rest(tenancy.alpha) as alpha, tenancy.rest(tenancy.beta) as beta:
        first = (await alpha.post(f"{API}/batch/submit", json=body)).json()["data"]
        other = (await beta.post(f"{API}/batch/submit", json=body)).json()["data"]
        replay = (await alpha.post(f"{API}/batch/submit", json=body)).json()["data"]
        assert first["batch_id"] != other["batch_id"]
        assert (first["idempotent_replay"], other["idempotent_replay"]) == (False, False)
        assert replay["batch_id"] == first["batch_id"] and replay["idempotent_replay"] is True
        assert (await beta.get(f"{API}/batch/{first['batch_id']}/status")).status_code == 404
        assert (await alpha.get(f"{API}/batch/{other['batch_id']}/status")).status_code == 404


async def test_an_admin_key_sees_and_lists_every_tenants_batches(tenancy: Tenancy) -> None:
    async with tenancy.grpc(tenancy.alpha) as alpha, tenancy.grpc(tenancy.admin) as admin:
        submitted = await alpha.submit([QUICK])
        assert (await admin.get(submitted.batch_id)).batch_id == submitted.batch_id
        assert submitted.batch_id in {b.batch_id for b in (await admin.list(100)).batches}


# -- keys ------------------------------------------------------------------------------------------


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["success"] is False
    assert (body["error"]["type"], body["error"]["code"]) == ("Unauthorized", "UNAUTHENTICATED")
    assert body["metadata"]["trace_id"]


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("Bearer", id="bearer-without-key"),
        pytest.param("Bearer cbk_000000000000_not-a-real-key", id="unknown-key"),
        pytest.param("Basic YWxhZGRpbjpvcGVuc2VzYW1l", id="basic-scheme"),
        pytest.param("Bearer " + "x" * 5000, id="huge-key"),
    ],
)
async def test_rest_without_a_valid_key_is_401_and_creates_nothing(
    tenancy: Tenancy, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with tenancy.grpc(tenancy.admin) as admin:
        before = len((await admin.list(100)).batches)
        async with httpx.AsyncClient(base_url=tenancy.envoy.url, headers=headers) as anonymous:
            assert_unauthorized(await anonymous.post(f"{API}/batch/submit", json={"company_names": [QUICK]}))
            assert_unauthorized(await anonymous.get(f"{API}/batches"))
            assert_unauthorized(await anonymous.get(f"{API}/batch/stats"))
            assert_unauthorized(await anonymous.post(f"{API}/extract", json={"company_name": QUICK}))
        assert len((await admin.list(100)).batches) == before


@pytest.mark.parametrize(
    "key", [pytest.param(None, id="no-key"), pytest.param("cbk_0_wrong", id="unknown-key")]
)
async def test_grpc_without_a_valid_key_is_unauthenticated(tenancy: Tenancy, key: str | None) -> None:
    async with tenancy.grpc(key) as client:
        with pytest.raises(Unauthenticated) as caught:
            await client.list()
        assert caught.value.reason == "UNAUTHENTICATED"
        with pytest.raises(Unauthenticated):
            await client.submit([QUICK])
        with pytest.raises(Unauthenticated):
            await client.extract(QUICK)
        with pytest.raises(Unauthenticated):
            await first_event(client, "batch_20240101_abc")


async def test_a_revoked_key_is_refused_from_the_next_call_on(tenancy: Tenancy) -> None:
    issued = await tenancy.service.keys.create("short-lived")
    async with tenancy.grpc(issued.key) as client, tenancy.rest(issued.key) as http:
        await client.list()
        assert (await http.get(f"{API}/batches")).status_code == 200
        assert await tenancy.service.keys.revoke(issued.stored.key_id)
        with pytest.raises(Unauthenticated):
            await client.list()
        assert_unauthorized(await http.get(f"{API}/batches"))


async def test_extract_company_works_with_a_key(tenancy: Tenancy) -> None:
    async with tenancy.rest(tenancy.beta) as http:
        response = await http.post(f"{API}/extract", json={"company_name": QUICK})
        assert response.status_code == 200, response.text
        assert response.json()["data"]["extraction_status"] == "success"


async def test_health_and_reflection_stay_open_without_a_key(tenancy: Tenancy) -> None:
    async with aio.insecure_channel(tenancy.envoy.grpc_target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        reply = await health.Check(health_pb2.HealthCheckRequest(service="company.v1.BatchService"))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    async with aio.insecure_channel(tenancy.service.grpc_target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
        async for response in responses:
            names = {s.name for s in response.list_services_response.service}
            assert "company.v1.BatchService" in names
            break


async def test_no_key_reaches_the_logs(tenancy: Tenancy, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        async with tenancy.grpc(tenancy.alpha) as alpha:
            await alpha.list()
        async with tenancy.rest(tenancy.alpha + "tampered") as http:
            await http.get(f"{API}/batches")
    secret = tenancy.alpha.split("_", 2)[2]  # cbk_<id>_<secret>: the secret itself may hold "_"
    assert any(r.__dict__.get("method") == "ListBatches" for r in caplog.records)
    for record in caplog.records:
        assert secret not in repr(record.__dict__)


# -- stats -----------------------------------------------------------------------------------------


async def test_stats_are_per_tenant_and_the_admin_sees_the_whole_service(tenancy: Tenancy) -> None:
    gamma_key = (await tenancy.service.keys.create("gamma")).key
    async with (
        tenancy.grpc(gamma_key) as gamma,
        tenancy.grpc(tenancy.alpha) as alpha,
        tenancy.grpc(tenancy.admin) as admin,
    ):
        for names in ([QUICK], [QUICK, "Unknown Co"]):
            await finished(gamma, (await gamma.submit(names)).batch_id)
        tenancy.extractor.slow_started.clear()
        waiting = await alpha.submit([SLOW, "Second", "Third"], max_concurrent=1)
        await tenancy.extractor.slow_started.wait()

        mine = await gamma.stats("1h")
        assert mine.system_stats.total_batches == 2
        assert mine.system_stats.completed_batches == 2
        assert mine.system_stats.total_companies_processed == 3
        assert mine.system_stats.success_rate == pytest.approx(66.7)
        assert (mine.resource_utilization.queue_size, mine.resource_utilization.workers_busy) == (0, 0)

        theirs = await alpha.stats("1h")
        assert (theirs.resource_utilization.queue_size, theirs.resource_utilization.workers_busy) == (2, 1)

        everyone = await admin.stats("1h")
        all_batches = (await admin.list(100)).batches
        assert everyone.system_stats.total_batches == len(all_batches)
        assert everyone.system_stats.total_batches > mine.system_stats.total_batches
        # The admin's live figures are the scheduler's own (the replica scheduler's queue count is as
        # of its last heartbeat), so only the tenants' are pinned down above.
        assert everyone.resource_utilization.workers_total == 8
        await alpha.cancel(waiting.batch_id)


# -- batch ids -------------------------------------------------------------------------------------


async def test_batch_ids_keep_the_documented_shape_and_are_all_different(tenancy: Tenancy) -> None:
    async with tenancy.grpc(tenancy.beta) as beta, tenancy.rest(tenancy.beta) as http:
        ids = [(await beta.submit([QUICK])).batch_id for _ in range(20)]
        assert all(BATCH_ID.match(batch_id) for batch_id in ids), ids
        assert len(set(ids)) == len(ids)
        # still a valid REST path segment
        assert (await http.get(f"{API}/batch/{ids[0]}/status")).status_code == 200


# -- rate limits -----------------------------------------------------------------------------------


@asynccontextmanager
async def limited(tmp_path: Path, burst: int) -> AsyncIterator[Tenancy]:
    """A stack whose keys get ``burst`` calls and then one per 100 s (so the 429 is certain)."""
    async with running_service(
        tmp_path, ScriptedExtractor(), auth="on", rate_limit_per_second=0.01, rate_limit_burst=burst
    ) as service:
        alpha = (await service.keys.create("alpha")).key
        beta = (await service.keys.create("beta")).key
        async with running_envoy([service.grpc_port]) as envoy:
            yield Tenancy(service, envoy, alpha, beta, beta, SignallingExtractor())


async def test_a_key_past_its_burst_gets_429_with_retry_after_and_other_keys_do_not(
    tmp_path: Path,
) -> None:
    async with limited(tmp_path, burst=3) as stack:
        async with stack.rest(stack.alpha) as alpha, stack.rest(stack.beta) as beta:
            for _ in range(3):
                assert (await alpha.get(f"{API}/batches")).status_code == 200
            refused = await alpha.get(f"{API}/batch/batch_20240101_guess/status")
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["retry-after"]) <= 100
            body = refused.json()
            assert (body["error"]["type"], body["error"]["code"]) == ("RateLimited", "RESOURCE_EXHAUSTED")
            assert (await beta.get(f"{API}/batches")).status_code == 200
        async with stack.grpc(stack.alpha) as client:
            with pytest.raises(ResourceExhausted) as caught:
                await client.get("batch_20240101_guess")
            assert caught.value.reason == "RATE_LIMITED"
            assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 100


async def test_failed_key_checks_are_rate_limited_per_client_address(tmp_path: Path) -> None:
    async with limited(tmp_path, burst=3) as stack, stack.rest("cbk_0_guess") as guesser:
        for _ in range(3):
            assert_unauthorized(await guesser.get(f"{API}/batches"))
        refused = await guesser.get(f"{API}/batches")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


async def test_native_grpc_rate_limit_is_resource_exhausted_with_retry_info(tmp_path: Path) -> None:
    async with limited(tmp_path, burst=1) as stack:
        async with aio.insecure_channel(stack.service.grpc_target) as channel:
            from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc

            stub = pb_grpc.BatchServiceStub(channel)
            metadata = (("authorization", f"Bearer {stack.alpha}"),)
            await stub.ListBatches(pb.ListBatchesRequest(), metadata=metadata)
            with pytest.raises(aio.AioRpcError) as caught:
                await stub.ListBatches(pb.ListBatchesRequest(), metadata=metadata)
            assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            trailers = dict(caught.value.trailing_metadata() or ())
            assert int(trailers["retry-after"]) >= 1
