"""A source and an export format added the way the README's "Extending" section says: one class and one
registration line each, here registered in the test only, and used through the real pipeline and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Self

import pytest

from server.api import convert
from server.domain import (
    BatchOptions,
    BatchResults,
    BatchStatus,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ExtractionMode,
    ExtractionRequest,
    Phase,
    Progress,
)
from server.export import RENDERERS, ExportOptions, Renderer, render_file, summarize
from server.extraction.pipeline import WebExtractor
from server.extraction.profile import choose
from server.extraction.sources import registry
from server.extraction.sources.base import Finding, Source, SourceContext
from server.extraction.sources.website import WebsiteSource
from server.settings import Settings

TINY_ALIAS = "Acme Tiny Listing"
TINY_INDUSTRY = "Tiny-Listed Robotics"


class TinySource(Source):
    """States an alias and an industry for every company whose site was verified."""

    name = "tiny"
    fields = frozenset({"aliases", "industry"})
    precedence = 5  # ranks before the website: on a tie its industry wins
    after = frozenset({WebsiteSource.name})  # it reads the site's pages

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(prefix=settings.user_agent.split("/")[0])

    async def collect(self, context: SourceContext) -> list[Finding]:
        home = context.resolution.home
        assert context.shared.site_pages, "the website source ran before it and left its pages"
        return [
            Finding(
                "aliases",
                f"{self.prefix} {TINY_ALIAS}",
                self.name,
                home.url,
                home.retrieved_at,
                "listed",
                0.9,
            ),
            Finding("industry", TINY_INDUSTRY, self.name, home.url, home.retrieved_at, "listing", 0.1),
        ]


def _tiny_lines(results: BatchResults, options: ExportOptions) -> bytes:
    """One ``name: aliases`` line per successful company."""
    lines = [
        f"{outcome.company_name}: {'; '.join((outcome.profile or {}).get('aliases', []))}"
        for outcome in results.results
        if outcome.state is CompanyState.SUCCESS
    ]
    return "\n".join(lines).encode()


TINY_FORMAT = Renderer("text/plain; charset=utf-8", "txt", _tiny_lines)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.SOURCES, TinySource.name, TinySource)  # the source's registration line
    monkeypatch.setitem(RENDERERS, "tiny", TINY_FORMAT)  # the format's registration line


def _results(outcome: CompanyOutcome) -> BatchResults:
    now = datetime.now(UTC)
    progress = Progress(
        total_companies=1, completed=1, failed=0, in_progress=0, cancelled=0, phase=Phase.FINISHED
    )
    batch = BatchView(
        batch_id="batch_plugins",
        status=BatchStatus.COMPLETED,
        options=BatchOptions(),
        progress=progress,
        created_at=now,
        started_at=now,
        completed_at=now,
        last_update=now,
        processing_time=1.0,
        estimated_processing_time=0.0,
        estimated_completion=None,
    )
    return BatchResults(batch=batch, results=(outcome,), summary=summarize((outcome,)))


@pytest.mark.usefixtures("registered")
async def test_a_registered_source_and_format_are_used_end_to_end(sandbox_settings: Settings) -> None:
    settings = sandbox_settings.model_copy(update={"knowledge_sources": ["wikidata", TinySource.name]})
    extractor = WebExtractor.from_settings(settings)
    try:
        request = ExtractionRequest("Acme Robotics Inc.", ExtractionMode.COMPREHENSIVE, "US")
        profile = await extractor.extract(request)
    finally:
        await extractor.aclose()
    alias = f"{settings.user_agent.split('/')[0]} {TINY_ALIAS}"  # built by from_settings
    position = profile["aliases"].index(alias)
    assert profile["provenance"][f"aliases[{position}]"]["source"] == TinySource.name
    assert profile["industry"] != TINY_INDUSTRY  # a weak statement does not outrank the site's

    now = datetime.now(UTC)
    outcome = CompanyOutcome(
        "Acme Robotics Inc.", CompanyState.SUCCESS, profile=profile, started_at=now, finished_at=now
    )
    exported = render_file(_results(outcome), "tiny", include_failed=True)
    assert exported.data.decode() == f"Acme Robotics Inc.: {'; '.join(profile['aliases'])}"
    assert (exported.content_type, exported.filename) == (
        "text/plain; charset=utf-8",
        "batch_plugins_results.txt",
    )
    # The built-in formats are looked up in the same registry.
    as_json = render_file(_results(outcome), "json", include_failed=True, document=convert.results_json)
    assert alias in json.loads(as_json.data)["results"][0]["data"]["aliases"]
    as_csv = render_file(_results(outcome), "csv", include_failed=True)
    assert next(csv.DictReader(io.StringIO(as_csv.data.decode())))["company_name"] == "Acme Robotics Inc."


@pytest.mark.usefixtures("registered")
def test_a_tie_goes_to_the_source_whose_class_ranks_it_first() -> None:
    when = datetime.now(UTC)
    site = Finding("industry", "Robotics", "website", "https://a.example/", when, "json-ld", 0.7)
    tiny = Finding("industry", "Automation", TinySource.name, "https://a.example/", when, "listing", 0.7)
    for findings in ([site, tiny], [tiny, site]):
        chosen = choose(findings)
        assert chosen is not None and chosen[0] == "Automation"


def test_a_source_outside_the_registry_is_refused(sandbox_settings: Settings) -> None:
    with pytest.raises(ValueError, match="not in the registry: tiny"):
        WebExtractor(sandbox_settings, sources=[TinySource("x")])


def test_an_unknown_format_is_a_clear_error() -> None:
    now = datetime.now(UTC)
    outcome = CompanyOutcome("A", CompanyState.SUCCESS, profile={}, started_at=now, finished_at=now)
    with pytest.raises(ValueError, match="unknown export format 'tiny'; expected one of csv, excel, json"):
        render_file(_results(outcome), "tiny", include_failed=True)


@pytest.mark.parametrize("name", ["tiny", "website"])  # not registered; a site source, asked anyway
def test_a_knowledge_source_list_naming_no_registered_knowledge_source_is_refused(
    sandbox_settings: Settings, name: str
) -> None:
    settings = sandbox_settings.model_copy(update={"knowledge_sources": ["wikidata", name]})
    with pytest.raises(ValueError, match=f"unknown knowledge sources: {name}"):
        registry.knowledge_sources(settings)
    with pytest.raises(ValueError, match=f"unknown knowledge sources: {name}"):
        registry.domain_finders(None, settings)  # type: ignore[arg-type]  # refused before any finder is built
