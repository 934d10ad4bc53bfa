"""Which of a page's printed statements are facts about the company: description, founding year, head
count and headquarters, each with the text it was read from. Pure.

The parsers (``parse``, ``statements``, ``addresses``) report everything a page prints; this module
keeps what the company says of itself:

- **description**: the meta description of the home or about page only (elsewhere it summarises that
  page: a product, an article, the terms of use), never of an article page, never a placeholder; the
  schema.org ``WebSite`` description of any page (the site's own summary).
- **founding year, head count**: statements whose subject is the company (one of its names, "we", or
  none: "Founded in 1996, ..."), on pages that are not articles.
- **headquarters**: the first address printed in the site's furniture (footer, ``<address>``), on a
  contact or imprint page, or right after the company's name ("Intel Corporation, 2200 Mission College
  Blvd., ..."); an address in an article's body or after another name is someone else's. The country is
  the address's own, else the site's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from server.extraction.addresses import PlacedAddress
from server.extraction.normalize import employee_range_for, headquarters_from
from server.extraction.page_kind import is_about_url, is_home_url
from server.extraction.parse import PageFacts
from server.extraction.statements import refers_to_company

MIN_DESCRIPTION_WORDS = 3  # "Description", "Home": a template's placeholder describes nothing
CJK_MIN_CHARS = 12  # scripts without spaces: count characters instead
# URL words of the pages where a site prints its own postal address.
# An about page may print a partner's address as readily as the company's; these pages print the company's.
CONTACT_PAGE_WORDS = (
    "contact", "kontakt", "contacto", "contatti", "impressum", "imprint", "mentions-legales",
    "aviso-legal", "legal-notice",
)  # fmt: skip
# ccTLDs sold as generic names: they say nothing about where the company is.
GENERIC_CCTLDS = frozenset(
    {
        "io",
        "co",
        "me",
        "tv",
        "ai",
        "ly",
        "fm",
        "gg",
        "to",
        "cc",
        "ws",
        "app",
        "so",
        "sh",
        "ac",
        "am",
        "im",
        "la",
    }
)
# A footer credit: the address after it is the web agency's or the host's.
CREDIT_RE = re.compile(
    r"\b(?:(?:web)?site\s+by|design(?:ed)?\s+by|developed\s+by|powered\s+by|hosted\s+by|made\s+by|"
    r"web\s*design|webdesign|realisiert\s+(?:von|durch)|umsetzung|gestaltung|programmierung|"
    r"réalisation|conception|réalisé\s+par|diseño\s+web|desarrollado\s+por|hosting)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FactFinding:
    """One value for the website source to report: field, value, how it was stated, and the quote."""

    field: str
    value: Any
    kind: str  # a key of the website source's CONFIDENCE table
    method: str
    evidence: str | None


def company_facts(
    facts: PageFacts, url: str, names: list[str], default_country: str | None
) -> list[FactFinding]:
    """The description, founding year, head count and headquarters one page states of the company."""
    found: list[FactFinding] = []
    description = page_description(facts, url)
    if description is not None:
        found.append(FactFinding("description", description, "meta", "meta description", description))
    if facts.website_description and is_meaningful_description(facts.website_description):
        text = facts.website_description
        found.append(FactFinding("description", text, "meta", "json-ld WebSite.description", text))
    if not facts.is_article:
        year = next((s for s in facts.founding if refers_to_company(s.subject, names)), None)
        if year is not None:
            found.append(
                FactFinding("founded_year", year.value, "text", "prose founding statement", year.quote)
            )
        count = next((s for s in facts.headcounts if refers_to_company(s.subject, names)), None)
        if count is not None:
            method = "prose head count"
            found.append(FactFinding("employee_count_exact", count.value, "text", method, count.quote))
            found.append(
                FactFinding("employee_count", employee_range_for(count.value), "text", method, count.quote)
            )
    placed = own_address(facts, url, names)
    if placed is not None:
        address = placed.address
        hq = headquarters_from(
            city=address.city,
            region=address.region,
            country=address.country_code,
            street=address.street,
            postal=address.postal,
            default_country=default_country,
        )
        where = "footer/<address>" if placed.in_furniture else "printed address"
        found.append(FactFinding("headquarters", hq, "text", where, address.quote))
    return found


def page_description(facts: PageFacts, url: str) -> str | None:
    """The page's meta description when it describes the company: home or about page, no article."""
    text = facts.description
    if not text or facts.is_article or not (is_home_url(url) or is_about_url(url)):
        return None
    return text if is_meaningful_description(text) else None


def is_meaningful_description(text: str) -> bool:
    """Whether a description says something: a few words (or characters, in scripts without spaces)."""
    stripped = text.strip()
    if any("\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" for char in stripped):
        return len(stripped) >= CJK_MIN_CHARS
    return len(stripped.split()) >= MIN_DESCRIPTION_WORDS


def own_address(facts: PageFacts, url: str, names: list[str]) -> PlacedAddress | None:
    """The first address the page prints as the company's own (see the module docstring)."""
    contact_page = any(word in urlsplit(url).path.lower() for word in CONTACT_PAGE_WORDS)
    for placed in facts.addresses:
        if CREDIT_RE.search(placed.lead):
            continue  # "Webdesign: Agentur X GmbH, ...": the site's maker, not the company
        if placed.in_furniture:
            return placed
        if facts.is_article:
            continue
        if contact_page or _named_before(placed.lead, names):
            return placed
    return None


def site_country(domain: str, addresses: list[PlacedAddress]) -> str | None:
    """The country a site is in: one its printed addresses state, else its country-code TLD."""
    code = next((placed.address.country_code for placed in addresses if placed.address.country_code), None)
    if code:
        return code
    tld = domain.rsplit(".", 1)[-1].lower()
    if len(tld) == 2 and tld not in GENERIC_CCTLDS:
        return "GB" if tld == "uk" else tld.upper()
    return None


def _named_before(lead: str, names: list[str]) -> bool:
    """Whether the text just before an address ends with the company's name ("Intel Corporation, ")."""
    tail = re.split(r"[.!?]\s+", lead.rstrip(" ,:;-\u2013|"))[-1].strip()
    return bool(tail) and refers_to_company(tail, names) and tail.casefold() not in ("we", "wir", "nous")
