"""SEC EDGAR over the sandbox web: documents beyond the page cap, one failing document, one ticker index."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.resolve import resolve_domain
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.sec_edgar import (
    COMPANY_FACTS_URL,
    TICKERS_TTL_SECONDS,
    SecEdgarSource,
    business_address,
    print_case,
)
from server.settings import Settings

PAGE_CAP = 200_000  # the HTML page cap of these tests; the companyfacts document is several times larger
COMPANIES: dict[
    int, tuple[str, str, dict[str, str | int]]
] = {  # cik -> (ticker, title, what data.sec.gov answers: "ok" or an HTTP status per document)
    1001: ("BIGF", "Bigfacts Holdings Inc.", {"submissions": "ok", "companyfacts": "ok"}),
    1002: ("NOFX", "Nofacts Corp.", {"submissions": "ok", "companyfacts": 500}),
    1003: ("NOSB", "Nosubs Corp.", {"submissions": 500, "companyfacts": "ok"}),
    1004: ("RHWKY", "Rheinfeld Werke AG", {"submissions": "ok", "companyfacts": 404}),
}
FOREIGN_ADDRESS = {"street1": "RHEINUFER 4", "city": "KOELN", "stateOrCountry": "2M", "zipCode": "50668",
                   "isForeignLocation": 1, "country": "Germany", "countryCode": "2M"}  # fmt: skip


def _submissions(cik: int, ticker: str, title: str) -> dict[str, Any]:
    us_address = {"street1": "1100 15TH ST NW", "street2": "SUITE 300", "city": "SAN FRANCISCO",
                  "stateOrCountry": "CA", "zipCode": "94104"}  # fmt: skip
    return {
        "cik": str(cik),
        "name": title.upper(),
        "sic": "3674",
        "sicDescription": "Semiconductors & Related Devices",
        "tickers": [ticker],
        "exchanges": ["Nasdaq"],
        "fiscalYearEnd": "1231",
        "phone": "4155550100",
        "addresses": {"business": FOREIGN_ADDRESS if title.endswith(" AG") else us_address},
    }


def _company_facts(padding_entries: int) -> dict[str, Any]:
    """Revenue of FY2024, behind many quarterly entries (as a large filer's document has)."""
    quarterly = [
        {"start": f"20{10 + n % 14}-01-01", "end": f"20{10 + n % 14}-03-31", "val": n, "fy": 2000 + n % 25,
         "fp": "Q1", "form": "10-Q", "filed": "2024-05-01", "accn": f"0000000000-24-{n:06d}"}
        for n in range(padding_entries)
    ]  # fmt: skip
    annual = {"start": "2024-01-01", "end": "2024-12-31", "val": 7.5e9, "fy": 2024, "fp": "FY",
              "form": "10-K", "filed": "2025-02-01"}  # fmt: skip
    return {"facts": {"us-gaap": {"Revenues": {"units": {"USD": [*quarterly, annual]}}}}}


def _write(folder: Path, name: str, document: Any) -> str:
    (folder / "_responses").mkdir(parents=True, exist_ok=True)
    (folder / "_responses" / name).write_text(json.dumps(document), "utf-8")
    return f"_responses/{name}"


def _build_corpus(root: Path) -> None:
    sec, data = root / "sites" / "www.sec.gov", root / "sites" / "data.sec.gov"
    tickers = {str(n): {"cik_str": cik, "ticker": t, "title": title} for n, (cik, (t, title, _)) in
               enumerate(COMPANIES.items())}  # fmt: skip
    sec.mkdir(parents=True)
    body = _write(sec, "company_tickers.json", tickers)
    (sec / "_meta.json").write_text(json.dumps({"routes": [{"path": "/files/company_tickers.json",
                                    "content_type": "application/json", "body_file": body}]}))  # fmt: skip
    routes = []
    for cik, (ticker, title, answers) in COMPANIES.items():
        documents = {
            "submissions": (f"/submissions/CIK{cik:010d}.json", _submissions(cik, ticker, title)),
            "companyfacts": (f"/api/xbrl/companyfacts/CIK{cik:010d}.json", _company_facts(20_000)),
        }
        for kind, (path, document) in documents.items():
            answer = answers[kind]
            route: dict[str, Any] = {"path": path, "content_type": "application/json"}
            if answer == "ok":
                route["body_file"] = _write(data, f"{kind}-{cik}.json", document)
            else:
                route["status"] = answer
            routes.append(route)
    data.mkdir(parents=True, exist_ok=True)
    (data / "_meta.json").write_text(json.dumps({"routes": routes}))
    for _, (_, title, _) in COMPANIES.items():
        site = root / "sites" / f"{title.split()[0].lower()}.example"
        site.mkdir(parents=True)
        (site / "index.html").write_text(f"<html><head><title>{title}</title></head><body></body></html>")


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def edgar_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    _build_corpus(tmp_path)
    async with SandboxWeb(tmp_path) as web:
        yield web


@pytest.fixture
async def edgar_fetcher(edgar_web: SandboxWeb) -> AsyncIterator[tuple[WebFetcher, Settings]]:
    overrides = {**edgar_web.settings_overrides(), "knowledge_sources": [], "search_provider": "none"}
    settings = Settings(**overrides, max_page_bytes=PAGE_CAP, fetch_timeout_seconds=5.0)
    fetcher = WebFetcher(settings)
    yield fetcher, settings
    await fetcher.aclose()


async def _collect(
    web: tuple[WebFetcher, Settings], source: SecEdgarSource, name: str, country: str = "US"
) -> dict[str, Any]:
    fetcher, settings = web
    request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country=country)
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    context = SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))
    return _by_field(await source.collect(context))


def _by_field(findings: list[Finding]) -> dict[str, Any]:
    return {finding.field: finding.value for finding in findings}


async def test_a_companyfacts_document_larger_than_the_page_cap_is_read_whole(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    fetcher, _ = edgar_fetcher
    _, page = await fetcher.fetch_json(COMPANY_FACTS_URL.format(cik=1001), max_bytes=50_000_000)
    assert len(page.text.encode()) > 4 * PAGE_CAP  # what the page cap would have cut
    values = await _collect(edgar_fetcher, SecEdgarSource(), "Bigfacts Holdings Inc.")
    assert values["financial_data.revenue"]["display"] == "$7.5B"
    assert values["identifiers.cik"] == "0000001001"


async def test_a_json_document_beyond_its_cap_fails_as_too_large(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    fetcher, _ = edgar_fetcher
    with pytest.raises(FetchError, match="Document too large"):
        await fetcher.fetch_json(COMPANY_FACTS_URL.format(cik=1001))  # the page cap by default


async def test_a_failing_companyfacts_keeps_what_the_submissions_state(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    values = await _collect(edgar_fetcher, SecEdgarSource(), "Nofacts Corp.")
    assert values["legal_name"] == "NOFACTS CORP."
    assert values["identifiers.ticker"] == "NOFX"
    assert "financial_data.revenue" not in values


async def test_failing_submissions_keep_what_companyfacts_states(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    values = await _collect(edgar_fetcher, SecEdgarSource(), "Nosubs Corp.")
    assert values["financial_data.revenue"]["amount"] == 7.5e9
    assert "legal_name" not in values


async def test_the_ticker_list_is_downloaded_once_until_its_ttl_passes(
    edgar_web: SandboxWeb, edgar_fetcher: tuple[WebFetcher, Settings]
) -> None:
    clock = Clock()
    source = SecEdgarSource(clock=clock)
    fetcher, settings = edgar_fetcher

    async def requests_for(name: str) -> int:
        request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country="US")
        resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
        context = SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))
        before = edgar_web.requests_served
        await source.collect(context)
        return edgar_web.requests_served - before

    tries = settings.fetch_attempts  # a document answering 500 is tried again (issue 12's retry policy)
    assert await requests_for("Nofacts Corp.") == 2 + tries  # tickers, submissions, companyfacts
    assert await requests_for("Nosubs Corp.") == tries + 1  # the index is reused
    clock.now += TICKERS_TTL_SECONDS + 1
    assert await requests_for("Nofacts Corp.") == 2 + tries  # stale: downloaded again


async def test_a_foreign_filer_is_read_when_its_filing_places_it_in_the_requested_country(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    values = await _collect(edgar_fetcher, SecEdgarSource(), "Rheinfeld Werke AG", country="DE")
    assert values["legal_name"] == "RHEINFELD WERKE AG"
    assert values["headquarters"]["country_code"] == "DE"


async def test_a_namesake_filing_in_another_country_is_not_the_company(
    edgar_fetcher: tuple[WebFetcher, Settings],
) -> None:
    assert await _collect(edgar_fetcher, SecEdgarSource(), "Rheinfeld Werke AG", country="FR") == {}


def test_an_edgar_address_is_printed_in_print_case_with_lower_case_ordinals() -> None:
    hq = business_address(
        {"street1": "1100 15TH ST, NW", "city": "ST. LOUIS PARK", "stateOrCountry": "MN", "zipCode": "55416"}
    )
    assert hq == {
        "city": "St. Louis Park",
        "country_code": "US",
        "country": "United States",
        "state": "Minnesota",
        "state_code": "US-MN",
        "street_address": "1100 15th St, Nw",
        "postal_code": "55416",
    }
    assert print_case("17F ROPPONGI HILLS MORI TOWER") == "17F Roppongi Hills Mori Tower"


@pytest.mark.parametrize(
    ("address", "country_code"),
    [
        pytest.param(
            {"city": "TOKYO", "stateOrCountry": "M0", "stateOrCountryDescription": "Japan"},
            "JP",
            id="edgar-country-code",
        ),
        pytest.param(
            {"city": "MUNICH", "stateOrCountry": None, "country": "Germany", "countryCode": "2M"},
            "DE",
            id="foreign-location",
        ),
    ],
)
def test_a_foreign_edgar_address_is_placed_in_its_country(address: dict[str, Any], country_code: str) -> None:
    hq = business_address(address)
    assert hq["country_code"] == country_code
    assert "state" not in hq
