"""Confidence of merged values: independent signals agree, rivals contradict, list items carry their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.confidence import combined, contested
from server.extraction.fetcher import FetchedPage
from server.extraction.modes import plan_for
from server.extraction.parse import PageFacts
from server.extraction.profile import build_profile
from server.extraction.resolve import Resolution
from server.extraction.sources.base import Finding

NOW = datetime(2025, 1, 15, tzinfo=UTC)


def _finding(field: str, value: Any, method: str, confidence: float, source: str = "website") -> Finding:
    return Finding(field, value, source, "https://acme.example/", NOW, method, confidence, evidence=method)


def test_two_ways_of_reading_one_site_are_two_witnesses_but_one_way_on_many_pages_is_one() -> None:
    og = _finding("company_name", "Acme", "opengraph og:site_name", 0.7)
    holder = _finding("company_name", "Acme", "copyright line", 0.5)
    assert combined([og, holder]) == pytest.approx(1 - 0.3 * 0.5)
    assert combined([og, og, og]) == pytest.approx(0.7)


def test_an_uncontested_value_keeps_its_confidence_and_a_rival_lowers_it() -> None:
    assert contested(0.9, []) == 0.9
    assert contested(0.9, [0.6]) == pytest.approx(0.9 * 0.4 / (1 - 0.9 * 0.6))
    assert contested(0.9, [0.6]) < contested(0.9, [0.2]) < 0.9
    assert 0.0 < contested(1.0, [1.0]) < 1.0  # two "certain" rivals cannot both be right


HOME = FetchedPage("https://acme.example/", 200, "text/html", "<title>Acme</title>", NOW)
RESOLUTION = Resolution(
    "acme.example", HOME, PageFacts(HOME.url, title="Acme"), 1.0, "title", origin="hint", matched_name="Acme"
)


def _profile(findings: list[Finding]) -> dict[str, Any]:
    request = ExtractionRequest("Acme", ExtractionMode.COMPREHENSIVE)
    return build_profile(request, RESOLUTION, findings, plan_for(ExtractionMode.COMPREHENSIVE))


def test_lists_give_each_item_its_own_provenance_and_the_list_its_weakest_confidence() -> None:
    findings = [
        _finding(
            "contacts.phones",
            {"number": "+15550100", "type": "general"},
            "json-ld Organization.telephone",
            0.9,
        ),
        _finding("contacts.phones", {"number": "+15550199", "type": "general"}, "tel link/prose", 0.6),
    ]
    profile = _profile(findings)
    provenance = profile["provenance"]
    assert [p["number"] for p in profile["contacts"]["phones"]] == ["+15550100", "+15550199"]
    assert provenance["contacts.phones[0]"]["confidence"] == 0.9
    assert provenance["contacts.phones[1]"]["evidence"] == "tel link/prose"
    assert provenance["contacts.phones"]["confidence"] == 0.6


def test_a_contradicted_founding_year_is_less_sure_than_an_uncontested_one() -> None:
    alone = _profile([_finding("founded_year", 2009, "json-ld Organization.foundingDate", 0.9)])
    rivalled = _profile(
        [
            _finding("founded_year", 2009, "json-ld Organization.foundingDate", 0.9),
            _finding("founded_year", 2005, "prose 'founded in'", 0.4),
        ]
    )
    assert rivalled["founded_year"] == alone["founded_year"] == 2009
    assert (
        rivalled["provenance"]["founded_year"]["confidence"]
        < alone["provenance"]["founded_year"]["confidence"]
    )


def test_the_domain_carries_the_match_confidence_and_the_page_name_that_verified_it() -> None:
    profile = _profile([])
    assert profile["provenance"]["domain"]["confidence"] == profile["match_confidence"]
    assert profile["provenance"]["domain"]["evidence"] == "Acme"
    assert 0.9 < profile["match_confidence"] < 1.0  # a hint and an exact name: sure, never certain


def test_a_codes_sector_outranks_the_industry_labels_wording_and_names_it() -> None:
    profile = _profile(
        [
            _finding("industry", "Bakery", "json-ld Organization.industry", 0.9),
            _finding("sector", "Technology", "NACE 62.01: sector list mapping", 0.8, source="register"),
        ]
    )
    assert (profile["industry"], profile["sector"]) == ("Bakery", "Technology")
    sector = profile["provenance"]["sector"]
    assert sector["source"] == "register"
    [rival] = sector["rivals"]  # what the label's wording would have said
    assert (rival["value"], rival["source"]) == ("Consumer Staples", "website")
    assert rival["method"] == "sector list mapping of the industry 'Bakery'"
    assert sector["confidence"] == round(contested(0.8, [0.9]), 3)


def test_without_a_code_the_sector_follows_the_industry_label() -> None:
    profile = _profile([_finding("industry", "Bakery", "json-ld Organization.industry", 0.9)])
    assert profile["sector"] == "Consumer Staples"
    assert profile["provenance"]["sector"]["method"] == "sector list mapping of the industry"


@pytest.mark.parametrize(
    ("band_confidence", "count_confidence", "bucket", "exact"),
    [
        pytest.param(0.95, 0.7, "51-200", None, id="register-band-beats-a-page-count"),
        pytest.param(0.6, 0.9, "11-50", 45, id="a-better-sourced-count-beats-the-band"),
    ],
)
def test_a_band_and_a_count_that_disagree_keep_the_better_sourced(
    band_confidence: float, count_confidence: float, bucket: str, exact: int | None
) -> None:
    profile = _profile(
        [
            _finding("employee_count", "51-200", "register band", band_confidence, source="register"),
            _finding("employee_count_exact", 45, "about page prose", count_confidence),
        ]
    )
    assert profile["employee_count"] == bucket
    assert profile.get("employee_count_exact") == exact
    rivals = profile["provenance"]["employee_count"]["rivals"]
    assert [rival["value"] for rival in rivals] == (["45"] if exact is None else ["51-200"])


def test_a_count_inside_the_stated_band_leaves_the_better_sourced_band_cited() -> None:
    profile = _profile(
        [
            _finding("employee_count", "11-50", "register band", 0.95, source="register"),
            _finding("employee_count_exact", 45, "about page prose", 0.7),
        ]
    )
    assert (profile["employee_count"], profile["employee_count_exact"]) == ("11-50", 45)
    assert profile["provenance"]["employee_count"]["method"] == "register band"
    assert profile["provenance"]["employee_count_exact"]["method"] == "about page prose"
