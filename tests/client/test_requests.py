"""Tests of building request messages from plain arguments."""

from __future__ import annotations

import grpc
import pytest

from client.errors import CLIENT_VALIDATION_REASON, InvalidArgument
from client.requests import enum_value, export_request, extract_request, results_request, submit_request
from company_protos.company.v1 import enums_pb2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("high", enums_pb2.high, id="name"),
        pytest.param(" URGENT ", enums_pb2.urgent, id="any-case"),
        pytest.param(enums_pb2.low, enums_pb2.low, id="enum-value"),
    ],
)
def test_enum_arguments_accept_names_and_values(value: str | int, expected: int) -> None:
    assert enum_value(enums_pb2.Priority, value, "priority") == expected


@pytest.mark.parametrize("value", ["asap", 99, True])
def test_unknown_enum_arguments_raise_invalid_argument_before_sending(value: str | int) -> None:
    with pytest.raises(InvalidArgument) as raised:
        enum_value(enums_pb2.Priority, value, "priority")
    assert raised.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.reason == CLIENT_VALIDATION_REASON
    assert [v.field for v in raised.value.field_violations] == ["priority"]
    assert "low, normal, high, urgent" in raised.value.field_violations[0].description


def test_submit_leaves_unset_options_absent_so_server_defaults_apply() -> None:
    request = submit_request(["Acme"])
    for field in ("country", "language", "max_concurrent", "timeout_seconds", "include_failed_results"):
        assert not request.HasField(field), field
    assert request.priority == enums_pb2.priority_unspecified


def test_submit_sets_every_given_option() -> None:
    request = submit_request(
        ["Acme", "Globex"],
        extraction_mode="financial_focused",
        priority="urgent",
        country="GB",
        language="de",
        domain_hints={"Acme": "acme.example"},
        max_concurrent=3,
        timeout_seconds=60,
        include_failed_results=False,
        export_format="excel",
        request_id="req-1",
        bypass_cache=True,
    )
    assert list(request.company_names) == ["Acme", "Globex"]
    assert request.extraction_mode == enums_pb2.financial_focused
    assert request.priority == enums_pb2.urgent
    assert (request.country, request.language) == ("GB", "de")
    assert dict(request.domain_hints) == {"Acme": "acme.example"}
    assert (request.max_concurrent, request.timeout_seconds) == (3, 60)
    assert request.HasField("include_failed_results") and request.include_failed_results is False
    assert request.export_format == enums_pb2.excel
    assert (request.request_id, request.bypass_cache) == ("req-1", True)


def test_submit_refuses_a_bare_string_of_names() -> None:
    with pytest.raises(InvalidArgument, match="single string"):
        submit_request("Acme")


def test_include_failed_none_means_the_batch_setting() -> None:
    assert not results_request("b").HasField("include_failed")
    assert results_request("b", False).HasField("include_failed")
    assert not export_request("b").HasField("include_failed")
    assert export_request("b", "csv", True).format == enums_pb2.csv


def test_extract_request_carries_the_domain_hint() -> None:
    request = extract_request("Acme", extraction_mode="basic", domain_hint="acme.example", timeout_seconds=45)
    assert (request.company_name, request.domain_hint) == ("Acme", "acme.example")
    assert request.timeout_seconds == 45
    assert request.extraction_mode == enums_pb2.basic
    assert not request.HasField("country")
