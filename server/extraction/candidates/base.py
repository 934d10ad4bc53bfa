"""The candidate-finder protocol: propose domains for a company, each with the reason it was proposed.

Finders only propose; ``server.extraction.resolve`` verifies every candidate against the fetched home
page. Finders run in order and lazily: a later finder is asked only when no earlier candidate verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from server.domain import ExtractionRequest


@dataclass(frozen=True)
class Candidate:
    """A domain to verify, where it came from and why."""

    domain: str  # a host name ("www.acme.com" or "acme.com")
    origin: str  # "hint", "wikidata", "search:duckduckgo", "name"
    reason: str
    wikidata_entity: dict[str, Any] | None = field(default=None, compare=False)


class CandidateFinder(Protocol):
    """One step of the resolution chain."""

    name: str

    async def find(self, request: ExtractionRequest, notes: list[str]) -> list[Candidate]:
        """Candidates for ``request``, most likely first; appends to ``notes`` why it chose or skipped.

        Never raises for an unreachable service: that is a note and an empty list.
        """
        ...
