"""Each knowledge source against the sandbox's recorded answers of the real services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.resolve import resolve_domain
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.gleif import GleifSource
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.sec_edgar import SecEdgarSource, find_company, fiscal_year_end
from server.extraction.sources.wikidata import WikidataSource
from server.extraction.sources.wikipedia import WikipediaSource
from server.settings import Settings


async def _context(fetcher: WebFetcher, settings: Settings, name: str, country: str = "US") -> SourceContext:
    request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country=country)
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    return SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))


def _by_field(findings: list[Finding]) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for finding in findings:
        values.setdefault(finding.field, []).append(finding.value)
    return values


async def test_wikidata_reads_industry_headquarters_latest_head_count_and_people(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Acme Robotics Inc.")
    values = _by_field(await WikidataSource().collect(context))
    assert values["industry"] == ["Industrial Robotics"]
    assert values["headquarters"] == [
        {"city": "Pittsburgh", "country": "United States", "country_code": "US", "state": "Pennsylvania",
         "state_code": "US-PA"}
    ]  # fmt: skip
    assert values["employee_count_exact"] == [340]  # 2024 outranks 2023's 310
    assert values["founded_year"] == [2009]
    assert {(p["name"], p["role"]) for p in values["people"]} == {
        ("Maya Okonkwo", "Founder"),
        ("Daniel Reyes", "Founder"),
        ("Maya Okonkwo", "Chief Executive Officer"),
    }
    assert values["identifiers.wikidata_id"] == ["Q130000001"]
    assert context.shared.wikidata_entity is not None
    assert context.shared.wikidata_entity["id"] == "Q130000001"


async def test_wikidata_reads_listing_money_with_currency_and_date_and_lei(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Obsidian Dynamics Corp.")
    values = _by_field(await WikidataSource().collect(context))
    assert values["financial_data.market_cap"] == [
        {
            "kind": "market_cap",
            "amount": 18.6e9,
            "currency": "USD",
            "period": "2024-12-31",
            "display": "$18.6B",
        }
    ]
    assert values["identifiers.ticker"] == ["OBSD"]
    assert values["identifiers.exchange"] == ["NASDAQ"]
    assert values["identifiers.lei"] == ["5493001KJTIIGC8Y1R12"]


async def test_sec_edgar_reads_filings_with_concept_fallback_and_fiscal_periods(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Obsidian Dynamics Corp.")
    await WikidataSource().collect(context)  # gives SEC the ticker
    findings = await SecEdgarSource().collect(context)
    values = _by_field(findings)
    revenue = values["financial_data.revenue"][0]
    assert (revenue["amount"], revenue["period"], revenue["display"]) == (2.41e9, "FY2024", "$2.41B")
    assert values["financial_data.net_income"][0]["display"] == "$310M"
    assert values["financial_data.total_assets"][0]["amount"] == 4.9e9  # an instant value at year end
    assert values["financial_data.shares_outstanding"] == [152_300_000.0]
    assert values["financial_data.fiscal_year_end"] == ["December 31"]
    assert values["identifiers.cik"] == ["0001799001"]
    assert values["industry"] == ["Semiconductors & Related Devices"]  # the SEC's own title of 3674
    assert values["sector"] == ["Technology"]
    assert values["identifiers.us_sic"] == ["3674"]
    assert values["headquarters"][0]["street_address"] == "200 Park Ave"
    method = next(f.method for f in findings if f.field == "financial_data.revenue")
    assert "RevenueFromContractWithCustomerExcludingAssessedTax" in method


async def test_sec_edgar_is_skipped_outside_the_us_without_a_ticker(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Everlight Solar Ltd", country="GB")
    assert await SecEdgarSource().collect(context) == []


def test_sec_name_matching_refuses_near_miss_titles() -> None:
    rows = [{"cik_str": 1, "ticker": "ACMR", "title": "ACME ROBOTIC SYSTEMS HOLDINGS LTD"}]
    assert find_company(rows, "Acme Robotics Inc.", None) is None
    assert find_company(rows, "Anything", "acmr") == rows[0]
    assert fiscal_year_end("0928") == "September 28"
    assert fiscal_year_end("1399") is None


async def test_gleif_reads_the_record_of_the_lei_wikidata_states(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Kestrel Aerospace GmbH", country="DE")
    await WikidataSource().collect(context)
    values = _by_field(await GleifSource().collect(context))
    assert values["legal_name"] == ["Kestrel Aerospace GmbH"]
    assert values["identifiers.lei"] == ["391200KESTRELAERO0042"]
    assert values["contacts.addresses"][0]["label"] == "registered"


async def test_gleif_full_text_search_is_filtered_by_country_and_name(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Everlight Solar Ltd", country="GB")
    findings = await GleifSource().collect(context)
    assert _by_field(findings)["legal_name"] == ["Everlight Solar Ltd"]
    assert findings[0].method == "LEI full-text search, legal name matched"


async def test_wikipedia_summary_describes_a_company_whose_site_is_a_script_shell(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    context = await _context(fetcher, sandbox_settings, "Quill & Ledger Accounting Ltd", country="GB")
    await WikidataSource().collect(context)
    findings = await WikipediaSource().collect(context)
    assert [f.value for f in findings] == [
        "Quill & Ledger is an accounting firm in Edinburgh serving small businesses."
    ]
    assert findings[0].url == "https://en.wikipedia.org/api/rest_v1/page/summary/Quill_%26_Ledger"


async def test_unreachable_knowledge_services_leave_gaps_not_failures(tmp_path: Path) -> None:
    """A corpus with the company site only: every knowledge host is unknown."""
    site = tmp_path / "sites" / "acme.example"
    site.mkdir(parents=True)
    (site / "index.html").write_text('<title>Acme</title><meta property="og:site_name" content="Acme">')
    async with SandboxWeb(tmp_path) as web:
        settings = Settings(**web.settings_overrides())
        fetcher = WebFetcher(settings)
        try:
            context = await _context(fetcher, settings, "Acme")
            for source in (WikidataSource(), WikipediaSource(), SecEdgarSource(), GleifSource()):
                assert await source.collect(context) == []
        finally:
            await fetcher.aclose()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"time": "+2009-00-00T00:00:00Z", "precision": 9}, (2009, "2009"), id="year"),
        pytest.param({"time": "+2024-12-31T00:00:00Z", "precision": 11}, (2024, "2024-12-31"), id="day"),
        pytest.param({"time": "-0500-00-00T00:00:00Z", "precision": 9}, None, id="BCE"),
    ],
)
def test_wikidata_times_honour_their_precision(value: dict[str, Any], expected: Any) -> None:
    assert wd.time_of(value) == expected


def test_recorded_wikidata_answers_have_the_real_entity_shape() -> None:
    root = (
        Path(__file__).resolve().parents[2]
        / "sandbox"
        / "corpus"
        / "sites"
        / "www.wikidata.org"
        / "_responses"
    )
    entity = next(
        json.loads(path.read_text())["entities"]["Q130000001"]
        for path in sorted(root.glob("entities-*.json"))
        if "Q130000001" in json.loads(path.read_text())["entities"]
    )
    claim = entity["claims"]["P1128"][0]
    assert claim["mainsnak"]["datavalue"]["type"] == "quantity"
    assert claim["qualifiers"]["P585"][0]["datavalue"]["value"]["precision"] == 11
    assert entity["sitelinks"]["enwiki"]["title"] == "Acme Robotics"
