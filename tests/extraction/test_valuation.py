"""Valuation: a listed company's market capitalization with its date and currency, never a computed one."""

from __future__ import annotations

from sandbox.eval_knowledge import no_site
from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.profile import build_profile
from server.extraction.resolve import resolve_domain
from server.extraction.sources.base import SourceContext
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.sec_edgar import SecEdgarSource
from server.extraction.sources.wikidata import WikidataSource
from server.settings import Settings

MODE = ExtractionMode.FINANCIAL_FOCUSED


async def test_a_listed_company_is_valued_at_its_latest_market_capitalization(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    request = ExtractionRequest("Obsidian Dynamics Corp.", mode=MODE, country="US")
    resolution = await resolve_domain(
        request, fetcher, sandbox_settings, domain_finders(fetcher, sandbox_settings)
    )
    context = SourceContext(request, resolution, fetcher, plan_for(MODE))
    findings = await WikidataSource().collect(context) + await SecEdgarSource().collect(context)
    profile = build_profile(request, resolution, findings, plan_for(MODE))
    financial = profile["financial_data"]
    assert financial["valuation"] == financial["market_cap"] == "$18.6B"
    (valuation,) = [figure for figure in financial["figures"] if figure["kind"] == "valuation"]
    assert (valuation["amount"], valuation["currency"], valuation["period"]) == (18.6e9, "USD", "2024-12-31")
    where = profile["provenance"]["financial_data.valuation"]
    assert where["source"] == "wikidata" and where["evidence"].startswith("claims.P2226")
    assert "shares_outstanding" in financial  # stated, but multiplied by no price: none is recorded
    assert "financial_data.valuation" not in profile["not_found"]


def test_without_a_stated_valuation_it_is_not_found() -> None:
    request = ExtractionRequest("Quiet Private Co", mode=MODE, country="US")
    profile = build_profile(request, no_site(), [], plan_for(MODE))
    assert "financial_data.valuation" in profile["not_found"]
    assert "financial_data.funding_raised" in profile["not_found"]
    basic = build_profile(request, no_site(), [], plan_for(ExtractionMode.BASIC))
    assert not [path for path in basic["not_found"] if path.startswith("financial_data")]
