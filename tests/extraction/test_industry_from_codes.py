"""A filer's SIC code through the whole extractor over the sandbox web: the profile's industry is the code
list's title, its sector the code's, the code an identifier, and a site's differing wording is named in
the sector's provenance rather than deciding it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest, Profile
from server.extraction.pipeline import WebExtractor
from server.settings import Settings

# cik -> (ticker, registered title, sic, sicDescription as EDGAR writes it, the site's JSON-LD industry)
FILERS: dict[int, tuple[str, str, str, str, str | None]] = {
    2001: ("KSTL", "Kestrel Ledger Inc.", "7372", "SERVICES-PREPACKAGED SOFTWARE", "Management Consulting"),
    2002: ("HRWS", "Harrowgate Systems Inc.", "7370", "SERVICES-COMPUTER PROGRAMMING, DATA PROCESSING, ETC.",
           None),
    2003: ("QMRK", "Quillmark Holdings Inc.", "99x", "NOT A CODE", None),
}  # fmt: skip


def _write_json(folder: Path, name: str, document: Any) -> str:
    (folder / "_responses").mkdir(parents=True, exist_ok=True)
    (folder / "_responses" / name).write_text(json.dumps(document), "utf-8")
    return f"_responses/{name}"


def _site(title: str, industry: str | None) -> str:
    organization = {"@context": "https://schema.org", "@type": "Organization", "name": title}
    if industry:
        organization["industry"] = industry
    return (
        f"<html><head><title>{title}</title><script type='application/ld+json'>{json.dumps(organization)}"
        f"</script></head><body><h1>{title}</h1></body></html>"
    )


def _build_corpus(root: Path) -> None:
    sec, data = root / "sites" / "www.sec.gov", root / "sites" / "data.sec.gov"
    sec.mkdir(parents=True)
    data.mkdir(parents=True)
    tickers = {str(n): {"cik_str": cik, "ticker": ticker, "title": title.upper()}
               for n, (cik, (ticker, title, *_)) in enumerate(FILERS.items())}  # fmt: skip
    body = _write_json(sec, "company_tickers.json", tickers)
    (sec / "_meta.json").write_text(json.dumps({"routes": [{"path": "/files/company_tickers.json",
                                    "content_type": "application/json", "body_file": body}]}))  # fmt: skip
    routes: list[dict[str, Any]] = []
    for cik, (ticker, title, sic, description, industry) in FILERS.items():
        submissions = {"cik": str(cik), "entityType": "operating", "sic": sic, "sicDescription": description,
                       "name": title.upper(), "tickers": [ticker], "exchanges": ["Nasdaq"],
                       "addresses": {"business": {"street1": "1 MAIN ST", "city": "BOSTON",
                                                  "stateOrCountry": "MA", "zipCode": "02110"}}}  # fmt: skip
        routes.append({"path": f"/submissions/CIK{cik:010d}.json", "content_type": "application/json",
                       "body_file": _write_json(data, f"submissions-{cik}.json", submissions)})  # fmt: skip
        routes.append({"path": f"/api/xbrl/companyfacts/CIK{cik:010d}.json", "status": 404})
        site = root / "sites" / f"{title.split()[0].lower()}.example"
        site.mkdir(parents=True)
        (site / "index.html").write_text(_site(title, industry), "utf-8")
    (data / "_meta.json").write_text(json.dumps({"routes": routes}))


@pytest.fixture
async def extractor(tmp_path: Path) -> AsyncIterator[WebExtractor]:
    _build_corpus(tmp_path)
    async with SandboxWeb(tmp_path) as web:
        overrides = {
            **web.settings_overrides(),
            "knowledge_sources": ["sec_edgar"],
            "search_provider": "none",
        }
        web_extractor = WebExtractor(Settings(**overrides, fetch_timeout_seconds=5.0))
        try:
            yield web_extractor
        finally:
            await web_extractor.aclose()


async def _profile(extractor: WebExtractor, name: str) -> Profile:
    return await extractor.extract(ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country="US"))


async def test_the_code_decides_the_sector_over_the_sites_wording(extractor: WebExtractor) -> None:
    profile = await _profile(extractor, "Kestrel Ledger Inc.")
    assert profile["identifiers"]["us_sic"] == "7372"
    assert profile["industry"] == "Management Consulting"  # the site's own wording, better sourced
    assert profile["sector"] == "Technology"  # SIC 7372, not the "Professional Services" of "consulting"
    sector = profile["provenance"]["sector"]
    assert sector["source"] == "sec_edgar"
    assert "SIC 1987 7372" in sector["method"]
    assert [(r["value"], r["source"]) for r in sector["rivals"]] == [("Professional Services", "website")]
    assert profile["provenance"]["identifiers.us_sic"]["evidence"] == "sic"


async def test_a_group_level_sec_code_is_labelled_by_the_filing(extractor: WebExtractor) -> None:
    profile = await _profile(extractor, "Harrowgate Systems Inc.")
    assert profile["identifiers"]["us_sic"] == "7370"  # as filed; the SIC manual lists only group 737
    assert profile["industry"] == "Services-Computer Programming, Data Processing, Etc."
    assert profile["provenance"]["industry"]["evidence"] == "sicDescription"
    assert profile["sector"] == "Technology"
    assert "SIC 1987 737" in profile["provenance"]["sector"]["method"]


async def test_a_code_no_list_knows_states_no_industry(extractor: WebExtractor) -> None:
    profile = await _profile(extractor, "Quillmark Holdings Inc.")
    assert profile["identifiers"]["cik"] == "0000002003"  # the filing was read
    assert "us_sic" not in profile["identifiers"]
    assert "industry" not in profile and "sector" not in profile
