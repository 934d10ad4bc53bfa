"""The business registers (Brønnøysund, recherche-entreprises, Companies House) against answers in
their documented formats, recorded in the sandbox under the real hosts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.modes import plan_for
from server.extraction.parse import PageFacts
from server.extraction.pipeline import WebExtractor
from server.extraction.profile import build_profile, choose
from server.extraction.resolve import Resolution, resolve_domain
from server.extraction.sources import brreg, companies_house, recherche_entreprises, registers
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.brreg import BrregSource
from server.extraction.sources.companies_house import CompaniesHouseSource
from server.extraction.sources.recherche_entreprises import RechercheEntreprisesSource
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.website import WebsiteSource
from server.settings import Settings

NOW = datetime(2025, 1, 10, tzinfo=UTC)


async def _context(
    fetcher: WebFetcher, settings: Settings, name: str, country: str, mode: ExtractionMode
) -> SourceContext:
    """A context after the website source read the company's pages (registers check them)."""
    request = ExtractionRequest(name, mode=mode, country=country)
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    context = SourceContext(request, resolution, fetcher, plan_for(mode))
    await WebsiteSource().collect(context)
    return context


def _by_field(findings: list[Finding]) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for finding in findings:
        values.setdefault(finding.field, []).append(finding.value)
    return values


async def test_brreg_reads_the_entity_its_website_vouches_for_and_its_officers(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    """The search lists a namesake holding of the same name: the entry stating the site's domain wins."""
    context = await _context(
        fetcher, sandbox_settings, "Fjordlys Teknologi AS", "NO", ExtractionMode.COMPREHENSIVE
    )
    findings = await BrregSource().collect(context)
    values = _by_field(findings)
    assert values["identifiers.no_orgnr"] == ["924603712"]
    assert values["legal_name"] == ["FJORDLYS TEKNOLOGI AS"]
    assert values["employee_count_exact"] == [37]
    assert values["founded_year"] == [2014]
    # The NACE class's English title (its sector follows from it); the register's own label stays with
    # the code.
    assert values["industry"] == ["Computer programming activities"]
    registration = values["registration"][0]
    assert registration["legal_form"] == "Aksjeselskap (AS)"
    assert (registration["status"], registration["bankrupt"], registration["dissolved"]) == (
        "active",
        False,
        False,
    )
    assert [code["code"] for code in registration["industry_codes"]] == ["62.010", "72.190"]
    assert registration["industry_codes"][0]["label"] == "Programmeringstjenester"
    assert registration["registered_office"]["city"] == "Tromsø"
    assert values["headquarters"][0]["postal_code"] == "9008"
    # The auditor is an entity, not a person: only the two officers are people.
    assert values["people"] == [
        {"name": "Ingrid Solberg", "role": "Daglig leder"},
        {"name": "Hans Petter Eriksen", "role": "Styrets leder"},
    ]
    method = next(f.method for f in findings if f.field == "identifiers.no_orgnr")
    assert "website" in method and "1.00" in method
    assert context.unavailable == {}


async def test_recherche_entreprises_reads_the_legal_unit_whose_head_office_the_site_prints(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    """A namesake in Marseille has the same denomination; the Nantes head office is on the site."""
    context = await _context(
        fetcher, sandbox_settings, "Novalis Robotique", "FR", ExtractionMode.COMPREHENSIVE
    )
    values = _by_field(await RechercheEntreprisesSource().collect(context))
    assert values["identifiers.fr_siren"] == ["812345676"]
    assert values["legal_name"] == ["NOVALIS ROBOTIQUE"]
    registration = values["registration"][0]
    assert registration["industry_codes"] == [
        {"scheme": "naf", "code": "28.99B", "label": "Manufacture of other special-purpose machinery n.e.c."}
    ]
    assert registration["employee_band"] == "12"
    assert values["employee_count"] == ["11-50"]  # INSEE tranche 12 is 20-49 employees
    assert registration["legal_form"] == "5710"
    assert values["headquarters"][0]["city"] == "Nantes"
    assert values["founded_year"] == [2011]
    assert values["people"] == [
        {"name": "Claire Lemaire", "role": "Président"},
        {"name": "Yann Le Goff", "role": "Directeur général"},
    ]  # the auditing firm (a legal person) is not one of them


async def test_companies_house_reads_profile_and_current_officers(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(
        fetcher, sandbox_settings, "Brackenridge Tooling Ltd", "GB", ExtractionMode.COMPREHENSIVE
    )
    source = CompaniesHouseSource(sandbox_settings.companies_house_api_key)
    values = _by_field(await source.collect(context))
    assert values["identifiers.gb_company_number"] == ["06543210"]
    registration = values["registration"][0]
    assert (registration["status"], registration["legal_form"], registration["dissolved"]) == (
        "active",
        "ltd",
        False,
    )
    assert [code["code"] for code in registration["industry_codes"]] == ["25730", "28410"]
    assert values["industry"] == ["Manufacture of tools"]
    assert registration["incorporation_date"] == "2008-03-14"
    assert registration["registered_office"]["postal_code"] == "S1 2HE"
    # The director who resigned and the corporate secretary are left out.
    assert values["people"] == [
        {"name": "Anita Patel", "role": "Director"},
        {"name": "Gareth Lloyd Morgan", "role": "Director"},
    ]


async def test_companies_house_without_a_key_is_off_says_so_and_asks_nothing(
    fetcher: WebFetcher, sandbox_settings: Settings, sandbox_web: SandboxWeb
) -> None:
    context = await _context(
        fetcher, sandbox_settings, "Brackenridge Tooling Ltd", "GB", ExtractionMode.COMPREHENSIVE
    )
    source = CompaniesHouseSource(None)
    assert source.disabled_reason is not None
    assert "COMPANY_BATCH_COMPANIES_HOUSE_API_KEY" in source.disabled_reason
    before = sandbox_web.requests_served
    assert await source.collect(context) == []
    assert sandbox_web.requests_served == before
    assert context.unavailable == {}  # off by configuration is not an outage


async def test_companies_house_refusing_the_key_is_unavailable_not_not_found(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(
        fetcher, sandbox_settings, "Brackenridge Tooling Ltd", "GB", ExtractionMode.COMPREHENSIVE
    )
    assert await CompaniesHouseSource("not-the-key").collect(context) == []
    assert "HTTP 401" in context.unavailable["companies_house"]


async def test_registers_are_asked_only_for_companies_of_their_country(
    fetcher: WebFetcher, sandbox_settings: Settings, sandbox_web: SandboxWeb
) -> None:
    context = await _context(
        fetcher, sandbox_settings, "Acme Robotics Inc.", "US", ExtractionMode.COMPREHENSIVE
    )
    before = sandbox_web.requests_served
    for source in (BrregSource(), RechercheEntreprisesSource(), CompaniesHouseSource("key")):
        assert await source.collect(context) == []
    assert sandbox_web.requests_served == before


async def test_an_empty_register_answer_takes_nothing_and_is_no_outage(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(
        fetcher, sandbox_settings, "Halvorsen Maritime AS", "NO", ExtractionMode.STANDARD
    )
    assert await BrregSource().collect(context) == []
    assert context.unavailable == {}


def _bare_context(name: str, domain: str = "fjordlys.example", page_text: str = "") -> SourceContext:
    home = FetchedPage(f"https://{domain}/", 200, "text/html", "", NOW)
    resolution = Resolution(domain, home, PageFacts(home.url, text=page_text), 1.0, "title")
    request = ExtractionRequest(name, mode=ExtractionMode.STANDARD, country="NO")
    return SourceContext(request, resolution, WebFetcher(Settings()), plan_for(ExtractionMode.STANDARD))


def test_an_entry_below_the_name_threshold_is_not_taken() -> None:
    context = _bare_context("Fjordlys Teknologi AS")
    entries = [registers.Entry("FJELLSTUE TEKSTIL AS", {}, "_embedded.enheter[0]")]
    assert registers.choose_entry(context, entries) is None


def test_two_equal_entries_nothing_tells_apart_are_both_refused() -> None:
    context = _bare_context("Sesam")
    entries = [
        registers.Entry("SESAM AS", {}, "a", postal_code="7030", town="TRONDHEIM"),
        registers.Entry("SESAM FAMILIEBARNEHAGE", {}, "b", postal_code="0169", town="OSLO"),
    ]
    assert registers.choose_entry(context, entries) is None
    # The same two, when the company's pages print one entry's postcode and town: that one.
    printed = _bare_context("Sesam", page_text="Elgeseter gate 1, 7030 Trondheim")
    match = registers.choose_entry(printed, entries)
    assert match is not None and match.entry.path == "a" and match.vouched_by == ("address",)


def test_an_entry_whose_register_website_is_another_domain_is_refused() -> None:
    context = _bare_context("Fjordlys Teknologi AS")
    entries = [registers.Entry("FJORDLYS TEKNOLOGI AS", {}, "a", website="www.fjordlys-tek.no")]
    assert registers.choose_entry(context, entries) is None


# Recorded-format documents (shapes as the services document and real captures show them).
DELETED_ENTITY = {
    "organisasjonsnummer": "123456789",
    "navn": "SLETTET ENHET AS",
    "organisasjonsform": {"kode": "AS", "beskrivelse": "Aksjeselskap", "utgaatt": "2017-07-17"},
    "slettedato": "2017-10-20",
    "_links": {"self": {"href": "https://data.brreg.no/enhetsregisteret/api/enheter/123456789"}},
}
EMPTY_SEARCH = {
    "_links": {"self": {"href": "https://data.brreg.no/enhetsregisteret/api/enheter?navn=jibberish"}},
    "page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0},
}


def test_a_deleted_brreg_entity_is_reported_deleted_with_its_number() -> None:
    match = registers.RegisterMatch(brreg.entry_of(DELETED_ENTITY, "data"), 1.0)
    values = _by_field(brreg.findings_from_entity(match, "https://data.brreg.no/x", NOW))
    registration = values["registration"][0]
    assert (registration["status"], registration["dissolved"], registration["number"]) == (
        "deleted",
        True,
        "123456789",
    )
    assert "employee_count_exact" not in values and "headquarters" not in values


def test_an_empty_brreg_search_lists_no_entries() -> None:
    assert brreg.search_entries(EMPTY_SEARCH) == []
    assert recherche_entreprises.search_entries({"results": [], "total_results": 0}) == []
    assert companies_house.search_entries({"items": [], "total_results": 0}) == []
    assert brreg.search_entries("not a document") == []


def test_a_dissolved_company_in_liquidation_sets_its_flags() -> None:
    profile = {"company_number": "05123456", "company_name": "X LTD", "company_status": "liquidation",
               "date_of_creation": "2004-06-01", "type": "ltd"}  # fmt: skip
    match = registers.RegisterMatch(registers.Entry("X LTD", {}, "items[0]"), 0.97)
    values = _by_field(companies_house.findings_from_profile(profile, match, "https://x/", NOW))
    assert values["registration"][0]["in_liquidation"] is True
    assert values["registration"][0]["status"] == "liquidation"


@pytest.fixture
async def register_down_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    """A company site, and Enhetsregisteret answering 503 to everything."""
    site = tmp_path / "sites" / "fjorddata.example"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html><head><title>Fjord Data AS</title></head><body></body></html>")
    down = tmp_path / "sites" / brreg.API_URL.split("/")[2]
    down.mkdir(parents=True)
    (down / "_meta.json").write_text(json.dumps({"status": 503}))
    async with SandboxWeb(tmp_path) as web:
        yield web


async def test_a_register_that_stays_down_is_listed_unavailable_not_not_found(
    register_down_web: SandboxWeb,
) -> None:
    overrides = {**register_down_web.settings_overrides(), "search_provider": "none"}
    settings = Settings(**overrides, fetch_timeout_seconds=5.0)
    extractor = WebExtractor(settings, sources=[WebsiteSource(), BrregSource()])
    try:
        profile = await extractor.extract(
            ExtractionRequest("Fjord Data AS", mode=ExtractionMode.STANDARD, country="NO")
        )
    finally:
        await extractor.aclose()
    assert profile["domain"] == "fjorddata.example"
    assert profile["sources_unavailable"] == ["brreg"]
    assert "identifiers" not in profile


def _finding(field: str, value: Any, source: str, confidence: float) -> Finding:
    return Finding(field, value, source, f"https://{source}.example/", NOW, f"{source} test", confidence)


def test_a_register_and_a_page_that_disagree_both_stay_in_provenance_and_register_officers_lead() -> None:
    context = _bare_context("Fjordlys Teknologi AS")
    findings = [
        _finding("employee_count_exact", 30, "website", 0.6),
        _finding("employee_count_exact", 37, "brreg", registers.EMPLOYEES_CONFIDENCE),
        _finding("people", {"name": "Ingrid Solberg", "role": "CEO"}, "website", 0.5),
        _finding("people", {"name": "Ingrid Solberg", "role": "Daglig leder"}, "brreg", 0.95),
    ]
    profile = build_profile(
        context.request, context.resolution, findings, plan_for(ExtractionMode.COMPREHENSIVE)
    )
    assert profile["employee_count_exact"] == 37
    provenance = profile["provenance"]["employee_count_exact"]
    assert provenance["source"] == "brreg"
    assert [(rival["value"], rival["source"]) for rival in provenance["rivals"]] == [("30", "website")]
    assert profile["people"][0] == {"name": "Ingrid Solberg", "role": "Daglig leder"}
    assert profile["provenance"]["people[0]"]["source"] == "brreg"


def test_a_register_name_in_capitals_is_shown_as_the_site_prints_it() -> None:
    chosen = choose(
        [
            _finding("legal_name", "FJORDLYS TEKNOLOGI AS", "brreg", 0.95),
            _finding("legal_name", "Fjordlys Teknologi AS", "website", 0.8),
        ]
    )
    assert chosen is not None
    value, cited, _ = chosen
    assert (value, cited.source) == ("Fjordlys Teknologi AS", "brreg")
