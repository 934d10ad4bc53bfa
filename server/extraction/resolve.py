"""Finds and verifies a company's official domain: the hint first, then candidates derived from the name.

Every candidate, the hint included, is fetched and verified by fuzzy-matching the company name against
what the home page calls itself (title, og:site_name, JSON-LD name, copyright holder). Each step is
recorded in ``Resolution.notes`` (profile ``resolution_notes``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cleanco import basename
from publicsuffixlist import PublicSuffixList
from rapidfuzz import fuzz

from server.domain import ExtractionRequest
from server.errors import CompanyAnalysisError, FetchError
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.parse import PageFacts, parse_page
from server.settings import Settings

MATCH_THRESHOLD = 85.0  # rapidfuzz score (0-100) a page name must reach to verify a candidate
COUNTRY_TLD_PLACEHOLDER = "{country}"
COUNTRY_TLD_EXCEPTIONS = {"gb": "uk"}
TITLE_SEPARATORS_RE = re.compile(r"\s[|\-\u2013\u2014:\u00b7]\s")
TRANSLITERATIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o", "å": "a"})
STOPWORDS = frozenset({"the", "and", "of"})
MIN_PREFIX_WORDS = 2

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


def normalize_name(name: str) -> str:
    """Lower-case words of a name without legal suffix, accents or punctuation ("&" reads "and")."""
    text = basename(name) or name
    text = text.lower().replace("&", " and ").translate(TRANSLITERATIONS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text))


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


def domain_candidates(name: str, country: str, tlds: list[str]) -> list[str]:
    """Domains a company of this name plausibly uses, most likely first."""
    words = normalize_name(name).split()
    if not words:
        return []
    meaningful = [word for word in words if word not in STOPWORDS] or words
    slugs: list[str] = []
    for group in (words, meaningful):
        slugs += ["".join(group), "-".join(group)]
    if len(meaningful) > MIN_PREFIX_WORDS:  # "Marrowby & Finch Advisory" -> "mfadvisory"
        slugs.append("".join(word[0] for word in meaningful[:-1]) + meaningful[-1])
    for length in range(len(words) - 1, MIN_PREFIX_WORDS - 1, -1):  # brand names often drop trailing words
        if words[length - 1] not in STOPWORDS:
            slugs += ["".join(words[:length]), "-".join(words[:length])]
    slugs.append(meaningful[0])
    resolved_tlds = [_country_tld(tld, country) for tld in tlds]
    ordered = dict.fromkeys(f"{slug}.{tld}" for slug in dict.fromkeys(slugs) for tld in resolved_tlds if tld)
    return list(ordered)


def _country_tld(tld: str, country: str) -> str:
    if tld != COUNTRY_TLD_PLACEHOLDER:
        return tld.strip(".").lower()
    code = country.strip().lower()
    return COUNTRY_TLD_EXCEPTIONS.get(code, code)


def hint_domain(hint: str) -> str:
    """The host of a hint given as a domain or URL ("https://www.acme.com/x" -> "www.acme.com")."""
    text = hint.strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    return host.rstrip(".").lower()


def registrable_domain(host: str) -> str:
    """``www.shop.acme.co.uk`` -> ``acme.co.uk``."""
    host = host.lower().rstrip(".")
    return _PSL.privatesuffix(host) or host


async def resolve_domain(request: ExtractionRequest, fetcher: WebFetcher, settings: Settings) -> Resolution:
    """The company's verified domain.

    Raises:
        CompanyAnalysisError: no candidate verified; ``details`` lists what was tried and why each failed.
    """
    notes: list[str] = []
    candidates: list[tuple[str, str]] = []
    if request.domain_hint:
        candidates.append(("hint", hint_domain(request.domain_hint)))
    derived = domain_candidates(request.company_name, request.country, settings.resolve_tlds)
    candidates += [("name", domain) for domain in derived]
    tried: set[str] = set()
    for origin, domain in candidates:
        if domain in tried or not domain:
            continue
        if len(tried) >= settings.max_domain_candidates:
            notes.append(f"stopped after {settings.max_domain_candidates} candidates")
            break
        tried.add(domain)
        resolution = await _verify(request.company_name, origin, domain, fetcher, notes, request.country)
        if resolution is not None:
            return resolution
    raise CompanyAnalysisError("Company not found", details="; ".join(notes) or "no domain candidates")


async def _verify(
    name: str, origin: str, domain: str, fetcher: WebFetcher, notes: list[str], country: str
) -> Resolution | None:
    label = f"{origin} candidate {domain}"
    try:
        home = await fetcher.fetch(f"https://{domain}/")
    except FetchError as exc:
        notes.append(f"{label}: rejected, unreachable ({exc.message})")
        return None
    facts = parse_page(home.text, home.url, region=country)
    scored = [(name_match_score(name, seen), where, seen) for where, seen in page_names(facts)]
    best = max(scored, default=(0.0, "nothing", ""))
    moved = f" (redirected to {home.host})" if home.redirects else ""
    if best[0] < MATCH_THRESHOLD:
        shown = f"best {best[1]} {best[2]!r} scored {best[0]:.0f}" if scored else "page names no company"
        notes.append(f"{label}{moved}: rejected, {shown} < {MATCH_THRESHOLD:.0f}")
        return None
    notes.append(f"{label}{moved}: accepted, {best[1]} {best[2]!r} matches {name!r} ({best[0]:.0f})")
    return Resolution(
        domain=registrable_domain(home.host),
        home=home,
        facts=facts,
        score=round(best[0] / 100, 3),
        matched_on=best[1],
        notes=notes,
    )
