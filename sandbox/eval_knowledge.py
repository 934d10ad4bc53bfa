"""Scores the knowledge sources alone on companies a corpus knows only from knowledge records.

Such a company (``knowledge_only: true``) has no site, so the service rightly fails it (nothing to verify
a domain against) and its profile never reaches the API; yet the truth documents what its records state
(identifiers, legal name, address, phone, fiscal year end). This run asks the production knowledge
sources for it directly (``server.extraction.sources.registry.knowledge_sources``, the real ``WebFetcher``
against the sandbox web serving the corpus, page caps and all), merges their findings with the
production merge, and scores the fields the truth states for the company (a record's truth transcribes
those fields; a field it leaves out entirely, such as the sector derived from the SIC label, is not
scored), so a broken SEC parse shows as a number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.eval_report import FIELDS, Run, expected_outcome, score_fields
from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.modes import plan_for
from server.extraction.parse import PageFacts
from server.extraction.profile import build_profile
from server.extraction.resolve import Resolution
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.registry import knowledge_sources
from server.settings import Settings

RECORDS_MODE = ExtractionMode.COMPREHENSIVE  # asks for every field a record can state
SITE_FIELDS = ("company_name", "domain", "website")  # what only a site gives; never scored here


def no_site() -> Resolution:
    """The resolution of a company without a site: no domain, no home page (so nothing keys on one)."""
    home = FetchedPage("", 0, "", "", datetime.now(UTC))
    return Resolution("", home, PageFacts(""), 0.0, "nothing", origin="none")


async def score_records(settings: Settings, companies: list[dict[str, Any]], corpus: str) -> Run | None:
    """The knowledge-only companies' record fields, scored; None when the corpus has none."""
    known = [c for c in companies if c.get("knowledge_only") and expected_outcome(c) == "failed"]
    if not known:
        return None
    run = Run(corpus, True, setting="records")
    plan = plan_for(RECORDS_MODE)
    fetcher = WebFetcher(settings)
    sources = knowledge_sources(settings)
    try:
        for company in known:
            request = ExtractionRequest(company["name"], RECORDS_MODE, company["country"])
            context = SourceContext(request=request, resolution=no_site(), fetcher=fetcher, plan=plan)
            findings: list[Finding] = []
            for source in sources:
                if context.wants(*source.fields):
                    findings += await source.collect(context)
            profile = build_profile(request, context.resolution, findings, plan)
            stated = company.get("profile") or {}
            fields = [
                name
                for name, (path, asks) in FIELDS.items()
                if asks in plan.fields and name not in SITE_FIELDS and path[0] in stated
            ]
            score_fields(run, f"{company['name']} ({company['country']}, records)", company, profile, fields)
    finally:
        for source in sources:
            await source.aclose()
        await fetcher.aclose()
    return run
