"""Domain resolution: hints and name-derived candidates, each verified against the fetched home page."""

from __future__ import annotations

import pytest

from server.domain import ExtractionRequest
from server.errors import CompanyAnalysisError
from server.extraction.fetcher import WebFetcher
from server.extraction.resolve import domain_candidates, name_match_score, resolve_domain
from server.extraction.sources.registry import domain_finders
from server.settings import Settings


async def test_a_correct_hint_is_verified_and_used(fetcher: WebFetcher, sandbox_settings: Settings) -> None:
    request = ExtractionRequest(
        "Fernhill Veterinary Group", country="GB", domain_hint="https://fernhillvets.test/"
    )
    resolution = await resolve_domain(
        request, fetcher, sandbox_settings, domain_finders(fetcher, sandbox_settings)
    )
    assert resolution.domain == "fernhillvets.test"
    assert resolution.notes[0].startswith("hint candidate fernhillvets.test: accepted")


async def test_the_domain_is_derived_from_the_name(fetcher: WebFetcher, sandbox_settings: Settings) -> None:
    resolution = await resolve_domain(
        ExtractionRequest("Ironclad Security Systems Corp."),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == "ironclad-security.example"
    rejected = "name candidate ironcladsecurity.example: rejected"
    assert any(note.startswith(rejected) for note in resolution.notes)
    assert resolution.notes[-1].startswith("name candidate ironclad-security.example: accepted")


async def test_a_name_unlike_its_domain_resolves_through_initials(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    resolution = await resolve_domain(
        ExtractionRequest("Marrowby & Finch Advisory LLP"),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == "mfadvisory.test"


async def test_a_redirecting_domain_resolves_to_where_it_lands(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    resolution = await resolve_domain(
        ExtractionRequest("Lumen Grid Energy"),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == "lumengrid.example"
    assert "redirected to lumengrid.example" in resolution.notes[-1]


@pytest.mark.parametrize(
    ("name", "hint", "expected"),
    [
        pytest.param(
            "Harbor Point Dental", "harborpoint.example", "harborpointdental.test", id="parked-domain"
        ),
        pytest.param(
            "Bluefin Analytics LLC", "acme-robotics.example", "bluefin-analytics.example", id="other-company"
        ),
    ],
)
async def test_a_wrong_hint_is_rejected_and_the_name_still_resolves(
    fetcher: WebFetcher, sandbox_settings: Settings, name: str, hint: str, expected: str
) -> None:
    resolution = await resolve_domain(
        ExtractionRequest(name, domain_hint=hint),
        fetcher,
        sandbox_settings,
        domain_finders(fetcher, sandbox_settings),
    )
    assert resolution.domain == expected
    assert resolution.notes[0].startswith(f"hint candidate {hint}: rejected")


async def test_unknown_company_is_not_found_with_what_was_tried(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    with pytest.raises(CompanyAnalysisError, match="Company not found") as caught:
        await resolve_domain(
            ExtractionRequest("Zephyr Quantum Holdings"),
            fetcher,
            sandbox_settings,
            domain_finders(fetcher, sandbox_settings),
        )
    assert "zephyrquantumholdings.example" in caught.value.details
    assert "zephyr-quantum.test" in caught.value.details


async def test_a_site_that_only_fails_is_not_found(fetcher: WebFetcher, sandbox_settings: Settings) -> None:
    with pytest.raises(CompanyAnalysisError) as caught:
        await resolve_domain(
            ExtractionRequest("Brightwater Instruments"),
            fetcher,
            sandbox_settings,
            domain_finders(fetcher, sandbox_settings),
        )
    assert "brightwater-instruments.example: rejected, unreachable (HTTP 500" in caught.value.details


def test_candidates_use_the_country_tld_in_production_settings() -> None:
    candidates = domain_candidates("Everlight Solar Ltd", "GB", Settings().resolve_tlds)
    assert candidates[:4] == [
        "everlightsolar.com",
        "everlightsolar.uk",
        "everlight-solar.com",
        "everlight-solar.uk",
    ]
    rarer = [domain for domain in candidates if domain.startswith("everlightsolar.")][2:]
    assert rarer == ["everlightsolar.org", "everlightsolar.net", "everlightsolar.io", "everlightsolar.co"]
    assert not any(domain.endswith(".eu") for domain in candidates)  # GB is not in the EU registry's area


def test_name_matching_tolerates_legal_suffixes_accents_and_spacing() -> None:
    assert name_match_score("Bäckerei Sonnenschein GmbH", "Baeckerei Sonnenschein") == 100
    assert name_match_score("Lumen Grid Energy", "Lumen Grid Energy Inc.") == 100
    assert name_match_score("Harbor Point Dental", "harborpoint.example is for sale") < 85
