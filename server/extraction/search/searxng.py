"""A SearXNG instance's JSON API (``/search?format=json``); the instance must enable the json format."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from server.extraction.fetcher import WebFetcher
from server.extraction.search.base import SearchResult


class SearxngSearch:
    """Searches a configured SearXNG instance."""

    name = "searxng"

    def __init__(self, fetcher: WebFetcher, base_url: str) -> None:
        self._fetcher = fetcher
        self._base_url = base_url.rstrip("/")

    async def search(self, query: str, *, country: str, language: str) -> list[SearchResult]:
        """Results of one query; SearXNG takes a locale like ``de-DE``."""
        params = {"q": query, "format": "json", "language": f"{language}-{country.upper()}"}
        document, _ = await self._fetcher.fetch_json(
            f"{self._base_url}/search?{urlencode(params)}", source=f"search:{self.name}"
        )
        return parse_results(document)


def parse_results(document: Any) -> list[SearchResult]:
    """``results`` of a SearXNG JSON answer, in order. Pure."""
    items = document.get("results", []) if isinstance(document, dict) else []
    return [
        SearchResult(
            url=str(item["url"]),
            title=str(item.get("title", "")),
            snippet=str(item.get("content", "")),
            rank=rank,
        )
        for rank, item in enumerate((i for i in items if isinstance(i, dict) and i.get("url")), start=1)
    ]
