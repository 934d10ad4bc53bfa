"""Brave Search API (``api.search.brave.com/res/v1/web/search``), authenticated by subscription token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from server.extraction.fetcher import WebFetcher
from server.extraction.search.base import SearchResult

BRAVE_SEARCH_URL = "https://api.search.brave.com/res/v1/web/search"
TOKEN_HEADER = "X-Subscription-Token"


class BraveSearch:
    """Searches the Brave Search API with a configured key."""

    name = "brave"

    def __init__(self, fetcher: WebFetcher, api_key: str, base_url: str = BRAVE_SEARCH_URL) -> None:
        self._fetcher = fetcher
        self._api_key = api_key
        self._base_url = base_url

    async def search(self, query: str, *, country: str, language: str) -> list[SearchResult]:
        """Web results of one query for the country and language."""
        params = {"q": query, "country": country.upper(), "search_lang": language}
        document, _ = await self._fetcher.fetch_json(
            f"{self._base_url}?{urlencode(params)}",
            headers={TOKEN_HEADER: self._api_key},
            source=f"search:{self.name}",
        )
        return parse_results(document)


def parse_results(document: Any) -> list[SearchResult]:
    """``web.results`` of a Brave answer, in order. Pure."""
    web = document.get("web", {}) if isinstance(document, dict) else {}
    items = web.get("results", []) if isinstance(web, dict) else []
    return [
        SearchResult(
            url=str(item["url"]),
            title=str(item.get("title", "")),
            snippet=str(item.get("description", "")),
            rank=rank,
        )
        for rank, item in enumerate((i for i in items if isinstance(i, dict) and i.get("url")), start=1)
    ]
