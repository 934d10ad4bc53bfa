"""``WebExtractor``: the ``Extractor`` the scheduler drives. Resolve the domain, ask every source, merge.

Sources run in order (website, then the knowledge sources of ``settings.knowledge_sources``), each only
when the mode wants a field it can state; later sources key on what earlier ones learnt (the Wikidata
item gives Wikipedia its article, SEC its ticker, GLEIF its LEI).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Self

from server import metrics, tracing
from server.domain import ExtractionRequest, Profile
from server.errors import CompanyAnalysisError
from server.extraction import outcomes
from server.extraction.base import Extractor
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.page_pool import PageParser, PagePool
from server.extraction.profile import build_profile
from server.extraction.resolve import resolve_domain
from server.extraction.response_cache import ResponseCache
from server.extraction.sources.base import Finding, Source, SourceContext
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
from server.storage.roles import ResponseCacheStore

# Knowledge sources by their ``settings.knowledge_sources`` name, each made from the settings (a key it
# needs). New sources are registered here.
KNOWLEDGE_SOURCES: dict[str, Callable[[Settings], Source]] = {
    "wikidata": lambda _: WikidataSource(),
    "wikipedia": lambda _: WikipediaSource(),
    "sec_edgar": lambda _: SecEdgarSource(),
    "sec_formd": lambda _: SecFormDSource(),  # after sec_edgar: reads the CIK and submissions it found
    "gleif": lambda _: GleifSource(),
    "brreg": lambda _: BrregSource(),
    "recherche_entreprises": lambda _: RechercheEntreprisesSource(),
    "companies_house": lambda settings: CompaniesHouseSource(settings.companies_house_api_key),
}


def knowledge_sources(settings: Settings) -> list[Source]:
    """The configured knowledge sources, in order.

    Raises:
        ValueError: ``settings.knowledge_sources`` names a source that does not exist.
    """
    unknown = [name for name in settings.knowledge_sources if name not in KNOWLEDGE_SOURCES]
    if unknown:
        raise ValueError(f"unknown knowledge sources: {', '.join(unknown)}")
    return [KNOWLEDGE_SOURCES[name](settings) for name in settings.knowledge_sources]


def default_sources(settings: Settings | None = None) -> list[Source]:
    """The website (and the offices its markup states), then the configured knowledge sources, in order."""
    return [WebsiteSource(), SiteLocationsSource(), *knowledge_sources(settings or Settings())]


class WebExtractor:
    """Finds a company's site, reads it (and later other sources) and returns its profile.

    Raises (from ``extract``): ``CompanyAnalysisError`` when no domain verifies although every source
    answered, ``SourceUnavailableError`` or ``BlockedError`` when some did not.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fetcher: WebFetcher | None = None,
        sources: Sequence[Source] | None = None,
        parser: PageParser | None = None,
    ) -> None:
        self._settings = settings
        self._fetcher = fetcher or WebFetcher(settings)
        # One parse pool per extractor, hence per server: it lives and stops with ``aclose``.
        self._parser = parser or PagePool(settings)
        self._sources = list(sources) if sources is not None else default_sources(settings)

    @classmethod
    def from_settings(cls, settings: Settings, store: ResponseCacheStore | None = None) -> Self:
        """An extractor with its own fetcher and the default sources; with a store, knowledge answers
        are shared through it (``server.extraction.response_cache``)."""
        responses = ResponseCache(store) if store is not None else None
        return cls(settings, fetcher=WebFetcher(settings, responses=responses))

    async def extract(self, request: ExtractionRequest) -> Profile:
        """The profile of one company, shaped by ``request.mode``.

        Raises:
            CompanyAnalysisError: every source answered and no domain verified.
            SourceUnavailableError, BlockedError: no domain verified while some source did not answer
                (``server.extraction.outcomes``).
        """
        plan = plan_for(request.mode)
        report = outcomes.current()
        with (
            metrics.SOURCE_SECONDS.labels("domain_resolution").time(),
            tracing.step_span("domain_resolution"),
        ):
            try:
                resolution = await resolve_domain(request, self._fetcher, self._settings, parser=self._parser)
            except CompanyAnalysisError as exc:
                if report is None:
                    raise
                raise report.failure_for_not_found(exc) from None
        context = SourceContext(
            request=request, resolution=resolution, fetcher=self._fetcher, plan=plan, parser=self._parser
        )
        findings: list[Finding] = []
        for source in self._sources:
            if context.wants(*source.fields):
                with metrics.SOURCE_SECONDS.labels(source.name).time(), tracing.step_span(source.name):
                    findings += await source.collect(context)
        # Sources that said they could not be asked, and those the fetcher saw down: one list.
        unavailable = dict(context.unavailable)
        for name in report.unavailable_sources() if report is not None else ():
            unavailable.setdefault(name, "")
        return build_profile(request, resolution, findings, plan, unavailable)

    async def aclose(self) -> None:
        """Close every source, the fetcher and the parse pool."""
        for source in self._sources:
            await source.aclose()
        await self._fetcher.aclose()
        await self._parser.aclose()


def build_extractor(settings: Settings, store: ResponseCacheStore | None = None) -> Extractor:
    """The production extractor for these settings (sandbox mode included: only settings differ)."""
    return WebExtractor.from_settings(settings, store)
