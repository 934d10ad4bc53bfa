"""The source plug-in protocol: open, collect findings for one company, close.

A source reads one kind of place (the company website, Wikidata, SEC EDGAR, ...) and reports
``Finding`` records; the pipeline merges findings from every source into one profile. Adding a source
is a new module implementing ``Source`` and one line in ``server.extraction.sources.registry``.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Self

from server.domain import ExtractionRequest
from server.extraction.candidates.base import CandidateFinder
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.modes import ModePlan
from server.extraction.page_pool import InlineParser, PageParser
from server.extraction.parse import PageFacts
from server.extraction.resolve import Resolution
from server.settings import Settings

EVIDENCE_CHARS = 200
"""Longest quote a finding keeps as its evidence."""


@dataclass(frozen=True)
class Finding:
    """One value a source read, and where from.

    ``field`` is a profile field path: "industry", "headquarters", "social_profiles.linkedin",
    "contacts.emails" (value: one ``{"address", "type"}`` dict), "contacts.phones" (one phone dict),
    "financial_data.revenue" (one ``MoneyFigure`` dict), "financial_data.funding_rounds" (one
    ``FundingRound`` dict), "identifiers.lei", "people" (one
    ``{"name", "role"}`` dict), "aliases" (one string). ``server.extraction.merge`` lists them all.
    """

    field: str
    value: Any
    source: str
    url: str
    retrieved_at: datetime
    method: str
    confidence: float
    # What the value was read from: the text as it stood on the page (at most ``EVIDENCE_CHARS``) or the
    # path of the value in a knowledge record (``claims.P571[0]``); None where nothing narrower than the
    # URL can be shown.
    evidence: str | None = None


@dataclass
class SharedFacts:
    """What earlier sources learnt about one company that later ones key on."""

    # Every page the website source read, parsed (site_locations and the registers read them).
    site_pages: list[tuple[FetchedPage, PageFacts]] = field(default_factory=list)
    # The company's Wikidata item (Wikipedia finds its article there, SEC its ticker, GLEIF its LEI).
    wikidata_entity: dict[str, Any] | None = None
    # The CIK sec_edgar matched, and the submissions document it read for it (Form D reuses both).
    sec_cik: int | None = None
    sec_submissions: tuple[dict[str, Any], FetchedPage] | None = None
    # The full-text search answer Form D found its own CIK in (cited by the CIK's finding).
    sec_formd_search: FetchedPage | None = None


@dataclass(frozen=True)
class SourceContext:
    """What a source gets for one company: the request, the resolved domain, the fetcher, the mode plan."""

    request: ExtractionRequest
    resolution: Resolution
    fetcher: WebFetcher
    plan: ModePlan
    shared: SharedFacts = field(default_factory=SharedFacts)
    # Parses pages off the event loop (the server's ``PagePool``); inline only in logic tests.
    parser: PageParser = field(default_factory=InlineParser)
    # Sources that could not be asked for this company (unreachable, 429 or 5xx after the fetcher's
    # retries), with why: the profile names them in ``sources_unavailable``, so their fields read as
    # "source down", not as "not found".
    unavailable: dict[str, str] = field(default_factory=dict)
    # Each source's own (the pipeline gives it its copy of the context): set once the source has left in
    # ``shared`` all it leaves there, so the sources keyed on it start while it reads on; the pipeline
    # sets it when the source ends, for a source that does not.
    shared_done: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, *fields: str) -> bool:
        """Whether the mode asks for any of these top-level fields."""
        return any(name in self.plan.fields for name in fields)

    def mark_unavailable(self, source: str, reason: str) -> None:
        """Record that ``source`` could not be asked (the first reason stays)."""
        self.unavailable.setdefault(source, reason)


class Source(ABC):
    """A place profile facts come from; a new source subclasses this and registers one line in
    ``sources/registry.py``.

    ``precedence`` breaks ties between equally confident values (lower wins: the site speaks for
    itself, then statutory records, then the encyclopaedias); each source states its own, so none can
    be left out of the ranking.
    """

    name: ClassVar[str]  # what findings and ``settings.knowledge_sources`` call it
    fields: ClassVar[
        frozenset[str]
    ]  # top-level profile fields it can state; skipped when the mode wants none
    precedence: ClassVar[int]
    # The sources whose ``SharedFacts`` this one reads: it starts once those of them configured before
    # it have left theirs (``SourceContext.shared_done``); every other source runs beside it. Each source
    # states its own, so none reads too soon.
    after: ClassVar[frozenset[str]]

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The source as these settings configure it (a key, a toggle); most need nothing from them."""
        return cls()

    @classmethod
    def domain_finders(cls, fetcher: WebFetcher) -> list[CandidateFinder]:
        """Finders of candidate domains this source offers to resolution (most offer none)."""
        return []

    def upcoming(self, fetcher: WebFetcher, requests: Sequence[ExtractionRequest]) -> None:  # noqa: B027
        """The companies about to be collected for, replacing the last list (``LookaheadExtractor``):
        a source may read ahead for them in its host's idle time; most do not."""

    @abstractmethod
    async def collect(self, context: SourceContext) -> list[Finding]:
        """Findings about ``context.request``'s company; never raises for a missing fact."""

    async def aclose(self) -> None:  # noqa: B027 - a hook: most sources hold nothing open
        """Release anything the source holds open."""
