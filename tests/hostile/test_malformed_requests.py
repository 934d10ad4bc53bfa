"""Malformed requests through a real Envoy in front of the real server: every answer is the envelope.

REST: a 4xx whose body is the contract's error envelope naming the field at fault (400 bad input, 413
too large, 415 not JSON, 431 headers too large), bounded in size, and no batch created. Native gRPC:
INVALID_ARGUMENT with field violations in the rich status. And while the worst of these fly, a
well-formed client's calls all succeed.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from server.testing import ServiceStack

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.envoy]

API = "/api/v1/company"
SUBMIT = f"{API}/batch/submit"
MAX_ERROR_BYTES = 8192
JSON = (("content-type", "application/json"),)
MB = 1024 * 1024


def _body(**fields: Any) -> bytes:
    return json.dumps({"company_names": ["Hostile Probe"], **fields}).encode()


def _url_hints(count: int) -> bytes:
    names = [f"Hostile {i}" for i in range(count)]
    hints = {
        name: f"https://www.{'x' * 300}.example/{i}/about?ref=" + "y" * 400 for i, name in enumerate(names)
    }
    return json.dumps({"company_names": names, "domain_hints": hints}).encode()


REST_CASES = [
    # bad paths and ids
    pytest.param("GET", f"{API}/batch/%ff%fe/status", None, JSON, 400, "batch_id", id="id-bad-utf8"),
    pytest.param("GET", f"{API}/batch/%c0%af/results", None, JSON, 400, "batch_id", id="id-overlong-utf8"),
    pytest.param("POST", f"{API}/batch/%00/cancel", b"{}", JSON, 400, "batch_id", id="id-nul"),
    pytest.param("GET", f"{API}/batch/{'a' * 3000}/status", None, JSON, 400, "batch_id", id="id-long"),
    pytest.param("GET", f"{API}/nowhere", None, JSON, 404, "path", id="unknown-path"),
    pytest.param("DELETE", SUBMIT, None, JSON, 404, "path", id="unknown-method"),
    # bad JSON
    pytest.param("POST", SUBMIT, b"{not json", JSON, 400, "body", id="json-garbage"),
    pytest.param("POST", SUBMIT, b'{"company_names": ["A"]', JSON, 400, "body", id="json-truncated"),
    pytest.param("POST", SUBMIT, b'{"company_names": ["A"]} trailing', JSON, 400, "body", id="json-trailing"),
    pytest.param("POST", SUBMIT, b'{"company_names": ["A",]}', JSON, 400, "body", id="json-trailing-comma"),
    pytest.param("POST", SUBMIT, b'["Acme"]', JSON, 400, "body", id="json-array-root"),
    pytest.param("POST", SUBMIT, b"[" * 50_000, JSON, 400, "body", id="json-deep"),
    pytest.param("POST", SUBMIT, b'{"company_names": ["\\x41"]}', JSON, 400, "body", id="json-bad-escape"),
    # wrong types
    pytest.param(
        "POST", SUBMIT, b'{"company_names": "Acme"}', JSON, 400, "company_names", id="string-for-list"
    ),
    pytest.param(
        "POST", SUBMIT, b'{"company_names": [1, 2]}', JSON, 400, "company_names", id="numbers-for-names"
    ),
    pytest.param("POST", SUBMIT, _body(max_concurrent="five"), JSON, 400, "max_concurrent", id="int-as-word"),
    pytest.param(
        "POST", SUBMIT, _body(include_failed_results="yes"), JSON, 400, "include_failed_results", id="bool"
    ),
    pytest.param("POST", SUBMIT, _body(domain_hints=["a.com"]), JSON, 400, "domain_hints", id="list-for-map"),
    pytest.param("POST", SUBMIT, _body(priority=2), JSON, 400, "priority", id="enum-number"),
    # unknown fields
    pytest.param("POST", SUBMIT, _body(extration_mode="basic"), JSON, 400, "extration_mode", id="typo-mode"),
    pytest.param("POST", SUBMIT, _body(priorty="high"), JSON, 400, "priorty", id="typo-priority"),
    pytest.param(
        "POST",
        SUBMIT,
        b'{"company_names": ["Hostile"], "priority": "low", "priority": "high"}',
        JSON,
        400,
        "priority",
        id="duplicate-key",
    ),
    pytest.param(
        "POST", SUBMIT, _body(**{f"x{i}": i for i in range(300)}), JSON, 400, None, id="many-unknown"
    ),
    # huge bodies and headers
    pytest.param("POST", SUBMIT, _body(request_id="r" * (2 * MB)), JSON, 413, "body", id="body-2mb"),
    pytest.param("POST", SUBMIT, _url_hints(100), JSON, 400, None, id="100-url-like-hints"),
    pytest.param("POST", SUBMIT, _body(country="Z" * 100_000), JSON, 400, "country", id="long-country"),
    pytest.param(
        "GET", f"{API}/batch/stats", None, (("x-filler", "h" * 100_000),), 431, "headers", id="header"
    ),
    # bad encodings and content types
    pytest.param("POST", SUBMIT, b'{"company_names": ["\xff\xfe"]}', JSON, 400, "body", id="bad-utf8-body"),
    pytest.param("POST", SUBMIT, _body(company_names=["A\u0000B"]), JSON, 400, "company_names[0]", id="nul"),
    pytest.param(
        "POST", SUBMIT, _body(company_names=["\u200b\ufeff"]), JSON, 400, "company_names[0]", id="zw"
    ),
    pytest.param(
        "POST", SUBMIT, _body(company_names=["\u202e\u2066"]), JSON, 400, "company_names[0]", id="bidi"
    ),
    pytest.param(
        "POST", SUBMIT, _body(), (("content-type", "text/plain"),), 415, "content-type", id="text-plain"
    ),
    pytest.param("POST", SUBMIT, _body(), (), 415, "content-type", id="no-content-type"),
    pytest.param(
        "POST",
        SUBMIT,
        _body(),
        (*JSON, ("content-encoding", "gzip")),
        415,
        "content-encoding",
        id="gzip-claimed",
    ),
    # bad deadlines and query parameters
    pytest.param("GET", f"{API}/batch/stats", None, (("grpc-timeout", "1n"),), 400, "grpc-timeout", id="1n"),
    pytest.param(
        "POST", SUBMIT, _body(), (*JSON, ("grpc-timeout", "abc")), 400, "grpc-timeout", id="bad-timeout"
    ),
    pytest.param("GET", f"{API}/batch/stats?timeframe=%ff", None, (), 400, "timeframe", id="query-bad-utf8"),
    pytest.param("GET", f"{API}/batch/stats?colour=red", None, (), 400, "colour", id="query-unknown"),
    pytest.param("GET", f"{API}/batches?page_size=abc", None, (), 400, "page_size", id="query-type"),
    pytest.param(
        "GET", f"{API}/batches?page_size={'9' * 40_000}", None, (), 400, "page_size", id="query-huge"
    ),
    pytest.param(
        "GET", f"{API}/batches?page_token={'x' * 40_000}", None, (), 400, "page_token", id="token-huge"
    ),
    pytest.param(
        "GET", f"{API}/batch/stats?timeframe=1h&timeframe=7d", None, (), 400, "timeframe", id="query-twice"
    ),
]


async def _batch_count(http: httpx.AsyncClient) -> int:
    response = await http.get(f"{API}/batches", params={"page_size": 100})
    assert response.status_code == 200, response.text
    return len(response.json()["data"]["batches"])


def assert_envelope(response: httpx.Response, status: int, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert len(response.content) <= MAX_ERROR_BYTES
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert {"type", "message", "details", "field_violations", "code"} <= set(body["error"])
    assert isinstance(body["metadata"]["trace_id"], str) and body["metadata"]["trace_id"]
    fields = [violation["field"] for violation in body["error"]["field_violations"]]
    assert fields and all(fields)
    if field is not None:  # company_names[1] names company_names too
        assert any(f == field or f.startswith(f"{field}[") for f in fields), body
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize(("method", "path", "body", "headers", "status", "field"), REST_CASES)
async def test_malformed_rest_requests_get_the_envelope_naming_the_field(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    body: bytes | None,
    headers: tuple[tuple[str, str], ...],
    status: int,
    field: str | None,
) -> None:
    before = await _batch_count(http)
    response = await http.request(method, path, content=body, headers=list(headers))
    assert_envelope(response, status, field)
    assert await _batch_count(http) == before, "a rejected request created a batch"


async def test_a_hundred_violations_are_counted_not_listed(http: httpx.AsyncClient) -> None:
    error = assert_envelope(await http.post(SUBMIT, content=_url_hints(100), headers=list(JSON)), 400, None)
    violations = error["field_violations"]
    assert len(violations) <= 11
    assert violations[-1]["description"].startswith("and ")
    assert all(len(v["description"]) <= 200 for v in violations)


async def test_invisible_characters_are_stripped_from_accepted_names(
    stack: ServiceStack, http: httpx.AsyncClient
) -> None:
    response = await http.post(SUBMIT, json={"company_names": ["\u200bAcme\u00a0Robotics\ufeff"]})
    assert response.status_code == 202, response.text
    batch_id = response.json()["data"]["batch_id"]
    for _ in range(200):
        results = await http.get(f"{API}/batch/{batch_id}/results")
        names = [r["company_name"] for r in results.json()["data"]["results"]]
        if names:
            break
        await asyncio.sleep(0.05)
    assert names == ["Acme Robotics"]


@pytest.mark.parametrize("size", [9_000, 20_000, 50_000])
async def test_headers_envoy_accepts_reach_the_service(http: httpx.AsyncClient, size: int) -> None:
    """grpc refused metadata above 8 KiB (at random up to 16 KiB) that Envoy had let through."""
    response = await http.get(f"{API}/batch/stats", headers={"x-filler": "h" * size})
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/grpc-web+json"])
async def test_json_submits_are_202_whatever_the_json_media_type(
    http: httpx.AsyncClient, content_type: str
) -> None:
    """grpc-web clients used to be taken for native gRPC and got 200."""
    response = await http.post(SUBMIT, content=_body(), headers={"content-type": content_type})
    assert response.status_code == 202, response.text
    assert response.json()["success"] is True


def _violations(error: grpc.aio.AioRpcError) -> list[str]:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    assert isinstance(raw, bytes)
    bad = error_details_pb2.BadRequest()
    for detail in status_pb2.Status.FromString(raw).details:
        if detail.Is(bad.DESCRIPTOR):
            detail.Unpack(bad)
    return [violation.field for violation in bad.field_violations]


GRPC_CASES = [
    pytest.param("GetBatch", b"\x0a\x02\xff\xfe", "batch_id", id="bad-utf8-id"),
    pytest.param("SubmitBatch", b"\x0a\x06Acme\xc0\xaf", "company_names", id="bad-utf8-name"),
    pytest.param("SubmitBatch", b"\x0a\x40ab", "company_names", id="truncated"),
    pytest.param("SubmitBatch", b"\xff\xff\xff\xff", "request", id="garbage"),
    pytest.param(
        "SubmitBatch",
        pb.SubmitBatchRequest(company_names=["Hostile"], request_id="r" * (2 * MB)).SerializeToString(),
        "request",
        id="2mb",
    ),
    pytest.param(
        "SubmitBatch",
        pb.SubmitBatchRequest(company_names=["\u200b\u2060"]).SerializeToString(),
        "company_names[0]",
        id="zw",
    ),
]


@pytest.mark.parametrize(("method", "payload", "field"), GRPC_CASES)
async def test_malformed_grpc_messages_are_invalid_argument_naming_the_field(
    stack: ServiceStack, http: httpx.AsyncClient, method: str, payload: bytes, field: str
) -> None:
    before = await _batch_count(http)
    async with grpc.aio.insecure_channel(stack.envoy.grpc_target) as channel:
        call = channel.unary_unary(f"/company.v1.BatchService/{method}")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call(payload, timeout=30)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    assert field in _violations(info.value)
    assert await _batch_count(http) == before


_STATS = pb.GetStatsRequest(timeframe="1h").SerializeToString()
_FRAME = b"\x00" + len(_STATS).to_bytes(4, "big") + _STATS


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="no-frame"),
        pytest.param(_FRAME[:3], id="short-prefix"),
        pytest.param(b"\x00" + (len(_STATS) + 50).to_bytes(4, "big") + _STATS, id="prefix-too-long"),
        pytest.param(b"\x01" + _FRAME[1:], id="compressed-without-encoding"),
        pytest.param(_FRAME * 2, id="two-messages"),
    ],
)
async def test_lying_grpc_frames_are_invalid_argument_not_a_stall(
    http: httpx.AsyncClient, body: bytes
) -> None:
    """grpc itself waits forever for the rest of a frame, or says INTERNAL."""
    response = await http.post(
        "/company.v1.BatchService/GetStats",
        content=body,
        headers={"content-type": "application/grpc", "te": "trailers"},
    )
    assert response.status_code == 200
    assert response.headers["grpc-status"] == "3", response.headers.get("grpc-message")
    raw = response.headers["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(raw + "=" * (-len(raw) % 4)))
    bad = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad) for detail in status.details if detail.Is(bad.DESCRIPTOR))
    assert [v.field for v in bad.field_violations] == ["request"]


_FIELD_NAMES = [field.name for field in pb.SubmitBatchRequest.DESCRIPTOR.fields]
_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=300),
    st.text(alphabet='\u200b\ufeff\u202e\u2066 \u00a0\x00\x1f"\\', max_size=20),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=20), inner, max_size=6)
    ),
    max_leaves=40,
)
_submit_bodies = st.dictionaries(
    st.one_of(st.sampled_from(_FIELD_NAMES), st.text(max_size=30)), _json_values, max_size=8
)


async def test_any_json_body_is_accepted_or_answered_with_the_envelope(stack: ServiceStack) -> None:
    """Property: whatever JSON a client submits, the answer is 202 or a 4xx envelope naming a field.

    Hypothesis runs in a thread with a blocking client so the service keeps serving on this loop.
    """

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(body=_submit_bodies)
    def submit_anything(client: httpx.Client, body: dict[str, Any]) -> None:
        before = len(client.get(f"{API}/batches", params={"page_size": 100}).json()["data"]["batches"])
        response = client.post(
            SUBMIT, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )
        if response.status_code == 202:
            return
        assert response.status_code in {400, 413}, response.text[:300]
        assert_envelope(response, response.status_code, None)
        after = len(client.get(f"{API}/batches", params={"page_size": 100}).json()["data"]["batches"])
        assert after == before, "a rejected submit created a batch"

    def run() -> None:
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            submit_anything(client)

    await asyncio.to_thread(run)


async def test_other_clients_are_unaffected_by_the_worst_errors(
    stack: ServiceStack, http: httpx.AsyncClient
) -> None:
    """Huge errors used to reset Envoy's shared upstream connection: bystanders got 502 then."""
    hostile_body = _url_hints(100)
    hostile_grpc = pb.SubmitBatchRequest(
        company_names=[f"Hostile {i}" for i in range(100)],
        domain_hints={f"Hostile {i}": "https://" + "h" * 3000 + ".example/" for i in range(100)},
    )
    statuses: list[int] = []
    stop = asyncio.Event()

    async def hostile(channel: grpc.aio.Channel) -> None:
        stub = pb_grpc.BatchServiceStub(channel)
        while not stop.is_set():
            response = await http.post(SUBMIT, content=hostile_body, headers=list(JSON))
            assert response.status_code == 400
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.SubmitBatch(hostile_grpc, timeout=30)
            bad_timeout = await http.get(f"{API}/batch/stats", headers={"grpc-timeout": "1n"})
            assert bad_timeout.status_code == 400

    async def bystander(client: httpx.AsyncClient, stub: pb_grpc.BatchServiceStub) -> None:
        for i in range(30):
            response = await client.post(SUBMIT, json={"company_names": [f"Bystander {i}"]})
            statuses.append(response.status_code)
            statuses.append((await client.get(f"{API}/batch/stats")).status_code)
            await stub.GetStats(pb.GetStatsRequest(timeframe="1h"), timeout=30)
        stop.set()

    async with (
        grpc.aio.insecure_channel(stack.envoy.grpc_target) as hostile_channel,
        grpc.aio.insecure_channel(stack.envoy.grpc_target) as bystander_channel,
        httpx.AsyncClient(base_url=stack.url, timeout=30) as bystander_http,
    ):
        await asyncio.gather(
            hostile(hostile_channel),
            hostile(hostile_channel),
            bystander(bystander_http, pb_grpc.BatchServiceStub(bystander_channel)),
        )
    assert set(statuses) <= {200, 202}, statuses
