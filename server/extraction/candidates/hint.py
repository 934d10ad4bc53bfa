"""Step 1 of the chain: the caller's domain hint."""

from __future__ import annotations

from urllib.parse import urlsplit

from server.domain import ExtractionRequest
from server.extraction.candidates.base import Candidate


def hint_domain(hint: str) -> str:
    """The host of a hint given as a domain or URL ("https://www.acme.com/x" -> "www.acme.com")."""
    text = hint.strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    return host.rstrip(".").lower()


class HintFinder:
    """Proposes the request's ``domain_hint``."""

    name = "hint"

    async def find(self, request: ExtractionRequest, notes: list[str]) -> list[Candidate]:
        if not request.domain_hint or not hint_domain(request.domain_hint):
            return []
        return [Candidate(hint_domain(request.domain_hint), "hint", "given as domain_hints")]
