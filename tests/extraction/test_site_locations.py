"""Other offices read from the company's own schema.org markup: pure readers, then the sandbox sites."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.modes import plan_for
from server.extraction.parse import parse_page
from server.extraction.pipeline import WebExtractor
from server.extraction.resolve import resolve_domain
from server.extraction.sources.base import SourceContext
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.site_locations import (
    SiteLocationsSource,
    findings_from_page,
    label_for,
    locations_of,
)
from server.extraction.sources.website import WebsiteSource
from server.settings import Settings

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"

HQ = {"@type": "PostalAddress", "streetAddress": "1 Main St", "addressLocality": "Pittsburgh",
      "addressRegion": "PA", "postalCode": "15201", "addressCountry": "US"}  # fmt: skip
DETROIT = {"@type": "PostalAddress", "streetAddress": "1500 Woodward Ave", "addressLocality": "Detroit",
           "addressRegion": "MI", "postalCode": "48226", "addressCountry": "US"}  # fmt: skip
DETROIT_OFFICE = {"street_address": "1500 Woodward Ave", "city": "Detroit", "state": "Michigan",
                  "postal_code": "48226", "country": "United States", "country_code": "US"}  # fmt: skip


def _truth_locations(domain: str) -> list[dict[str, str]]:
    truth = json.loads((CORPUS_DIR / "truth.json").read_text("utf-8"))
    company = next(c for c in truth["companies"] if c["domain"] == domain)
    return list(company["profile"]["locations"])


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        pytest.param(
            {"address": HQ, "location": {"@type": "Place", "name": "Detroit office", "address": DETROIT}},
            [({**DETROIT_OFFICE, "label": "office"}, "location")],
            id="location-place",
        ),
        pytest.param(
            {"address": [HQ, {**DETROIT, "name": "Registered office"}]},
            [({**DETROIT_OFFICE, "label": "registered"}, "address")],
            id="second-address",
        ),
        pytest.param(
            {
                "address": HQ,
                "department": [{"@type": "Organization", "name": "Acme Werk", "address": DETROIT}],
            },
            [({**DETROIT_OFFICE, "label": "plant"}, "department")],
            id="department",
        ),
        pytest.param(
            {"address": HQ, "location": DETROIT},
            [({**DETROIT_OFFICE, "label": "office"}, "location")],
            id="location-is-a-postal-address",
        ),
        pytest.param(
            {"address": HQ, "location": [{"@type": "Place", "name": "Head office", "address": dict(HQ)}]},
            [],
            id="headquarters-repeated",
        ),
        pytest.param(
            {"address": HQ, "location": [{"address": {**HQ, "streetAddress": None}}]},
            [],
            id="headquarters-city-without-street",
        ),
        pytest.param(
            {"location": [{"@type": "Place", "address": HQ}, {"@type": "Place", "address": DETROIT}]},
            [({**DETROIT_OFFICE, "label": "office"}, "location")],
            id="no-address-first-place-is-headquarters",
        ),
        pytest.param(
            {"address": HQ, "location": ["Detroit, Michigan", {"@type": "Place", "name": "Somewhere"}]},
            [],
            id="places-without-an-address",
        ),
        pytest.param(
            {"address": HQ, "location": {"address": DETROIT}, "department": {"address": dict(DETROIT)}},
            [({**DETROIT_OFFICE, "label": "office"}, "location")],
            id="same-place-twice",
        ),
        pytest.param(
            {"address": HQ, "location": {"address": {"addressLocality": "Detroit"}}},
            [({"city": "Detroit", "label": "office"}, "location")],
            id="no-country-is-invented",
        ),
    ],
)
def test_locations_are_the_places_an_organization_states_besides_its_headquarters(
    org: dict[str, Any], expected: list[tuple[dict[str, str], str]]
) -> None:
    assert locations_of(org) == expected


@pytest.mark.parametrize(
    ("place", "label"),
    [
        pytest.param({"name": "Registered office"}, "registered", id="registered"),
        pytest.param({"name": "Eingetragener Sitz"}, "registered", id="registered-de"),
        pytest.param({"name": "Werk Reutlingen"}, "plant", id="plant-de"),
        pytest.param({"name": "Distribution Center East"}, "warehouse", id="warehouse"),
        pytest.param({"@type": "Store", "name": "Downtown"}, "store", id="store-type"),
        pytest.param({"name": "Werkstatt Mitte"}, "office", id="word-inside-a-word-is-no-match"),
        pytest.param({"name": "Vertrieb Nord"}, "office", id="default"),
    ],
)
def test_a_place_is_labelled_by_what_its_name_or_type_says(place: dict[str, Any], label: str) -> None:
    assert label_for(place) == label


def test_findings_cite_the_page_and_the_markup_property() -> None:
    ld = {"@context": "https://schema.org", "@type": "Corporation", "name": "Acme", "address": HQ,
          "location": {"@type": "Place", "name": "Detroit office", "address": DETROIT}}  # fmt: skip
    html = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head></html>'
    page = FetchedPage("https://acme.example/", 200, "text/html", html, datetime.now(UTC))
    [finding] = findings_from_page(parse_page(html, page.url), page)
    assert (finding.field, finding.source, finding.url) == ("locations", "website", "https://acme.example/")
    assert finding.method == "json-ld Corporation.location"
    assert finding.value == {**DETROIT_OFFICE, "label": "office"}


async def _context(fetcher: WebFetcher, settings: Settings, name: str, country: str) -> SourceContext:
    request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country=country)
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    return SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))


async def test_source_reads_the_pages_the_website_source_parsed(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Rosenthal Präzisionstechnik GmbH", "DE")
    assert await SiteLocationsSource().collect(context) == []  # nothing parsed yet, nothing fetched
    await WebsiteSource().collect(context)
    assert context.shared.site_pages
    findings = await SiteLocationsSource().collect(context)
    assert [f.value for f in findings] == _truth_locations("rosenthal-praezision.example")
    assert [f.method for f in findings] == ["json-ld Organization.address", "json-ld Organization.department"]


@pytest.mark.parametrize(
    ("name", "country", "domain"),
    [
        pytest.param("Acme Robotics Inc.", "US", "acme-robotics.example", id="acme-hq-place-left-out"),
        pytest.param("Obsidian Dynamics Corp.", "US", "obsidiandynamics.example", id="obsidian-registered"),
        pytest.param(
            "Rosenthal Präzisionstechnik GmbH", "DE", "rosenthal-praezision.example", id="rosenthal"
        ),
    ],
)
async def test_comprehensive_profiles_list_the_offices_the_site_states(
    sandbox_settings: Settings, name: str, country: str, domain: str
) -> None:
    extractor = WebExtractor(sandbox_settings)
    try:
        request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country=country)
        profile = await extractor.extract(request)
    finally:
        await extractor.aclose()
    assert profile["locations"] == _truth_locations(domain)
    assert profile["headquarters"]["city"] not in {place["city"] for place in profile["locations"]}
    assert profile["provenance"]["locations"]["source"] == "website"
    assert "locations" not in profile["not_found"]


async def test_modes_that_do_not_ask_for_locations_get_none(sandbox_settings: Settings) -> None:
    extractor = WebExtractor(sandbox_settings)
    try:
        profile = await extractor.extract(
            ExtractionRequest("Acme Robotics Inc.", mode=ExtractionMode.STANDARD)
        )
    finally:
        await extractor.aclose()
    assert "locations" not in profile
    assert "headquarters" in profile


async def test_a_site_stating_no_other_offices_leaves_locations_not_found(sandbox_settings: Settings) -> None:
    extractor = WebExtractor(sandbox_settings)
    try:
        request = ExtractionRequest("Bluefin Analytics LLC", mode=ExtractionMode.COMPREHENSIVE)
        profile = await extractor.extract(request)
    finally:
        await extractor.aclose()
    assert "locations" not in profile
    assert "locations" in profile["not_found"]
