"""DuckDuckGo's HTML endpoint (``html.duckduckgo.com/html/``): no key, results parsed from the page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup

from server.extraction.fetcher import WebFetcher
from server.extraction.search.base import SearchResult

DUCKDUCKGO_HTML_URL = "https://html.duckduckgo.com/html/"
REDIRECT_PATH = "/l/"  # result links go through //duckduckgo.com/l/?uddg=<target>
# DuckDuckGo's region codes ("kl"), by ISO country; others fall back to "wt-wt" (no region).
REGIONS = {
    "US": "us-en", "GB": "uk-en", "DE": "de-de", "FR": "fr-fr", "CA": "ca-en", "SE": "se-sv",
    "AT": "at-de", "CH": "ch-de", "NL": "nl-nl", "ES": "es-es", "IT": "it-it", "AU": "au-en",
    "IE": "ie-en", "NO": "no-no", "DK": "dk-da", "FI": "fi-fi", "BE": "be-fr", "JP": "jp-jp",
}  # fmt: skip
NO_REGION = "wt-wt"


class DuckDuckGoSearch:
    """Searches DuckDuckGo's no-JavaScript HTML page."""

    name = "duckduckgo"

    def __init__(self, fetcher: WebFetcher, base_url: str = DUCKDUCKGO_HTML_URL) -> None:
        self._fetcher = fetcher
        self._base_url = base_url

    async def search(self, query: str, *, country: str, language: str) -> list[SearchResult]:
        """Organic results of one query in the country's region."""
        region = REGIONS.get(country.upper(), NO_REGION)
        page = await self._fetcher.fetch(
            f"{self._base_url}?{urlencode({'q': query, 'kl': region})}",
            source=f"search:{self.name}",
            known_host=True,
        )
        return parse_results(page.text, page.url)


def parse_results(html: str, page_url: str) -> list[SearchResult]:
    """Organic results of a DuckDuckGo HTML result page (ads skipped), with their real target URLs. Pure."""
    soup = BeautifulSoup(html, "lxml")
    results: list[SearchResult] = []
    # Found by class with find_all/find, not CSS selectors: soupsieve builds its selector parser on the
    # first select of the process, ~70 ms of the event loop in the middle of the first batch.
    for body in soup.find_all("div", class_="result"):
        if "result--ad" in (body.get("class") or []):
            continue
        link = body.find("a", class_="result__a")
        if link is None or not link.get("href"):
            continue
        snippet = body.find(class_="result__snippet")
        results.append(
            SearchResult(
                url=target_of(urljoin(page_url, str(link["href"]))),
                title=link.get_text(" ", strip=True),
                snippet=snippet.get_text(" ", strip=True) if snippet else "",
                rank=len(results) + 1,
            )
        )
    return results


def target_of(href: str) -> str:
    """The destination of a DuckDuckGo redirect link (``uddg`` parameter), or the link itself."""
    parts = urlsplit(href)
    if parts.path == REDIRECT_PATH:
        target = parse_qs(parts.query).get("uddg")
        if target:
            return target[0]
    return href
