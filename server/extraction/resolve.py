"""Finds and verifies a company's official domain through an ordered chain of candidate finders.

The chain (``default_finders``): the domain hint, Wikidata, the configured web search, then domains
derived from the name. Every candidate is fetched and verified by fuzzy-matching the company name
against what the home page calls itself (title, og:site_name, JSON-LD name, copyright holder). A site
that states another country than the requested one is set aside: it is only accepted when nothing in
the requested country verifies. Each step is recorded in ``Resolution.notes`` (``resolution_notes``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from publicsuffixlist import PublicSuffixList
from rapidfuzz import fuzz

from server.domain import ExtractionRequest
from server.errors import CompanyAnalysisError, FetchError, PageParseError
from server.extraction.candidates.base import Candidate, CandidateFinder
from server.extraction.candidates.derived import DerivedFinder, domain_candidates, normalize_name
from server.extraction.candidates.hint import HintFinder, hint_domain
from server.extraction.candidates.search import SearchFinder
from server.extraction.candidates.wikidata import WikidataFinder
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.normalize import headquarters_from_lines, headquarters_from_schema
from server.extraction.page_pool import InlineParser, PageParser
from server.extraction.parse import PageFacts
from server.extraction.search.base import build_search_provider
from server.settings import Settings

__all__ = ["Resolution", "domain_candidates", "hint_domain", "normalize_name", "resolve_domain"]

MATCH_THRESHOLD = 85.0  # rapidfuzz score (0-100) a page name must reach to verify a candidate
TITLE_SEPARATORS_RE = re.compile(r"\s[|\-\u2013\u2014:\u00b7]\s")

_PSL = PublicSuffixList()


@dataclass(frozen=True)
class Resolution:
    """A verified domain, its home page (fetched and parsed) and why it was chosen."""

    domain: str
    home: FetchedPage
    facts: PageFacts
    score: float  # 0-1, how well the page's name matched
    matched_on: str
    notes: list[str] = field(default_factory=list)
    origin: str = "name"  # the finder that proposed the domain
    site_country: str | None = None  # ISO code the site states for itself
    wikidata_entity: dict[str, Any] | None = None  # the item that proposed the domain, if any


def name_match_score(name: str, page_name: str) -> float:
    """How well a page's self-description matches a company name, 0-100 (word- and spacing-tolerant)."""
    wanted, seen = normalize_name(name), normalize_name(page_name)
    if not wanted or not seen:
        return 0.0
    compact = fuzz.ratio(wanted.replace(" ", ""), seen.replace(" ", ""))
    return max(float(fuzz.token_set_ratio(wanted, seen)), float(compact))


def page_names(facts: PageFacts) -> list[tuple[str, str]]:
    """(where, name) pairs a home page gives itself."""
    names: list[tuple[str, str]] = []
    for org in facts.organizations:
        for key in ("name", "legalName", "alternateName"):
            if isinstance(org.get(key), str):
                names.append((f"structured data {key}", org[key]))
    if facts.site_name:
        names.append(("og:site_name", facts.site_name))
    if facts.title:
        names.extend(("title", part) for part in TITLE_SEPARATORS_RE.split(facts.title) if part.strip())
    if facts.copyright_holder:
        names.append(("copyright line", facts.copyright_holder))
    return names


def site_country(facts: PageFacts) -> str | None:
    """The ISO country a page states for its company (structured address, else a printed address)."""
    for org in facts.organizations:
        code = headquarters_from_schema(org.get("address")).get("country_code")
        if code:
            return str(code)
    code = headquarters_from_lines(facts.address_lines).get("country_code")
    return str(code) if code else None


def registrable_domain(host: str) -> str:
    """``www.shop.acme.co.uk`` -> ``acme.co.uk``."""
    host = host.lower().rstrip(".")
    return _PSL.privatesuffix(host) or host


def default_finders(fetcher: WebFetcher, settings: Settings) -> list[CandidateFinder]:
    """The resolution chain for these settings, in order."""
    finders: list[CandidateFinder] = [HintFinder()]
    if "wikidata" in settings.knowledge_sources:
        finders.append(WikidataFinder(fetcher))
    provider = build_search_provider(
        settings.search_provider,
        fetcher,
        searxng_url=settings.searxng_url,
        brave_api_key=settings.brave_api_key,
    )
    if provider.name != "none":
        finders.append(SearchFinder(provider))
    finders.append(DerivedFinder(settings.resolve_tlds))
    return finders


async def resolve_domain(
    request: ExtractionRequest,
    fetcher: WebFetcher,
    settings: Settings,
    finders: Sequence[CandidateFinder] | None = None,
    *,
    parser: PageParser | None = None,
) -> Resolution:
    """The company's verified domain.

    ``parser`` parses the candidates' home pages (the server's ``PagePool``, off the event loop); without
    one they are parsed inline, which only tests of the resolution logic should do.

    Raises:
        CompanyAnalysisError: no candidate verified; ``details`` lists what was tried and why each failed.
    """
    chain = list(finders) if finders is not None else default_finders(fetcher, settings)
    notes: list[str] = []
    tried: set[str] = set()
    elsewhere: Resolution | None = None  # verified, but the site states another country
    pages = parser if parser is not None else InlineParser()
    for finder in chain:
        for candidate in await finder.find(request, notes):
            if not candidate.domain or candidate.domain in tried:
                continue
            if len(tried) >= settings.max_domain_candidates:
                notes.append(f"stopped after {settings.max_domain_candidates} candidates")
                return _fallback(elsewhere, notes)
            tried.add(candidate.domain)
            resolution = await _verify(request, candidate, fetcher, pages, notes)
            if resolution is None:
                continue
            if resolution.site_country and resolution.site_country != request.country.upper():
                notes[-1] = notes[-1].replace(": accepted", ": set aside") + (
                    f", but the site states country {resolution.site_country}, not {request.country.upper()}"
                )
                elsewhere = elsewhere or resolution
                continue
            return resolution
    return _fallback(elsewhere, notes)


def _fallback(elsewhere: Resolution | None, notes: list[str]) -> Resolution:
    if elsewhere is None:
        raise CompanyAnalysisError("Company not found", details="; ".join(notes) or "no domain candidates")
    notes.append(f"accepted {elsewhere.domain}: nothing in the requested country verified")
    return elsewhere


async def _verify(
    request: ExtractionRequest,
    candidate: Candidate,
    fetcher: WebFetcher,
    parser: PageParser,
    notes: list[str],
) -> Resolution | None:
    label = f"{candidate.origin} candidate {candidate.domain}"
    try:
        home = await fetcher.fetch(f"https://{candidate.domain}/")
    except FetchError as exc:
        notes.append(f"{label}: rejected, unreachable ({exc.message})")
        return None
    try:
        facts = await parser.parse(home.text, home.url, region=request.country)
    except PageParseError as exc:  # a page nobody can read within budget verifies nothing
        notes.append(f"{label}: rejected, {exc.message} ({exc.details})")
        return None
    name = request.company_name
    scored = [(name_match_score(name, seen), where, seen) for where, seen in page_names(facts)]
    best = max(scored, default=(0.0, "nothing", ""))
    moved = f" (redirected to {home.host})" if home.redirects else ""
    if best[0] < MATCH_THRESHOLD:
        shown = f"best {best[1]} {best[2]!r} scored {best[0]:.0f}" if scored else "page names no company"
        notes.append(f"{label}{moved}: rejected, {shown} < {MATCH_THRESHOLD:.0f}")
        return None
    matched = f"{best[1]} {best[2]!r} matches {name!r} ({best[0]:.0f})"
    notes.append(f"{label}{moved}: accepted, {matched}; {candidate.reason}")
    return Resolution(
        domain=registrable_domain(home.host),
        home=home,
        facts=facts,
        score=round(best[0] / 100, 3),
        matched_on=best[1],
        notes=notes,
        origin=candidate.origin,
        site_country=site_country(facts),
        wikidata_entity=candidate.wikidata_entity,
    )
