"""Step 3 of the chain: the configured web search, directories, social networks and news skipped."""

from __future__ import annotations

from urllib.parse import urlsplit

from server.domain import ExtractionRequest
from server.errors import FetchError
from server.extraction.candidates.base import Candidate
from server.extraction.search.base import SearchProvider, excluded_reason

MAX_SEARCH_CANDIDATES = 4


class SearchFinder:
    """Proposes the hosts of the top organic results that can be a company's own site."""

    name = "search"

    def __init__(self, provider: SearchProvider) -> None:
        self._provider = provider

    async def find(self, request: ExtractionRequest, notes: list[str]) -> list[Candidate]:
        origin = f"search:{self._provider.name}"
        try:
            results = await self._provider.search(
                request.company_name, country=request.country, language=request.language
            )
        except FetchError as exc:
            notes.append(f"{origin}: search failed ({exc.message})")
            return []
        candidates: dict[str, Candidate] = {}
        for result in results:
            host = (urlsplit(result.url).hostname or "").lower()
            if not host or host in candidates:
                continue
            reason = excluded_reason(host)
            if reason:
                notes.append(f"{origin}: skipped result {result.rank} {host} ({reason})")
                continue
            candidates[host] = Candidate(host, origin, f"result {result.rank}: {result.title!r}")
            if len(candidates) >= MAX_SEARCH_CANDIDATES:
                break
        if not candidates:
            notes.append(f"{origin}: no usable result for {request.company_name!r}")
        return list(candidates.values())
