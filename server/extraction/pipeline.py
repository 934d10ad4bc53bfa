"""``WebExtractor``: the ``Extractor`` the scheduler drives. Resolve the domain, ask every source, merge.

Sources (``server.extraction.sources.registry``: the site sources, then the knowledge sources of
``settings.knowledge_sources``) are asked only when the mode wants a field they can state, and run
together, each after the earlier ones it keys on (its ``after``: ``SharedFacts``, the Wikidata item gives
Wikipedia its article, SEC its ticker, GLEIF its LEI); their findings are merged in the sources' order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Self

from server import metrics, tracing
from server.domain import ExtractionRequest, Profile
from server.errors import CompanyAnalysisError
from server.extraction import outcomes
from server.extraction.base import RESOLVING, LookaheadExtractor
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.page_pool import PageParser, PagePool
from server.extraction.profile import build_profile
from server.extraction.resolve import resolve_domain
from server.extraction.response_cache import ResponseCache
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.registry import SOURCES, default_sources, domain_finders
from server.settings import Settings
from server.storage.roles import ResponseCacheStore


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
        unregistered = [s.name for s in self._sources if SOURCES.get(s.name) is not type(s)]
        if unregistered:  # its findings would have no rank among the others'
            raise ValueError(f"sources not in the registry: {', '.join(unregistered)}")
        read = {name for source in self._sources for name in source.after}  # each states its own
        if read - SOURCES.keys():
            raise ValueError(f"sources read but not registered: {', '.join(sorted(read - SOURCES.keys()))}")
        # Resolution asks the configured sources' own finders (Wikidata's item websites) after the hint.
        self._finders = domain_finders(self._fetcher, settings)

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
            resolving = RESOLVING.set(True)
            try:
                resolution = await resolve_domain(
                    request, self._fetcher, self._settings, self._finders, parser=self._parser
                )
            except CompanyAnalysisError as exc:
                if report is None:
                    raise
                raise report.failure_for_not_found(exc) from None
            finally:
                RESOLVING.reset(resolving)
        context = SourceContext(
            request=request, resolution=resolution, fetcher=self._fetcher, plan=plan, parser=self._parser
        )
        findings = await self._collect(context)
        # Sources that said they could not be asked, and those the fetcher saw down: one list.
        unavailable = dict(context.unavailable)
        for name in report.unavailable_sources() if report is not None else ():
            unavailable.setdefault(name, "")
        return build_profile(request, resolution, findings, plan, unavailable)

    async def _collect(self, context: SourceContext) -> list[Finding]:
        """The findings of every source the mode wants, in the sources' order. Each starts as soon as
        the sources it reads (its ``after``, those configured before it) have left their facts, the
        others beside it: the site's pages and the Wikidata item are read together, then the sources
        keyed on them.

        Raises:
            The first exception a source raised (the others are cancelled), as sequential runs did.
        """
        running: dict[str, tuple[SourceContext, asyncio.Task[list[Finding]]]] = {}
        try:
            async with asyncio.TaskGroup() as group:
                for source in self._sources:
                    if context.wants(*source.fields):
                        own = replace(context, shared_done=asyncio.Event())
                        before = [running[name][0].shared_done for name in source.after if name in running]
                        running[source.name] = (own, group.create_task(_collected(source, own, before)))
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return [finding for _, task in running.values() for finding in task.result()]

    def upcoming(self, requests: Sequence[ExtractionRequest]) -> None:
        """Let each source read ahead for the companies about to run (``LookaheadExtractor``), those
        whose mode wants a field it can state (as ``extract`` asks it)."""
        for source in self._sources:
            wanted = [r for r in requests if set(plan_for(r.mode).fields) & source.fields]
            source.upcoming(self._fetcher, wanted)

    async def aclose(self) -> None:
        """Close every source, the fetcher and the parse pool (what they read ahead is dropped)."""
        self.upcoming([])
        for source in self._sources:
            await source.aclose()
        await self._fetcher.aclose()
        await self._parser.aclose()


async def _collected(
    source: Source, context: SourceContext, before: Sequence[asyncio.Event]
) -> list[Finding]:
    """``source``'s findings, once the sources it reads have left their facts (or ended, however)."""
    for shared in before:
        await shared.wait()
    try:
        with metrics.SOURCE_SECONDS.labels(source.name).time(), tracing.step_span(source.name):
            return await source.collect(context)
    finally:
        context.shared_done.set()


def build_extractor(settings: Settings, store: ResponseCacheStore | None = None) -> LookaheadExtractor:
    """The production extractor for these settings (sandbox mode included: only settings differ)."""
    return WebExtractor.from_settings(settings, store)
