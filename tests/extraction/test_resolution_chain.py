"""The resolution chain over the sandbox: Wikidata, web search, country checks and what the notes say."""

from __future__ import annotations

import pytest

from server.domain import ExtractionRequest
from server.errors import CompanyAnalysisError
from server.extraction.candidates.search import SearchFinder
from server.extraction.candidates.wikidata import WikidataFinder
from server.extraction.fetcher import WebFetcher
from server.extraction.resolve import resolve_domain
from server.extraction.search.duckduckgo import DuckDuckGoSearch
from server.extraction.sources.registry import domain_finders
from server.settings import Settings


@pytest.mark.parametrize(
    ("country", "domain"),
    [pytest.param("US", "meridianfoods.example", id="US"), pytest.param("GB", "meridianfoods.test", id="GB")],
)
async def test_same_name_in_two_countries_resolves_to_the_requested_country(
    fetcher: WebFetcher, sandbox_settings: Settings, country: str, domain: str
) -> None:
    resolution = await resolve_domain(
        ExtractionRequest("Meridian Foods", country=country),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == domain
    assert resolution.origin == "wikidata"
    assert any("wikidata: skipped" in note and f"not {country}" in note for note in resolution.notes)


async def test_wikidata_finder_proposes_only_items_of_the_requested_country(fetcher: WebFetcher) -> None:
    notes: list[str] = []
    candidates = await WikidataFinder(fetcher).find(ExtractionRequest("Meridian Foods", country="GB"), notes)
    assert [(c.domain, c.origin) for c in candidates] == [("meridianfoods.test", "wikidata")]
    assert candidates[0].wikidata_entity is not None and candidates[0].wikidata_entity["id"] == "Q130000009"
    assert notes == ["wikidata: skipped Q130000008 'Meridian Foods' (country US, not GB)"]


async def test_a_domain_only_wikidata_knows_is_found_through_its_official_website(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    request = ExtractionRequest("Halvorsen Maritime AS", country="NO")
    resolution = await resolve_domain(
        request, fetcher, sandbox_settings, domain_finders(fetcher, sandbox_settings)
    )
    assert resolution.domain == "hvm-group.example"
    assert "P856 https://hvm-group.example/" in resolution.notes[-1]


async def test_search_finds_a_domain_the_name_cannot_yield_and_skips_social_networks(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    resolution = await resolve_domain(
        ExtractionRequest("Ursa Minor Robotics"),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == "ursaminor-labs.example"
    assert resolution.origin == "search:duckduckgo"
    assert any("skipped result 1 www.linkedin.com" in note for note in resolution.notes)


async def test_search_finder_reports_an_unusable_answer(fetcher: WebFetcher) -> None:
    notes: list[str] = []
    finder = SearchFinder(DuckDuckGoSearch(fetcher))
    assert await finder.find(ExtractionRequest("Zephyr Quantum Holdings"), notes) == []
    assert notes == ["search:duckduckgo: no usable result for 'Zephyr Quantum Holdings'"]


async def test_a_site_in_another_country_is_only_a_last_resort(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    request = ExtractionRequest("Meridian Foods", country="FR")
    resolution = await resolve_domain(
        request, fetcher, sandbox_settings, domain_finders(fetcher, sandbox_settings)
    )
    assert resolution.domain == "meridianfoods.example"
    assert any("set aside" in note and "states country US, not FR" in note for note in resolution.notes)
    assert resolution.notes[-1] == "accepted meridianfoods.example: nothing in the requested country verified"


async def test_nothing_verifying_raises_not_found_listing_every_step(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    with pytest.raises(CompanyAnalysisError) as caught:
        await resolve_domain(
            ExtractionRequest("Zephyr Quantum Holdings"),
            fetcher,
            sandbox_settings,
            domain_finders(fetcher, sandbox_settings),
        )
    assert caught.value.message == "Company not found"
    assert "search:duckduckgo: no usable result" in caught.value.details
    assert "name candidate zephyrquantum.example: rejected" in caught.value.details


def test_the_chain_runs_hint_wikidata_search_then_name(
    sandbox_settings: Settings, fetcher: WebFetcher
) -> None:
    assert [finder.name for finder in domain_finders(fetcher, sandbox_settings)] == [
        "hint",
        "wikidata",
        "search",
        "name",
    ]
    quiet = sandbox_settings.model_copy(update={"search_provider": "none", "knowledge_sources": []})
    assert [finder.name for finder in domain_finders(fetcher, quiet)] == ["hint", "name"]
