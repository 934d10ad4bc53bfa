"""Finds and verifies a company's official domain through an ordered chain of candidate finders.

The chain (``default_finders``): the domain hint, the finders the sources offer (Wikidata's), the
configured web search, then domains derived from the name. Every candidate is fetched and verified by
fuzzy-matching the company name against what the home page calls itself (title, og:site_name, JSON-LD
name, copyright holder). A site that states another country than the requested one is set aside: it
is only accepted when nothing in the requested country verifies. Each step is recorded in
``Resolution.notes`` (``resolution_notes``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from publicsuffixlist import PublicSuffixList
from rapidfuzz import fuzz

from server.domain import ExtractionRequest, SourceState
from server.errors import CompanyAnalysisError, FetchError, PageParseError
from server.extraction import outcomes
from server.extraction.candidates.base import Candidate, CandidateFinder
from server.extraction.candidates.derived import (
    MIN_INITIALS,
    STOPWORDS,
    DerivedFinder,
    domain_candidates,
    is_hostname,
    normalize_name,
)
from server.extraction.candidates.hint import HintFinder, hint_domain
from server.extraction.candidates.search import SearchFinder
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.match import MatchCandidate
from server.extraction.normalize import headquarters_from_lines, headquarters_from_schema
from server.extraction.page_pool import InlineParser, PageParser
from server.extraction.parse import PageFacts
from server.extraction.search.base import build_search_provider
from server.extraction.sources import wikidata_api as wd
from server.settings import Settings

__all__ = ["Resolution", "domain_candidates", "hint_domain", "normalize_name", "resolve_domain"]

EVIDENCE_CHARS = 200  # sources.base.EVIDENCE_CHARS (not imported: sources import this module)
MATCH_THRESHOLD = 85.0  # rapidfuzz score (0-100) a page name must reach to verify a candidate
TITLE_SEPARATORS_RE = re.compile(r"\s[|\-\u2013\u2014:\u00b7]\s")
# First word of the Unicode names of letters whose scripts write words without spaces between them.
UNSPACED_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"})
WWW = "www."
HINT_ORIGIN = "hint"
SITE_SOURCE = "website"  # a candidate's home page is recorded as "website:<domain>"

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
    # Every domain considered, in order, with its name-match score (shared with ``notes``' list order).
    candidates: list[MatchCandidate] = field(default_factory=list)
    matched_name: str = ""  # the page's own name that verified it, as the page states it


def name_match_score(name: str, page_name: str) -> float:
    """How well a page's self-description matches a company name, 0-100 (word- and spacing-tolerant).

    Both sides are transliterated to ASCII (``normalize_name``) and spelled phonetically where Latin
    spellings of one sound differ ("x" reads "ks"), so "Яндекс" (yandeks) matches "Yandex".
    """
    wanted, seen = _phonetic(normalize_name(name)), _phonetic(normalize_name(page_name))
    if not wanted or not seen:
        return 0.0
    compact = fuzz.ratio(wanted.replace(" ", ""), seen.replace(" ", ""))
    return max(float(fuzz.token_set_ratio(wanted, seen)), float(compact))


def _phonetic(text: str) -> str:
    return text.replace("x", "ks")


def names_exactly(name: str, text: str) -> bool:
    """Whether ``text`` contains ``name`` as written (case aside): word-bounded in scripts that space
    words, anywhere in those that do not (Chinese, Japanese: "星河" in "星河首页")."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return False
    haystack = " ".join(text.split()).casefold()
    if not any(char.isascii() or _spaces_words(char) for char in wanted):
        return wanted in haystack
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", haystack) is not None


def _spaces_words(char: str) -> bool:
    """Whether a letter belongs to a script that separates words by spaces (not CJK, Thai, ...)."""
    if not char.isalpha():
        return True
    return unicodedata.name(char, "").split(" ", 1)[0] not in UNSPACED_SCRIPTS


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
    names.extend(("logo alt text", text) for text in facts.logo_texts)
    names.extend(("article publisher", name) for name in facts.publishers)
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


def default_finders(
    fetcher: WebFetcher, settings: Settings, offered: Sequence[CandidateFinder] = ()
) -> list[CandidateFinder]:
    """The resolution chain for these settings, in order; ``offered``: the finders the extraction
    sources offer (``Source.domain_finders``), which the pipeline hands in."""
    finders: list[CandidateFinder] = [HintFinder(), *offered]
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
    considered: list[MatchCandidate] = []
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
            resolution = await _verify(request, candidate, fetcher, pages, notes, considered)
            if resolution is None:
                continue
            if resolution.site_country and resolution.site_country != request.country.upper():
                notes[-1] = notes[-1].replace(": accepted", ": set aside") + (
                    f", but the site states country {resolution.site_country}, not {request.country.upper()}"
                )
                considered[-1] = MatchCandidate(considered[-1].domain, considered[-1].score, "set_aside")
                elsewhere = elsewhere or resolution
                continue
            return resolution
    return _fallback(elsewhere, notes)


def _fallback(elsewhere: Resolution | None, notes: list[str]) -> Resolution:
    if elsewhere is None:
        raise CompanyAnalysisError("Company not found", details="; ".join(notes) or "no domain candidates")
    notes.append(f"accepted {elsewhere.domain}: nothing in the requested country verified")
    chosen = elsewhere.candidates
    for index, seen in enumerate(chosen):
        if seen.domain == elsewhere.domain and seen.outcome == "set_aside":
            chosen[index] = MatchCandidate(seen.domain, seen.score, "accepted")
            break
    return elsewhere


async def _verify(
    request: ExtractionRequest,
    candidate: Candidate,
    fetcher: WebFetcher,
    parser: PageParser,
    notes: list[str],
    considered: list[MatchCandidate],
) -> Resolution | None:
    label = f"{candidate.origin} candidate {candidate.domain}"
    home = await _fetch_home(candidate.domain, fetcher, notes, label)
    if home is None:
        considered.append(MatchCandidate(candidate.domain, 0.0, "unreachable"))
        return None
    try:
        facts = await parser.parse(home.text, home.url, region=request.country)
    except PageParseError as exc:  # a page nobody can read within budget verifies nothing
        notes.append(f"{label}: rejected, {exc.message} ({exc.details})")
        considered.append(MatchCandidate(candidate.domain, 0.0, "rejected"))
        return None
    # The item that proposed the domain names the company in every language it has a label or alias in.
    names = list(dict.fromkeys([request.company_name, *wd.item_names(candidate.wikidata_entity)]))
    scored = [_best_name_score(names, where, seen) for where, seen in page_names(facts)]
    best = max(scored, default=(0.0, "nothing", "", request.company_name))
    moved = f" (redirected to {home.host})" if home.redirects else ""
    moved = moved or (f" (answered at {home.host})" if home.host != candidate.domain else "")
    if best[0] >= MATCH_THRESHOLD:
        matched = f"{best[1]} {best[2]!r} matches {best[3]!r} ({best[0]:.0f})"
    else:
        vouched = _vouched(request.company_name, candidate, facts, home)
        if vouched is None:
            shown = f"best {best[1]} {best[2]!r} scored {best[0]:.0f}" if scored else "page names no company"
            notes.append(f"{label}{moved}: rejected, {shown} < {MATCH_THRESHOLD:.0f}")
            considered.append(MatchCandidate(candidate.domain, round(best[0] / 100, 3), "rejected"))
            return None
        best = (MATCH_THRESHOLD, vouched[0], vouched[1], request.company_name)
        on_hint = ", on the hinted domain" if candidate.origin == HINT_ORIGIN else ""
        matched = (
            f"{vouched[0]} {vouched[1]!r} and the page names {request.company_name!r} as written{on_hint}"
        )
    domain = registrable_domain(home.host)
    own = registrable_domain(candidate.domain)
    if domain != own and same_brand(domain, own):
        # google.com -> google.de: a country edition of the same brand; the company is the one asked for.
        matched += f"; {domain} is a country edition of {own}"
        domain = own
    notes.append(f"{label}{moved}: accepted, {matched}; {candidate.reason}")
    considered.append(MatchCandidate(domain, round(best[0] / 100, 3), "accepted"))
    return Resolution(
        domain=domain,
        home=home,
        facts=facts,
        score=round(best[0] / 100, 3),
        matched_on=best[1],
        notes=notes,
        origin=candidate.origin,
        site_country=site_country(facts),
        wikidata_entity=candidate.wikidata_entity,
        candidates=considered,
        matched_name=best[2][:EVIDENCE_CHARS],
    )


async def _fetch_home(domain: str, fetcher: WebFetcher, notes: list[str], label: str) -> FetchedPage | None:
    """The home page of ``domain``; a bare domain that does not answer is tried at ``www.`` once.

    Many sites serve only ``www.``: their apex does not resolve, refuses the connection or answers with
    an error. The retry is not a candidate of its own (``max_domain_candidates``): counting it would
    push likely domains out of the budget (a two-word brand at its first word's ``.com``), and for a
    name that does not exist it costs one more failed lookup. An apex that timed out is a host that
    exists but hangs: its ``www.`` is not tried, since a second timeout would double a dead site's cost.
    """
    if not is_hostname(domain):  # a hint can be "xn--" that is no punycode: no request can be made
        notes.append(f"{label}: rejected, not a valid hostname")
        return None
    # The apex and its www. are one source: whichever answers is the site's answer.
    source = f"{SITE_SOURCE}:{domain}"
    report = outcomes.current()
    try:
        page = await fetcher.fetch(f"https://{domain}/")
    except FetchError as exc:
        timed_out = isinstance(exc.__cause__, TimeoutError)
        if timed_out or domain.startswith(WWW) or registrable_domain(domain) != domain:
            notes.append(f"{label}: rejected, unreachable ({exc.message})")
            if report is not None:
                report.record_error(source, exc, known_host=False)
            return None
        first = exc
    else:
        if report is not None:
            report.record(source, SourceState.OK)
        return page
    try:
        page = await fetcher.fetch(f"https://{WWW}{domain}/")
    except FetchError as exc:
        notes.append(f"{label}: rejected, unreachable ({first.message}; {WWW}{domain}: {exc.message})")
        if report is not None:
            # The apex's failure tells unless it was only a missing name and the www. one did not answer.
            worse = exc if first.state.answered else first
            report.record_error(source, worse, known_host=False)
        return None
    if report is not None:
        report.record(source, SourceState.OK)
    return page


def _best_name_score(names: list[str], where: str, seen: str) -> tuple[float, str, str, str]:
    """(score, where, page name, the company name it matched best) over every name of the company."""
    score, name = max((name_match_score(name, seen), name) for name in names)
    return score, where, seen, name


def _vouched(name: str, candidate: Candidate, facts: PageFacts, home: FetchedPage) -> tuple[str, str] | None:
    """(where, what) shows that a page no name signal matches is still the company's, or None.

    A site whose domain is the name's initials, that calls itself by them ("NEF in 2015" on nef.org)
    and states the full name as written ("The Nordwind Energy Foundation"), is the company's; a
    news site titled with the initials is not (its domain spells something else). With a domain hint
    the caller named the domain, so the page only has to show it is about the company rather than
    someone else: one of its names contains the submitted name as written ("星河" in the title
    "星河首页"), or the hinted domain spells the name or its initials and the page states the name.
    """
    words = [word for word in normalize_name(name).split() if word not in STOPWORDS]
    initials = "".join(word[0] for word in words) if len(words) >= MIN_INITIALS else ""
    spelled = brand_label(registrable_domain(home.host)).replace("-", "")
    text: str | None = None
    if initials and spelled == initials:
        for where, seen in page_names(facts):
            if initials in normalize_name(seen).split():
                text = html.unescape(home.text)
                if names_exactly(name, text):
                    return f"{where} (initials)", seen
                break
    if candidate.origin != HINT_ORIGIN:
        return None
    for where, seen in page_names(facts):
        if names_exactly(name, seen):
            return where, seen
    spelled = brand_label(registrable_domain(candidate.domain)).replace("-", "")
    if spelled and spelled in {"".join(words), initials}:
        text = text if text is not None else html.unescape(home.text)
        if names_exactly(name, text):
            return "page text", name
    return None


def same_brand(domain: str, other: str) -> bool:
    """Whether two registrable domains are one brand: equal, or country editions (google.com, google.de)."""
    return domain == other or brand_label(domain) == brand_label(other)


def brand_label(domain: str) -> str:
    """``acme.co.uk`` -> ``acme``: a registrable domain without its public suffix."""
    suffix = _PSL.publicsuffix(domain) or ""
    return domain[: -len(suffix) - 1] if suffix and domain.endswith(f".{suffix}") else domain
