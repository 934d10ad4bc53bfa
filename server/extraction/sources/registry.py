"""Every extraction source, by name: the one place a source is registered (one line each).

``settings.knowledge_sources`` picks and orders the knowledge sources; the site sources are asked for
every company, first in that order (a source waits only for the earlier ones it names in its ``after``).
A source's tie-break rank is its own ``precedence``.
"""

from __future__ import annotations

from server.extraction.candidates.base import CandidateFinder
from server.extraction.fetcher import WebFetcher
from server.extraction.resolve import default_finders
from server.extraction.sources.base import Source
from server.extraction.sources.brreg import BrregSource
from server.extraction.sources.companies_house import CompaniesHouseSource
from server.extraction.sources.gleif import GleifSource
from server.extraction.sources.recherche_entreprises import RechercheEntreprisesSource
from server.extraction.sources.sec_edgar import SecEdgarSource
from server.extraction.sources.sec_formd import SecFormDSource
from server.extraction.sources.site_locations import SiteLocationsSource
from server.extraction.sources.website import WebsiteSource
from server.extraction.sources.wikidata import WikidataSource
from server.extraction.sources.wikipedia import WikipediaSource
from server.settings import Settings

SOURCES: dict[str, type[Source]] = {
    WebsiteSource.name: WebsiteSource,
    SiteLocationsSource.name: SiteLocationsSource,  # after website: reads the pages it parsed
    WikidataSource.name: WikidataSource,
    WikipediaSource.name: WikipediaSource,
    SecEdgarSource.name: SecEdgarSource,
    SecFormDSource.name: SecFormDSource,
    GleifSource.name: GleifSource,
    BrregSource.name: BrregSource,
    RechercheEntreprisesSource.name: RechercheEntreprisesSource,
    CompaniesHouseSource.name: CompaniesHouseSource,
}

SITE_SOURCES = (WebsiteSource.name, SiteLocationsSource.name)
"""Asked for every company, in this order, ahead of the knowledge sources (``Source.after``)."""

UNRANKED = 1_000_000
"""The rank of a finding no registered source is named for (the resolution's own, test fixtures)."""


def _configured_names(settings: Settings) -> list[str]:
    """The configured knowledge sources' names, in order.

    Raises:
        ValueError: ``settings.knowledge_sources`` names a source that is not a registered knowledge
            source.
    """
    unknown = [name for name in settings.knowledge_sources if name not in SOURCES or name in SITE_SOURCES]
    if unknown:
        raise ValueError(f"unknown knowledge sources: {', '.join(unknown)}")
    return list(settings.knowledge_sources)


def knowledge_sources(settings: Settings) -> list[Source]:
    """The configured knowledge sources, in order, each built from the settings (``_configured_names``)."""
    return [SOURCES[name].from_settings(settings) for name in _configured_names(settings)]


def default_sources(settings: Settings) -> list[Source]:
    """The site sources, then the configured knowledge sources, in order."""
    site = [SOURCES[name].from_settings(settings) for name in SITE_SOURCES]
    return [*site, *knowledge_sources(settings)]


def domain_finders(fetcher: WebFetcher, settings: Settings) -> list[CandidateFinder]:
    """The resolution chain of these settings: the default chain with the finders the configured
    sources offer (Wikidata's, when it is configured); raises as ``_configured_names`` does."""
    names = [*SITE_SOURCES, *_configured_names(settings)]
    offered = [finder for name in names for finder in SOURCES[name].domain_finders(fetcher)]
    return default_finders(fetcher, settings, offered)


def precedence_of(source: str) -> int:
    """The tie-break rank of findings named for ``source`` (lower wins)."""
    registered = SOURCES.get(source)
    return registered.precedence if registered is not None else UNRANKED
