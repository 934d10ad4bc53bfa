"""Submit validation: every documented bound, all violations at once, defaults applied."""

from __future__ import annotations

import pytest

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import enums_pb2
from server.api import validation
from server.domain import BatchOptions, ExportFormat, ExtractionMode, Priority
from server.errors import InvalidRequest


def violations(request: pb.SubmitBatchRequest) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as info:
        validation.submit_spec(request)
    return {v.field: v.description for v in info.value.violations}


def test_defaults_follow_the_contract() -> None:
    spec = validation.submit_spec(pb.SubmitBatchRequest(company_names=["Acme"]))
    assert spec.options == BatchOptions(
        extraction_mode=ExtractionMode.STANDARD,
        priority=Priority.NORMAL,
        country="US",
        language="en",
        max_concurrent=5,
        timeout_seconds=300,
        include_failed_results=True,
        export_format=ExportFormat.JSON,
    )
    assert spec.company_names == ("Acme",)
    assert spec.request_id is None


def test_explicit_values_are_kept_and_codes_normalised() -> None:
    request = pb.SubmitBatchRequest(
        company_names=["Acme", "Globex"],
        extraction_mode=enums_pb2.comprehensive,
        priority=enums_pb2.urgent,
        country="de",
        language="DE",
        max_concurrent=20,
        timeout_seconds=30,
        include_failed_results=False,
        export_format=enums_pb2.excel,
        domain_hints={"acme": "Acme-Robotics.Example."},
        request_id="  retry-1 ",
    )
    spec = validation.submit_spec(request)
    assert spec.options.extraction_mode is ExtractionMode.COMPREHENSIVE
    assert spec.options.priority is Priority.URGENT
    assert (spec.options.country, spec.options.language) == ("DE", "de")
    assert (spec.options.max_concurrent, spec.options.timeout_seconds) == (20, 30)
    assert spec.options.include_failed_results is False
    assert spec.options.export_format is ExportFormat.EXCEL
    assert spec.domain_hints == {"Acme": "acme-robotics.example"}
    assert spec.request_id == "retry-1"


@pytest.mark.parametrize(
    ("names", "field"),
    [
        pytest.param([], "company_names", id="no-names"),
        pytest.param([f"Company {i}" for i in range(101)], "company_names", id="101-names"),
        pytest.param(["Acme", ""], "company_names[1]", id="empty-name"),
        pytest.param(["   \t "], "company_names[0]", id="whitespace-name"),
        pytest.param(["x" * 201], "company_names[0]", id="over-long-name"),
        pytest.param(["Acme\x00Corp"], "company_names[0]", id="control-character"),
    ],
)
def test_company_name_bounds(names: list[str], field: str) -> None:
    assert field in violations(pb.SubmitBatchRequest(company_names=names))


def test_a_hundred_names_are_accepted() -> None:
    spec = validation.submit_spec(pb.SubmitBatchRequest(company_names=[f"Company {i}" for i in range(100)]))
    assert len(spec.company_names) == 100


def test_duplicates_are_merged_into_the_first_occurrence_and_reported() -> None:
    spec = validation.submit_spec(
        pb.SubmitBatchRequest(company_names=["Acme Corp", "Globex", "acme  corp", "ACME CORP"])
    )
    assert spec.company_names == ("Acme Corp", "Globex")
    assert spec.duplicates_merged == ("acme corp", "ACME CORP")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"max_concurrent": 0}, "max_concurrent", id="concurrency-0"),
        pytest.param({"max_concurrent": 21}, "max_concurrent", id="concurrency-21"),
        pytest.param({"timeout_seconds": 29}, "timeout_seconds", id="timeout-29"),
        pytest.param({"timeout_seconds": 601}, "timeout_seconds", id="timeout-601"),
        pytest.param({"country": "USA"}, "country", id="alpha-3-country"),
        pytest.param({"country": "XX"}, "country", id="unknown-country"),
        pytest.param({"country": ""}, "country", id="empty-country"),
        pytest.param({"language": "eng"}, "language", id="alpha-3-language"),
        pytest.param({"language": "qq"}, "language", id="unknown-language"),
        pytest.param({"extraction_mode": 99}, "extraction_mode", id="unknown-mode"),
        pytest.param({"priority": 42}, "priority", id="unknown-priority"),
        pytest.param({"export_format": 7}, "export_format", id="unknown-format"),
        pytest.param({"request_id": "r" * 129}, "request_id", id="long-request-id"),
        pytest.param(
            {"domain_hints": {"Globex": "globex.example"}}, "domain_hints[Globex]", id="hint-not-in-batch"
        ),
        pytest.param(
            {"domain_hints": {"Acme": "https://acme.example/"}}, "domain_hints[Acme]", id="hint-is-url"
        ),
        pytest.param({"domain_hints": {"Acme": "localhost"}}, "domain_hints[Acme]", id="hint-single-label"),
        pytest.param({"domain_hints": {"Acme": "10.0.0.1"}}, "domain_hints[Acme]", id="hint-ip"),
        pytest.param({"domain_hints": {"Acme": "acme_.example"}}, "domain_hints[Acme]", id="hint-bad-label"),
    ],
)
def test_out_of_bounds_options_name_their_field(kwargs: dict[str, object], field: str) -> None:
    found = violations(pb.SubmitBatchRequest(company_names=["Acme"], **kwargs))
    assert list(found) == [field]
    assert found[field]


def test_every_violation_is_reported_at_once() -> None:
    found = violations(
        pb.SubmitBatchRequest(company_names=["", "ok"], max_concurrent=50, timeout_seconds=5, country="ZZZ")
    )
    assert set(found) == {"company_names[0]", "max_concurrent", "timeout_seconds", "country"}


def test_unicode_hostnames_are_accepted_as_idna() -> None:
    assert validation.hostname("Bücher.example") == "xn--bcher-kva.example"


@pytest.mark.parametrize("value", ["1h", "6h", "24h", "7d", "30d"])
def test_documented_timeframes_are_accepted(value: str) -> None:
    assert validation.timeframe(value) == value


def test_unknown_timeframe_and_empty_default() -> None:
    assert validation.timeframe("") == "24h"
    with pytest.raises(InvalidRequest) as info:
        validation.timeframe("2w")
    assert info.value.violations[0].field == "timeframe"


@pytest.mark.parametrize("raw", ["", "../etc", "a" * 65, "batch id"])
def test_malformed_batch_ids_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidRequest):
        validation.batch_id(raw)
