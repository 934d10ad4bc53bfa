"""match_confidence: how the witnesses combine, and what the real extractor reports on the sandbox corpus."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.domain import ErrorType, ExtractionMode, ExtractionRequest
from server.extraction.match import AMBIGUOUS_MATCH, ambiguous_match, match_confidence
from server.extraction.pipeline import WebExtractor
from server.settings import Settings


def test_a_domain_hint_is_surer_than_a_search_result_which_is_surer_than_the_name_alone() -> None:
    hinted = match_confidence(1.0, "hint", [])
    searched = match_confidence(1.0, "search:duckduckgo", [])
    derived = match_confidence(1.0, "name", [])
    assert 0.0 < derived < searched < hinted <= 1.0


def test_a_weaker_name_match_lowers_the_match_confidence() -> None:
    assert (
        match_confidence(0.86, "name", [])
        < match_confidence(0.95, "name", [])
        < match_confidence(1.0, "name", [])
    )
    assert match_confidence(0.5, "name", []) == 0.0  # below verification: no witness at all


def test_independent_knowledge_sources_raise_it_and_the_proposer_counts_once() -> None:
    alone = match_confidence(1.0, "name", [])
    assert (
        match_confidence(1.0, "name", ["sec_edgar", "gleif"])
        > match_confidence(1.0, "name", ["sec_edgar"])
        > alone
    )
    assert match_confidence(1.0, "wikidata", ["wikidata"]) == match_confidence(1.0, "wikidata", [])
    assert match_confidence(1.0, "name", ["website", "wikipedia"]) == alone  # not independent witnesses


def test_a_site_in_another_country_lowers_it() -> None:
    assert match_confidence(1.0, "hint", [], other_country=True) < match_confidence(1.0, "hint", [])


def test_below_the_minimum_is_an_ambiguous_match_listing_every_candidate() -> None:
    profile = {
        "domain": "acme.example",
        "match_confidence": 0.5,
        "match_candidates": [
            {"domain": "acme.example", "score": 0.9, "outcome": "accepted"},
            {"domain": "acme.test", "score": 0.0, "outcome": "unreachable"},
        ],
    }
    failure = ambiguous_match(profile, 0.6)
    assert failure is not None
    assert (failure.type, failure.message) == (ErrorType.COMPANY_ANALYSIS, AMBIGUOUS_MATCH)
    assert "acme.example (score 0.90, accepted)" in failure.details
    assert "acme.test (score 0.00, unreachable)" in failure.details
    assert ambiguous_match(profile, 0.5) is None and ambiguous_match(profile, None) is None
    assert ambiguous_match({"domain": "old.example"}, 0.9) is None  # a profile from before the field


@pytest.fixture
async def extractor(sandbox_settings: Settings) -> AsyncIterator[WebExtractor]:
    web_extractor = WebExtractor.from_settings(sandbox_settings)
    yield web_extractor
    await web_extractor.aclose()


async def test_the_extractor_reports_match_confidence_and_the_candidates_it_weighed(
    extractor: WebExtractor,
) -> None:
    by_name = await extractor.extract(ExtractionRequest("Ursa Minor Robotics", ExtractionMode.BASIC))
    hinted = await extractor.extract(
        ExtractionRequest("Ursa Minor Robotics", ExtractionMode.BASIC, domain_hint="ursaminor-labs.example")
    )
    assert 0.0 < by_name["match_confidence"] < hinted["match_confidence"] <= 1.0
    accepted = [c for c in by_name["match_candidates"] if c["outcome"] == "accepted"]
    assert accepted == [{"domain": "ursaminor-labs.example", "score": 1.0, "outcome": "accepted"}]
    assert hinted["match_candidates"][0]["domain"] == "ursaminor-labs.example"


async def test_candidates_that_failed_verification_are_listed_with_their_scores(
    extractor: WebExtractor,
) -> None:
    """Harbor Point Dental's name-derived harborpoint.example is a parked page: rejected, with its score."""
    profile = await extractor.extract(ExtractionRequest("Harbor Point Dental", ExtractionMode.BASIC))
    outcomes = {c["domain"]: c["outcome"] for c in profile["match_candidates"]}
    assert outcomes[profile["domain"]] == "accepted"
    assert any(outcome in ("rejected", "unreachable") for outcome in outcomes.values())
    assert all(0.0 <= c["score"] <= 1.0 for c in profile["match_candidates"])


async def test_knowledge_values_carry_the_json_path_they_were_read_from(extractor: WebExtractor) -> None:
    profile = await extractor.extract(
        ExtractionRequest("Obsidian Dynamics Corp.", ExtractionMode.COMPREHENSIVE)
    )
    provenance = profile["provenance"]
    assert provenance["identifiers.cik"]["evidence"] == "cik"
    assert provenance["identifiers.ticker"]["evidence"] == "tickers[0]"
    assert provenance["identifiers.lei"]["evidence"] == "data.attributes.lei"
    assert provenance["identifiers.wikidata_id"]["evidence"] == "id"
    assert provenance["financial_data.market_cap"]["evidence"].startswith("claims.P2226[")
    assert provenance["financial_data.revenue"]["evidence"].startswith("facts.us-gaap.")
    # The domain's evidence is the page's own name that verified it.
    assert provenance["domain"]["evidence"] == "Obsidian Dynamics"
