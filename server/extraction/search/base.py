"""The search-provider interface, and which result hosts can never be a company's own site.

A provider turns a query into ranked ``SearchResult`` records; it never decides which result is the
company. ``is_excluded_host`` skips directories, social networks, encyclopedias and news sites, which
rank high for company names but are never the official domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from publicsuffixlist import PublicSuffixList

from server.extraction.fetcher import WebFetcher

# Registrable domains that describe companies without being one's own site.
EXCLUDED_DOMAINS = frozenset(
    {
        # social networks and video
        "linkedin.com", "facebook.com", "twitter.com", "x.com", "instagram.com", "youtube.com",
        "tiktok.com", "pinterest.com", "xing.com", "github.com", "medium.com", "reddit.com",
        # directories, registries and data vendors
        "crunchbase.com", "bloomberg.com", "zoominfo.com", "dnb.com", "yelp.com", "yellowpages.com",
        "bbb.org", "glassdoor.com", "indeed.com", "opencorporates.com", "northdata.com", "kompass.com",
        "manta.com", "pitchbook.com", "owler.com", "cbinsights.com", "tracxn.com", "companieshouse.gov.uk",
        "find-and-update.company-information.service.gov.uk", "trustpilot.com", "gelbeseiten.de",
        "pagesjaunes.fr", "societe.com", "allabolag.se", "yellowpages.ca", "sec.gov", "gleif.org",
        # encyclopedias
        "wikipedia.org", "wikidata.org", "wikimedia.org",
        # news and finance portals
        "reuters.com", "nytimes.com", "wsj.com", "ft.com", "forbes.com", "businessinsider.com",
        "cnbc.com", "techcrunch.com", "prnewswire.com", "businesswire.com", "globenewswire.com",
        "finance.yahoo.com", "yahoo.com", "marketwatch.com", "bbc.co.uk", "theguardian.com",
        "handelsblatt.com", "lemonde.fr", "spiegel.de",
    }
)  # fmt: skip

_PSL = PublicSuffixList()


@dataclass(frozen=True)
class SearchResult:
    """One ranked hit of a web search."""

    url: str
    title: str
    snippet: str
    rank: int  # 1 = first


class SearchProvider(Protocol):
    """A web search engine: query in, ranked results out."""

    name: str

    async def search(self, query: str, *, country: str, language: str) -> list[SearchResult]:
        """Results for ``query`` as searched from ``country`` in ``language``.

        Raises:
            FetchError: the engine could not be asked or answered something unreadable.
        """
        ...


def excluded_reason(host: str) -> str | None:
    """Why a result host cannot be a company's own site ("directory or social network"), else None."""
    host = host.lower().rstrip(".")
    registrable = _PSL.privatesuffix(host) or host
    for candidate in (host, registrable):
        if candidate in EXCLUDED_DOMAINS:
            return f"{registrable} is a directory, social network, encyclopedia or news site"
    return None


class NoSearch:
    """The provider used when search is switched off: finds nothing."""

    name = "none"

    async def search(self, query: str, *, country: str, language: str) -> list[SearchResult]:
        return []


def build_search_provider(
    name: str, fetcher: WebFetcher, *, searxng_url: str | None, brave_api_key: str | None
) -> SearchProvider:
    """The configured provider (``settings.search_provider``)."""
    from server.extraction.search.brave import BraveSearch
    from server.extraction.search.duckduckgo import DuckDuckGoSearch
    from server.extraction.search.searxng import SearxngSearch

    if name == "duckduckgo":
        return DuckDuckGoSearch(fetcher)
    if name == "searxng":
        if not searxng_url:
            raise ValueError("search_provider=searxng needs searxng_url")
        return SearxngSearch(fetcher, searxng_url)
    if name == "brave":
        if not brave_api_key:
            raise ValueError("search_provider=brave needs brave_api_key")
        return BraveSearch(fetcher, brave_api_key)
    if name == "none":
        return NoSearch()
    raise ValueError(f"unknown search provider {name!r}")
