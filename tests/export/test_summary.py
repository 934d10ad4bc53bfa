"""Tests of the results summary over company outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from server.domain import CompanyOutcome, CompanyState, ErrorType, ExtractionFailure
from server.export.summary import UNKNOWN, size_bucket, summarize


def _success(name: str, **profile: Any) -> CompanyOutcome:
    return CompanyOutcome(
        company_name=name, state=CompanyState.SUCCESS, profile={"company_name": name, **profile}
    )


def _failure(name: str) -> CompanyOutcome:
    return CompanyOutcome(
        company_name=name,
        state=CompanyState.FAILED,
        error=ExtractionFailure(ErrorType.COMPANY_ANALYSIS, "not found"),
    )


def test_industries_are_keyed_by_sector_falling_back_to_industry() -> None:
    summary = summarize(
        [
            _success("A", sector="Technology", industry="Industrial Robotics"),
            _success("B", sector="Technology"),
            _success("C", industry="Banking"),
        ]
    )
    assert summary.industries == {"Technology": 2, "Banking": 1}


def test_failed_and_cancelled_outcomes_are_not_counted() -> None:
    cancelled = CompanyOutcome(company_name="X", state=CompanyState.CANCELLED)
    summary = summarize([_failure("F"), cancelled, _success("A", sector="Finance")])
    assert summary.industries == {"Finance": 1}
    assert sum(summary.company_sizes.values()) == 1
    assert sum(summary.countries.values()) == 1


def test_unknown_values_are_counted_under_unknown() -> None:
    summary = summarize([_success("A"), _success("B", headquarters={"city": "Paris"})])
    assert summary.industries == {UNKNOWN: 2}
    assert summary.company_sizes == {UNKNOWN: 2}
    assert summary.countries == {UNKNOWN: 2}


def test_countries_are_keyed_by_headquarters_country() -> None:
    summary = summarize(
        [
            _success("A", headquarters={"country": "United States"}),
            _success("B", headquarters={"country": "United Kingdom"}),
            _success("C", headquarters={"country": "United States"}),
        ]
    )
    assert summary.countries == {"United States": 2, "United Kingdom": 1}


@pytest.mark.parametrize(
    ("profile", "bucket"),
    [
        pytest.param({"employee_count": "1-10"}, "1-50", id="1-10"),
        pytest.param({"employee_count": "11-50"}, "1-50", id="11-50"),
        pytest.param({"employee_count": "51-200"}, "51-200", id="51-200"),
        pytest.param({"employee_count": "201-500"}, "201-1000", id="201-500"),
        pytest.param({"employee_count": "501-1000"}, "201-1000", id="501-1000"),
        pytest.param({"employee_count": "1001-5000"}, "1000+", id="1001-5000"),
        pytest.param({"employee_count": "5001-10000"}, "1000+", id="5001-10000"),
        pytest.param({"employee_count": "10001+"}, "1000+", id="10001+"),
        pytest.param({"employee_count_exact": 50}, "1-50", id="exact-50"),
        pytest.param({"employee_count_exact": 51}, "51-200", id="exact-51"),
        pytest.param({"employee_count_exact": 1000}, "201-1000", id="exact-1000"),
        pytest.param({"employee_count_exact": 1001}, "1000+", id="exact-1001"),
        pytest.param({"employee_count": "201-500", "employee_count_exact": 20}, "201-1000", id="range-wins"),
        pytest.param({"employee_count": "lots", "employee_count_exact": 20}, "1-50", id="bad-range-exact"),
        pytest.param({"employee_count": "lots"}, None, id="bad-range"),
        pytest.param({}, None, id="absent"),
    ],
)
def test_size_bucket_maps_profile_ranges_to_contract_buckets(
    profile: dict[str, Any], bucket: str | None
) -> None:
    assert size_bucket(profile) == bucket


def test_company_sizes_keep_the_contract_bucket_order() -> None:
    summary = summarize(
        [
            _success("A", employee_count="10001+"),
            _success("B", employee_count="1-10"),
            _success("C"),
            _success("D", employee_count_exact=120),
            _success("E", employee_count="10001+"),
        ]
    )
    assert list(summary.company_sizes.items()) == [("1-50", 1), ("51-200", 1), ("1000+", 2), (UNKNOWN, 1)]
