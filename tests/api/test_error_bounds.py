"""No input makes an error exceed the transport's limits; undecodable bytes and body shapes never crash."""

from __future__ import annotations

import re
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from server.api import validation
from server.api.body_shape import shape_violations
from server.api.bounds import MAX_QUOTE_CHARS, MAX_TRAILER_BYTES, MAX_VIOLATIONS
from server.api.status import _wire_size, error_reply
from server.api.wire import MAX_REQUEST_BYTES, culprit, decode_request
from server.errors import InvalidRequest, RequestTooLarge
from server.testing import ScriptedExtractor, running_service

GRPC_METADATA_LIMIT = 8192
"""grpc clients' default limit on received metadata."""
PROPERTY = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))

# The worst text an error might quote: long, astral (12 bytes each once percent-encoded), quotes,
# backslashes, invisible and bidi characters, URL-like.
hostile_text = st.one_of(
    st.text(min_size=0, max_size=3000),
    st.text(alphabet="\U0001f600\u202e\u200b\"'\\%\u00e9", min_size=100, max_size=3000),
    st.builds(
        lambda n, path: f"https://{'x' * n}.example/{path}?q=1", st.integers(1, 2000), st.text(max_size=500)
    ),
)


def _reply_for(request: pb.SubmitBatchRequest) -> tuple[InvalidRequest, Any] | None:
    try:
        validation.submit_spec(request)
    except InvalidRequest as error:
        return error, error_reply(error, "batch_submit_abc123")
    return None


@PROPERTY
@given(
    names=st.lists(hostile_text, min_size=0, max_size=150),
    hints=st.dictionaries(hostile_text, hostile_text, max_size=120),
    country=hostile_text,
    request_id=hostile_text,
)
def test_no_submit_makes_an_error_larger_than_the_trailer_budget(
    names: list[str], hints: dict[str, str], country: str, request_id: str
) -> None:
    request = pb.SubmitBatchRequest(
        company_names=names, domain_hints=hints, country=country, request_id=request_id
    )
    result = _reply_for(request)
    if result is None:
        return
    error, reply = result
    assert _wire_size(reply.message, reply.trailing_metadata) <= MAX_TRAILER_BYTES
    status = status_pb2.Status.FromString(dict(reply.trailing_metadata)["grpc-status-details-bin"])
    bad = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad) for detail in status.details if detail.Is(bad.DESCRIPTOR))
    assert 1 <= len(bad.field_violations) <= MAX_VIOLATIONS + 1
    if len(error.violations) > len(bad.field_violations):  # the rest are counted, not dropped silently
        assert "more field violation" in bad.field_violations[-1].description


def test_one_hundred_url_like_hints_are_reported_within_the_budget() -> None:
    """The issue's case: 100 URL-like domain hints used to make a 400 into a 503."""
    names = [f"Company {i}" for i in range(100)]
    hints = {
        name: f"https://www.{'x' * 300}.example/{i}/about?ref=" + "y" * 500 for i, name in enumerate(names)
    }
    result = _reply_for(pb.SubmitBatchRequest(company_names=names, domain_hints=hints))
    assert result is not None
    error, reply = result
    assert len(error.violations) == 100
    assert _wire_size(reply.message, reply.trailing_metadata) <= MAX_TRAILER_BYTES
    envelope = dict(reply.trailing_metadata)["x-rest-envelope"]
    assert isinstance(envelope, str)
    assert re.search(r'"and \d+ more field violation\(s\) not listed"', envelope)
    assert "y" * (MAX_QUOTE_CHARS + 1) not in envelope


@PROPERTY
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_an_invalid_request_naming_a_field(raw: bytes) -> None:
    for message_type in (pb.SubmitBatchRequest, pb.GetBatchRequest, pb.GetStatsRequest):
        try:
            decode_request(message_type, raw)
        except InvalidRequest as error:
            assert error.violations[0].field
        field, problem = culprit(message_type.DESCRIPTOR, raw)
        assert field and problem


@pytest.mark.parametrize(
    ("message_type", "raw", "field"),
    [
        pytest.param(pb.GetBatchRequest, b"\x0a\x02\xff\xfe", "batch_id", id="bad-utf8-id"),
        pytest.param(pb.SubmitBatchRequest, b"\x0a\x05ab", "company_names", id="cut-short"),
        pytest.param(
            pb.SubmitBatchRequest, b"\x32\x08\x0a\x02\xc0\xaf\x12\x02ab", "domain_hints", id="map-key"
        ),
        pytest.param(pb.SubmitBatchRequest, b"\xff\xff\xff", "request", id="no-tag"),
    ],
)
def test_undecodable_messages_name_the_field_at_fault(message_type: Any, raw: bytes, field: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        decode_request(message_type, raw)
    assert info.value.violations[0].field == field


def test_a_request_above_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(RequestTooLarge):
        decode_request(pb.SubmitBatchRequest, b"\x0a" * (MAX_REQUEST_BYTES + 1))


@PROPERTY
@given(st.text(max_size=600))
def test_any_shape_header_gives_violations_not_exceptions(shape: str) -> None:
    for violation in shape_violations(shape, pb.SubmitBatchRequest.DESCRIPTOR):
        assert violation.field


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        pytest.param("company_names=array:string,priority=string", [], id="good"),
        pytest.param("companyNames=array:string", [], id="json-name"),
        pytest.param("company_names=array:string,priorty=string", ["priorty"], id="typo"),
        pytest.param("company_names=string", ["company_names"], id="string-for-list"),
        pytest.param("company_names=array:mixed", ["company_names"], id="numbers-in-list"),
        pytest.param("company_names=array:,domain_hints=array:string", ["domain_hints"], id="list-for-map"),
        pytest.param(
            "company_names=array:,include_failed_results=string", ["include_failed_results"], id="bool"
        ),
        pytest.param("company_names=array:,priority=number", ["priority"], id="enum-number"),
        pytest.param("company_names=array:,priority=string,priority=string", ["priority"], id="twice"),
        pytest.param("pri%5Cu006Frity=string", [], id="escaped-key"),
        pytest.param("x%5Cud872y=string", ["x\\ud872y"], id="lone-surrogate-key"),
        pytest.param("company_names=array:,*=40", ["request"], id="too-many-keys"),
    ],
)
def test_body_shapes_against_the_submit_request(shape: str, expected: list[str]) -> None:
    assert [v.field for v in shape_violations(shape, pb.SubmitBatchRequest.DESCRIPTOR)] == expected


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        pytest.param("Acme\u200b Robotics\ufeff", "Acme Robotics", id="zero-width"),
        pytest.param("\u202eAcme\u202c", "Acme", id="bidi"),
        pytest.param("Acme\u00a0\u3000Robotics", "Acme Robotics", id="odd-spaces"),
    ],
)
def test_invisible_characters_are_stripped_from_names(raw: str, kept: str) -> None:
    spec = validation.submit_spec(pb.SubmitBatchRequest(company_names=[raw]))
    assert spec.company_names == (kept,)


@pytest.mark.parametrize(
    "raw", ["\u200b", "\ufeff\u200d", "\u202a\u202c\u2066", "\u00ad\u2060", "\u3000\u00a0"]
)
def test_names_of_invisible_characters_only_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        validation.submit_spec(pb.SubmitBatchRequest(company_names=[raw]))
    assert [v.field for v in info.value.violations] == ["company_names[0]"]


async def test_a_native_grpc_client_reads_every_violation_of_a_huge_invalid_submit(tmp_path: Any) -> None:
    """Through a real server: the rich details arrive (they used to be lost at 20 hints)."""
    names = [f"Company {i}" for i in range(100)]
    hints = {name: "https://" + "h" * 2000 + ".example/path" for name in names}
    async with running_service(tmp_path, ScriptedExtractor()) as service:
        async with grpc.aio.insecure_channel(service.grpc_target) as channel:
            stub = pb_grpc.BatchServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await stub.SubmitBatch(pb.SubmitBatchRequest(company_names=names, domain_hints=hints))
            listing = await stub.ListBatches(pb.ListBatchesRequest(page_size=100))
    error = info.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    trailers = error.trailing_metadata() or ()
    assert sum(len(key) + len(value) for key, value in trailers) < GRPC_METADATA_LIMIT
    status = status_pb2.Status.FromString(dict(trailers)["grpc-status-details-bin"])
    bad = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad) for detail in status.details if detail.Is(bad.DESCRIPTOR))
    assert bad.field_violations[0].field.startswith("domain_hints[")
    assert bad.field_violations[-1].description.startswith("and ")
    assert not listing.data.batches
